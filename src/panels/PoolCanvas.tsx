/**
 * The pool panel at scale: every device on one canvas, each cell an aggregate of the pages inside
 * (pool-cells.ts, built from the page runs), with zoom and pan from the whole device down to single
 * pages. Above each device's grid, a strip of the whole device marks the window shown, the selected
 * page and the page the current event touches, so both stay visible at any zoom; in the grid their
 * cells are ringed even when they aggregate many pages. Those marks are an SVG over the canvas
 * (PoolMarks): they move on nearly every step, and the canvas is redrawn only when what it shows
 * changes.
 *
 * Keys (when the pool has focus): + / - zoom in and out, Left / Right pan (half a window), 0 shows
 * the whole device again, Enter zooms onto the page the current event touches. Wheel zooms at the
 * pointer; dragging pans; a click selects the first page of the cell under the pointer.
 */
import {
  type KeyboardEvent,
  type PointerEvent,
  useEffect,
  useMemo,
  useRef,
  useState,
  type WheelEvent,
} from "react";
import type { KernelEvent } from "../kernel/events.ts";
import type { KernelState } from "../kernel/state.ts";
import { eventPage, LOOK_BY_CODE, LOOK_CODE, LOOK_STYLE, pageRange, useSize } from "./common.ts";
import {
  cellCountsText,
  cellOf,
  cellSize,
  type FolioBlock,
  folioLabel,
  folioRect,
  foliosIn,
  hasFolios,
  MIN_CELL,
  maxZoom,
  PoolCellCache,
  type PoolCellGrid,
  poolColumns,
  poolWindow,
  pow2AtMost,
} from "./pool-cells.ts";

const HEADER = 20;
const STRIP = 10;
const TOP = HEADER + STRIP + 6;
/** room under the grid for the keys hint */
const HELP = 18;

export interface PoolCanvasProps {
  readonly state: KernelState;
  readonly event: KernelEvent | undefined;
  readonly stateKey: string;
  readonly selected?: { dev: number; page: number } | null;
  readonly onSelect?: (p: { dev: number; page: number }) => void;
}

