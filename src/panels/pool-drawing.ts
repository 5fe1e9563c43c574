/**
 * One device's column of the pool at scale, drawn as SVG: its caption, its whole-device strip with
 * the window shown, its cells as one path per look and its large folios (PoolGrid.tsx places the
 * columns and redraws only those whose cells, window or folios changed).
 *
 * SVG, not a canvas: Chromium hands a 2D canvas's backing store to the compositor again at every
 * frame of the page, drawn since or not (ProduceCanvasResource at each commit, on the main thread).
 * With the pool on a canvas, a step of the 8 x 32 GiB scenario cost 14.3-16.0 ms of main-thread
 * work at the median and 22.6-27.8 at p95; with the canvas there but never drawn, 10.0-10.7 and
 * 16.1-17.2 (bench:browser --only huge, 3 runs of each interleaved). Drawn as these paths: 11.6-13.8
 * and 17.6-27.8, against 14.0-17.1 and 23.6-24.9 for the canvas in the same hour, and End 22.3-22.8
 * against 29.8-32.8. A path of a few thousand squares costs a frame nothing once drawn, and is
 * rasterised off the main thread.
 */
import { LOOK_BY_CODE, LOOK_CODE, LOOK_STYLE, pageRange } from "./common.ts";
import { type FolioBlock, folioLabel, folioRect, type PoolCellGrid } from "./pool-cells.ts";

export const HEADER = 20;
export const STRIP = 10;
export const TOP = HEADER + STRIP + 6;
/** the grid's text (PoolGrid.tsx sets it on its SVG; textWidth measures in it) */
export const FONT_FAMILY = "system-ui, sans-serif";
export const FONT_SIZE = 12;
const FONT = `${FONT_SIZE}px ${FONT_FAMILY}`;

/** What a column shows (PoolGrid.tsx builds it from the state and the zoom). */
export interface Column {
  readonly dev: number;
  readonly name: string;
  readonly pages: number;
  readonly x: number;
  readonly grid: PoolCellGrid;
  readonly size: number;
  readonly cols: number;
  readonly lifecycle: string;
  /**
   * large folios starting in the window with more pages than a cell: drawn as one block while cells
   * hold several pages, as pages inside an outline once zoomed in to one page per cell
   */
  readonly folios: readonly FolioBlock[];
}

/** The side of a cell's square: the cell less the pixel between cells. */
export function cellSide(col: Column): number {
  return Math.max(1, col.size - 1);
}

const NS = "http://www.w3.org/2000/svg";

function el(tag: string, attrs: Record<string, string | number>): SVGElement {
  const e = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  return e;
}

let measurer: CanvasRenderingContext2D | null | undefined;
/**
 * The width of `text` in the pool's font (a canvas that is never on the page measures it: an SVG
 * text would have to be laid out first). Where no canvas measures, 7 px a character.
 */
export function textWidth(text: string): number {
  if (measurer === undefined) {
    measurer = document.createElement("canvas").getContext("2d");
    if (measurer) measurer.font = FONT;
  }
  return measurer ? measurer.measureText(text).width : text.length * 7;
}

/**
 * The cells as path data, one string per look (a square of side `side` at each cell of that look),
 * and the outlines of the free cells (a quarter pixel inside) when `outline`: one pass over the
 * cells. Each square after a look's first moves relative to the one before ("m6 0h5v5h-5z": cell
 * sizes are whole pixels), half the text of absolute moves for the browser to parse.
 */
export function cellPaths(col: Column, side: number, outline: boolean): { looks: string[]; free: string } {
  const { grid: g, size: s, cols, x } = col;
  const parts: string[][] = LOOK_BY_CODE.map(() => []);
  const free: string[] = [];
  // each look's last square (its cell's column and row), -1 before the first
  const lastCol = LOOK_BY_CODE.map(() => -1);
  const lastRow = LOOK_BY_CODE.map(() => -1);
  let freeCol = -1;
  let freeRow = -1;
  const square = `h${side}v${side}h${-side}z`;
  const w = side - 0.5;
  const inset = `h${w}v${w}h${-w}z`;
  // the next cell in the row, the common case: one string for them all
  const nextSquare = `m${s} 0${square}`;
  const nextInset = `m${s} 0${inset}`;
  for (let i = 0; i < g.n; i++) {
    const code = g.look[i]!;
    const c = i % cols;
    const r = (i - c) / cols;
    const lc = lastCol[code]!;
    const lr = lastRow[code]!;
    parts[code]!.push(
      lc < 0
        ? `M${x + c * s} ${TOP + r * s}${square}`
        : c === lc + 1 && r === lr
          ? nextSquare
          : `m${(c - lc) * s} ${(r - lr) * s}${square}`,
    );
    lastCol[code] = c;
    lastRow[code] = r;
    if (outline && code === LOOK_CODE.free) {
      free.push(
        freeCol < 0
          ? `M${x + c * s + 0.25} ${TOP + r * s + 0.25}${inset}`
          : c === freeCol + 1 && r === freeRow
            ? nextInset
            : `m${(c - freeCol) * s} ${(r - freeRow) * s}${inset}`,
      );
      freeCol = c;
      freeRow = r;
    }
  }
  return { looks: parts.map((p) => p.join("")), free: free.join("") };
}

