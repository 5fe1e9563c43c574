/**
 * Keys in compare mode: the single view's keys, on the aligned cursor, plus [ and ] for the
 * previous/next divergence. Speed (-/+) stays the app's. keyboard.ts routes here in compare mode.
 */

import type { CompareState } from "../../store/compare.ts";
import { handleStepKey, type KeyPress } from "../stepKeys.ts";

/** Returns true when the key was one of ours (and was handled). `c`: compare mode's state. */
export function handleCompareKey(e: KeyPress, c: CompareState): boolean {
  if (e.ctrlKey || e.metaKey || e.altKey) return false;
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
