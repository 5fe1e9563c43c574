/**
 * A trace: the scenario, every event it caused, the result of each statement, the findings, and
 * checkpoints of the kernel state so that any step can be rebuilt without re-running from the start
 * (cursor.ts). A trace is immutable once run() returns it.
 */

import type { Design, Scenario, Span } from "../../scenario/ast.ts";
import type { KernelEvent } from "../v1-kernel/events.ts";
import type { SimFinding as Finding } from "../v1-kernel/sim.ts";
import type { KernelState } from "../v1-kernel/state.ts";

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
  /** free pages of each device after the statement, by device name (sysfs `available` / page size) */
  readonly free: Readonly<Record<string, number>>;
}

export type { FindingKind, SimFinding as Finding } from "../v1-kernel/sim.ts";

export interface Checkpoint {
  /** state before events[step] is applied */
  readonly step: number;
  readonly state: KernelState;
}

export interface Trace {
  readonly scenario: Scenario;
  readonly spans: readonly Span[];
  readonly design: Design;
  readonly pageSize: number;
  readonly events: readonly KernelEvent[];
  readonly ops: readonly OpRecord[];
  readonly findings: readonly Finding[];
  readonly checkpoints: readonly Checkpoint[];
  /** names by index, for describing events */
  readonly deviceNames: readonly string[];
  readonly processNames: readonly string[];
  readonly pinNames: readonly string[];
  /** set when the run stopped early because it hit the event budget */
  readonly truncated?: { readonly line: number; readonly message: string };
}
