/**
 * Play loops: advance a cursor at `speed` events per second on animation frames. The single view
 * plays the app's cursor; compare mode (compare/playback.ts) plays the aligned cursor, both at the
 * app's speed.
 */

import { useEffect } from "react";
import { useLinkStore } from "../store/link-store.ts";
import { selectSpeed } from "../store/selectors.ts";
import { useStore } from "../store/store.ts";

/** What a play loop reads and drives on each frame. */
export interface PlayTarget {
  readonly step: number;
  /** the last step the loop may reach */
  readonly end: number;
  /** embed mode's step range: play loops from `start` to `end` instead of stopping at `end` */
  readonly loopFrom?: number;
  setStep(step: number): void;
  pause(): void;
}

/** Plays while `playing`; `target` is read afresh on every frame that moves (a module-level function). */
export function usePlayLoop(playing: boolean, speed: number, target: () => PlayTarget): void {
  useEffect(() => {
    if (!playing) return;
    let raf = 0;
    let last = performance.now();
    let acc = 0;
    const tick = (now: number) => {
      acc += now - last;
      last = now;
      const stride = Math.floor((acc * speed) / 1000);
      if (stride > 0) {
        acc -= (stride * 1000) / speed;
        const { step, end, loopFrom, setStep, pause } = target();
        if (loopFrom !== undefined && (step >= end || step < loopFrom)) {
          setStep(loopFrom); // round again (or into the range, from a step outside it)
        } else {
          const next = Math.min(end, step + stride);
          setStep(next);
          if (next >= end && loopFrom === undefined) {
            pause();
            return;
          }
        }
      }
      raf = requestAnimationFrame(tick);
    };
    raf = requestAnimationFrame(tick);
    return () => cancelAnimationFrame(raf);
  }, [playing, speed, target]);
}

/** The end of the loop, and its start in embed mode with a step range (embed=1&from=A&to=B). */
export function bounds(last: number): { end: number; loopFrom?: number } {
  const embed = useLinkStore.getState().embed;
  if (!embed || (embed.from === undefined && embed.to === undefined)) return { end: last };
  const end = Math.min(last, embed.to ?? last);
  return { end, loopFrom: Math.min(end, embed.from ?? 0) };
}

function appTarget(): PlayTarget {
  const { step, trace, setStep, pause } = useStore.getState();
  return { step, ...bounds((trace?.steps ?? 1) - 1), setStep, pause };
}

/** The single view's play loop: the app's cursor. */
export function usePlayback(): void {
  usePlayLoop(
    useStore((s) => s.playing),
    useStore(selectSpeed),
    appTarget,
  );
}
