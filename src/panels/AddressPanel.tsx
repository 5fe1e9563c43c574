/**
 * Address spaces panel: one lane per process with its VMAs on a shared address axis (labels of
 * failed mmaps drawn as dotted outlines), and its PTEs as ribbons down to a strip of each device's
 * pages. Normal, devmap and pfnmap PTEs differ in colour, fill pattern and outline dash. A VMA keeps
 * its key across a split, so the split animates: the old VMA shrinks and the new one fades in.
 */

import { select } from "d3-selection";
import { useEffect, useMemo, useRef } from "react";
import type { KernelEvent } from "../kernel/events.ts";
import type { DeviceState, KernelState, PageLook, PteKind } from "../kernel/state.ts";
import { isLeafKind, lookOf, PTE_KIND_NAMES, PTE_PMD, PTE_PUD, vmFlagNames } from "../kernel/state.ts";
import { animated, hex, lookFill, PTE_STYLE, pageRange, SOLID_PTE_KINDS, useSize } from "./common.ts";

export interface Segment {
  /** virtual address range [start, end) */
  readonly start: number;
  readonly end: number;
  /** position on the axis, in [0, 1] */
  readonly u0: number;
  readonly u1: number;
}

export interface VmaView {
  readonly key: string;
  readonly label: string;
  readonly start: number;
  readonly end: number;
  readonly u0: number;
  readonly u1: number;
  readonly pgoff: number;
  readonly flags: readonly string[];
  readonly dev: string;
}

export interface LabelView {
  readonly key: string;
  readonly name: string;
  readonly u0: number;
  readonly u1: number;
  /** true when no VMA covers any of the label any more (failed mmap, or all unmapped) */
  readonly empty: boolean;
}

export interface PteRun {
  readonly key: string;
  readonly kind: (typeof PTE_KIND_NAMES)[number];
  readonly dev: number;
  readonly vpn: number;
  readonly page: number;
  readonly count: number;
  /** virtual extent on the axis, in [0, 1] */
  readonly u0: number;
  readonly u1: number;
  /** physical extent on the device strip, in [0, 1] */
  readonly p0: number;
  readonly p1: number;
  readonly changed: boolean;
}

export interface LaneView {
  readonly proc: number;
  readonly name: string;
  readonly alive: boolean;
  readonly rss: number;
  readonly vmas: readonly VmaView[];
  readonly labels: readonly LabelView[];
  readonly runs: readonly PteRun[];
}

export interface StripRun {
  readonly first: number;
  readonly count: number;
  readonly look: PageLook;
}

export interface StripView {
  readonly dev: number;
  readonly name: string;
  readonly pages: number;
  readonly p0: number;
  readonly p1: number;
  /** runs of pages that are not free, so the ribbons land on visibly used pages */
  readonly runs: readonly StripRun[];
}

const MAX_STRIP_RUNS = 2000;

/** Runs of non-free pages, from the page runs (cost: the runs, not the pages; pageLook per run). */
function stripRuns(d: DeviceState): StripRun[] {
  const runs: StripRun[] = [];
  let cur: { first: number; count: number; look: PageLook } | null = null;
  const push = () => {
    if (cur && cur.look !== "free") runs.push(cur);
  };
  for (const r of d.pageRuns.runs()) {
    const look: PageLook = d.lifecycle === "unbound" ? "gone" : lookOf(d, r);
    if (cur && cur.look === look && cur.first + cur.count === r.start) cur.count += r.length;
    else {
      push();
      if (runs.length >= MAX_STRIP_RUNS) return runs;
      cur = { first: r.start, count: r.length, look };
    }
  }
  push();
  return runs.slice(0, MAX_STRIP_RUNS);
}

export interface AddressView {
  readonly segments: readonly Segment[];
  readonly lanes: readonly LaneView[];
  readonly strips: readonly StripView[];
  readonly pageSize: number;
  readonly changedVma: string | null;
}

const SEG_GAP = 0.03;
const SEG_MIN = 0.06;

