/**
 * Refcounts panel: every live page's refcount, mapcount, PTE count and pins (runs of pages with
 * equal values share a row), each device's pgmap percpu_ref, the RFC-era pmaps' krefs and the pins.
 * The row the current step changed is highlighted, and the change is spelled out with its function.
 */

import { select } from "d3-selection";
import { useEffect, useMemo, useRef } from "react";
import type { KernelEvent } from "../kernel/events.ts";
import type { KernelState } from "../kernel/state.ts";
import { lookOf, pageAt, pinPageCount, pteDev, ptePage } from "../kernel/state.ts";
import { VERSIONS } from "../kernel/versions.ts";
import { animated, hex, type LOOK_STYLE, lookFill, pageRange, useSize } from "./common.ts";
import { differing, keepText } from "./d3-keep.ts";

export type RefRowKind = "device" | "pages" | "pmap" | "pin";

export interface RefRow {
  readonly key: string;
  readonly kind: RefRowKind;
  /** first column: what the row is about */
  readonly what: string;
  /** value columns: refcount, mapcount, ptes, pins (pages rows), or one text (other rows) */
  readonly values: readonly string[];
  readonly look?: keyof typeof LOOK_STYLE;
  readonly dev?: number;
  readonly first?: number;
  readonly count?: number;
  readonly changed: boolean;
}

export interface RefcountView {
  readonly rows: readonly RefRow[];
  /** pages rows left out because there were too many */
  readonly omitted: number;
  /** the change this step made, in words, or null */
  readonly change: string | null;
}

const MAX_PAGE_ROWS = 400;

/** One sentence for the counter this event changed (values after the event are in `state`). */
export function describeChange(state: KernelState, ev: KernelEvent | undefined): string | null {
  if (!ev) return null;
  const dn = (i: number) => state.devices[i]?.name ?? `dev${i}`;
  switch (ev.kind) {
    case "page-ref": {
      const now = pageAt(state.devices[ev.dev]!, ev.page).refcount;
      const sign = ev.delta > 0 ? "+" : "";
      return `${dn(ev.dev)} page ${ev.page}: refcount ${now - ev.delta} → ${now} (${sign}${ev.delta}) in ${ev.fn}()`;
    }
    case "pgref": {
      const now = state.devices[ev.dev]!.pgref;
      return `${dn(ev.dev)} pgmap percpu_ref ${now - ev.delta} → ${now} in ${ev.fn}()`;
    }
    case "pgref-kill":
      return `${dn(ev.dev)} pgmap percpu_ref killed: tryget_live fails from now on (${ev.fn}())`;
    case "pte-set":
    case "pte-clear": {
      const d = state.devices[pteDev(ev.pte)]!;
      const page = ptePage(ev.pte);
      const m = pageAt(d, page).mapcount;
      const what = ev.rmap
        ? `mapcount ${ev.kind === "pte-set" ? m - 1 : m + 1} → ${m}`
        : "mapcount unchanged (no rmap)";
      return `${d.name} page ${page}: PTE ${ev.kind === "pte-set" ? "set" : "cleared"}, ${what} in ${ev.fn}()`;
    }
    case "pin-page":
    case "unpin-page": {
      const n = pageAt(state.devices[ev.dev]!, ev.page).pins;
      const before = ev.kind === "pin-page" ? n - 1 : n + 1;
      return `${dn(ev.dev)} page ${ev.page}: pins ${before} → ${n} in ${ev.fn}()`;
    }
    case "genpool-alloc":
      return `${dn(ev.dev)} page ${ev.page}: allocated from the genpool in ${ev.fn}()`;
    case "genpool-free":
      return `${dn(ev.dev)} page ${ev.page}: returned to the genpool in ${ev.fn}()`;
    case "pmap-kref": {
      const now = state.pmaps[ev.pmap]!.kref;
      return `pmap ${ev.pmap}: kref ${now - ev.delta} → ${now} in ${ev.fn}()`;
    }
    default:
      return null;
  }
}

