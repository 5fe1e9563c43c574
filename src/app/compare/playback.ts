/** Compare mode's play loop: the aligned cursor, at the app's speed (loaded with compare mode). */

import { useCompareStore } from "../../store/compare.ts";
import { selectSpeed } from "../../store/selectors.ts";
import { useStore } from "../../store/store.ts";
import { alignedTotal } from "../../trace/diff.ts";
import { bounds, type PlayTarget, usePlayLoop } from "../playback.ts";

function compareTarget(): PlayTarget {
  const { step, comparison, setStep, pause } = useCompareStore.getState();
  return { step, ...bounds((comparison ? alignedTotal(comparison) : 1) - 1), setStep, pause };
}

export function useComparePlayback(): void {
  usePlayLoop(
    useCompareStore((s) => s.playing),
    useStore(selectSpeed),
    compareTarget,
  );
}