/** Merges intervals and lays them out on [0,1] with gaps; small ones get a minimum width. */
export function axisSegments(intervals: readonly [number, number][]): Segment[] {
  const sorted = intervals.filter(([a, b]) => b > a).sort((x, y) => x[0] - y[0]);
  const merged: [number, number][] = [];
  for (const [a, b] of sorted) {
    const last = merged[merged.length - 1];
    if (last && a <= last[1]) last[1] = Math.max(last[1], b);
    else merged.push([a, b]);
  }
  if (merged.length === 0) return [];
  const total = merged.reduce((n, [a, b]) => n + (b - a), 0);
  const weights = merged.map(([a, b]) => Math.max((b - a) / total, SEG_MIN));
  const room = 1 - SEG_GAP * (merged.length - 1);
  const wsum = weights.reduce((n, w) => n + w, 0);
  let u = 0;
  return merged.map(([start, end], i) => {
    const w = (weights[i]! / wsum) * room;
    const seg = { start, end, u0: u, u1: u + w };
    u += w + SEG_GAP;
    return seg;
  });
}

export function axisPos(segments: readonly Segment[], addr: number): number {
  for (const s of segments) {
    if (addr >= s.start && addr <= s.end)
      return s.u0 + ((addr - s.start) / (s.end - s.start)) * (s.u1 - s.u0);
  }
  return 0;
}

function changedVpn(ev: KernelEvent | undefined): { proc: number; vpn: number } | null {
  if (
    ev &&
    (ev.kind === "pte-set" ||
      ev.kind === "pte-clear" ||
      ev.kind === "fault" ||
      ev.kind === "leaf-set" ||
      ev.kind === "leaf-clear")
  )
    return { proc: ev.proc, vpn: ev.vpn };
  return null;
}

/** Links drawn one per leaf up to this many leaves in a run. */
const MAX_LEAF_LINKS = 256;

/**
 * Pages one leaf of `kind` maps: a PMD leaf maps what a PTE table maps, PTRS_PER_PTE = PAGE_SIZE / 8
 * pages (PMD_SIZE), a PUD leaf PTRS_PER_PMD times that (PUD_SIZE): 512 and 262,144 with 4 KiB pages
 * (huge-policy.ts PMD_ORDER_4K / PUD_ORDER_4K; arm64's 64 KiB granule has no PUD leaves).
 */
function leafPages(kind: PteKind, pageSize: number): number {
  const ptrs = pageSize / 8;
  return kind === PTE_PUD ? ptrs * ptrs : ptrs;
}

function changedVmaKey(ev: KernelEvent | undefined): string | null {
  if (!ev) return null;
  switch (ev.kind) {
    case "vma-create":
    case "vma-remove":
      return `${ev.proc}:${ev.vma.id}`;
    case "vma-split":
      return `${ev.proc}:${ev.newId}`;
    case "vma-flags":
      return `${ev.proc}:${ev.vmaId}`;
    default:
      return null;
  }
}

