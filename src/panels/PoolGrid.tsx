/**
 * The pool panel at scale: every device in one SVG, each cell an aggregate of the pages inside
 * (pool-cells.ts, built from the page runs), with zoom and pan from the whole device down to single
 * pages. Above each device's grid, a strip of the whole device marks the window shown, the selected
 * page and the page the current event touches, so both stay visible at any zoom; in the grid their
 * cells are ringed even when they aggregate many pages. A device's column is drawn by
 * pool-drawing.ts, and again only when its cells, window or folios change; the marks (PoolMarks) are
 * drawn over the columns, since they move at nearly every step.
 *
 * Keys (when the pool has focus): + / - zoom in and out, Left / Right pan (half a window), 0 shows
 * the whole device again, Enter zooms onto the page the current event touches. Wheel zooms at the
 * pointer; dragging pans; a click selects the first page of the cell under the pointer.
 */
import {
  type KeyboardEvent,
  type PointerEvent,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
  type WheelEvent,
} from "react";
import type { KernelEvent } from "../kernel/events.ts";
import type { KernelState } from "../kernel/state.ts";
import { eventPage, pageRange, useSize } from "./common.ts";
import {
  cellCountsText,
  cellOf,
  cellSize,
  foliosIn,
  hasFolios,
  MIN_CELL,
  maxZoom,
  PoolCellCache,
  poolColumns,
  poolWindow,
  pow2AtMost,
} from "./pool-cells.ts";
import {
  type Column,
  cellSide,
  drawColumn,
  FONT_FAMILY,
  FONT_SIZE,
  HEADER,
  STRIP,
  TOP,
} from "./pool-drawing.ts";

/** room under the grid for the keys hint */
const HELP = 18;

export interface PoolGridProps {
  readonly state: KernelState;
  readonly event: KernelEvent | undefined;
  readonly stateKey: string;
  readonly selected?: { dev: number; page: number } | null;
  readonly onSelect?: (p: { dev: number; page: number }) => void;
  /** the devices the whole trace adds (PoolPanelProps.traceDevices) */
  readonly traceDevices?: number;
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

/** A page marked over the cells: a tick on its device's strip and, when its cell is shown, a ring. */
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
            side: cellSide(col) + 2,
          },
  };
}

/**
 * The selected page's and the current event's marks, over the columns. A step inside a 32 GiB loop
 * moves them (or takes them away, for an event that touches no page) while the cells stay as they
 * were: drawn with the cells, such a step redrew a device's column (7 of the 20 steps after a scrub
 * in bench/browser.ts's 8 x 32 GiB run).
 */
function PoolMarks({ marks }: { marks: readonly Mark[] }) {
  return (
    <g className="pool-marks" pointerEvents="none">
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
    </g>
  );
}

export function PoolGrid({ state, event, stateKey, selected, onSelect, traceDevices = 0 }: PoolGridProps) {
  const [box, size] = useSize<HTMLDivElement>();
  const layer = useRef<SVGGElement>(null);
  const [zoom, setZoom] = useState(1);
  const [center, setCenter] = useState(0.5);
  const [hover, setHover] = useState<{ x: number; y: number; text: string } | null>(null);
  const n = Math.max(1, state.devices.length, traceDevices);
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
  // 32 GiB loop) leaves the columns alone, and one that changes one device redraws that device's
  // column only (the other seven of eight 32 GiB devices cost a scrub 1-1.5 ms;
  // bench/profile-browser.ts --huge --scrub).
  const drawn = useRef<{ whole: string; keys: string[]; looks: Uint8Array[] } | null>(null);

  // before the browser paints, as React draws the marks: a playing trace never shows a frame whose
  // ring is at the next step and whose cells are still at the last
  useLayoutEffect(() => {
    const root = layer.current;
    if (!root || size.width === 0) return;
    const t0 = performance.now();
    // not the number of columns: a device added (or taken away, stepping back) is its column alone
    const whole = [size.width, size.height, colWidth, gridHeight].join(",");
    const keys = columns.map(columnKey);
    const prev = drawn.current && drawn.current.whole === whole ? drawn.current : null;
    const dirty = columns.map(
      (col, i) => !prev || prev.keys[i] !== keys[i] || !sameLooks(prev.looks[i]!, col.grid.look),
    );
    if (!dirty.includes(true) && root.children.length === columns.length) {
      poolDrawStats.lastMs += performance.now() - t0;
      return;
    }
    drawn.current = { whole, keys, looks: columns.map((col) => col.grid.look) };
    if (!prev) root.replaceChildren();
    for (const [ci, col] of columns.entries()) {
      if (!dirty[ci]) continue;
      const g = drawColumn(col, colWidth, gridHeight);
      const old = prev ? root.children[ci] : undefined;
      if (old) old.replaceWith(g);
      else root.append(g);
    }
    while (root.children.length > columns.length) root.lastElementChild?.remove();
    poolDrawStats.lastMs += performance.now() - t0;
    poolDrawStats.frames++;
  }, [columns, size.width, size.height, colWidth, gridHeight]);

  // the event's mark over the selection's
  const marks: Mark[] = [];
  const selCol = selected ? columns.find((c) => c.dev === selected.dev) : undefined;
  if (selected && selCol) marks.push(markOf(selCol, colWidth, "selected", selected.page, "#000"));
  const evCol = columns.find((c) => c.dev === changedDev);
  if (evCol) marks.push(markOf(evCol, colWidth, "event", changedPage, "#d55e00"));

  /** The device column and cell under a point of the drawing. */
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
  const onPointerDown = (e: PointerEvent<SVGSVGElement>) => {
    drag.current = { x: e.clientX, center, moved: false };
    e.currentTarget.setPointerCapture?.(e.pointerId);
  };
  const onPointerMove = (e: PointerEvent<SVGSVGElement>) => {
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
  const onPointerUp = (e: PointerEvent<SVGSVGElement>) => {
    const d = drag.current;
    drag.current = null;
    if (d?.moved) return;
    const { px, py } = local(e);
    const h = hit(px, py);
    if (h) onSelect?.({ dev: h.col.dev, page: h.col.grid.first + h.cell * h.col.grid.ppc });
  };
  const onWheel = (e: WheelEvent<SVGSVGElement>) => {
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
      className="panel-body pool-grid"
      ref={box}
      // biome-ignore lint/a11y/noNoninteractiveTabindex: the pool takes its zoom and pan keys when focused
      tabIndex={0}
      onKeyDown={onKeyDown}
      aria-label="p2pmem pools: + and - zoom, Left and Right pan, 0 whole device, Enter zooms onto the current event's page"
      style={{ position: "relative" }}
    >
      {state.devices.length === 0 && <p className="panel-empty">No devices yet.</p>}
      <svg
        data-testid="pool-grid"
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
        width={size.width}
        height={size.height}
        fontFamily={FONT_FAMILY}
        fontSize={FONT_SIZE}
        style={{ display: "block", touchAction: "none" }}
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={onPointerUp}
        onPointerLeave={() => setHover(null)}
        onWheel={onWheel}
      >
        <g ref={layer} />
        <PoolMarks marks={marks} />
      </svg>
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
