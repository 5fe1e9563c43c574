/**
 * The parts of the pool panel that the first render needs (the summary line and the legend), apart
 * from the panel itself, which loads on first use (LazyPanels.tsx).
 */
import { memo } from "react";
import { LOOK_STYLE, LOOKS, lookFill } from "./palette.ts";

/** The pool-summary test hook text for one device. */
export function poolSummary(d: { name: string; free: number; pages: number }): string {
  return `${d.name}: ${d.free} free / ${d.pages} pages`;
}

/** Legend of page looks: swatch (colour + pattern) and words. Memoised: the same at every step. */
export const LookLegend = memo(function LookLegend() {
  return (
    <ul className="legend" aria-label="page states">
      {LOOKS.map((l) => (
        <li key={l}>
          <svg width="14" height="14" aria-hidden="true">
            <rect x="0.5" y="0.5" width="13" height="13" fill={lookFill(l)} stroke="#555" />
          </svg>
          {LOOK_STYLE[l].label}
        </li>
      ))}
    </ul>
  );
});