export function addressView(state: KernelState, ev: KernelEvent | undefined): AddressView {
  const ps = state.pageSize;
  const intervals: [number, number][] = [];
  for (const p of state.processes) {
    for (const l of p.labels.values()) intervals.push([l.start, l.start + l.len]);
    for (const v of p.vmas) intervals.push([v.start, v.end]);
  }
  const segments = axisSegments(intervals);
  const pos = (a: number) => axisPos(segments, a);

  const totalPages = state.devices.reduce((n, d) => n + d.pages, 0);
  const stripGap = state.devices.length > 1 ? 0.04 : 0;
  const room = 1 - stripGap * (state.devices.length - 1);
  let u = 0;
  const strips: StripView[] = state.devices.map((d) => {
    const w = totalPages > 0 ? (d.pages / totalPages) * room : 0;
    const s = { dev: d.index, name: d.name, pages: d.pages, p0: u, p1: u + w, runs: stripRuns(d) };
    u += w + stripGap;
    return s;
  });
  const phys = (dev: number, page: number) => {
    const s = strips[dev];
    return s ? s.p0 + (page / s.pages) * (s.p1 - s.p0) : 0;
  };

  const cv = changedVpn(ev);
  const lanes: LaneView[] = state.processes.map((p) => {
    const vmas: VmaView[] = p.vmas.map((v) => ({
      key: `${p.index}:${v.id}`,
      label: v.label,
      start: v.start,
      end: v.end,
      u0: pos(v.start),
      u1: pos(v.end),
      pgoff: v.pgoff,
      flags: vmFlagNames(v.flags).map((f) => f.replace(/^VM_/, "")),
      dev: state.devices[v.dev]?.name ?? "?",
    }));
    const labels: LabelView[] = [...p.labels.values()].map((l) => ({
      key: `${p.index}:${l.name}`,
      name: l.name,
      u0: pos(l.start),
      u1: pos(l.start + l.len),
      empty: !p.vmas.some((v) => v.end > l.start && v.start < l.start + l.len),
    }));
    // group PTEs into runs: consecutive virtual pages onto consecutive pages of one device, one kind,
    // from the page table's own runs (a 32 GiB mapping is one run, not 8M PTEs)
    const runs: PteRun[] = [];
    let cur: { vpn: number; dev: number; page: number; kind: PteKind; count: number } | null = null;
    const flush = () => {
      if (!cur) return;
      const changed = !!cv && cv.proc === p.index && cv.vpn >= cur.vpn && cv.vpn < cur.vpn + cur.count;
      runs.push({
        key: `${p.index}:${cur.vpn}`,
        kind: PTE_KIND_NAMES[cur.kind],
        dev: cur.dev,
        vpn: cur.vpn,
        page: cur.page,
        count: cur.count,
        u0: pos(cur.vpn * ps),
        u1: pos((cur.vpn + cur.count) * ps),
        p0: phys(cur.dev, cur.page),
        p1: phys(cur.dev, cur.page + cur.count),
        changed,
      });
    };
    for (const r of p.ptes.all()) {
      if (isLeafKind(r.kind)) {
        // a PMD/PUD leaf is one entry: one wide link per leaf, never merged with its neighbours
        // (a run of more than MAX_LEAF_LINKS leaves stays one link, so 32 GiB of PMDs stays cheap)
        flush();
        cur = null;
        const span = leafPages(r.kind, ps);
        const n = Math.max(1, Math.floor(r.length / span));
        const each = n <= MAX_LEAF_LINKS ? span : r.length;
        for (let i = 0; i * each < r.length; i++) {
          cur = { vpn: r.vpn + i * each, dev: r.dev, page: r.page + i * each, kind: r.kind, count: each };
          flush();
        }
        cur = null;
        continue;
      }
      if (
        cur &&
        cur.dev === r.dev &&
        cur.kind === r.kind &&
        r.vpn === cur.vpn + cur.count &&
        r.page === cur.page + cur.count
      ) {
        cur.count += r.length;
      } else {
        flush();
        cur = { vpn: r.vpn, dev: r.dev, page: r.page, kind: r.kind, count: r.length };
      }
    }
    flush();
    return { proc: p.index, name: p.name, alive: p.alive, rss: p.rssFile, vmas, labels, runs };
  });
  return { segments, lanes, strips, pageSize: ps, changedVma: changedVmaKey(ev) };
}

/** "leaf" or "leaves (32)" for a link of PMD/PUD leaves. */
function leafCount(r: PteRun, pageSize: number): string {
  const n = r.count / leafPages(r.kind === "pud" ? PTE_PUD : PTE_PMD, pageSize);
  return n <= 1 ? "leaf (one entry)" : `leaves (${n}, one entry each)`;
}

const LEFT = 92;
const RIGHT = 8;
const LANE_H = 40;
const VMA_H = 20;
const STRIP_H = 16;

