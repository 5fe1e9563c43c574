/**
 * Refcounts panel: every live page's refcount, mapcount, PTE count and pins (runs of pages with
 * equal values share a row), each device's pgmap percpu_ref, the RFC-era pmaps' krefs and the pins.
 * The row the current step changed is highlighted, and the change is spelled out with its function.
 */

import { select } from "d3-selection";
import { useEffect, useMemo, useRef, useState } from "react";
import type { KernelEvent } from "../kernel/events.ts";
import type { PageRun } from "../kernel/runs.ts";
import type { DeviceState, KernelState } from "../kernel/state.ts";
import { lookOf, PTE_PUD, pageAt, pinPageCount, pteDev, pteKind, ptePage } from "../kernel/state.ts";
import { VERSIONS } from "../kernel/versions.ts";
import { animated, DRAW_ALL_EVENT, hex, type LOOK_STYLE, lookFill, pageRange, useSize } from "./common.ts";
import { differing, keepAttr, keepClass, keepText } from "./d3-keep.ts";

export type RefRowKind = "device" | "folio" | "pages" | "pmap" | "pin";

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
  /** a folio row takes two lines: what it is, then its counts */
  readonly lines?: 1 | 2;
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
    case "folio-init":
      return `${dn(ev.dev)} pages ${pageRange(ev.page, ev.pages).replace(/^pages? /, "")} formed into one order-${ev.order} folio, refcount 0 → ${ev.ref} in ${ev.fn}()`;
    case "folio-ref": {
      const r = pageAt(state.devices[ev.dev]!, ev.page);
      const pin = ev.pin !== 0 ? `, pincount ${r.pincount - ev.pin} → ${r.pincount}` : "";
      return `${dn(ev.dev)} folio ${folioPages(ev.page, ev.pages)}: refcount ${ev.to - ev.delta} → ${ev.to}${pin} in ${ev.fn}()`;
    }
    case "leaf-set":
    case "leaf-clear": {
      const d = state.devices[pteDev(ev.pte)]!;
      const head = ptePage(ev.pte);
      const m = pageAt(d, head).mapcount;
      const level = pteKind(ev.pte) === PTE_PUD ? "PUD" : "PMD";
      const before = ev.kind === "leaf-set" ? m - 1 : m + 1;
      return `${d.name} folio ${folioPages(head, ev.pages)}: ${level} leaf ${ev.kind === "leaf-set" ? "set" : "cleared"}, entire mapcount ${before} → ${m} in ${ev.fn}()`;
    }
    case "folio-free":
      return `${dn(ev.dev)} folio ${folioPages(ev.page, ev.pages)} (order ${ev.order}) returned to the genpool whole in ${ev.fn}()`;
    case "genpool-miss":
      return `${dn(ev.dev)}: no free run of ${ev.pages} pages aligned to an order-${ev.order} folio (${ev.fn}())`;
    case "fallback":
      return `${dn(ev.dev)}: the mapping falls back from order-${ev.from} to order-${ev.to} folios (${ev.fn}())`;
    case "pmap-kref": {
      const now = state.pmaps[ev.pmap]!.kref;
      return `pmap ${ev.pmap}: kref ${now - ev.delta} → ${now} in ${ev.fn}()`;
    }
    default:
      return null;
  }
}

/** "0–511" for the pages of a folio. */
function folioPages(head: number, pages: number): string {
  return pages === 1 ? String(head) : `${head}–${head + pages - 1}`;
}

/** "2 MiB", "1 GiB": a folio's bytes. */
function bytesText(b: number): string {
  if (b >= 2 ** 30) return `${b / 2 ** 30} GiB`;
  if (b >= 2 ** 20) return `${b / 2 ** 20} MiB`;
  return `${b / 2 ** 10} KiB`;
}