export function refcountView(state: KernelState, ev: KernelEvent | undefined): RefcountView {
  const rows: RefRow[] = [];
  let changedDev = -1;
  let changedPage = -1;
  if (ev) {
    if ("dev" in ev && "page" in ev) {
      changedDev = ev.dev;
      changedPage = ev.page;
    } else if (ev.kind === "pte-set" || ev.kind === "pte-clear") {
      changedDev = pteDev(ev.pte);
      changedPage = ptePage(ev.pte);
    }
  }
  let pageRows = 0;
  let omitted = 0;
  for (const d of state.devices) {
    const pgChanged = !!ev && (ev.kind === "pgref" || ev.kind === "pgref-kill") && ev.dev === d.index;
    rows.push({
      key: `d${d.index}`,
      kind: "device",
      what: d.name,
      values: [`pgmap ref ${d.pgref}${d.pgrefDying ? " (dying)" : ""} · ${d.lifecycle}`],
      dev: d.index,
      changed: pgChanged,
    });
    const rest = VERSIONS[state.version].freeRefcount;
    for (const r of d.pageRuns.runs()) {
      const live = r.allocated || r.refcount !== rest || r.ptes > 0 || r.pins > 0;
      if (!live) continue;
      // The changed page gets a row of its own, so the highlighted row names that page.
      const cuts = [r.start, r.start + r.length];
      if (d.index === changedDev && changedPage >= r.start && changedPage < r.start + r.length)
        cuts.splice(1, 0, changedPage, changedPage + 1);
      for (let c = 0; c + 1 < cuts.length; c++) {
        const p = cuts[c]!;
        const q = cuts[c + 1]!;
        if (q <= p) continue;
        if (pageRows >= MAX_PAGE_ROWS) {
          omitted++;
          continue;
        }
        rows.push({
          key: `d${d.index}p${p}`,
          kind: "pages",
          what: pageRange(p, q - p),
          values: [String(r.refcount), String(r.mapcount), String(r.ptes), String(r.pins)],
          look: lookOf(d, r),
          dev: d.index,
          first: p,
          count: q - p,
          changed: d.index === changedDev && changedPage >= p && changedPage < q,
        });
        pageRows++;
      }
    }
  }
  for (const m of state.pmaps) {
    if (m.kref <= 0 && m.first < 0) continue;
    rows.push({
      key: `m${m.id}`,
      kind: "pmap",
      what: `pmap ${m.id}`,
      values: [
        `kref ${m.kref} · ${state.devices[m.dev]?.name ?? "?"} ${m.first >= 0 ? pageRange(m.first, m.pages) : `${m.pages} pages, none allocated`}`,
      ],
      changed: !!ev && ev.kind === "pmap-kref" && ev.pmap === m.id,
    });
  }
  state.pins.forEach((pin, i) => {
    if (pin.status !== "held") return;
    const first = pin.ranges[0];
    const where =
      first === undefined
        ? "no pages"
        : `${state.devices[first.dev]?.name ?? "?"} ${pageRange(first.page, pinPageCount(pin))}`;
    rows.push({
      key: `pin${i}`,
      kind: "pin",
      what: `pin ${pin.name}`,
      values: [`held by ${state.processes[pin.proc]?.name ?? "?"} · ${where}`],
      changed:
        !!ev &&
        (ev.kind === "pin-page" || ev.kind === "unpin-page" || ev.kind === "pin-status") &&
        ev.pin === i,
    });
  });
  return { rows, omitted, change: describeChange(state, ev) };
}

const ROW_H = 20;
const COLS = [0, 112, 172, 222, 272]; // what, ref, map, ptes, pins

/** Every counter of one page, for the page the user clicked in the pool. */
export function pageDetail(state: KernelState, dev: number, page: number): string | null {
  const d = state.devices[dev];
  if (!d || page < 0 || page >= d.pages) return null;
  const r = pageAt(d, page);
  const owner = r.owner >= 0 ? ` · pmap ${r.owner}` : "";
  return `${d.name} page ${page} (pfn ${hex(d.barStart / state.pageSize + page)}): ${lookOf(d, r)} · ref ${r.refcount} · map ${r.mapcount} · ptes ${r.ptes} · pins ${r.pins}${owner}`;
}

export interface RefcountPanelProps {
  readonly state: KernelState;
  readonly event: KernelEvent | undefined;
  readonly stateKey: string;
  readonly motion: number;
  /** the page clicked in the pool panel, shown in full */
  readonly selected?: { readonly dev: number; readonly page: number } | null;
}