/** A rectangle as path data. */
function rectPath(x: number, y: number, w: number, h: number): string {
  return `M${x} ${y}h${w}v${h}h${-w}z`;
}

/** The SVG group of one device's column. */
export function drawColumn(col: Column, colWidth: number, gridHeight: number): SVGGElement {
  const out = el("g", { "data-dev": col.dev }) as SVGGElement;
  const { grid: g, size: s, x } = col;
  const per = g.ppc > 1 ? ` · ${g.ppc} pages per cell` : "";
  const life = col.lifecycle === "bound" ? "" : ` · ${col.lifecycle}`;
  const wEnd = Math.min(col.pages, g.first + g.n * g.ppc);
  const win = g.first > 0 || wEnd < col.pages ? ` · ${pageRange(g.first, wEnd - g.first)}` : "";
  // the longest caption that fits the column: squeezed to its width, eight devices' captions were
  // a smear nobody could read
  const caption = [
    `${col.name} · ${col.pages} pages${per}${win}${life}`,
    `${col.name} · ${col.pages} pages${g.ppc > 1 ? ` · ${g.ppc}/cell` : ""}${win}${life}`,
    `${col.name}${g.ppc > 1 ? ` · ${g.ppc}/cell` : ""}${life}`,
    `${col.name}${life}`,
  ].find((t) => textWidth(t) <= colWidth);
  const title = el("text", { x, y: 14 });
  title.textContent = caption ?? col.name;
  if (caption === undefined) {
    title.setAttribute("textLength", String(colWidth));
    title.setAttribute("lengthAdjust", "spacingAndGlyphs");
  }
  out.append(title);
  // the whole-device strip and the window shown (the pages marked on it: PoolMarks)
  const sx = (p: number) => x + (p / col.pages) * colWidth;
  out.append(el("rect", { x, y: HEADER, width: colWidth, height: STRIP, fill: "#eef0f3" }));
  out.append(
    el("rect", {
      x: sx(g.first),
      y: HEADER,
      width: Math.max(2, sx(wEnd) - sx(g.first)),
      height: STRIP,
      fill: "#9aa3ad",
    }),
  );
  // the cells: one path per look; free cells are white, outlined so the grid reads when they are big
  const cells = cellPaths(col, cellSide(col), s >= 6);
  for (const [code, d] of cells.looks.entries()) {
    if (d === "") continue;
    const look = LOOK_BY_CODE[code]!;
    out.append(el("path", { d, fill: LOOK_STYLE[look].fill, "data-look": look }));
  }
  if (cells.free !== "")
    out.append(el("path", { d: cells.free, fill: "none", stroke: "#c4c9d0", "stroke-width": 0.5 }));
  // large folios: one block (fill, outline, label) while a cell holds several pages; zoomed in to
  // single pages, the pages show through and the folio is an outline with its label
  const fills = new Map<number, string[]>();
  const outlines: string[] = [];
  const labels: SVGElement[] = [];
  const rows = Math.ceil(g.n / col.cols);
  for (const f of col.folios) {
    const r = folioRect(f, g.first, g.ppc, col.cols, rows);
    if (r.h <= 0 || r.row * s >= gridHeight) continue;
    const bx = x + r.col * s;
    const by = TOP + r.row * s;
    const bw = r.w * s - 1;
    const bh = Math.min(r.h * s, gridHeight - r.row * s) - 1;
    if (g.ppc > 1) {
      const list = fills.get(f.look) ?? [];
      list.push(rectPath(bx, by, bw, bh));
      fills.set(f.look, list);
    }
    outlines.push(rectPath(bx + 0.5, by + 0.5, bw - 1, bh - 1));
    const label = folioLabel(f, bw - 10);
    if (label && bh >= 16) {
      const tw = textWidth(label) + 8;
      const ty = by + Math.max(2, Math.min(bh / 2 - 8, 20));
      // the tag of the small pool's folio labels (app.css .p2p-folio-tag), in the grid's font
      labels.push(el("rect", { x: bx + 3, y: ty, width: tw, height: 15, class: "p2p-folio-tag" }));
      const t = el("text", { x: bx + 7, y: ty + 11.5 });
      t.textContent = label;
      labels.push(t);
    }
  }
  for (const [look, list] of fills)
    out.append(el("path", { d: list.join(""), fill: LOOK_STYLE[LOOK_BY_CODE[look]!].fill }));
  if (outlines.length > 0)
    out.append(el("path", { d: outlines.join(""), fill: "none", stroke: "#1b1f24", "stroke-width": 1.5 }));
  out.append(...labels);
  return out;
}