export function refcountView(state: KernelState, ev: KernelEvent | undefined): RefcountView {
  const rows: RefRow[] = [];
  let changedDev = -1;
  let changedPage = -1;
  if (ev) {
    if ("dev" in ev && "page" in ev) {
      changedDev = ev.dev;
      changedPage = ev.page;
    } else if (
      ev.kind === "pte-set" ||
      ev.kind === "pte-clear" ||
      ev.kind === "leaf-set" ||
      ev.kind === "leaf-clear"
    ) {
      changedDev = pteDev(ev.pte);
      changedPage = ptePage(ev.pte);
    }
  }
  let pageRows = 0;
  let omitted = 0;
  /**
   * One row per stretch [cuts[i], cuts[i+1]) of run r (empty stretches skipped), until MAX_PAGE_ROWS;
   * `refcount` gives a stretch's refcount by its first page (a folio's tails read 0, as the kernel's).
   */
  const pushPages = (
    d: DeviceState,
    r: PageRun,
    cuts: readonly number[],
    refcount: (first: number) => number,
    mayChange: boolean,
  ): void => {
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
        values: [String(refcount(p)), String(r.mapcount), String(r.ptes), String(r.pins)],
        look: lookOf(d, r),
        dev: d.index,
        first: p,
        count: q - p,
        changed: mayChange && d.index === changedDev && changedPage >= p && changedPage < q,
      });
      pageRows++;
    }
  };
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
    let folio = -1; // head of the large folio whose row was pushed last
    for (const r of d.pageRuns.runs()) {
      const live = r.allocated || r.refcount !== rest || r.ptes > 0 || r.pins > 0;
      if (!live) continue;
      if (r.allocated && r.order > 0) {
        // a large folio: one row with its head's refcount, entire mapcount and pincount (the model
        // keeps them on every page of the folio), then only its pages that are pinned or changed
        const size = 2 ** r.order;
        for (let head = Math.floor(r.start / size) * size; head < r.start + r.length; head += size) {
          if (head === folio) continue;
          folio = head;
          if (pageRows >= MAX_PAGE_ROWS) {
            omitted++;
            continue;
          }
          rows.push({
            key: `d${d.index}f${head}`,
            kind: "folio",
            what: `folio ${folioPages(head, size)} · order ${r.order} (${bytesText(size * state.pageSize)})`,
            values: [`refcount ${r.refcount} · entire mapcount ${r.mapcount} · pincount ${r.pincount}`],
            look: lookOf(d, r),
            dev: d.index,
            first: head,
            count: size,
            changed: d.index === changedDev && changedPage >= head && changedPage < head + size,
            lines: 2,
          });
          pageRows++;
        }
        if (r.pins === 0) continue;
        // pinned pages of the folio: the kernel's per-page view (the head holds the refcount)
        const head = Math.floor(r.start / size) * size;
        const cuts =
          r.start === head && r.length > 1
            ? [r.start, r.start + 1, r.start + r.length]
            : [r.start, r.start + r.length];
        pushPages(d, r, cuts, (p) => (p === head ? r.refcount : 0), false);
        continue;
      }
      // The changed page gets a row of its own, so the highlighted row names that page.
      const cuts = [r.start, r.start + r.length];
      if (d.index === changedDev && changedPage >= r.start && changedPage < r.start + r.length)
        cuts.splice(1, 0, changedPage, changedPage + 1);
      pushPages(d, r, cuts, () => r.refcount, true);
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

/** The stretch rows of one device ("d3p120" -> "d3p"); null for the other rows. */
const stretchGroup = (key: string): string | null => /^(d\d+p)\d+$/.exec(key)?.[1] ?? null;

/**
 * Which element each row is drawn in. A device's page stretches are drawn in place: a stretch row
 * takes the element that stood at its place (its top) for a stretch of the same device, rewritten,
 * instead of one element per first page. Inside a kernel loop a stretch's first page moves at every
 * step ("page 1703115" changed, then "pages 1703116–8388607" free: new rows by their first page), and
 * keyed by it the rows were removed and built again (nine SVG elements each, styled and laid out),
 * the next one sliding up into place, at every step. Every other row (a device, a folio, a mapping,
 * a pin) keeps its own element and moves with it. `last` is the previous draw's row key -> element
 * key and element key -> top; the result is this draw's.
 */
export function rowElements(
  rows: readonly { readonly key: string }[],
  top: (key: string) => number,
  last: { readonly element: ReadonlyMap<string, string>; readonly top: ReadonlyMap<string, number> },
): { element: Map<string, string>; top: Map<string, number> } {
  const element = new Map<string, string>();
  const tops = new Map<string, number>();
  // the last draw's stretch elements by place, with the group of the row they showed
  const atTop = new Map<number, { el: string; group: string }>();
  for (const [row, el] of last.element) {
    const group = stretchGroup(row);
    if (group !== null) atTop.set(last.top.get(el)!, { el, group });
  }
  const used = new Set<string>();
  for (const r of rows) {
    const group = stretchGroup(r.key);
    const there = group === null ? undefined : atTop.get(top(r.key));
    if (there && there.group === group) {
      element.set(r.key, there.el);
      used.add(there.el);
    }
  }
  for (const r of rows) {
    if (element.has(r.key) || stretchGroup(r.key) !== null) continue;
    const kept = last.element.get(r.key);
    if (kept !== undefined && !used.has(kept)) {
      element.set(r.key, kept);
      used.add(kept);
    }
  }
  for (const r of rows) {
    if (element.has(r.key)) continue;
    let el = r.key;
    for (let n = 1; used.has(el); n++) el = `${r.key}#${n}`;
    element.set(r.key, el);
    used.add(el);
  }
  for (const r of rows) tops.set(element.get(r.key)!, top(r.key));
  return { element, top: tops };
}

/** Index of the last row whose top is at or above `y` (0 when none): tops ascend. */
export function firstRowBelow(tops: readonly number[], y: number): number {
  let lo = 0;
  let hi = tops.length - 2; // the last entry is the table's bottom, not a row
  let found = 0;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (tops[mid]! <= y) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}
const COLS = [0, 112, 172, 222, 272]; // what, ref, map, ptes, pins

/** The drawing's height grows and shrinks by this many pixels (25 rows). */
export const SHEET_STEP = 500;

/**
 * The refcount drawing's height for a table `height` pixels tall: rounded up to a whole SHEET_STEP.
 * Chromium lays out every text of an SVG again when the SVG's height changes (3.4-4.7 ms for the
 * 28 rows in sight on eight 32 GiB devices, measured in the page), and the table's height changes
 * at every step that adds or removes a row (a page freed in a munmap, then its neighbour). The
 * sheet around the drawing has the table's height and clips it; an export reads `data-height`.
 */
export function sheetHeight(height: number): number {
  return Math.max(SHEET_STEP, Math.ceil(height / SHEET_STEP) * SHEET_STEP);
}

/** Every counter of one page, for the page the user clicked in the pool. */
export function pageDetail(state: KernelState, dev: number, page: number): string | null {
  const d = state.devices[dev];
  if (!d || page < 0 || page >= d.pages) return null;
  const r = pageAt(d, page);
  const owner = r.owner >= 0 ? ` · pmap ${r.owner}` : "";
  if (r.allocated && r.order > 0) {
    const size = 2 ** r.order;
    const head = Math.floor(page / size) * size;
    const role = head === page ? "head" : "tail: refcount 0";
    return `${d.name} page ${page} (pfn ${hex(d.barStart / state.pageSize + page)}, ${role}): ${lookOf(d, r)} · in folio ${folioPages(head, size)} (order ${r.order}): refcount ${r.refcount} · entire mapcount ${r.mapcount} · pincount ${r.pincount} · ptes ${r.ptes} · pins ${r.pins}${owner}`;
  }
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
  const tops = useMemo(() => {
    const out: number[] = [];
    let y = ROW_H;
    for (const r of view.rows) {
      out.push(y);
      y += (r.lines ?? 1) * ROW_H;
    }
    out.push(y);
    return out;
  }, [view]);
  const height = tops[tops.length - 1]! + (view.omitted ? ROW_H : 0) + 4;

  // the scroll position of the table, for the rows in sight
  const [scrollTop, setScrollTop] = useState(0);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const on = () => setScrollTop(el.scrollTop);
    el.addEventListener("scroll", on, { passive: true });
    return () => el.removeEventListener("scroll", on);
  }, [box]);
  // the table scrolls in its panel: only the rows in sight (and a screen either side) are in the
  // DOM, so a step costs the rows on screen, not the hundreds of folio rows of eight 32 GiB devices
  // (a scrub across the RFC's mmaps built and removed them all: 9 ms of script and 12 ms of layout).
  // A panel that grows with its rows (the phone layout) keeps them all; so does an export.
  const clipped = size.height > 0 && height > size.height + 1;
  const over = Math.max(20 * ROW_H, size.height);
  const from = clipped ? firstRowBelow(tops, scrollTop - over) : 0;
  const to = clipped ? firstRowBelow(tops, scrollTop + size.height + over) + 1 : view.rows.length;

  const drawn = useRef<ReturnType<typeof rowElements>>({ element: new Map(), top: new Map() });
  useEffect(() => {
    if (!g.current) return;
    const root = select(g.current);
    const topOf = new Map<string, number>();
    for (let i = 0; i < view.rows.length; i++) topOf.set(view.rows[i]!.key, tops[i]!);
    const place = (r: RefRow) => `translate(0,${topOf.get(r.key)})`;
    const draw = (first: number, end: number) => {
      const shown = view.rows.slice(first, Math.min(end, view.rows.length));
      const els = rowElements(shown, (k) => topOf.get(k)!, drawn.current);
      drawn.current = els;
      // an element's key stays with the element (rowElements may give it another row's data)
      const keyOf = function (this: Element | undefined, r: RefRow): string {
        const own = (this as (Element & { __p2pRow?: string }) | undefined)?.__p2pRow;
        return own ?? els.element.get(r.key)!;
      };
      root
        .selectChildren<SVGGElement, null>("g.p2p-ref-head")
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
        .selectChildren<SVGGElement, RefRow>("g.p2p-ref-row")
        .data(shown, keyOf)
        .join((enter) => {
          const e = enter.append("g").attr("class", "p2p-ref-row");
          e.each(function (r) {
            (this as Element & { __p2pRow?: string }).__p2pRow = els.element.get(r.key)!;
          });
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
          e.append("text")
            .attr("class", "p2p-ref-second")
            .attr("y", 15 + ROW_H);
          e.attr("transform", place);
          differing(e, "transform", place); // placed: it moves only when its place changes
          return e;
        })
        .call(keepAttr, "data-row", (r: RefRow) => r.kind)
        .call(keepAttr, "data-changed", (r: RefRow) => (r.changed ? "true" : null))
        .call(keepClass, "changed", (r: RefRow) => r.changed);
      // only the rows whose place changed move (a transition on every row would run each frame)
      animated(differing(rows, "transform", place), motion).attr("transform", place);
      // every other attribute is written only where it differs: a step changes a row or two. A row
      // whose element last showed the same thing is not even read back (the reads of every
      // attribute and text of the rows in sight were 0.5 ms of each step inside a kernel loop)
      const width = Math.max(300, size.width - 2);
      const redrawn = rows.filter(function (this: Element & { __p2pShown?: string }, r: RefRow) {
        const shown = [width, r.kind, r.look ?? "", r.lines ?? 1, r.what, ...r.values].join("\u0000");
        if (this.__p2pShown === shown) return false;
        this.__p2pShown = shown;
        return true;
      });
      redrawn
        .select("rect.p2p-ref-bg")
        .call(keepAttr, "width", width)
        .call(keepAttr, "height", (r: RefRow) => (r.lines ?? 1) * ROW_H - 2);
      redrawn
        .select("rect.p2p-ref-swatch")
        .call(keepAttr, "visibility", (r: RefRow) => (r.look ? "visible" : "hidden"))
        .call(keepAttr, "fill", (r: RefRow) => (r.look ? lookFill(r.look) : "none"))
        .call(keepAttr, "stroke", "#555");
      redrawn
        .select("text.p2p-ref-what")
        .call(keepAttr, "x", (r: RefRow) => (r.kind === "pages" || r.kind === "folio" ? 20 : 4))
        .call(keepAttr, "font-weight", (r: RefRow) => (r.kind === "pages" ? null : 600))
        .call(keepText, (r: RefRow) => r.what)
        // a long page range ("pages 262144–1048575") is squeezed into its column, not over the counts
        .call(keepAttr, "textLength", (r: RefRow) =>
          r.kind === "pages" && r.what.length * 7 > COLS[1]! - 22 ? COLS[1]! - 22 : null,
        )
        .call(keepAttr, "lengthAdjust", "spacingAndGlyphs");
      for (let i = 0; i < 4; i++) {
        redrawn
          .select(`text.v${i}`)
          .call(keepAttr, "x", (r: RefRow) => (r.kind === "pages" ? COLS[i + 1]! + 4 : i === 0 ? 96 : 0))
          .call(keepText, (r: RefRow) => (r.kind === "folio" ? "" : (r.values[i] ?? "")));
      }
      // a folio's counts, on its second line
      redrawn
        .select("text.p2p-ref-second")
        .call(keepAttr, "x", 20)
        .call(keepText, (r: RefRow) => (r.kind === "folio" ? (r.values[0] ?? "") : ""));
    };
    draw(from, to);
    // an export copies the table whole: draw every row first
    const all = () => draw(0, view.rows.length);
    window.addEventListener(DRAW_ALL_EVENT, all);
    return () => window.removeEventListener(DRAW_ALL_EVENT, all);
  }, [view, tops, motion, size.width, from, to]);

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
        {/* the sheet is the table's height, so the scroll ends at its last row; the drawing in it
            is taller, by whole steps of SHEET_STEP (see sheetHeight) */}
        <div className="refcount-sheet" style={{ height }}>
          <svg
            width={Math.max(300, size.width)}
            height={sheetHeight(height)}
            data-height={height}
            role="img"
            aria-label="page reference counts"
          >
            <g ref={g} />
            {view.omitted > 0 && (
              <text x={4} y={height - 6} className="p2p-ref-more">
                … {view.omitted} more rows
              </text>
            )}
          </svg>
        </div>
      </section>
    </div>
  );
}
