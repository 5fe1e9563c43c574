/** Play loop of compare mode: advances the aligned cursor at the app's speed (events per second). */

import { useEffect } from "react";
import { useCompareStore } from "../../store/compare.ts";
import { selectSpeed } from "../../store/selectors.ts";
import { useStore } from "../../store/store.ts";
import { alignedTotal } from "../../trace/diff.ts";

export function useComparePlayback(): void {
  const playing = useCompareStore((s) => s.playing);
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
        const { step, comparison, setStep, pause } = useCompareStore.getState();
        const end = (comparison ? alignedTotal(comparison) : 1) - 1;
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
