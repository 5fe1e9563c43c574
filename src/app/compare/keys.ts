/**
 * Keys in compare mode: the single view's keys, on the aligned cursor, plus [ and ] for the
 * previous/next divergence. Speed (-/+) stays the app's. keyboard.ts routes here in compare mode.
 */

import { useCompareStore } from "../../store/compare.ts";
import { handleStepKey, type KeyPress } from "../stepKeys.ts";

export function compareModeActive(): boolean {
  return useCompareStore.getState().mode === "compare";
}

/** Returns true when the key was one of ours (and was handled). */
export function handleCompareKey(e: KeyPress): boolean {
  if (e.ctrlKey || e.metaKey || e.altKey) return false;
  const c = useCompareStore.getState();
  switch (e.key) {
    case "]":
      c.pause();
      c.nextDivergence();
      return true;
    case "[":
      c.pause();
      c.prevDivergence();
      return true;
    default:
      return handleStepKey(e, c);
  }
}
