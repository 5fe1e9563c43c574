/**
 * One TraceCursor per trace, kept outside React state: a cursor owns a live KernelState that it
 * mutates on every seek, so it must never be copied into the store or compared by React.
 *
 * WARNING: the object stateAtStep() returns is the cursor's live state. Read it at once (build a
 * view model from it); the next seek on the same trace changes it.
 */

import { emptyState, type KernelState } from "../kernel/state.ts";
import { TraceCursor } from "../trace/cursor.ts";
import type { Trace } from "../trace/trace.ts";

const cursors = new WeakMap<Trace, TraceCursor>();

export function cursorFor(trace: Trace): TraceCursor {
  let c = cursors.get(trace);
  if (!c) {
    c = new TraceCursor(trace);
    cursors.set(trace, c);
  }
  return c;
}

/** The kernel state after events[step] (the state before any event when the trace is empty). */
export function stateAtStep(trace: Trace, step: number): KernelState {
  if (trace.steps === 0) return emptyState(trace.design, trace.pageSize, trace.version);
  const s = Math.max(0, Math.min(trace.steps - 1, step));
  return cursorFor(trace).seek(s);
}
