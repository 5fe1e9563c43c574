/**
 * A trace: the scenario, the kernel's events stored compactly (a loop over N pages is one record),
 * the result of each statement, the findings, and checkpoints of the kernel state so that any step
 * can be rebuilt without re-running from the start (cursor.ts). A trace is immutable once run()
 * returns it. `steps` counts every per-page event; eventAt() makes the event of any step on demand.
 */

import type { KernelEvent } from "../kernel/events.ts";
import { instantiate } from "../kernel/events.ts";
import type { RecordList } from "../kernel/records.ts";
import type { SimFinding as Finding, SimCheckpoint } from "../kernel/sim.ts";
import type { Design, KernelVersion, Scenario, Span } from "../scenario/ast.ts";

/** What a statement returned: "ok", an errno name ("EINVAL"), a signal ("SIGBUS"), or "blocked". */
export type OpResult = string;

export interface OpRecord {
  /** index of the statement in the scenario */
  readonly index: number;
  /** 1-based source line */
  readonly line: number;
  /** the statement as printed (canonical form) */
  readonly text: string;
  readonly result: OpResult;
  /** first and last step (event index) of this statement, inclusive */
  readonly firstStep: number;
  readonly lastStep: number;
  /** first record of this statement, and one past its last */
  readonly firstRecord: number;
  readonly endRecord: number;
  /** free pages of each device after the statement, by device name (sysfs `available` / page size) */
  readonly free: Readonly<Record<string, number>>;
}

export type { FindingKind, SimFinding as Finding } from "../kernel/sim.ts";

export type Checkpoint = SimCheckpoint;

export interface Trace {
  readonly scenario: Scenario;
  readonly spans: readonly Span[];
  readonly design: Design;
  readonly version: KernelVersion;
  readonly pageSize: number;
  /** the stored records, packed (kernel/records.ts): single events and loops; records.end(r) is
   * the steps up to and including record r */
  readonly records: RecordList;
  /** total number of steps (per-page events) */
  readonly steps: number;
  readonly ops: readonly OpRecord[];
  readonly findings: readonly Finding[];
  readonly checkpoints: readonly Checkpoint[];
  /** names by index, for describing events */
  readonly deviceNames: readonly string[];
  readonly processNames: readonly string[];
  readonly pinNames: readonly string[];
  /** set when the run stopped early because it hit the record budget */
  readonly truncated?: { readonly line: number; readonly message: string };
}

/** The record holding `step`, and the step's offset inside it. */
export function recordOf(t: Trace, step: number): { index: number; offset: number } {
  const index = t.records.indexOfStep(step);
  const start = index === 0 ? 0 : t.records.end(index - 1);
  return { index, offset: step - start };
}

/** The event at `step` (0 <= step < steps), made from its record. */
export function eventAt(t: Trace, step: number): KernelEvent | undefined {
  if (step < 0 || step >= t.steps) return undefined;
  const { index, offset } = recordOf(t, step);
  const r = t.records.get(index);
  if (r.kind !== "loop") return r;
  const B = r.body.length;
  return instantiate(r.body[offset % B]!, Math.floor(offset / B));
}

/** Every event of steps [from, to), one at a time (for small traces, tests and the JSON events list). */
export function* eventsOf(t: Trace, from = 0, to = t.steps): Generator<KernelEvent> {
  if (from >= to) return;
  let { index, offset } = recordOf(t, from);
  let step = from;
  while (step < to && index < t.records.length) {
    const r = t.records.get(index);
    if (r.kind !== "loop") {
      yield r;
      step++;
    } else {
      const B = r.body.length;
      const n = r.n * B;
      for (; offset < n && step < to; offset++, step++)
        yield instantiate(r.body[offset % B]!, Math.floor(offset / B));
    }
    index++;
    offset = 0;
  }
}

const expanded = new WeakMap<Trace, KernelEvent[]>();

/** All events, expanded (and kept): only for small traces (tests, exports of a few thousand steps). */
export function allEvents(t: Trace): readonly KernelEvent[] {
  let all = expanded.get(t);
  if (!all) expanded.set(t, (all = [...eventsOf(t)]));
  return all;
}
