/**
 * Small pieces of a trace's view that the single view and each column of compare mode show alike:
 * the pool summary, the narration of the current step, and the banner of a run that stopped early.
 * Like the panels, they take their data as props.
 */

import type { KernelState } from "../kernel/state.ts";
import { poolSummary } from "../panels/PoolParts.tsx";
import { opAt } from "../store/selectors.ts";
import { describeEvent } from "../trace/describe.ts";
import { eventAt, type Trace } from "../trace/trace.ts";

/**
 * Each device's free pages, one after the other. Under them, unseen, the summary of every device
 * the trace creates, all free (as wide as the line gets): the line keeps that room from the first
 * step. Grown a line at a time as devices appeared (four lines for eight devices), it shrank the
 * pool below it at those steps, and the pool drew every column again.
 */
export function PoolSummary({
  state,
  trace,
  scrolls = false,
}: {
  readonly state: KernelState;
  readonly trace: Trace;
  /** kept to two lines, scrolling past them (compare mode's columns, where the pool is short) */
  readonly scrolls?: boolean;
}) {
  return (
    <p
      className={scrolls ? "pool-summary pool-summary-scrolls" : "pool-summary"}
      // a region that scrolls must be reachable by keyboard (axe scrollable-region-focusable)
      tabIndex={scrolls ? 0 : undefined}
    >
      <span data-testid="pool-summary">
        {state.devices.map((d, i) => (
          <span key={d.name} data-dev={d.name}>
            {i > 0 ? "; " : ""}
            {poolSummary({ name: d.name, free: d.freePages, pages: d.pages })}
          </span>
        ))}
      </span>
      <span className="pool-summary-room" aria-hidden="true">
        {widestSummary(trace)}
      </span>
    </p>
  );
}

/**
 * Every device the trace's scenario creates (its `device` statements, in order), with its size in
 * pages: a size that is not a whole number of pages counts its whole pages, as sim.ts's addResource
 * does. Known at step 0, before any device exists; worked out once per trace.
 */
export function scenarioDevices(trace: Trace): readonly { readonly name: string; readonly pages: number }[] {
  let devices = scenarioDevicesOf.get(trace);
  if (devices === undefined) {
    devices = [];
    for (const st of trace.scenario.statements)
      if (st.op === "device") devices.push({ name: st.dev, pages: Math.floor(st.size / trace.pageSize) });
    scenarioDevicesOf.set(trace, devices);
  }
  return devices;
}
const scenarioDevicesOf = new WeakMap<Trace, { name: string; pages: number }[]>();

/** The pool summary of every device the trace's scenario creates, each with all its pages free. */
export function widestSummary(trace: Trace): string {
  let text = widest.get(trace);
  if (text === undefined) {
    text = scenarioDevices(trace)
      .map((d) => poolSummary({ name: d.name, free: d.pages, pages: d.pages }))
      .join("; ");
    widest.set(trace, text);
  }
  return text;
}
const widest = new WeakMap<Trace, string>();

export interface NarrationProps {
  readonly trace: Trace;
  readonly step: number;
  /** announce each step to screen readers (the single view) */
  readonly live?: boolean;
  /** the sentence as the tooltip too, for where it is cut short (compare mode's columns) */
  readonly titled?: boolean;
}

/** The statement at `step` with its result, then the sentence for the event there. */
export function Narration({ trace, step, live = false, titled = false }: NarrationProps) {
  const event = eventAt(trace, step);
  const sentence = event ? describeEvent(trace, event) : undefined;
  const op = opAt(trace, step);
  return (
    <p
      className="narration"
      aria-live={live ? "polite" : undefined}
      data-testid="narration"
      title={titled ? sentence : undefined}
    >
      {op && (
        <span className="narration-op">
          line {op.line}: <code>{op.text}</code> →{" "}
          <b className={op.result === "ok" ? "ok" : "bad"}>{op.result}</b>
          {" · "}
        </span>
      )}
      {sentence ?? "The scenario did nothing."}
    </p>
  );
}

/** Says where and why the run stopped early, when it did. */
export function StoppedEarly({ trace }: { readonly trace: Trace }) {
  if (!trace.truncated) return null;
  return (
    <p className="banner" role="status">
      Stopped early at line {trace.truncated.line}: {trace.truncated.message}
    </p>
  );
}