function abbreviateFlags(flags: readonly string[], room: number): string {
  const full = flags.join("|");
  if (full.length * 7 <= room) return full;
  const short = flags
    .map(
      (f) =>
        ({
          SHARED: "SH",
          MAYSHARE: "MS",
          MIXEDMAP: "MX",
          PFNMAP: "PF",
          IO: "IO",
          DONTEXPAND: "DE",
          DONTDUMP: "DD",
        })[f] ?? f,
    )
    .join("|");
  return short.length * 7 <= room ? short : "";
}

function fitText(text: string, room: number): string {
  const n = Math.floor(room / 7);
  if (n <= 1) return "";
  return text.length <= n ? text : `${text.slice(0, n - 1)}…`;
}

export interface AddressPanelProps {
  readonly state: KernelState;
  readonly event: KernelEvent | undefined;
  readonly stateKey: string;
  readonly motion: number;
}

export function AddressPanel({ state, event, stateKey, motion }: AddressPanelProps) {
  const [box, size] = useSize<HTMLDivElement>();
  const g = useRef<SVGGElement>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: stateKey stands for the live state's contents
  const view = useMemo(() => addressView(state, event), [stateKey]);

  useEffect(() => {
    if (!g.current || size.width === 0) return;
    const W = Math.max(100, size.width - LEFT - RIGHT);
    const ux = (u: number) => LEFT + u * W;
    const lanesH = view.lanes.length * LANE_H;
    const stripY = Math.max(lanesH + 34, size.height - STRIP_H - 22);
    const root = select(g.current);

    // ribbons first, so lanes and VMAs draw over them
    const allRuns = view.lanes.flatMap((l, i) => l.runs.map((r) => ({ ...r, lane: i })));
    const ribbon = (r: PteRun & { lane: number }) => {
      const y0 = r.lane * LANE_H + 6 + VMA_H;
      const y1 = stripY;
      const xa = ux(r.u0);
      const xb = Math.max(ux(r.u1), xa + 1.5);
      const pa = ux(r.p0);
      const pb = Math.max(ux(r.p1), pa + 1.5);
      const my = (y0 + y1) / 2;
      return `M${xa},${y0} L${xb},${y0} C${xb},${my} ${pb},${my} ${pb},${y1} L${pa},${y1} C${pa},${my} ${xa},${my} ${xa},${y0} Z`;
    };
    const ribbons = root
      .selectAll<SVGGElement, null>("g.p2p-ribbons")
      .data([null])
      .join("g")
      .attr("class", "p2p-ribbons")
      .selectAll<SVGPathElement, PteRun & { lane: number }>("path")
      .data(allRuns, (r) => r.key)
      .join(
        (enter) =>
          enter
            .append("path")
            .attr("opacity", 0)
            .call((p) => p.append("title")),
        (update) => update,
        (exit) => animated(exit, motion).attr("opacity", 0).remove(),
      )
      .attr("data-pte-kind", (r) => r.kind)
      .attr("data-proc", (r) => view.lanes[r.lane]!.name)
      .attr("d", ribbon)
      .attr("fill", (r) => (SOLID_PTE_KINDS.has(r.kind) ? PTE_STYLE[r.kind].fill : `url(#p2p-pte-${r.kind})`))
      .attr("fill-opacity", (r) => (SOLID_PTE_KINDS.has(r.kind) ? 0.28 : 1))
      .attr("stroke", (r) => (r.changed ? "#111" : PTE_STYLE[r.kind].stroke))
      .attr("stroke-width", (r) => (r.changed ? 2 : 1))
      .attr("stroke-dasharray", (r) => PTE_STYLE[r.kind].dash);
    ribbons
      .select("title")
      .text((r) =>
        r.kind === "pmd" || r.kind === "pud"
          ? `${view.lanes[r.lane]!.name}: ${r.kind.toUpperCase()} ${leafCount(r, view.pageSize)} ${hex(r.vpn * view.pageSize)} → ${view.strips[r.dev]?.name ?? "?"} folio ${pageRange(r.page, r.count)}`
          : `${view.lanes[r.lane]!.name}: ${r.count} ${r.kind} PTE${r.count > 1 ? "s" : ""} ${hex(r.vpn * view.pageSize)} → ${view.strips[r.dev]?.name ?? "?"} ${pageRange(r.page, r.count)}`,
      );
    animated(ribbons, motion).attr("opacity", 1);

    // process lanes
    const lanes = root
      .selectAll<SVGGElement, LaneView>("g.p2p-lane")
      .data(view.lanes, (l) => String(l.proc))
      .join((enter) => {
        const e = enter.append("g").attr("class", "p2p-lane");
        e.append("text")
          .attr("class", "p2p-lane-name")
          .attr("x", 0)
          .attr("y", 6 + 14);
        e.append("text")
          .attr("class", "p2p-lane-sub")
          .attr("x", 0)
          .attr("y", 6 + 30);
        e.append("line").attr("class", "p2p-lane-axis");
        return e;
      })
      .attr("transform", (_l, i) => `translate(0,${i * LANE_H})`)
      .attr("data-proc", (l) => l.name)
      .attr("opacity", (l) => (l.alive ? 1 : 0.55));
    lanes.select("text.p2p-lane-name").text((l) => fitText(l.name, LEFT - 6));
    lanes.select("text.p2p-lane-sub").text((l) => (l.alive ? `rss ${l.rss}` : "exited"));
    lanes
      .select("line.p2p-lane-axis")
      .attr("x1", LEFT)
      .attr("x2", LEFT + W)
      .attr("y1", 6 + VMA_H / 2)
      .attr("y2", 6 + VMA_H / 2);

    lanes.each(function (lane) {
      const lg = select(this);
      lg.selectAll<SVGRectElement, LabelView>("rect.p2p-label")
        .data(lane.labels, (l) => l.key)
        .join("rect")
        .attr("class", "p2p-label")
        .attr("x", (l) => ux(l.u0))
        .attr("y", 4)
        .attr("width", (l) => Math.max(1, ux(l.u1) - ux(l.u0)))
        .attr("height", VMA_H + 4)
        .attr("visibility", (l) => (l.empty ? "visible" : "hidden"));
      lg.selectAll<SVGTextElement, LabelView>("text.p2p-label-name")
        .data(
          lane.labels.filter((l) => l.empty),
          (l) => l.key,
        )
        .join("text")
        .attr("class", "p2p-label-name")
        .attr("x", (l) => ux(l.u0) + 4)
        .attr("y", 6 + 14)
        .text((l) => fitText(`${l.name} (no VMA)`, ux(l.u1) - ux(l.u0) - 6));

      const vmas = lg
        .selectAll<SVGGElement, VmaView>("g.p2p-vma")
        .data(lane.vmas, (v) => v.key)
        .join(
          (enter) => {
            const e = enter
              .append("g")
              .attr("class", "p2p-vma")
              .attr("opacity", 0)
              .attr("transform", (v) => `translate(${ux(v.u0)},0)`);
            e.append("rect").attr("y", 6).attr("height", VMA_H);
            e.append("text")
              .attr("class", "p2p-vma-text")
              .attr("x", 4)
              .attr("y", 6 + 14);
            e.append("title");
            return e;
          },
          (update) => update,
          (exit) => animated(exit, motion).attr("opacity", 0).remove(),
        )
        .attr("data-vma", (v) => v.label)
        .attr("data-flags", (v) => v.flags.join("|"));
      // the group moves (text and box together); a split shrinks the old VMA and fades the new one in
      animated(vmas, motion)
        .attr("opacity", 1)
        .attr("transform", (v) => `translate(${ux(v.u0)},0)`);
      animated(vmas.select<SVGRectElement>("rect"), motion).attr("width", (v) =>
        Math.max(2, ux(v.u1) - ux(v.u0) - 1),
      );
      vmas
        .select("rect")
        .attr("class", (v) => (v.key === view.changedVma ? "p2p-vma-rect changed" : "p2p-vma-rect"));
      vmas.select("text").text((v) => {
        const room = ux(v.u1) - ux(v.u0) - 8;
        const head = v.pgoff ? `${v.label} +${v.pgoff}p` : v.label;
        const flags = abbreviateFlags(v.flags, room - (head.length + 1) * 7);
        return fitText(flags ? `${head} ${flags}` : head, room);
      });
      vmas
        .select("title")
        .text(
          (v) =>
            `${lane.name} ${v.label}: ${hex(v.start)}–${hex(v.end)} (${(v.end - v.start) / view.pageSize} pages), pgoff ${v.pgoff}, ${v.dev}, ${v.flags.map((f) => `VM_${f}`).join("|")}`,
        );
    });

    // device page strips
    const strips = root
      .selectAll<SVGGElement, StripView>("g.p2p-strip")
      .data(view.strips, (s) => String(s.dev))
      .join((enter) => {
        const e = enter.append("g").attr("class", "p2p-strip");
        e.append("rect").attr("class", "p2p-strip-bg").attr("height", STRIP_H);
        e.append("text").attr("class", "p2p-strip-name");
        return e;
      });
    strips
      .select("rect.p2p-strip-bg")
      .attr("x", (s) => ux(s.p0))
      .attr("y", stripY)
      .attr("width", (s) => Math.max(2, ux(s.p1) - ux(s.p0)));
    strips.each(function (st) {
      const span = ux(st.p1) - ux(st.p0);
      select(this)
        .selectAll<SVGRectElement, StripRun>("rect.p2p-strip-run")
        .data(st.runs, (r) => String(r.first))
        .join("rect")
        .attr("class", "p2p-strip-run")
        .attr("data-look", (r) => r.look)
        .attr("x", (r) => ux(st.p0) + (r.first / st.pages) * span)
        .attr("y", stripY + 1)
        .attr("width", (r) => Math.max(1.5, (r.count / st.pages) * span))
        .attr("height", STRIP_H - 2)
        .attr("fill", (r) => lookFill(r.look));
    });
    strips
      .select("text")
      .attr("x", (s) => ux(s.p0))
      .attr("y", stripY + STRIP_H + 14)
      .text((s) => fitText(`${s.name} pages 0–${s.pages - 1}`, ux(s.p1) - ux(s.p0)));
    root
      .selectAll<SVGTextElement, null>("text.p2p-strip-title")
      .data(view.strips.length > 0 ? [null] : [])
      .join("text")
      .attr("class", "p2p-strip-title")
      .attr("x", 0)
      .attr("y", stripY + 13)
      .text("p2pmem");
  }, [view, size.width, size.height, motion]);

  const empty = view.lanes.length === 0;
  return (
    <div className="panel-body" ref={box}>
      {empty && <p className="panel-empty">No processes yet.</p>}
      <svg
        width={size.width}
        height={size.height}
        role="img"
        aria-label="process address spaces and their PTEs"
      >
        <g ref={g} />
      </svg>
    </div>
  );
}

/** The entry kinds; with `leaves` (the huge designs) the PMD and PUD leaves too. */
export function PteLegend({ leaves = false }: { readonly leaves?: boolean }) {
  const kinds = leaves
    ? (["normal", "devmap", "pfnmap", "pmd", "pud"] as const)
    : (["normal", "devmap", "pfnmap"] as const);
  return (
    <ul className="legend" aria-label="PTE kinds">
      {kinds.map((k) => (
        <li key={k}>
          <svg width="22" height="12" aria-hidden="true">
            <rect
              x="1"
              y="1"
              width="20"
              height="10"
              fill={SOLID_PTE_KINDS.has(k) ? PTE_STYLE[k].fill : `url(#p2p-pte-${k})`}
              fillOpacity={SOLID_PTE_KINDS.has(k) ? 0.28 : 1}
              stroke={PTE_STYLE[k].stroke}
              strokeDasharray={PTE_STYLE[k].dash}
            />
          </svg>
          {PTE_STYLE[k].label}
        </li>
      ))}
    </ul>
  );
}
