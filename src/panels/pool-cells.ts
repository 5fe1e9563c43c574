/**
 * The pool panel's cells at any scale, built from the run-length page state (PageRuns): a window of
 * a device [first, first + n * ppc) cut into n cells of ppc pages (a power of two), each with how
 * many of its pages have each look. The cost follows the number of runs in the window plus the number
 * of cells, never the number of pages, so a 32 GiB device costs what its few runs cost.
 *
 * A cell is an aligned power-of-two block of pages, the shape a folio of that order has: a folio can
 * later be drawn as one block without changing this model.
 */
import type { DeviceState } from "../kernel/state.ts";
import { lookOf } from "../kernel/state.ts";
import { LOOK_BY_CODE, LOOK_CODE, LOOK_RANK } from "./common.ts";

export const NLOOK = LOOK_BY_CODE.length;

/** Look codes in the order a cell picks its shown look: the most alarming one present. */
const BY_RANK = LOOK_BY_CODE.map((_, c) => c).sort(
  (a, b) => LOOK_RANK[LOOK_BY_CODE[b]!] - LOOK_RANK[LOOK_BY_CODE[a]!],
);

export interface PoolWindow {
  /** first page of the first cell (a multiple of ppc) */
  readonly first: number;
  /** pages per cell, a power of two */
  readonly ppc: number;
  /** number of cells */
  readonly n: number;
}

export interface PoolCellGrid extends PoolWindow {
  /** the look code each cell shows (LOOK_BY_CODE index): the most alarming look among its pages */
  readonly look: Uint8Array;
  /** counts[cell * NLOOK + code]: how many of the cell's pages have look `code` */
  readonly counts: Float64Array;
}

export function pow2AtLeast(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

/**
 * The window of a device of `pages` pages shown at zoom `zoom` (1: the whole device; each doubling
 * halves the pages shown) around `center` (a fraction of the device, 0..1), in at most `capacity`
 * cells.
 */
export function poolWindow(pages: number, capacity: number, zoom: number, center: number): PoolWindow {
  if (pages <= 0) return { first: 0, ppc: 1, n: 0 };
  const cap = Math.max(1, Math.floor(capacity));
  const visible = Math.max(1, Math.ceil(pages / Math.max(1, zoom)));
  const ppc = visible <= cap ? 1 : pow2AtLeast(Math.ceil(visible / cap));
  // the grid is filled: up to cap cells of ppc pages, the centre page's cell in the middle
  const mid = Math.min(pages - 1, Math.floor(Math.min(1, Math.max(0, center)) * pages));
  const total = Math.ceil(pages / ppc);
  const firstCell = Math.max(0, Math.min(total - cap, Math.floor(mid / ppc) - Math.floor(cap / 2)));
  const first = firstCell * ppc;
  const n = Math.min(total - firstCell, cap);
  return { first, ppc, n: Math.max(1, n) };
}

/** The highest zoom that still changes anything: one page per cell for this device. */
export function maxZoom(pages: number, capacity: number): number {
  return pow2AtLeast(Math.max(1, Math.ceil(pages / Math.max(1, Math.floor(capacity)))));
}

/** Cells of window `w` of device `d`, from its page runs. */
export function poolCells(d: DeviceState, w: PoolWindow): PoolCellGrid {
  const { first, ppc, n } = w;
  const counts = new Float64Array(n * NLOOK);
  const look = new Uint8Array(n);
  const end = Math.min(d.pages, first + n * ppc);
  if (n > 0 && end > first) {
    for (const r of d.pageRuns.runs(first, end - first)) {
      const code = LOOK_CODE[lookOf(d, r)];
      const rEnd = r.start + r.length;
      const c0 = Math.floor((r.start - first) / ppc);
      const c1 = Math.floor((rEnd - 1 - first) / ppc);
      for (let c = c0; c <= c1; c++) {
        const cs = first + c * ppc;
        const overlap = Math.min(rEnd, cs + ppc) - Math.max(r.start, cs);
        counts[c * NLOOK + code]! += overlap;
      }
    }
  }
  for (let c = 0; c < n; c++) {
    for (const code of BY_RANK) {
      if (counts[c * NLOOK + code]! > 0) {
        look[c] = code;
        break;
      }
    }
  }
  return { first, ppc, n, look, counts };
}

/** Index of the cell holding `page` in window `w`, or -1 when the page is outside it. */
export function cellOf(w: PoolWindow, page: number): number {
  if (page < w.first) return -1;
  const c = Math.floor((page - w.first) / w.ppc);
  return c < w.n ? c : -1;
}

/** The counts of one cell as words: "3 mapped, 1 free" (most alarming first). */
export function cellCountsText(g: PoolCellGrid, c: number): string {
  const parts: string[] = [];
  for (const code of BY_RANK) {
    const k = g.counts[c * NLOOK + code]!;
    if (k > 0) parts.push(`${k} ${LOOK_BY_CODE[code]}`);
  }
  return parts.join(", ");
}

/** Smallest and largest cell edge (px) of the pool grids. */
export const MIN_CELL = 6;
export const MAX_CELL = 22;

/** The largest cell edge (MIN_CELL..MAX_CELL) at which `cells` cells fit a w x h box, and its columns. */
export function cellSize(cells: number, w: number, h: number): { size: number; cols: number } {
  for (let s = MAX_CELL; s > MIN_CELL; s--) {
    const cols = Math.floor(w / s);
    if (cols > 0 && Math.ceil(cells / cols) * s <= h) return { size: s, cols };
  }
  return { size: MIN_CELL, cols: Math.max(1, Math.floor(w / MIN_CELL)) };
}
