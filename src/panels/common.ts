/**
 * Shared bits of the D3 panels (loaded with them, not with the initial JavaScript): which page an
 * event touches, the look codes of the pool, transitions, element sizing, scrubbing.
 */

import type { Selection } from "d3-selection";
import { type PointerEvent, useEffect, useRef, useState } from "react";
import type { KernelEvent } from "../kernel/events.ts";
import type { DeviceState, PageLook } from "../kernel/state.ts";
import { lookOf, pteDev, ptePage } from "../kernel/state.ts";

export { motionMs, prefersReducedMotion, recording } from "./motion.ts";
// What the app's shell draws too lives apart, in the initial JavaScript: the look palette and the
// motion rules. This module is loaded with the panels.
export { LOOK_STYLE, LOOKS, lookFill } from "./palette.ts";

/** The device page an event changes, if it changes exactly one. */
export function eventPage(ev: KernelEvent | undefined): { dev: number; page: number } | null {
  if (!ev) return null;
  switch (ev.kind) {
    case "genpool-alloc":
    case "genpool-free":
    case "page-ref":
    case "pin-page":
    case "unpin-page":
    case "page-free":
    case "folio-init":
    case "folio-ref":
    case "folio-free":
      return { dev: ev.dev, page: ev.page };
    case "pte-set":
    case "pte-clear":
    case "leaf-set":
    case "leaf-clear":
      return { dev: pteDev(ev.pte), page: ptePage(ev.pte) };
    default:
      return null;
  }
}

/**
 * pageLook() for a whole device at once, as indices into LOOK_BY_CODE: the same rules, filled run by
 * run, because the pool panel runs it over up to a million pages per step.
 */
export function lookCodes(d: DeviceState): Uint8Array {
  const out = new Uint8Array(d.pages);
  if (d.lifecycle === "unbound") return out.fill(LOOK_CODE.gone);
  for (const r of d.pageRuns.runs()) out.fill(LOOK_CODE[lookOf(d, r)], r.start, r.start + r.length);
  return out;
}

export const LOOK_BY_CODE: readonly PageLook[] = [
  "free",
  "allocated",
  "mapped",
  "pinned",
  "freed-in-use",
  "gone",
];
export const LOOK_CODE: Readonly<Record<PageLook, number>> = {
  free: 0,
  allocated: 1,
  mapped: 2,
  pinned: 3,
  "freed-in-use": 4,
  gone: 5,
};

/** When several pages share a cell, the cell shows the most alarming look among them. */
export const LOOK_RANK: Readonly<Record<PageLook, number>> = {
  free: 0,
  gone: 1,
  allocated: 2,
  mapped: 3,
  pinned: 4,
  "freed-in-use": 5,
};

export const PTE_STYLE = {
  normal: { stroke: "#0072b2", fill: "#0072b2", dash: "", label: "normal PTE (holds a page ref)" },
  devmap: { stroke: "#a8407e", fill: "#cc79a7", dash: "6 3", label: "devmap PTE (no ref)" },
  pfnmap: { stroke: "#007a5a", fill: "#009e73", dash: "2 2", label: "pfnmap PTE (no ref)" },
  pmd: { stroke: "#d55e00", fill: "#d55e00", dash: "", label: "PMD leaf (a 2 MiB folio, holds a folio ref)" },
  pud: { stroke: "#8a3b00", fill: "#8a3b00", dash: "", label: "PUD leaf (a 1 GiB folio, holds a folio ref)" },
} as const;

/** Entry kinds drawn with a solid fill (the others use a hatch pattern of PatternDefs). */
export const SOLID_PTE_KINDS: ReadonlySet<string> = new Set(["normal", "pmd", "pud"]);

/**
 * d3-transition (with d3-interpolate, d3-color, d3-timer) is loaded on first use, not with the
 * initial JavaScript: the first drawing has nothing to animate from.
 */
let motionReady = false;
let motionLoading: Promise<void> | null = null;

export function loadMotion(): Promise<void> {
  motionLoading ??= import("d3-transition").then(
    () => {
      motionReady = true;
    },
    () => {
      motionLoading = null; // not reachable right now: draw without motion, try again later
    },
  );
  return motionLoading;
}

/**
 * Sent on window just before the view is copied for an export (share/export-view.ts): a panel that
 * keeps only what is in sight in the DOM (the refcount table) draws everything, synchronously.
 */
export const DRAW_ALL_EVENT = "p2pviz:draw-all";

/**
 * Applies attributes through a transition of `ms` (interrupting any running one of the same name),
 * or at once when ms is 0. A d3 Transition accepts the same attr/style calls we make on a Selection,
 * hence the cast.
 */
// biome-ignore lint/suspicious/noExplicitAny: d3 selection generics are irrelevant here
export function animated<S extends Selection<any, any, any, any>>(sel: S, ms: number, name = "p2p"): S {
  if (!motionReady) {
    // d3-transition loads on the first change after the first drawing: until then, no motion
    loadMotion();
    return sel;
  }
  sel.interrupt(name);
  if (ms <= 0) return sel;
  return sel.transition(name).duration(ms) as unknown as S;
}

/** Content-box size of an element, kept current by a ResizeObserver. */
export function useSize<E extends HTMLElement>(): [
  React.RefObject<E | null>,
  { width: number; height: number },
] {
  const ref = useRef<E>(null);
  const [size, setSize] = useState({ width: 0, height: 0 });
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const update = () => {
      const r = el.getBoundingClientRect();
      const width = Math.floor(r.width);
      const height = Math.floor(r.height);
      setSize((s) => (s.width === width && s.height === height ? s : { width, height }));
    };
    update();
    const ro = new ResizeObserver(update);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  return [ref, size];
}

/** A human page range: "page 3" or "pages 0–15". */
export function pageRange(first: number, count: number): string {
  return count === 1 ? `page ${first}` : `pages ${first}–${first + count - 1}`;
}

export function hex(n: number): string {
  return `0x${n.toString(16)}`;
}

/** Step under pixel x for a strip of `width` px with `pad` px margins. */
export function stepAtX(x: number, width: number, pad: number, total: number): number {
  if (total <= 1) return 0;
  const u = (x - pad) / Math.max(1, width - 2 * pad);
  return Math.max(0, Math.min(total - 1, Math.floor(u * total)));
}

/**
 * Pointer handlers for a strip of `total` steps, `width` px wide with `pad` px margins: a click or a
 * drag scrubs to the step under the pointer. The strip itself is the slider (role, aria values).
 */
export function useScrub(total: number, width: number, pad: number, onScrub: (step: number) => void) {
  const scrubbing = useRef(false);
  const scrubTo = (e: PointerEvent<HTMLElement>) => {
    const r = e.currentTarget.getBoundingClientRect();
    onScrub(stepAtX(e.clientX - r.left, width, pad, total));
  };
  return {
    onPointerDown: (e: PointerEvent<HTMLElement>) => {
      scrubbing.current = true;
      e.currentTarget.setPointerCapture(e.pointerId);
      scrubTo(e);
    },
    onPointerMove: (e: PointerEvent<HTMLElement>) => {
      if (scrubbing.current) scrubTo(e);
    },
    onPointerUp: (e: PointerEvent<HTMLElement>) => {
      scrubbing.current = false;
      e.currentTarget.releasePointerCapture(e.pointerId);
    },
    onPointerCancel: () => {
      scrubbing.current = false;
    },
  };
}
