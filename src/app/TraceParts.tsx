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

/** Each device's free pages, one after the other. */
export function PoolSummary({ state }: { readonly state: KernelState }) {
  return (
    <p className="pool-summary" data-testid="pool-summary">
      {state.devices.map((d, i) => (
        <span key={d.name} data-dev={d.name}>
          {i > 0 ? "; " : ""}
          {poolSummary({ name: d.name, free: d.freePages, pages: d.pages })}
        </span>
      ))}
    </p>
  );
}

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
