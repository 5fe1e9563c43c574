/**
 * The look palette of pages: a colour plus a pattern (PatternDefs.tsx), so colour is never the only
 * cue. Part of the initial JavaScript (the legend and the pool summary in the app's shell use it);
 * the panels' own shared code is common.ts.
 */
import type { PageLook } from "../kernel/state.ts";

export const LOOKS: readonly PageLook[] = ["free", "allocated", "mapped", "pinned", "freed-in-use", "gone"];

/** How a look is drawn: a fill colour and a pattern glyph (see PatternDefs.tsx). */
export const LOOK_STYLE: Readonly<Record<PageLook, { fill: string; label: string; glyph: string }>> = {
  free: { fill: "#ffffff", label: "free", glyph: "empty" },
  allocated: { fill: "#bfe0f5", label: "allocated", glyph: "diagonal hatch" },
  mapped: { fill: "#0072b2", label: "mapped", glyph: "dot" },
  pinned: { fill: "#e69f00", label: "pinned", glyph: "plus" },
  "freed-in-use": { fill: "#a50f15", label: "freed while in use", glyph: "cross" },
  gone: { fill: "#d0d0d0", label: "device gone", glyph: "horizontal lines" },
};

export const lookFill = (look: PageLook): string => `url(#p2p-look-${look})`;
