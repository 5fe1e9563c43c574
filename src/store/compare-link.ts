/**
 * Compare mode in share links (format v2, docs/url-format.md): what url-sync.ts adds to the link
 * of the app's state, and what it does with a link's comparison. Kept here so url-sync.ts needs
 * only three small hooks.
 */

import { checkStep, type ShareError, type ShareState } from "../share/codec.ts";
import { alignedTotal } from "../trace/diff.ts";
import { useCompareStore } from "./compare.ts";

/**
 * The link state with compare mode added when it is on: side B (its design, written as the design
 * it resolved to when it is "as written", and its own text if it has one) and the aligned step.
 */
export function withCompare(state: ShareState): ShareState {
  const { mode, designB, versionB, textB, comparison, step } = useCompareStore.getState();
  if (mode !== "compare") return state;
  const design = designB ?? comparison?.b.design;
  if (design === undefined && textB === null) return state;
  // a version chosen for side B goes with its design (`vs=upstream@7.3`)
  const version = designB && versionB ? versionB : undefined;
  return {
    ...state,
    step: comparison ? step : state.step,
    compare: {
      ...(design && { design }),
      ...(version && { version }),
      ...(textB !== null && { text: textB }),
    },
  };
}

/**
 * After a link's scenario is loaded as side A: opens compare mode at the link's aligned step when
 * the link is a comparison (and says if that step is past the aligned end), or leaves compare mode
 * for a single-view link.
 */
export function openCompareFromLink(state: ShareState): ShareError | undefined {
  const c = useCompareStore.getState();
  if (!state.compare) {
    if (c.mode === "compare") c.close();
    return undefined;
  }
  c.open({
    designB: state.compare.design ?? null,
    versionB: state.compare.version ?? null,
    textB: state.compare.text ?? null,
    step: state.step,
  });
  const { comparison } = useCompareStore.getState();
  // side B's scenario errors are shown in compare mode itself
  return comparison ? checkStep(state.step, alignedTotal(comparison)) : undefined;
}

/** Whether compare mode is playing (its cursor changes by itself). */
export function comparePlaying(): boolean {
  const c = useCompareStore.getState();
  return c.mode === "compare" && c.playing;
}

/** Calls `onChange` whenever what the link holds of compare mode changes. Returns the unsubscribe. */
export function subscribeCompare(onChange: () => void): () => void {
  return useCompareStore.subscribe((s, prev) => {
    if (
      s.mode !== prev.mode ||
      (s.mode === "compare" &&
        (s.step !== prev.step ||
          s.designB !== prev.designB ||
          s.versionB !== prev.versionB ||
          s.textB !== prev.textB ||
          s.comparison !== prev.comparison))
    ) {
      onChange();
    }
  });
}