interface Column {
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

/** At most this many folio blocks per device and frame. */
const MAX_FOLIOS = 4096;

/** Pool drawing time of the last frame, for bench/browser.ts (ms). */
export const poolDrawStats = { lastMs: 0, frames: 0 };
if (typeof window !== "undefined")
  (window as unknown as { __p2pvizPool: unknown }).__p2pvizPool = poolDrawStats;

function sameLooks(a: Uint8Array, b: Uint8Array): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Everything a column's drawing shows besides its cells' looks: its device, place, window and folios. */
function columnKey(col: Column): string {
  const g = col.grid;
  const parts: (string | number)[] = [col.name, col.pages, col.lifecycle, col.x, col.size, col.cols];
  parts.push(g.first, g.ppc, g.n, col.folios.length);
  for (const f of col.folios) parts.push(f.head, f.order, f.look, f.refcount, f.mapcount, f.pincount);
  return parts.join(",");
}

/** A page marked over the canvas: a tick on its device's strip and, when its cell is shown, a ring. */
interface Mark {
  readonly kind: "selected" | "event";
  readonly dev: number;
  readonly page: number;
  readonly colour: string;
  readonly tickX: number;
  readonly ring: { x: number; y: number; side: number } | null;
}

function markOf(col: Column, colWidth: number, kind: Mark["kind"], page: number, colour: string): Mark {
  const g = col.grid;
  const i = cellOf(g, page);
  const inner = Math.max(1, col.size - 1);
  return {
    kind,
    dev: col.dev,
    page,
    colour,
    tickX: col.x + (page / col.pages) * colWidth - 1,
    ring:
      i < 0
        ? null
        : {
            x: col.x + (i % col.cols) * col.size - 1,
            y: TOP + Math.floor(i / col.cols) * col.size - 1,
            side: inner + 2,
          },
  };
}

/**
 * The selected page's and the current event's marks, in SVG over the canvas. A step inside a
 * 32 GiB loop moves them (or takes them away, for an event that touches no page) while the cells
 * stay as they were: drawn in the canvas, such a step redrew a device's column (7 of the 20 steps
 * after a scrub in bench/browser.ts's 8 x 32 GiB run), and the new backing store then went to the
 * compositor again. Now the canvas is drawn only when a cell, a window or a folio changes.
 */
function PoolMarks({ marks, width, height }: { marks: readonly Mark[]; width: number; height: number }) {
  return (
    <svg className="pool-marks" data-canvas-marks="" aria-hidden="true" width={width} height={height}>
      {marks.map((m) => (
        <g key={m.kind} data-testid={`pool-mark-${m.kind}`} data-dev={m.dev} data-page={m.page}>
          <rect x={m.tickX} y={HEADER - 2} width={3} height={STRIP + 4} fill={m.colour} />
          {m.ring && (
            <rect
              x={m.ring.x}
              y={m.ring.y}
              width={m.ring.side}
              height={m.ring.side}
              fill="none"
              stroke={m.colour}
              strokeWidth={2}
            />
          )}
        </g>
      ))}
    </svg>
  );
}

export function PoolCanvas({ state, event, stateKey, selected, onSelect }: PoolCanvasProps) {
  const [box, size] = useSize<HTMLDivElement>();
  const canvas = useRef<HTMLCanvasElement>(null);
  const [zoom, setZoom] = useState(1);
  const [center, setCenter] = useState(0.5);
  const [hover, setHover] = useState<{ x: number; y: number; text: string } | null>(null);
  const n = Math.max(1, state.devices.length);
  const { colWidth, gap } = poolColumns(size.width, n);
  const gridHeight = Math.max(MIN_CELL, size.height - TOP - HELP);
  const capacity = Math.max(1, Math.floor(colWidth / MIN_CELL) * Math.floor(gridHeight / MIN_CELL));
  const pow2Capacity = Math.max(
    1,
    pow2AtMost(Math.floor(colWidth / MIN_CELL)) * Math.floor(gridHeight / MIN_CELL),
  );
  const biggest = Math.max(1, ...state.devices.map((d) => d.pages));
  // pow2Capacity <= capacity: the zoom that shows single pages with power-of-two columns too
  const top = maxZoom(biggest, pow2Capacity);
  const ev = eventPage(event);
  const changedDev = ev?.dev ?? -1;
  const changedPage = ev?.page ?? -1;

  const cellCache = useRef<PoolCellCache | null>(null);
  cellCache.current ??= new PoolCellCache();
  // biome-ignore lint/correctness/useExhaustiveDependencies: stateKey stands for the live state's contents
  const columns: Column[] = useMemo(() => {
    const cache = cellCache.current!;
    const t0 = performance.now();
    const out = state.devices.map((d, i) => {
      // with large folios the columns are a power of two and the window starts on a row of them,
      // so that each aligned folio is one rectangle of cells (pool-cells.ts folioRect)
      const folioMode = hasFolios(d);
      const cap = folioMode ? pow2Capacity : capacity;
      let w = poolWindow(d.pages, cap, zoom, center);
      let { size: s, cols } = cellSize(w.n, colWidth, gridHeight, folioMode);
      if (folioMode) {
        const firstCell = w.first / w.ppc;
        const aligned = Math.floor(firstCell / cols) * cols;
        const total = Math.ceil(d.pages / w.ppc);
        w = { first: aligned * w.ppc, ppc: w.ppc, n: Math.min(total - aligned, w.n) };
        ({ size: s, cols } = cellSize(w.n, colWidth, gridHeight, true));
      }
      const grid = cache.cells(d, w);
      const end = Math.min(d.pages, w.first + w.n * w.ppc);
      return {
        dev: d.index,
        name: d.name,
        pages: d.pages,
        x: i * (colWidth + gap),
        grid,
        size: s,
        cols,
        lifecycle: d.lifecycle,
        folios: folioMode ? foliosIn(d, w.first, end, w.ppc === 1 ? 1 : w.ppc, MAX_FOLIOS) : [],
      };
    });
    poolDrawStats.lastMs = performance.now() - t0;
    return out;
  }, [stateKey, capacity, pow2Capacity, zoom, center, colWidth, gap, gridHeight]);

  // What the last drawing showed, per device column: a step that changes no cell (the next page of a
  // 32 GiB loop) leaves the canvas alone, and one that changes one device redraws that device's
  // column only (the other seven of eight 32 GiB devices cost a scrub 1-1.5 ms of fillRect;
  // bench/profile-browser.ts --huge --scrub). Redrawing costs little script, but the browser then
  // copies the whole backing store to the screen (3-4 ms a frame).
  const drawn = useRef<{ whole: string; keys: string[]; looks: Uint8Array[] } | null>(null);
  const configured = useRef<string | null>(null);

  useEffect(() => {
    const c = canvas.current;
    if (!c || size.width === 0) return;
    const t0 = performance.now();
    const whole = [size.width, size.height, colWidth, gridHeight, columns.length].join(",");
    const keys = columns.map(columnKey);
    const prev = drawn.current && drawn.current.whole === whole ? drawn.current : null;
    const dirty = columns.map(
      (col, i) => !prev || prev.keys[i] !== keys[i] || !sameLooks(prev.looks[i]!, col.grid.look),
    );
    if (!dirty.includes(true)) {
      poolDrawStats.lastMs += performance.now() - t0;
      return;
    }
    drawn.current = { whole, keys, looks: columns.map((col) => col.grid.look) };
    const dpr = window.devicePixelRatio || 1;
    // resizing the backing store reallocates it: only when the size changed
    const cw = Math.round(size.width * dpr);
    const ch = Math.round(size.height * dpr);
    // resizing resets the context's state too: the scale and the font are set only then (assigning
    // ctx.font parses and resolves the font again, the costliest line of a redraw)
    if (c.width !== cw) c.width = cw;
    if (c.height !== ch) c.height = ch;
    const ctx = c.getContext("2d");
    if (!ctx) return;
    const state = `${cw}x${ch}@${dpr}`;
    if (configured.current !== state) {
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      ctx.font = "12px system-ui, sans-serif";
      configured.current = state;
    }
    if (!prev) ctx.clearRect(0, 0, size.width, size.height);
    for (const [ci, col] of columns.entries()) {
      if (!dirty[ci]) continue;
      // a column owns its width and half the gap either side (its rings reach 2 px past its cells)
      if (prev) ctx.clearRect(col.x - gap / 2, 0, colWidth + gap, size.height);
      const { grid: g, size: s, cols, x } = col;
      const per = g.ppc > 1 ? ` · ${g.ppc} pages per cell` : "";
      const life = col.lifecycle === "bound" ? "" : ` · ${col.lifecycle}`;
      ctx.fillStyle = "#1b1f24";
      const wEndPage = Math.min(col.pages, g.first + g.n * g.ppc);
      const win = g.first > 0 || wEndPage < col.pages ? ` · ${pageRange(g.first, wEndPage - g.first)}` : "";
      // the longest caption that fits the column: squeezed to its width, eight devices' captions
      // were a smear nobody could read
      const caption = [
        `${col.name} · ${col.pages} pages${per}${win}${life}`,
        `${col.name} · ${col.pages} pages${g.ppc > 1 ? ` · ${g.ppc}/cell` : ""}${win}${life}`,
        `${col.name}${g.ppc > 1 ? ` · ${g.ppc}/cell` : ""}${life}`,
        `${col.name}${life}`,
      ].find((t) => ctx.measureText(t).width <= colWidth);
      ctx.fillText(caption ?? col.name, x, 14, colWidth);
      // the whole-device strip and the window shown (the pages marked on it: PoolMarks)
      const sx = (p: number) => x + (p / col.pages) * colWidth;
      ctx.fillStyle = "#eef0f3";
      ctx.fillRect(x, HEADER, colWidth, STRIP);
      ctx.fillStyle = "#9aa3ad";
      const wEnd = Math.min(col.pages, g.first + g.n * g.ppc);
      ctx.fillRect(sx(g.first), HEADER, Math.max(2, sx(wEnd) - sx(g.first)), STRIP);
      // the cells: one path per look, filled once. A fillRect per cell was a canvas call per cell;
      // redrawing eight devices after a scrub took 4.5-5.0 ms median that way, 3.6 ms with one
      // path per look (in-page, 60 scrubs each, interleaved; a 1M-page device 3.3 vs 3.5, no change)
      const inner = Math.max(1, s - 1);
      for (let code = 0; code < LOOK_BY_CODE.length; code++) {
        ctx.beginPath();
        let any = false;
        for (let i = 0; i < g.n; i++) {
          if (g.look[i] !== code) continue;
          ctx.rect(x + (i % cols) * s, TOP + Math.floor(i / cols) * s, inner, inner);
          any = true;
        }
        if (!any) continue;
        ctx.fillStyle = LOOK_STYLE[LOOK_BY_CODE[code]!].fill;
        ctx.fill();
      }
      if (s >= 6) {
        // free cells are white: outline them so the grid reads, in one stroke
        ctx.beginPath();
        for (let i = 0; i < g.n; i++) {
          if (g.look[i] !== LOOK_CODE.free) continue;
          ctx.rect(
            x + (i % cols) * s + 0.25,
            TOP + Math.floor(i / cols) * s + 0.25,
            inner - 0.5,
            inner - 0.5,
          );
        }
        ctx.strokeStyle = "#c4c9d0";
        ctx.lineWidth = 0.5;
        ctx.stroke();
      }
      // large folios: one block (fill, outline, label) while a cell holds several pages; zoomed in
      // to single pages, the pages show through and the folio is an outline with its label
      for (const f of col.folios) {
        const r = folioRect(f, g.first, g.ppc, cols, Math.ceil(g.n / cols));
        if (r.h <= 0 || r.row * s >= gridHeight) continue;
        const bx = x + r.col * s;
        const by = TOP + r.row * s;
        const bw = r.w * s - 1;
        const bh = Math.min(r.h * s, gridHeight - r.row * s) - 1;
        if (g.ppc > 1) {
          ctx.fillStyle = LOOK_STYLE[LOOK_BY_CODE[f.look]!].fill;
          ctx.fillRect(bx, by, bw, bh);
        }
        ctx.strokeStyle = "#1b1f24";
        ctx.lineWidth = 1.5;
        ctx.strokeRect(bx + 0.5, by + 0.5, bw - 1, bh - 1);
        const label = folioLabel(f, bw - 10);
        if (label && bh >= 16) {
          const tw = ctx.measureText(label).width + 8;
          const ty = by + Math.max(2, Math.min(bh / 2 - 8, 20));
          ctx.fillStyle = "rgba(255,255,255,0.92)";
          ctx.fillRect(bx + 3, ty, tw, 15);
          ctx.strokeStyle = "#1b1f24";
          ctx.lineWidth = 0.8;
          ctx.strokeRect(bx + 3, ty, tw, 15);
          ctx.fillStyle = "#1b1f24";
          ctx.fillText(label, bx + 7, ty + 11.5);
        }
      }
    }
    poolDrawStats.lastMs += performance.now() - t0;
    poolDrawStats.frames++;
  }, [columns, size.width, size.height, colWidth, gridHeight, gap]);

  // the event's mark over the selection's, as the canvas drew them
  const marks: Mark[] = [];
  const selCol = selected ? columns.find((c) => c.dev === selected.dev) : undefined;
  if (selected && selCol) marks.push(markOf(selCol, colWidth, "selected", selected.page, "#000"));
  const evCol = columns.find((c) => c.dev === changedDev);
  if (evCol) marks.push(markOf(evCol, colWidth, "event", changedPage, "#d55e00"));

  /** The device column and cell under a point of the canvas. */
  const hit = (px: number, py: number): { col: Column; cell: number } | null => {
    for (const col of columns) {
      if (px < col.x || px >= col.x + colWidth || py < TOP) continue;
      const cx = Math.floor((px - col.x) / col.size);
      const cy = Math.floor((py - TOP) / col.size);
      if (cx >= col.cols) return null;
      const cell = cy * col.cols + cx;
      return cell < col.grid.n ? { col, cell } : null;
    }
    return null;
  };
  const cellText = (col: Column, cell: number): string => {
    const g = col.grid;
    const first = g.first + cell * g.ppc;
    const count = Math.min(g.ppc, col.pages - first);
    const f = col.folios.find((x) => first < x.head + x.pages && first + count > x.head);
    const folio = f
      ? ` · folio ${pageRange(f.head, f.pages)} order ${f.order}: ref ${f.refcount}, entire map ${f.mapcount}, pincount ${f.pincount}`
      : "";
    return `${col.name} ${pageRange(first, count)}: ${cellCountsText(g, cell)}${folio}`;
  };
  const local = (e: { clientX: number; clientY: number; currentTarget: Element }) => {
    const r = e.currentTarget.getBoundingClientRect();
    return { px: e.clientX - r.left, py: e.clientY - r.top };
  };

  const zoomTo = (z: number, at?: number) => {
    const nz = Math.max(1, Math.min(top, z));
    setZoom(nz);
    if (at !== undefined) setCenter(Math.min(1, Math.max(0, at)));
  };
  const pan = (by: number) => setCenter((c) => Math.min(1, Math.max(0, c + by / zoom)));

  const drag = useRef<{ x: number; center: number; moved: boolean } | null>(null);
  const onPointerDown = (e: PointerEvent<HTMLCanvasElement>) => {
    drag.current = { x: e.clientX, center, moved: false };
    e.currentTarget.setPointerCapture?.(e.pointerId);
  };
  const onPointerMove = (e: PointerEvent<HTMLCanvasElement>) => {
    const { px, py } = local(e);
    const d = drag.current;
    if (d) {
      const dx = e.clientX - d.x;
      if (Math.abs(dx) > 3) d.moved = true;
      if (d.moved) setCenter(Math.min(1, Math.max(0, d.center - dx / colWidth / zoom)));
    }
    const h = hit(px, py);
    setHover(h ? { x: px, y: py, text: cellText(h.col, h.cell) } : null);
  };
  const onPointerUp = (e: PointerEvent<HTMLCanvasElement>) => {
    const d = drag.current;
    drag.current = null;
    if (d?.moved) return;
    const { px, py } = local(e);
    const h = hit(px, py);
    if (h) onSelect?.({ dev: h.col.dev, page: h.col.grid.first + h.cell * h.col.grid.ppc });
  };
  const onWheel = (e: WheelEvent<HTMLCanvasElement>) => {
    const { px, py } = local(e);
    const h = hit(px, py);
    const at = h ? (h.col.grid.first + (h.cell + 0.5) * h.col.grid.ppc) / h.col.pages : undefined;
    zoomTo(e.deltaY < 0 ? zoom * 2 : zoom / 2, at);
  };
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const dev = state.devices[changedDev];
    let done = true;
    if (e.key === "+" || e.key === "=") zoomTo(zoom * 2);
    else if (e.key === "-" || e.key === "_") zoomTo(zoom / 2);
    else if (e.key === "0") zoomTo(1, 0.5);
    else if (e.key === "ArrowLeft") pan(-0.5);
    else if (e.key === "ArrowRight") pan(0.5);
    else if (e.key === "Enter" && dev) zoomTo(top, (changedPage + 0.5) / dev.pages);
    else done = false;
    if (done) {
      e.preventDefault();
      e.stopPropagation(); // the global keys (step, speed) must not also act
    }
  };

