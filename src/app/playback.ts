/** Play loop: advances the cursor at `speed` events per second on animation frames. */

import { useEffect } from "react";
import { selectSpeed } from "../store/selectors.ts";
import { useStore } from "../store/store.ts";

export function usePlayback(): void {
  const playing = useStore((s) => s.playing);
  const speed = useStore(selectSpeed);
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
        const { step, trace, setStep, pause } = useStore.getState();
        const end = (trace?.events.length ?? 1) - 1;
        const next = Math.min(end, step + stride);
        setStep(next);
        if (next >= end) {
          pause();
          return;
        }
      }
      raf = requestAnimationFrame(tick);
    };
    raf = requestAnimationFrame(tick);
    return () => cancelAnimationFrame(raf);
  }, [playing, speed]);
}
