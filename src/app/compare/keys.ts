/**
 * Keys in compare mode: the single view's keys, on the aligned cursor, plus [ and ] for the
 * previous/next divergence. Speed (-/+) stays the app's. keyboard.ts routes here in compare mode.
 */

import { useCompareStore } from "../../store/compare.ts";
import { useStore } from "../../store/store.ts";

export function compareModeActive(): boolean {
  return useCompareStore.getState().mode === "compare";
}

/** Returns true when the key was one of ours (and was handled). */
export function handleCompareKey(
  e: Pick<KeyboardEvent, "key" | "shiftKey" | "ctrlKey" | "metaKey" | "altKey">,
): boolean {
  if (e.ctrlKey || e.metaKey || e.altKey) return false;
  const c = useCompareStore.getState();
  switch (e.key) {
    case " ":
    case "Spacebar":
      c.togglePlay();
      return true;
    case "ArrowRight":
      c.pause();
      if (e.shiftKey) c.nextStatement();
      else c.stepBy(1);
      return true;
    case "ArrowLeft":
      c.pause();
      if (e.shiftKey) c.prevStatement();
      else c.stepBy(-1);
      return true;
    case "Home":
      c.pause();
      c.first();
      return true;
    case "End":
      c.pause();
      c.last();
      return true;
    case "]":
      c.pause();
      c.nextDivergence();
      return true;
    case "[":
      c.pause();
      c.prevDivergence();
      return true;
    case "-":
    case "_":
      useStore.getState().slower();
      return true;
    case "+":
    case "=":
      useStore.getState().faster();
      return true;
    default:
      return false;
  }
}
