/**
 * The handle between the editor column and the panels: drag it, or focus it and press Left/Right
 * (Shift for bigger steps, Home/End for the narrowest and widest). The width is kept in
 * localStorage and applied as the CSS variable --side-width on the app's grid.
 */

import { type KeyboardEvent, type PointerEvent, useEffect, useState } from "react";

const KEY = "p2pviz.sideWidth";
export const MIN_SIDE = 220;
export const DEFAULT_SIDE = 300;
const STEP = 16;

function maxSide(): number {
  return Math.max(MIN_SIDE, Math.min(900, Math.round(window.innerWidth * 0.6)));
}

function clampWidth(w: number): number {
  return Math.round(Math.max(MIN_SIDE, Math.min(maxSide(), w)));
}

function savedWidth(): number {
  try {
    const n = Number(localStorage.getItem(KEY));
    return Number.isFinite(n) && n > 0 ? n : DEFAULT_SIDE;
  } catch {
    return DEFAULT_SIDE;
  }
}

export function SideResizer() {
  const [width, setWidth] = useState(savedWidth);

  useEffect(() => {
    const app = document.querySelector<HTMLElement>(".app");
    app?.style.setProperty("--side-width", `${clampWidth(width)}px`);
    try {
      localStorage.setItem(KEY, String(width));
    } catch {
      // storage disabled: the width lasts until the page is closed
    }
  }, [width]);

  const onPointerDown = (e: PointerEvent<HTMLDivElement>) => {
    e.preventDefault();
    const handle = e.currentTarget;
    handle.setPointerCapture(e.pointerId);
    const left = handle.parentElement?.getBoundingClientRect().left ?? 0;
    const move = (ev: globalThis.PointerEvent) => setWidth(clampWidth(ev.clientX - left));
    const up = () => {
      handle.removeEventListener("pointermove", move);
      handle.removeEventListener("pointerup", up);
      handle.removeEventListener("pointercancel", up);
    };
    handle.addEventListener("pointermove", move);
    handle.addEventListener("pointerup", up);
    handle.addEventListener("pointercancel", up);
  };

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const by = e.shiftKey ? STEP * 4 : STEP;
    const next =
      e.key === "ArrowLeft"
        ? width - by
        : e.key === "ArrowRight"
          ? width + by
          : e.key === "Home"
            ? MIN_SIDE
            : e.key === "End"
              ? maxSide()
              : null;
    if (next === null) return;
    // the arrows resize here; they must not also step the trace (keyboard.ts listens on window)
    e.preventDefault();
    e.stopPropagation();
    setWidth(clampWidth(next));
  };

  const shown = clampWidth(width);
  return (
    // biome-ignore lint/a11y/useSemanticElements: a focusable window splitter is role="separator" (WAI-ARIA APG)
    <div
      className="side-resizer"
      role="separator"
      aria-orientation="vertical"
      aria-label="resize the scenario column"
      aria-valuenow={shown}
      aria-valuemin={MIN_SIDE}
      aria-valuemax={maxSide()}
      aria-controls="scenario-column"
      tabIndex={0}
      title="Drag, or use Left/Right, to resize the scenario column"
      data-testid="side-resizer"
      onPointerDown={onPointerDown}
      onKeyDown={onKeyDown}
    />
  );
}
