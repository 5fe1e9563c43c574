/**
 * Random access into a trace: the state after any step, without re-running the scenario. A cursor
 * keeps one live state and moves it record by record (a loop moves by whole ranges at once); a far
 * jump starts from the nearest checkpoint (before or after the target) instead.
 */
import { applyEvent, applyLoop, revertEvent, revertLoop } from "../kernel/events.ts";
import { cloneState, type KernelState } from "../kernel/state.ts";
import { recordOf, type Trace } from "./trace.ts";

export class TraceCursor {
  private state: KernelState;
  /** number of steps applied to `state` */
  private applied = 0;

  constructor(readonly trace: Trace) {
    this.state = cloneState(trace.checkpoints[0]!.state, true);
  }

  /**
   * The state after the event of `step` (step -1: before any event). The returned object is the
   * cursor's own and changes on the next seek: read it, don't keep or mutate it.
   */
  seek(step: number): KernelState {
    const t = this.trace;
    const target = Math.max(0, Math.min(t.steps, step + 1));
    const cps = t.checkpoints;
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
    // Distance in records: what moving costs.
    const rec = (s: number) => (s >= t.steps ? t.records.length : recordOf(t, s).index);
    const targetRec = rec(target);
    const here = Math.abs(rec(this.applied) - targetRec);
    const fromBefore = targetRec - before.record;
    const fromAfter = after ? after.record - targetRec : Number.POSITIVE_INFINITY;
    if (fromBefore < here || fromAfter < here) {
      const cp = fromAfter < fromBefore ? after! : before;
      this.state = cloneState(cp.state, true);
      this.applied = cp.step;
    }
    this.move(target);
    return this.state;
  }

  /**
   * Applies or reverts steps until `applied === target`, a record (or a run of a loop) at a time.
   * Forward and back are two functions: as one, a cursor that had only moved one way was optimized
   * without feedback for the other, and stepping back and forth deoptimized it hundreds of times
   * (--trace-deopt: "insufficient type feedback"), a step forward taking 3 us instead of 1.
   */
  private move(target: number): void {
    if (this.applied < target) this.forward(target);
    else if (this.applied > target) this.back(target);
  }

  private forward(target: number): void {
    const t = this.trace;
    while (this.applied < target) {
      const { index, offset } = recordOf(t, this.applied);
      const r = t.records.get(index);
      const start = this.applied - offset;
      const end = t.records.end(index);
      const to = Math.min(end, target);
      if (r.kind === "loop") applyLoop(this.state, r, offset, to - start);
      else applyEvent(this.state, r);
      this.applied = to;
    }
  }

  private back(target: number): void {
    const t = this.trace;
    while (this.applied > target) {
      const { index, offset } = recordOf(t, this.applied - 1);
      const r = t.records.get(index);
      const start = this.applied - 1 - offset;
      const from = Math.max(start, target);
      if (r.kind === "loop") revertLoop(this.state, r, from - start, this.applied - start);
      else revertEvent(this.state, r);
      this.applied = from;
    }
  }
}

/** A fresh copy of the state after the event of `step`. */
export function stateAt(trace: Trace, step: number): KernelState {
  return cloneState(new TraceCursor(trace).seek(step));
}
