/**
 * How long the panels' transitions last: short, and none with reduced motion, while an export
 * records, or when playing fast. Part of the initial JavaScript (TraceView passes the length down).
 */

export function prefersReducedMotion(): boolean {
  return typeof matchMedia === "function" && matchMedia("(prefers-reduced-motion: reduce)").matches;
}

/** Set while share/animate.ts records the view step by step: every frame shows its final state. */
export const recording = { on: false };

/** Transition length: short, and none with reduced motion, while recording, or when playing fast. */
export function motionMs(base: number, playing: boolean, speed: number): number {
  if (recording.on || prefersReducedMotion()) return 0;
  if (playing) return Math.min(base, Math.floor(600 / Math.max(1, speed)));
  return base;
}