export function RefcountPanel({ state, event, stateKey, motion, selected }: RefcountPanelProps) {
  const [box, size] = useSize<HTMLElement>();
  const g = useRef<SVGGElement>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: stateKey stands for the live state's contents
  const view = useMemo(() => refcountView(state, event), [stateKey]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: stateKey stands for the live state's contents
  const detail = useMemo(
    () => (selected ? pageDetail(state, selected.dev, selected.page) : null),
    [stateKey, selected],
  );
  const height = (view.rows.length + 1) * ROW_H + (view.omitted ? ROW_H : 0) + 4;

  useEffect(() => {
    if (!g.current) return;
    const root = select(g.current);
    root
      .selectAll<SVGGElement, null>("g.p2p-ref-head")
      .data([null])
      .join((enter) => {
        const e = enter.append("g").attr("class", "p2p-ref-head");
        ["page(s)", "ref", "map", "ptes", "pins"].forEach((t, i) => {
          e.append("text")
            .attr("x", COLS[i]! + 4)
            .attr("y", 14)
            .call(keepText, t);
        });
        return e;
      });
    const rows = root
      .selectAll<SVGGElement, RefRow>("g.p2p-ref-row")
      .data(view.rows, (r) => r.key)
      .join((enter) => {
        const e = enter.append("g").attr("class", "p2p-ref-row");
        e.append("rect")
          .attr("class", "p2p-ref-bg")
          .attr("height", ROW_H - 2)
          .attr("y", 1);
        e.append("rect")
          .attr("class", "p2p-ref-swatch")
          .attr("x", 2)
          .attr("y", 4)
          .attr("width", 12)
          .attr("height", 12);
        e.append("text").attr("class", "p2p-ref-what").attr("y", 15);
        for (let i = 0; i < 4; i++) e.append("text").attr("class", `p2p-ref-v v${i}`).attr("y", 15);
        e.attr("transform", (_r, i) => `translate(0,${(i + 1) * ROW_H})`);
        return e;
      })
      .attr("data-row", (r) => r.kind)
      .attr("data-changed", (r) => (r.changed ? "true" : null))
      .classed("changed", (r) => r.changed);
    const index = new Map(view.rows.map((r, i) => [r.key, i]));
    const at = (r: RefRow) => `translate(0,${(index.get(r.key)! + 1) * ROW_H})`;
    animated(differing(rows, "transform", at), motion).attr("transform", at);
    rows.select("rect.p2p-ref-bg").attr("width", Math.max(300, size.width - 2));
    rows
      .select("rect.p2p-ref-swatch")
      .attr("visibility", (r) => (r.look ? "visible" : "hidden"))
      .attr("fill", (r) => (r.look ? lookFill(r.look) : "none"))
      .attr("stroke", "#555");
    rows
      .select("text.p2p-ref-what")
      .attr("x", (r) => (r.kind === "pages" ? 20 : 4))
      .attr("font-weight", (r) => (r.kind === "pages" ? null : 600))
      .call(keepText, (r) => r.what);
    for (let i = 0; i < 4; i++) {
      rows
        .select(`text.v${i}`)
        .attr("x", (r) => (r.kind === "pages" ? COLS[i + 1]! + 4 : i === 0 ? 96 : 0))
        .call(keepText, (r) => r.values[i] ?? "");
    }
  }, [view, motion, size.width]);

  return (
    <div className="panel-body refcounts">
      <p className="refcount-change" data-testid="refcount-change">
        {view.change ?? "No counter changes at this step."}
      </p>
      {detail && (
        <p className="refcount-selected" data-testid="page-detail">
          {detail}
        </p>
      )}
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling table must be reachable by keyboard to scroll it */}
      <section className="panel-scroll" ref={box} tabIndex={0} aria-label="refcount table">
        <svg width={Math.max(300, size.width)} height={height} role="img" aria-label="page reference counts">
          <g ref={g} />
          {view.omitted > 0 && (
            <text x={4} y={height - 6} className="p2p-ref-more">
              … {view.omitted} more rows
            </text>
          )}
        </svg>
      </section>
    </div>
  );
}
