/**
 * Random access into a trace: the state after any step, without re-running the scenario. A cursor
 * keeps one live state and moves it with applyEvent/revertEvent; a far jump starts from the nearest
 * checkpoint (before or after the target) instead.
 */
import { applyEvent, revertEvent } from "../v1-kernel/events.ts";
import { cloneState, type KernelState } from "../v1-kernel/state.ts";
import type { Trace } from "./trace.ts";

export class TraceCursor {
  private state: KernelState;
  /** number of events applied to `state` */
  private applied = 0;

  constructor(readonly trace: Trace) {
    this.state = cloneState(trace.checkpoints[0]!.state, true);
  }

  /**
   * The state after events[step] (step -1: before any event). The returned object is the cursor's
   * own and changes on the next seek: read it, don't keep or mutate it.
   */
  seek(step: number): KernelState {
    const events = this.trace.events;
    const target = Math.max(0, Math.min(events.length, step + 1));
    const cps = this.trace.checkpoints;
    // The checkpoints nearest the target on each side.
    let lo = 0;
    let hi = cps.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (cps[mid]!.step <= target) lo = mid;
      else hi = mid - 1;
    }
    const before = cps[lo]!;
    const after = cps[lo + 1];
    const here = Math.abs(this.applied - target);
    const fromBefore = target - before.step;
    const fromAfter = after ? after.step - target : Number.POSITIVE_INFINITY;
    if (fromBefore < here || fromAfter < here) {
      const cp = fromAfter < fromBefore ? after! : before;
      this.state = cloneState(cp.state, true);
      this.applied = cp.step;
    }
    while (this.applied < target) applyEvent(this.state, events[this.applied++]!);
    while (this.applied > target) revertEvent(this.state, events[--this.applied]!);
    return this.state;
  }
}

/** A fresh copy of the state after events[step]. */
export function stateAt(trace: Trace, step: number): KernelState {
  return cloneState(new TraceCursor(trace).seek(step));
}
