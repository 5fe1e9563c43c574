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

/**
 * The window's pages as stretches of one look: [start0, length0, code0, start1, ...], page runs of
 * the same look merged (the cells depend on nothing else). O(runs in the window).
 */
export function lookRuns(d: DeviceState, w: PoolWindow): number[] {
  const out: number[] = [];
  const end = Math.min(d.pages, w.first + w.n * w.ppc);
  if (w.n <= 0 || end <= w.first) return out;
  for (const r of d.pageRuns.runs(w.first, end - w.first)) {
    const code = LOOK_CODE[lookOf(d, r)];
    const k = out.length;
    if (k > 0 && out[k - 1] === code && out[k - 3]! + out[k - 2]! === r.start) out[k - 2]! += r.length;
    else out.push(r.start, r.length, code);
  }
  return out;
}

/** Cells of window `w` of device `d`, from its page runs. */
export function poolCells(d: DeviceState, w: PoolWindow): PoolCellGrid {
  return cellsOf(w, lookRuns(d, w));
}

function cellsOf(w: PoolWindow, runs: readonly number[]): PoolCellGrid {
  const { first, ppc, n } = w;
  const counts = new Float64Array(n * NLOOK);
  const look = new Uint8Array(n);
  for (let k = 0; k < runs.length; k += 3) {
    const start = runs[k]!;
    const rEnd = start + runs[k + 1]!;
    const code = runs[k + 2]!;
    const c0 = Math.floor((start - first) / ppc);
    const c1 = Math.floor((rEnd - 1 - first) / ppc);
    for (let c = c0; c <= c1; c++) {
      const cs = first + c * ppc;
      const overlap = Math.min(rEnd, cs + ppc) - Math.max(start, cs);
      counts[c * NLOOK + code]! += overlap;
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

/**
 * The last grid built for each device, with the window and look stretches it was built from. A step
 * inside a kernel loop changes one device's pages (often none's looks): the other devices' grids
 * are reused, not rebuilt cell by cell (eight 32 GiB devices built about 50,000 cells a step, and
 * allocated 2.7 MB of counts for the collector).
 */
export class PoolCellCache {
  private readonly last = new Map<
    number,
    { first: number; ppc: number; n: number; runs: number[]; grid: PoolCellGrid }
  >();

  /** poolCells(d, w), or the grid built last for this device when its window and stretches match. */
  cells(d: DeviceState, w: PoolWindow): PoolCellGrid {
    const runs = lookRuns(d, w);
    const hit = this.last.get(d.index);
    if (hit && hit.first === w.first && hit.ppc === w.ppc && hit.n === w.n && sameNumbers(hit.runs, runs))
      return hit.grid;
    const grid = cellsOf(w, runs);
    this.last.set(d.index, { first: w.first, ppc: w.ppc, n: w.n, runs, grid });
    return grid;
  }
}

function sameNumbers(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
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

/**
 * The largest cell edge (MIN_CELL..MAX_CELL) at which `cells` cells fit a w x h box, and its columns.
 * With `pow2` the columns are a power of two, so that every aligned power-of-two block of cells (a
 * folio) is a rectangle: a part of one row, or whole rows.
 */
export function cellSize(cells: number, w: number, h: number, pow2 = false): { size: number; cols: number } {
  const colsAt = (s: number) => (pow2 ? pow2AtMost(Math.floor(w / s)) : Math.floor(w / s));
  for (let s = MAX_CELL; s > MIN_CELL; s--) {
    const cols = colsAt(s);
    if (cols > 0 && Math.ceil(cells / cols) * s <= h) return { size: s, cols };
  }
  return { size: MIN_CELL, cols: Math.max(1, colsAt(MIN_CELL)) };
}

/** The largest power of two <= n (0 for n < 1). */
export function pow2AtMost(n: number): number {
  if (n < 1) return 0;
  let p = 1;
  while (p * 2 <= n) p *= 2;
  return p;
}

/** A large folio (order > 0) of a device, as the pool draws it: its head's counts and its pages' look. */
export interface FolioBlock {
  readonly head: number;
  readonly order: number;
  readonly pages: number;
  /** the head's refcount, entire mapcount (PMD/PUD mappings) and _pincount */
  readonly refcount: number;
  readonly mapcount: number;
  readonly pincount: number;
  /** the most alarming look among its pages (LOOK_BY_CODE index) */
  readonly look: number;
}

/** Whether a device has an allocated large folio (cost: its page runs). */
export function hasFolios(d: DeviceState): boolean {
  for (const r of d.pageRuns.runs()) if (r.allocated && r.order > 0) return true;
  return false;
}

/**
 * The allocated large folios of `d` that overlap [first, end) and have more than `minPages` pages,
 * at most `max` of them (cost: the runs of the range plus the folios returned). A folio's counts are
 * its head's; the model keeps them on every page of the folio (kernel/runs.ts PageInfo.order).
 */
export function foliosIn(
  d: DeviceState,
  first: number,
  end: number,
  minPages: number,
  max: number,
): FolioBlock[] {
  const out: FolioBlock[] = [];
  if (end <= first) return out;
  let cur: {
    head: number;
    order: number;
    pages: number;
    look: number;
    r: { refcount: number; mapcount: number; pincount: number };
  } | null = null;
  const push = () => {
    if (cur) out.push({ head: cur.head, order: cur.order, pages: cur.pages, look: cur.look, ...cur.r });
    cur = null;
  };
  for (const r of d.pageRuns.runs(first, end - first)) {
    if (!r.allocated || r.order === 0 || 2 ** r.order <= minPages) {
      push();
      continue;
    }
    const size = 2 ** r.order;
    const code = LOOK_CODE[lookOf(d, r)];
    for (let p = r.start; p < r.start + r.length; ) {
      const head = Math.floor(p / size) * size;
      const stop = Math.min(r.start + r.length, head + size);
      if (cur && cur.head === head) {
        if (LOOK_RANK[LOOK_BY_CODE[code]!] > LOOK_RANK[LOOK_BY_CODE[cur.look]!]) cur.look = code;
      } else {
        push();
        if (out.length >= max) return out;
        // a folio's refcount, mapcount and pincount are on every one of its pages
        cur = {
          head,
          order: r.order,
          pages: size,
          look: code,
          r: { refcount: r.refcount, mapcount: r.mapcount, pincount: r.pincount },
        };
      }
      p = stop;
    }
  }
  push();
  return out.slice(0, max);
}

/** A folio's size in words: 2 MiB, 1 GiB, 64 KiB. */
export function folioSize(pages: number, pageSize: number): string {
  const b = pages * pageSize;
  if (b >= 2 ** 30) return `${b / 2 ** 30} GiB`;
  if (b >= 2 ** 20) return `${b / 2 ** 20} MiB`;
  return `${b / 2 ** 10} KiB`;
}

/** The label of a folio block, as long as `room` px allows: its order and its head's counts. */
export function folioLabel(f: FolioBlock, room: number): string {
  const long = `order ${f.order} · ref ${f.refcount} · map ${f.mapcount} · pin ${f.pincount}`;
  if (long.length * 6.6 <= room) return long;
  const mid = `O${f.order} ref ${f.refcount} map ${f.mapcount} pin ${f.pincount}`;
  if (mid.length * 6.6 <= room) return mid;
  const short = `O${f.order}`;
  return short.length * 6.6 <= room ? short : "";
}

/**
 * Where an aligned folio lies in a grid of `cols` columns (a power of two) of `ppc`-page cells
 * starting at page `first` (a multiple of cols * ppc, or of the folio): its rectangle in cells,
 * clipped to the grid's `rows` rows (a folio larger than the window fills it).
 */
export function folioRect(
  f: { readonly head: number; readonly pages: number },
  first: number,
  ppc: number,
  cols: number,
  rows = Number.POSITIVE_INFINITY,
): { col: number; row: number; w: number; h: number } {
  const cell = Math.floor((f.head - first) / ppc);
  const cells = Math.max(1, Math.ceil(f.pages / ppc));
  if (cells <= cols)
    return { col: ((cell % cols) + cols) % cols, row: Math.floor(cell / cols), w: cells, h: 1 };
  const row = Math.floor(cell / cols);
  const top = Math.max(0, row);
  const bottom = Math.min(rows, row + Math.ceil(cells / cols));
  return { col: 0, row: top, w: cols, h: Math.max(0, bottom - top) };
}

/** The widest gap between two devices' columns, and the narrowest column. */
const COLUMN_GAP = 16;
const MIN_COLUMN = 24;

/**
 * The devices' columns across `width`: each at least MIN_COLUMN wide (four cells), the gap between
 * them shrinking to 4 px before they overflow. Eight devices on a phone (360 px) did not fit with
 * 40 px columns and 16 px gaps, and the last two were cut off.
 */
export function poolColumns(width: number, devices: number): { colWidth: number; gap: number } {
  const n = Math.max(1, devices);
  const room = (gap: number) => (width - gap * (n - 1)) / n;
  const gap = n === 1 ? COLUMN_GAP : Math.max(4, Math.min(COLUMN_GAP, (width - 40 * n) / (n - 1)));
  return { colWidth: Math.max(MIN_COLUMN, room(gap)), gap };
}