  const totalCells = columns.reduce((k, c) => k + c.grid.n, 0);
  const ppcs = columns.map((c) => c.grid.ppc).join(",");
  return (
    <div
      role="application"
      className="panel-body pool-canvas"
      ref={box}
      // biome-ignore lint/a11y/noNoninteractiveTabindex: the pool takes its zoom and pan keys when focused
      tabIndex={0}
      onKeyDown={onKeyDown}
      aria-label="p2pmem pools: + and - zoom, Left and Right pan, 0 whole device, Enter zooms onto the current event's page"
      style={{ position: "relative" }}
    >
      {state.devices.length === 0 && <p className="panel-empty">No devices yet.</p>}
      <canvas
        ref={canvas}
        data-export="pool"
        data-testid="pool-canvas"
        data-zoom={zoom}
        data-cells={totalCells}
        data-pages-per-cell={ppcs}
        data-first={columns.map((c) => c.grid.first).join(",")}
        data-cell-size={columns.map((c) => c.size).join(",")}
        data-cols={columns.map((c) => c.cols).join(",")}
        // the folio blocks drawn, per device: head:order:refcount:entire mapcount:pincount
        data-folios={columns
          .map((c) =>
            c.folios.map((f) => `${f.head}:${f.order}:${f.refcount}:${f.mapcount}:${f.pincount}`).join(" "),
          )
          .join(",")}
        role="img"
        aria-label={columns.map((c) => `${c.name}: ${c.pages} pages, ${c.grid.ppc} per cell`).join("; ")}
        style={{ width: size.width, height: size.height, display: "block", touchAction: "none" }}
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={onPointerUp}
        onPointerLeave={() => setHover(null)}
        onWheel={onWheel}
      />
      {size.width > 0 && <PoolMarks marks={marks} width={size.width} height={size.height} />}
      <p className="pool-help" data-testid="pool-help">
        wheel or +/− zoom · drag or ←/→ pan · 0 whole · Enter event's page
      </p>
      {hover && (
        <div
          className="pool-tip"
          data-testid="pool-tip"
          role="status"
          style={{
            position: "absolute",
            left: Math.min(hover.x + 12, Math.max(0, size.width - 260)),
            top: hover.y + 12,
          }}
        >
          {hover.text}
        </div>
      )}
    </div>
  );
}
