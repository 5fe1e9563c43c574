/**
 * Pure selectors over the store state and the trace, testable without React. Components use them
 * with useStore(sel) for primitives and useStore(useShallow(sel)) for objects.
 */

import type { KernelEvent } from "../kernel/events.ts";
import { type OpRecord, type Trace, eventAt as traceEventAt } from "../trace/trace.ts";
import type { AppState } from "./store.ts";

export const SPEEDS = [1, 2, 4, 8, 16, 32, 64, 128, 512] as const;

export function totalSteps(trace: Trace | null): number {
  return trace ? trace.steps : 0;
}

/** The stable test hook text: `Step N / TOTAL`, N counted from 0. */
export function stepLabel(step: number, trace: Trace | null): string {
  return `Step ${step} / ${totalSteps(trace)}`;
}

export function clampStep(trace: Trace | null, step: number): number {
  const total = totalSteps(trace);
  if (total === 0 || !Number.isFinite(step)) return 0;
  return Math.max(0, Math.min(total - 1, Math.trunc(step)));
}

/** Index of the statement (trace.ops) that produced events[step], or -1 (binary search on firstStep). */
export function opIndexAt(trace: Trace, step: number): number {
  const ops = trace.ops;
  let lo = 0;
  let hi = ops.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (ops[mid]!.firstStep <= step) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  if (found >= 0 && ops[found]!.lastStep < step) return -1;
  return found;
}

export function opAt(trace: Trace, step: number): OpRecord | undefined {
  const i = opIndexAt(trace, step);
  return i >= 0 ? trace.ops[i] : undefined;
}

export function eventAt(trace: Trace | null, step: number): KernelEvent | undefined {
  return trace ? traceEventAt(trace, step) : undefined;
}

/** First step of the next statement after the one at `step` (the last step when there is none). */
export function nextStatementStep(trace: Trace, step: number): number {
  for (const op of trace.ops) if (op.firstStep > step) return op.firstStep;
  return Math.max(0, trace.steps - 1);
}

/**
 * First step of the current statement if `step` is past it, else of the previous statement
 * (like a media player's "previous track").
 */
export function prevStatementStep(trace: Trace, step: number): number {
  let best = 0;
  for (const op of trace.ops) {
    if (op.firstStep < step) best = op.firstStep;
    else break;
  }
  return best;
}

/**
 * Maps a step of an old trace onto a new trace of the same (or edited) scenario: the same statement
 * index, the same offset inside it (clamped). Keeps the viewer in place while editing or switching design.
 */
export function carryStep(oldTrace: Trace | null, oldStep: number, next: Trace): number {
  if (!oldTrace || next.steps === 0) return 0;
  const i = opIndexAt(oldTrace, oldStep);
  if (i < 0) return clampStep(next, oldStep);
  const oldOp = oldTrace.ops[i]!;
  const op = next.ops[Math.min(i, next.ops.length - 1)];
  if (!op) return clampStep(next, oldStep);
  return Math.min(op.lastStep, op.firstStep + (oldStep - oldOp.firstStep));
}

/** Steps to advance per animation tick when playing: speed is in events per second. */
export function playStride(speed: number, elapsedMs: number): number {
  return Math.floor((speed * elapsedMs) / 1000);
}

export const selectStepLabel = (s: AppState): string => stepLabel(s.step, s.trace);
export const selectSpeed = (s: AppState): number => SPEEDS[s.speedIndex] ?? 1;
export const selectTransport = (s: AppState) => ({
  step: s.step,
  total: totalSteps(s.trace),
  playing: s.playing,
  speed: SPEEDS[s.speedIndex] ?? 1,
});
export const selectEditor = (s: AppState) => ({ text: s.text, diagnostics: s.diagnostics });
export const selectView = (s: AppState) => ({ trace: s.trace, step: s.step, traceVersion: s.traceVersion });
