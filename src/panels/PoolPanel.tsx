/**
 * BAR pool panel: each device's p2pmem as a grid of page cells, coloured and patterned by
 * pageLook(). A device with more pages than fit gets several pages per cell (a power of two), and
 * the cell shows the most alarming look among them. The page changed at this step is ringed.
 */

import { select } from "d3-selection";
import { useEffect, useMemo, useRef } from "react";
import type { KernelEvent } from "../kernel/events.ts";
import type { DeviceLifecycle, KernelState, PageLook } from "../kernel/state.ts";
import {
  animated,
  eventPage,
  LOOK_BY_CODE,
  LOOK_RANK,
  LOOK_STYLE,
  LOOKS,
  lookCodes,
  lookFill,
  pageRange,
  useSize,
} from "./common.ts";
import { PoolGrid } from "./PoolGrid.tsx";
import {
  cellSize,
  type FolioBlock,
  folioLabel,
  folioRect,
  folioSize,
  foliosIn,
  MIN_CELL,
  poolColumns,
} from "./pool-cells.ts";

/** At most this many folio blocks per device (a 4096-page device holds at most 2048 of 2 pages). */
const MAX_FOLIO_BLOCKS = 2048;

/** A folio in words, for titles: "folio pages 0–511 (order 9, 2 MiB): ref 3, entire mapcount 1, pincount 2". */
export function folioText(f: FolioBlock, pageSize: number): string {
  return `folio ${pageRange(f.head, f.pages)} (order ${f.order}, ${folioSize(f.pages, pageSize)}): refcount ${f.refcount}, entire mapcount ${f.mapcount}, pincount ${f.pincount}`;
}

export interface CellView {
  /** stable id: device index and first page */
  readonly key: string;
  readonly dev: number;
  readonly devName: string;
  readonly first: number;
  readonly count: number;
  readonly look: PageLook;
  /** how many of the cell's pages have each look (only looks present) */
  readonly counts: Partial<Record<PageLook, number>>;
  readonly changed: boolean;
}

export interface DevicePoolView {
  readonly dev: number;
  readonly name: string;
  readonly pages: number;
  readonly free: number;
  readonly lifecycle: DeviceLifecycle;
  readonly pagesPerCell: number;
  readonly cells: readonly CellView[];
  /** large folios of more than one cell, each drawn as one block over its cells */
  readonly folios: readonly FolioBlock[];
  readonly pageSize: number;
}

function pow2AtLeast(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

/** View model of the pool: one cell per page, or per 2^k pages when a device has more than maxCells. */
export function poolView(
  state: KernelState,
  ev: KernelEvent | undefined,
  maxCells: number,
): DevicePoolView[] {
  const changed = eventPage(ev);
  return state.devices.map((d) => {
    const ppc = d.pages <= maxCells ? 1 : pow2AtLeast(Math.ceil(d.pages / Math.max(1, maxCells)));
    const cells: CellView[] = [];
    const codes = lookCodes(d);
    for (let first = 0; first < d.pages; first += ppc) {
      const count = Math.min(ppc, d.pages - first);
      const counts: Partial<Record<PageLook, number>> = {};
      const n = new Uint32Array(LOOK_BY_CODE.length);
      for (let p = first; p < first + count; p++) n[codes[p]!]!++;
      let look: PageLook = LOOK_BY_CODE[codes[first]!]!;
      n.forEach((k, code) => {
        if (k === 0) return;
        const l = LOOK_BY_CODE[code]!;
        counts[l] = k;
        if (LOOK_RANK[l] > LOOK_RANK[look]) look = l;
      });
      cells.push({
        key: `${d.index}:${first}`,
        dev: d.index,
        devName: d.name,
        first,
        count,
        look,
        counts,
        changed:
          !!changed && changed.dev === d.index && changed.page >= first && changed.page < first + count,
      });
    }
    return {
      dev: d.index,
      name: d.name,
      pages: d.pages,
      free: d.freePages,
      lifecycle: d.lifecycle,
      pagesPerCell: ppc,
      cells,
      folios: foliosIn(d, 0, d.pages, ppc, MAX_FOLIO_BLOCKS),
      pageSize: state.pageSize,
    };
  });
}

export { LookLegend, poolSummary } from "./PoolParts.tsx";

export function cellTitle(c: CellView): string {
  const parts = LOOKS.filter((l) => c.counts[l]).map((l) => `${c.counts[l]} ${LOOK_STYLE[l].label}`);
  return `${c.devName} ${pageRange(c.first, c.count)}: ${c.count === 1 ? LOOK_STYLE[c.look].label : parts.join(", ")}`;
}

const HEADER = 20;

interface Layout {
  readonly colWidth: number;
  readonly gap: number;
  readonly gridHeight: number;
  readonly capacity: number;
}

function layoutFor(width: number, height: number, devices: number): Layout {
  const n = Math.max(1, devices);
  const { colWidth, gap } = poolColumns(width, n);
  const gridHeight = Math.max(MIN_CELL, height - HEADER - 4);
  const capacity = Math.max(1, Math.floor(colWidth / MIN_CELL) * Math.floor(gridHeight / MIN_CELL));
  return { colWidth, gap, gridHeight, capacity };
}

export interface PoolPanelProps {
  readonly state: KernelState;
  readonly event: KernelEvent | undefined;
  /** changes whenever the state object's contents may have changed (trace version + step) */
  readonly stateKey: string;
  readonly motion: number;
  readonly selected?: { dev: number; page: number } | null;
  readonly onSelect?: (p: { dev: number; page: number }) => void;
  /**
   * the largest device of the whole trace, in pages (largestDevicePages): the panel then keeps one
   * kind of drawing at every step, instead of switching from one element per page to the grid at
   * the step that creates a big device (a new component mounting and laying the page out inside
   * that step)
   */
  readonly tracePages?: number;
  /**
   * how many devices the whole trace adds: the grid lays its columns out for all of them from the
   * start, so the step that adds a device draws that device's column and leaves the others where
   * they were (with the columns sized for the devices so far, every column was drawn again)
   */
  readonly traceDevices?: number;
}

/**
 * Devices up to this many pages are drawn one SVG element per page (the small scenarios, whose
 * cells tests and exports address one by one); a bigger device switches the panel to the grid
 * (PoolGrid.tsx), which aggregates pages in cells, zooms and pans, and whose cost follows the page
 * runs, not the pages.
 */
export const SVG_MAX_PAGES = 4096;

export function PoolPanel(props: PoolPanelProps) {
  if ((props.tracePages ?? 0) > SVG_MAX_PAGES || props.state.devices.some((d) => d.pages > SVG_MAX_PAGES))
    return <PoolGrid {...props} />;
  return <PoolSvg {...props} />;
}

function PoolSvg({ state, event, stateKey, motion, selected, onSelect }: PoolPanelProps) {
  const [box, size] = useSize<HTMLDivElement>();
  const g = useRef<SVGGElement>(null);
  const layout = layoutFor(size.width, size.height, state.devices.length);
  // biome-ignore lint/correctness/useExhaustiveDependencies: stateKey stands for the live state's contents
  const view = useMemo(() => poolView(state, event, layout.capacity), [stateKey, layout.capacity]);
  const onSelectRef = useRef(onSelect);
  onSelectRef.current = onSelect;

  useEffect(() => {
    if (!g.current || size.width === 0) return;
    const root = select(g.current);
    const cols = root
      .selectAll<SVGGElement, DevicePoolView>("g.p2p-dev")
      .data(view, (d) => String(d.dev))
      .join((enter) => {
        const e = enter.append("g").attr("class", "p2p-dev");
        e.append("text").attr("class", "p2p-dev-title").attr("y", 14);
        e.append("g").attr("class", "p2p-cells").attr("transform", `translate(0,${HEADER})`);
        e.append("g").attr("class", "p2p-folios").attr("transform", `translate(0,${HEADER})`);
        e.append("rect").attr("class", "p2p-ring").attr("fill", "none").attr("pointer-events", "none");
        return e;
      })
      .attr("transform", (d) => `translate(${d.dev * (layout.colWidth + layout.gap)},0)`);

    cols.each(function (d) {
      const col = select(this);
      // with large folios the columns are a power of two, so that each folio is one rectangle
      const { size: s, cols: nc } = cellSize(
        d.cells.length,
        layout.colWidth,
        layout.gridHeight,
        d.folios.length > 0,
      );
      const per = d.pagesPerCell > 1 ? ` · ${d.pagesPerCell} pages per cell` : "";
      const life = d.lifecycle === "bound" ? "" : ` · ${d.lifecycle}`;
      col.select("text.p2p-dev-title").text(`${d.name} · ${d.pages} pages${per}${life}`);
      const x = (i: number) => (i % nc) * s;
      const y = (i: number) => Math.floor(i / nc) * s;
      const cells = col
        .select<SVGGElement>("g.p2p-cells")
        .selectAll<SVGRectElement, CellView>("rect")
        .data(d.cells, (c) => c.key)
        .join((enter) =>
          enter
            .append("rect")
            .attr("data-dev", (c) => c.devName)
            .attr("data-page", (c) => c.first)
            .attr("data-pages", (c) => c.count)
            .on("click", (_e, c) => onSelectRef.current?.({ dev: c.dev, page: c.first }))
            .call((r) => r.append("title")),
        )
        .attr("class", (c) => `p2p-cell look-${c.look}`)
        .attr("data-look", (c) => c.look)
        .attr("fill", (c) => lookFill(c.look))
        .attr("stroke", (c) =>
          selected && selected.dev === c.dev && selected.page >= c.first && selected.page < c.first + c.count
            ? "#000"
            : "#8a8f98",
        )
        .attr("stroke-width", (c) =>
          selected && selected.dev === c.dev && selected.page === c.first ? 2 : 0.6,
        )
        .attr("x", (_c, i) => x(i) + 0.5)
        .attr("y", (_c, i) => y(i) + 0.5)
        .attr("width", Math.max(1, s - 2))
        .attr("height", Math.max(1, s - 2));
      cells.select("title").text((c) => {
        const f = d.folios.find((x) => c.first >= x.head && c.first < x.head + x.pages);
        return f ? `${cellTitle(c)} · in ${folioText(f, d.pageSize)}` : cellTitle(c);
      });

      // each large folio as one block over its cells: its look, an outline, its order and head's counts
      const blocks = col
        .select<SVGGElement>("g.p2p-folios")
        .selectAll<SVGGElement, FolioBlock>("g.p2p-folio")
        .data(d.folios, (f) => String(f.head))
        .join((enter) => {
          const e = enter.append("g").attr("class", "p2p-folio").attr("pointer-events", "none");
          e.append("rect").attr("class", "p2p-folio-block");
          e.append("rect").attr("class", "p2p-folio-tag");
          e.append("text").attr("class", "p2p-folio-label");
          return e;
        })
        .attr("data-head", (f) => f.head)
        .attr("data-order", (f) => f.order)
        .attr("data-look", (f) => LOOK_BY_CODE[f.look]!)
        .attr("data-refcount", (f) => f.refcount)
        .attr("data-mapcount", (f) => f.mapcount)
        .attr("data-pincount", (f) => f.pincount)
        .attr("aria-label", (f) => folioText(f, d.pageSize));
      blocks.each(function (f) {
        const r = folioRect(f, 0, d.pagesPerCell, nc);
        const bx = r.col * s + 0.5;
        const by = r.row * s + 0.5;
        const bw = r.w * s - 1.5;
        const bh = r.h * s - 1.5;
        const b = select(this);
        b.select("rect.p2p-folio-block")
          .attr("x", bx)
          .attr("y", by)
          .attr("width", Math.max(1, bw))
          .attr("height", Math.max(1, bh))
          .attr("fill", lookFill(LOOK_BY_CODE[f.look]!))
          .attr("stroke", "#1b1f24")
          .attr("stroke-width", 1.5);
        const label = folioLabel(f, bw - 8);
        const tagW = label.length * 6.6 + 8;
        b.select("rect.p2p-folio-tag")
          .attr("visibility", label && bh >= 14 ? "visible" : "hidden")
          .attr("x", bx + 2)
          .attr("y", by + Math.max(2, Math.min(bh / 2 - 8, 20)))
          .attr("width", tagW)
          .attr("height", 15)
          .attr("rx", 2);
        b.select("text.p2p-folio-label")
          .attr("visibility", label && bh >= 14 ? "visible" : "hidden")
          .attr("x", bx + 6)
          .attr("y", by + Math.max(2, Math.min(bh / 2 - 8, 20)) + 11.5)
          .text(label);
      });

      // the ring around the page this step changed: shrinks onto the cell, so the eye finds it
      const idx = d.cells.findIndex((c) => c.changed);
      const ring = col.select<SVGRectElement>("rect.p2p-ring");
      if (idx < 0) {
        ring.attr("visibility", "hidden");
      } else {
        const cx = x(idx);
        const cy = y(idx) + HEADER;
        ring
          .attr("visibility", "visible")
          .attr("stroke", "#111")
          .attr("stroke-width", 2)
          .attr("x", cx - 4)
          .attr("y", cy - 4)
          .attr("width", s + 7)
          .attr("height", s + 7)
          .attr("opacity", motion > 0 ? 0.2 : 1);
        animated(ring, motion)
          .attr("x", cx - 1)
          .attr("y", cy - 1)
          .attr("width", s + 1)
          .attr("height", s + 1)
          .attr("opacity", 1);
      }
    });
  }, [view, layout.colWidth, layout.gridHeight, motion, selected, size.width, layout.gap]);

  return (
    <div className="panel-body" ref={box}>
      {state.devices.length === 0 && <p className="panel-empty">No devices yet.</p>}
      <svg width={size.width} height={size.height} role="img" aria-label="p2pmem pools, one cell per page">
        <g ref={g} />
      </svg>
    </div>
  );
}
