/**
 * Address spaces panel: one lane per process with its VMAs on a shared address axis (labels of
 * failed mmaps drawn as dotted outlines), and its PTEs as links (ribbons) down to a strip of each
 * device's pages. Normal, devmap and pfnmap PTEs differ in colour, fill pattern and outline dash. A
 * VMA keeps its key across a split, so the split animates: the old VMA shrinks and the new one fades in.
 *
 * At scale (tens of processes, hundreds of VMAs): a lane collapses to one line (its toggle, or
 * "collapse all"), and when the lanes do not fit they start collapsed, all but the process the
 * current event acts on. The address axis zooms (wheel at the pointer, + / - / 0 with the panel
 * focused, or the buttons). A lane's PTE runs become at most LINK_BUDGET links: runs whose virtual
 * extents touch on screen merge into one link, marked scattered when their pages are not
 * contiguous, instead of a hairball of one ribbon per run.
 *
 * Drawing is split by layer (links, lanes, strips); a link's look comes from LINK_STYLE by its kind,
 * so another kind of entry (a PMD or PUD leaf) is one more style there.
 */

import { select } from "d3-selection";
import { type KeyboardEvent, memo, useEffect, useMemo, useRef, useState } from "react";
import type { KernelEvent } from "../kernel/events.ts";
import type { DeviceState, KernelState, PageLook, PteKind } from "../kernel/state.ts";
import { isLeafKind, lookOf, PTE_KIND_NAMES, PTE_PMD, PTE_PUD, vmFlagNames } from "../kernel/state.ts";
import { animated, hex, lookFill, PTE_STYLE, pageRange, SOLID_PTE_KINDS, useSize } from "./common.ts";
import { differing, forgetTargets, keepAttr, keepText, roundPx } from "./d3-keep.ts";

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

/**
 * "leaf (one entry)" or "leaves (32, one entry each)" for a link of PMD/PUD leaves (its `ptes` are
 * the pages the leaves map).
 */
export function leafCount(r: Pick<LinkView, "kind" | "ptes">, pageSize: number): string {
  const n = r.ptes / leafPages(r.kind === "pud" ? PTE_PUD : PTE_PMD, pageSize);
  return n <= 1 ? "leaf (one entry)" : `leaves (${n}, one entry each)`;
}

const LEFT = 92;
const RIGHT = 8;
const LANE_H = 40;
const FOLDED_H = 20;
const VMA_H = 20;
const STRIP_H = 16;
/** room under the lanes for the device strips and their names */
const STRIPS_ROOM = STRIP_H + 56;
/** the most links one lane draws; more runs than this merge */
export const LINK_BUDGET = 32;

/**
 * How each kind of link is drawn, from PTE_STYLE (common.ts): a solid kind (normal PTEs, PMD and PUD
 * leaves) filled lightly with its colour, the others with their hatch pattern. A new kind of mapping
 * entry is one more PTE_STYLE line.
 */
export const LINK_STYLE: Readonly<
  Record<string, { fill: string; fillOpacity: number; stroke: string; dash: string }>
> = Object.fromEntries(
  Object.entries(PTE_STYLE).map(([kind, st]) => [
    kind,
    SOLID_PTE_KINDS.has(kind)
      ? { fill: st.fill, fillOpacity: 0.28, stroke: st.stroke, dash: st.dash }
      : { fill: `url(#p2p-pte-${kind})`, fillOpacity: 1, stroke: st.stroke, dash: st.dash },
  ]),
);

/** One drawn link: one PTE run, or runs that touch on screen merged. */
export interface LinkView {
  /**
   * The link's identity from step to step: its lane, device, kind and place among that lane's
   * links of the device and kind. Not its first page: a zap loop shrinks a run from its front, and
   * a key that moved with it replaced the ribbon (a fade out and in) at every step.
   */
  readonly key: string;
  readonly lane: number;
  readonly kind: string;
  readonly dev: number;
  readonly vpn: number;
  /** virtual pages covered, from vpn (with gaps when merged) */
  readonly span: number;
  /** PTEs in it */
  readonly ptes: number;
  /** PTE runs merged into it */
  readonly runs: number;
  /** lowest and one past the highest page it maps */
  readonly page: number;
  readonly pageEnd: number;
  readonly u0: number;
  readonly u1: number;
  readonly p0: number;
  readonly p1: number;
  /** merged runs whose pages are not one contiguous range */
  readonly scattered: boolean;
  readonly changed: boolean;
}

/**
 * A lane's PTE runs as at most `budget` links. Under the budget every run is its own link. Over it,
 * runs of one kind onto one device, taken in address order, merge when their virtual extents are
 * within `gap` pixels on screen (`x` maps the axis to pixels); the gap doubles until the budget holds.
 */
export function mergeLinks(
  lane: number,
  runs: readonly PteRun[],
  x: (u: number) => number,
  budget = LINK_BUDGET,
): LinkView[] {
  const one = (r: PteRun): LinkView => ({
    key: "", // given once the links are merged, below
    lane,
    kind: r.kind,
    dev: r.dev,
    vpn: r.vpn,
    span: r.count,
    ptes: r.count,
    runs: 1,
    page: r.page,
    pageEnd: r.page + r.count,
    u0: r.u0,
    u1: r.u1,
    p0: r.p0,
    p1: r.p1,
    scattered: false,
    changed: r.changed,
  });
  // runs onto one device and of one kind side by side (in address order within), so that runs
  // interleaved across devices still merge
  const groupOf = (r: PteRun) => `${r.dev}:${r.kind}`;
  let links = runs.map(one);
  if (links.length > budget)
    links = [...runs]
      .sort((a, b) => (groupOf(a) < groupOf(b) ? -1 : groupOf(a) > groupOf(b) ? 1 : a.vpn - b.vpn))
      .map(one);
  for (let gap = 2; links.length > budget && gap < 1e7; gap *= 2) {
    const out: LinkView[] = [];
    for (const l of links) {
      const m = out[out.length - 1];
      if (m && m.kind === l.kind && m.dev === l.dev && x(l.u0) - x(m.u1) <= gap) {
        out[out.length - 1] = {
          ...m,
          span: l.vpn + l.span - m.vpn,
          ptes: m.ptes + l.ptes,
          runs: m.runs + l.runs,
          page: Math.min(m.page, l.page),
          pageEnd: Math.max(m.pageEnd, l.pageEnd),
          u1: Math.max(m.u1, l.u1),
          p0: Math.min(m.p0, l.p0),
          p1: Math.max(m.p1, l.p1),
          scattered: m.scattered || l.scattered || l.page !== m.pageEnd,
          changed: m.changed || l.changed,
        };
      } else out.push(l);
    }
    links = out;
  }
  const seen = new Map<string, number>();
  return links.map((l) => {
    const group = `${lane}:${l.dev}:${l.kind}`;
    const n = seen.get(group) ?? 0;
    seen.set(group, n + 1);
    return { ...l, key: `${group}:${n}` };
  });
}

/** The process an event acts on, if any. */
function eventProc(ev: KernelEvent | undefined): number | null {
  return ev && "proc" in ev && typeof ev.proc === "number" ? ev.proc : null;
}

export interface LaneBox {
  readonly y: number;
  readonly h: number;
  readonly folded: boolean;
}

/**
 * Where each lane goes and whether it is folded: the user's choice (by process name) where there is
 * one; the others open while the lanes fit in `room` pixels, the process `focus` (the one the
 * current event acts on, else the first) first and always, then in order; the rest fold to one line.
 */
export function laneBoxes(
  lanes: readonly { readonly name: string; readonly proc: number }[],
  choice: ReadonlyMap<string, boolean>,
  focus: number | null,
  room: number,
): { boxes: LaneBox[]; height: number } {
  const folded = lanes.map((l) => choice.get(l.name) ?? true);
  let left = room - lanes.reduce((n, _l, i) => n + (folded[i] ? FOLDED_H : LANE_H), 0);
  const order = lanes
    .map((_, i) => i)
    .sort((a, b) => Number(lanes[b]!.proc === focus) - Number(lanes[a]!.proc === focus));
  // the process in focus (else the first) opens even when nothing else fits
  const lead = Math.max(
    0,
    lanes.findIndex((l) => l.proc === focus),
  );
  for (const i of order) {
    if (choice.has(lanes[i]!.name) || (left < LANE_H - FOLDED_H && i !== lead)) continue;
    folded[i] = false;
    left -= LANE_H - FOLDED_H;
  }
  let y = 0;
  const boxes = lanes.map((_, i) => {
    const h = folded[i] ? FOLDED_H : LANE_H;
    const b = { y, h, folded: folded[i]! };
    y += h;
    return b;
  });
  return { boxes, height: y };
}

/**
 * What each layer of the panel last drew, as a string of everything it shows (coordinates as
 * roundPx writes them). A step inside a kernel loop over millions of pages moves a run's edge by a
 * millionth of a pixel: the layers whose key is unchanged are not joined again (the d3 join read
 * back every attribute of every ribbon, lane, VMA and strip run, about 1 ms of each such step on
 * eight 32 GiB devices). What changes within a loop is written at every step apart from the joins:
 * the texts that count pages (a lane's rss, a ribbon's title) and the outline of the event's link.
 */
interface LayerKeys {
  ribbons: string;
  lanes: string;
  strips: string;
}

/** The lanes layer's key: each lane's place and fold, its VMAs and labels where they are drawn. */
export function lanesDrawKey(
  view: AddressView,
  boxes: readonly LaneBox[],
  ux: (u: number) => number,
  width: number,
): string {
  const out: string[] = [`${width} ${view.pageSize} ${view.changedVma}`];
  view.lanes.forEach((l, i) => {
    const b = boxes[i]!;
    out.push(`L ${l.proc} ${l.name} ${l.alive} ${b.y} ${b.folded}`);
    for (const a of l.labels)
      out.push(`l ${a.key} ${a.name} ${a.empty} ${roundPx(ux(a.u0))} ${roundPx(ux(a.u1))}`);
    for (const v of l.vmas)
      out.push(
        `v ${v.key} ${v.label} ${v.flags.join("|")} ${v.pgoff} ${v.start} ${v.end} ${v.dev} ${roundPx(ux(v.u0))} ${roundPx(ux(v.u1))}`,
      );
  });
  return out.join("\n");
}

/** The strips layer's key: each device strip and its runs of used pages where they are drawn. */
export function stripsDrawKey(strips: readonly StripView[], sx: (p: number) => number, y: number): string {
  const out: string[] = [String(y)];
  for (const st of strips) {
    const x0 = sx(st.p0);
    const span = sx(st.p1) - x0;
    out.push(`S ${st.dev} ${st.name} ${st.pages} ${roundPx(x0)} ${roundPx(span)}`);
    for (const r of st.runs)
      out.push(
        `${r.look} ${roundPx(x0 + (r.first / st.pages) * span)} ${roundPx((r.count / st.pages) * span)}`,
      );
  }
  return out.join("\n");
}

/** The shown part of the address axis: [u0, u0 + span) of [0, 1]. */
interface AxisZoom {
  readonly u0: number;
  readonly span: number;
}
const WHOLE: AxisZoom = { u0: 0, span: 1 };
const MIN_AXIS_SPAN = 1 / 4096;

function zoomAxis(z: AxisZoom, factor: number, at: number): AxisZoom {
  const span = Math.min(1, Math.max(MIN_AXIS_SPAN, z.span / factor));
  const u = (at - z.u0) / z.span;
  const u0 = Math.min(1 - span, Math.max(0, at - u * span));
  return { u0, span };
}

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
  /** the process the current statement acts on (by name), opened first when lanes fold */
  readonly focus?: string | null;
}

export function AddressPanel({ state, event, stateKey, motion, focus: focusName }: AddressPanelProps) {
  const [box, size] = useSize<HTMLElement>();
  const g = useRef<SVGGElement>(null);
  const drawn = useRef<LayerKeys>({ ribbons: "", lanes: "", strips: "" });
  const clip = useRef(`p2p-as-clip${Math.random().toString(36).slice(2, 8)}`);
  // biome-ignore lint/correctness/useExhaustiveDependencies: stateKey stands for the live state's contents
  const view = useMemo(() => addressView(state, event), [stateKey]);
  const [choice, setChoice] = useState<ReadonlyMap<string, boolean>>(new Map());
  const [zoom, setZoom] = useState<AxisZoom>(WHOLE);

  const W = Math.max(100, size.width - LEFT - RIGHT);
  const ux = (u: number) => LEFT + ((u - zoom.u0) / zoom.span) * W;
  const room = Math.max(0, size.height - STRIPS_ROOM);
  const focus =
    eventProc(event) ??
    (focusName ? (state.processes.find((p) => p.name === focusName)?.index ?? null) : null);
  const { boxes, height: lanesH } = laneBoxes(view.lanes, choice, focus, room);
  const stripY = Math.max(lanesH + 34, size.height - STRIP_H - 22);
  const svgH = Math.max(size.height, stripY + STRIP_H + 22);
  const vmaCount = view.lanes.reduce((n, l) => n + l.vmas.length, 0);
  const folded = boxes.filter((b) => b.folded).length;

  // biome-ignore lint/correctness/useExhaustiveDependencies: ux depends only on the zoom and the width
  useEffect(() => {
    if (!g.current || size.width === 0) return;
    const root = select(g.current);
    // layers, lanes, ribbons and strips are looked up among their parent's children: selectAll
    // searched every element drawn under it (each VMA, title and strip run), three times a step
    const lanesLayer = (cls: string) =>
      root.selectChildren<SVGGElement, null>(`g.${cls}`).data([null]).join("g").call(keepAttr, "class", cls);

    // links first, so lanes and VMAs draw over them; folded lanes draw none
    const links = view.lanes.flatMap((l, i) => (boxes[i]!.folded ? [] : mergeLinks(i, l.runs, ux)));
    const linkPath = (r: LinkView) => {
      const y0 = boxes[r.lane]!.y + 6 + VMA_H;
      const y1 = stripY;
      const xa = roundPx(Math.max(LEFT - 4, Math.min(LEFT + W + 4, ux(r.u0))));
      const xb = roundPx(Math.max(Math.min(LEFT + W + 4, ux(r.u1)), xa + 1.5));
      const pa = roundPx(LEFT + r.p0 * W);
      const pb = roundPx(Math.max(LEFT + r.p1 * W, pa + 1.5));
      const my = (y0 + y1) / 2;
      return `M${xa},${y0} L${xb},${y0} C${xb},${my} ${pb},${my} ${pb},${y1} L${pa},${y1} C${pa},${my} ${xa},${my} ${xa},${y0} Z`;
    };
    const ribbonTitle = (r: LinkView) => {
      const lane = view.lanes[r.lane]!.name;
      const dev = view.strips[r.dev]?.name ?? "?";
      // a PMD/PUD leaf is one entry mapping a whole folio
      const leaf = r.kind === "pmd" || r.kind === "pud";
      const what = leaf
        ? `${r.kind.toUpperCase()} ${leafCount(r, view.pageSize)}`
        : `${r.ptes} ${r.kind} PTE${r.ptes > 1 ? "s" : ""}`;
      if (r.runs === 1)
        return `${lane}: ${what} ${hex(r.vpn * view.pageSize)} → ${dev} ${pageRange(r.page, r.ptes)}`;
      return `${lane}: ${what} in ${r.runs} runs, ${hex(r.vpn * view.pageSize)}–${hex((r.vpn + r.span) * view.pageSize)} → ${dev} ${pageRange(r.page, r.pageEnd - r.page)}${r.scattered ? " (scattered)" : ""}`;
    };
    // the link the event touches is outlined: at every other step of an insert loop, so its
    // stroke, like the titles' counts, is left out of the key and written at every step, on the
    // links as the join left them or as they already were
    const ribbonsKey = links
      .map((r) => `${r.key} ${view.lanes[r.lane]!.name} ${r.runs} ${r.scattered} ${linkPath(r)}`)
      .join("\n");
    const ribbons =
      ribbonsKey === drawn.current.ribbons
        ? lanesLayer("p2p-ribbons")
            .selectChildren<SVGPathElement, LinkView>("path")
            .data(links, (r) => r.key)
        : drawRibbons();
    drawn.current.ribbons = ribbonsKey;
    ribbons
      .call(keepAttr, "stroke", (r) => (r.changed ? "#111" : (LINK_STYLE[r.kind]?.stroke ?? "#666")))
      .call(keepAttr, "stroke-width", (r) => (r.changed ? 2 : 1))
      .select("title")
      .call(keepText, ribbonTitle);
    function drawRibbons() {
      const ribbons = lanesLayer("p2p-ribbons")
        .selectChildren<SVGPathElement, LinkView>("path")
        .data(links, (r) => r.key)
        .join(
          (enter) =>
            enter
              .append("path")
              .call(keepAttr, "opacity", 0)
              .call((p) => p.append("title")),
          (update) => update,
          (exit) => animated(forgetTargets(exit), motion).attr("opacity", 0).remove(),
        )
        .call(keepAttr, "data-pte-kind", (r) => r.kind)
        .call(keepAttr, "data-proc", (r) => view.lanes[r.lane]!.name)
        .call(keepAttr, "data-runs", (r) => r.runs)
        .call(keepAttr, "data-scattered", (r) => (r.scattered ? "true" : null))
        .call(keepAttr, "d", linkPath)
        .call(keepAttr, "fill", (r) => LINK_STYLE[r.kind]?.fill ?? "#999")
        .call(
          keepAttr,
          "fill-opacity",
          (r) => (LINK_STYLE[r.kind]?.fillOpacity ?? 0.3) * (r.scattered ? 0.5 : 1),
        )
        .call(keepAttr, "stroke-dasharray", (r) => LINK_STYLE[r.kind]?.dash ?? "");
      animated(
        differing(ribbons, "opacity", () => 1),
        motion,
      ).attr("opacity", 1);
      return ribbons;
    }

    // process lanes: their text under the name (rss) changes at each step of an insert loop, the
    // rest only when a VMA, a label or the lanes' places do
    const laneSub = (l: LaneView, i: number) => (boxes[i]!.folded ? "" : l.alive ? `rss ${l.rss}` : "exited");
    const lanesKey = lanesDrawKey(view, boxes, ux, W);
    if (lanesKey === drawn.current.lanes) {
      lanesLayer("p2p-lanes")
        .selectChildren<SVGGElement, LaneView>("g.p2p-lane")
        .data(view.lanes, (l) => String(l.proc))
        .select("text.p2p-lane-sub")
        .call(keepText, laneSub);
    } else {
      drawn.current.lanes = lanesKey;
      drawLanes();
    }
    function drawLanes() {
      const lanes = lanesLayer("p2p-lanes")
        .selectChildren<SVGGElement, LaneView>("g.p2p-lane")
        .data(view.lanes, (l) => String(l.proc))
        .join((enter) => {
          const e = enter.append("g").attr("class", "p2p-lane");
          e.append("text").attr("class", "p2p-lane-name").attr("x", 16);
          e.append("text").attr("class", "p2p-lane-sub").attr("x", 16);
          e.append("line").attr("class", "p2p-lane-axis");
          e.append("g").attr("class", "p2p-lane-body");
          return e;
        })
        .call(keepAttr, "transform", (_l, i) => `translate(0,${boxes[i]!.y})`)
        .call(keepAttr, "data-proc", (l) => l.name)
        .call(keepAttr, "data-folded", (_l, i) => (boxes[i]!.folded ? "true" : null))
        .call(keepAttr, "opacity", (l) => (l.alive ? 1 : 0.55));
      lanes
        .select("text.p2p-lane-name")
        .call(keepAttr, "y", (_l, i) => (boxes[i]!.folded ? 14 : 6 + 14))
        .call(keepText, (l) => fitText(l.name, LEFT - 20));
      lanes
        .select("text.p2p-lane-sub")
        .call(keepAttr, "y", 6 + 30)
        .call(keepText, laneSub);
      lanes
        .select("line.p2p-lane-axis")
        .call(keepAttr, "x1", LEFT)
        .call(keepAttr, "x2", LEFT + W)
        .call(keepAttr, "y1", (_l, i) => (boxes[i]!.folded ? 10 : 6 + VMA_H / 2))
        .call(keepAttr, "y2", (_l, i) => (boxes[i]!.folded ? 10 : 6 + VMA_H / 2));

      lanes.select<SVGGElement>("g.p2p-lane-body").each(function (lane, i) {
        const lg = select(this).call(keepAttr, "clip-path", `url(#${clip.current})`);
        const isFolded = boxes[i]!.folded;
        const vy = isFolded ? 4 : 6;
        const vh = isFolded ? 12 : VMA_H;
        lg.selectAll<SVGRectElement, LabelView>("rect.p2p-label")
          .data(isFolded ? [] : lane.labels, (l) => l.key)
          .join("rect")
          .call(keepAttr, "class", "p2p-label")
          .call(keepAttr, "x", (l) => ux(l.u0))
          .call(keepAttr, "y", 4)
          .call(keepAttr, "width", (l) => Math.max(1, ux(l.u1) - ux(l.u0)))
          .call(keepAttr, "height", VMA_H + 4)
          .call(keepAttr, "visibility", (l) => (l.empty ? "visible" : "hidden"));
        lg.selectAll<SVGTextElement, LabelView>("text.p2p-label-name")
          .data(isFolded ? [] : lane.labels.filter((l) => l.empty), (l) => l.key)
          .join("text")
          .call(keepAttr, "class", "p2p-label-name")
          .call(keepAttr, "x", (l) => ux(l.u0) + 4)
          .call(keepAttr, "y", 6 + 14)
          .call(keepText, (l) => fitText(`${l.name} (no VMA)`, ux(l.u1) - ux(l.u0) - 6));

        const vmas = lg
          .selectAll<SVGGElement, VmaView>("g.p2p-vma")
          .data(lane.vmas, (v) => v.key)
          .join(
            (enter) => {
              const e = enter
                .append("g")
                .call(keepAttr, "class", "p2p-vma")
                .call(keepAttr, "opacity", 0)
                .call(keepAttr, "transform", (v) => `translate(${ux(v.u0)},0)`);
              e.append("rect");
              e.append("text")
                .call(keepAttr, "class", "p2p-vma-text")
                .call(keepAttr, "x", 4)
                .call(keepAttr, "y", 6 + 14);
              e.append("title");
              return e;
            },
            (update) => update,
            (exit) => animated(forgetTargets(exit), motion).attr("opacity", 0).remove(),
          )
          .call(keepAttr, "data-vma", (v) => v.label)
          .call(keepAttr, "data-flags", (v) => v.flags.join("|"));
        // the group moves (text and box together); a split shrinks the old VMA and fades the new one in
        const at = (v: VmaView) => `translate(${ux(v.u0)},0)`;
        const width = (v: VmaView) => Math.max(2, ux(v.u1) - ux(v.u0) - 1);
        // (differing() records each target it sees, so both are asked before either filters)
        const moved = new Set<string>();
        for (const sub of [differing(vmas, "opacity", () => 1), differing(vmas, "transform", at)])
          sub.each((v) => moved.add(v.key));
        animated(
          vmas.filter((v) => moved.has(v.key)),
          motion,
        )
          .attr("opacity", 1)
          .attr("transform", at);
        animated(differing(vmas.select<SVGRectElement>("rect"), "width", width), motion).attr("width", width);
        vmas
          .select("rect")
          .call(keepAttr, "y", vy)
          .call(keepAttr, "height", vh)
          .call(keepAttr, "class", (v) =>
            v.key === view.changedVma ? "p2p-vma-rect changed" : "p2p-vma-rect",
          );
        vmas.select("text").call(keepText, (v) => {
          if (isFolded) return "";
          const room = ux(v.u1) - ux(v.u0) - 8;
          const head = v.pgoff ? `${v.label} +${v.pgoff}p` : v.label;
          const flags = abbreviateFlags(v.flags, room - (head.length + 1) * 7);
          return fitText(flags ? `${head} ${flags}` : head, room);
        });
        vmas
          .select("title")
          .call(
            keepText,
            (v: VmaView) =>
              `${lane.name} ${v.label}: ${hex(v.start)}–${hex(v.end)} (${(v.end - v.start) / view.pageSize} pages), pgoff ${v.pgoff}, ${v.dev}, ${v.flags.map((f: string) => `VM_${f}`).join("|")}`,
          );
      });
    }

    // device page strips (the whole devices: the axis zoom is the virtual one)
    const sx = (p: number) => LEFT + p * W;
    const stripsKey = stripsDrawKey(view.strips, sx, stripY);
    if (stripsKey === drawn.current.strips) return;
    drawn.current.strips = stripsKey;
    const strips = lanesLayer("p2p-strips")
      .selectChildren<SVGGElement, StripView>("g.p2p-strip")
      .data(view.strips, (s) => String(s.dev))
      .join((enter) => {
        const e = enter.append("g").attr("class", "p2p-strip");
        e.append("rect").attr("class", "p2p-strip-bg").attr("height", STRIP_H);
        e.append("text").attr("class", "p2p-strip-name");
        return e;
      });
    strips
      .select("rect.p2p-strip-bg")
      .call(keepAttr, "x", (s) => sx(s.p0))
      .call(keepAttr, "y", stripY)
      .call(keepAttr, "width", (s) => Math.max(2, sx(s.p1) - sx(s.p0)));
    strips.each(function (st) {
      const span = sx(st.p1) - sx(st.p0);
      select(this)
        .selectAll<SVGRectElement, StripRun>("rect.p2p-strip-run")
        .data(st.runs, (r) => String(r.first))
        .join("rect")
        .call(keepAttr, "class", "p2p-strip-run")
        .call(keepAttr, "data-look", (r) => r.look)
        .call(keepAttr, "x", (r) => sx(st.p0) + (r.first / st.pages) * span)
        .call(keepAttr, "y", stripY + 1)
        .call(keepAttr, "width", (r) => Math.max(1.5, (r.count / st.pages) * span))
        .call(keepAttr, "height", STRIP_H - 2)
        .call(keepAttr, "fill", (r) => lookFill(r.look));
    });
    strips
      .select("text")
      .call(keepAttr, "x", (s) => sx(s.p0))
      .call(keepAttr, "y", stripY + STRIP_H + 14)
      .call(keepText, (s) => fitText(`${s.name} pages 0–${s.pages - 1}`, sx(s.p1) - sx(s.p0)));
    root
      .selectAll<SVGTextElement, null>("text.p2p-strip-title")
      .data(view.strips.length > 0 ? [null] : [])
      .join("text")
      .call(keepAttr, "class", "p2p-strip-title")
      .call(keepAttr, "x", 0)
      .call(keepAttr, "y", stripY + 13)
      .call(keepText, "p2pmem");
  }, [view, size.width, size.height, motion, zoom, boxes.map((b) => (b.folded ? 1 : 0)).join("")]);

  // wheel zooms the address axis at the pointer (a native listener: React's is passive)
  const wheel = useRef<(e: WheelEvent) => void>(() => {});
  wheel.current = (e: WheelEvent) => {
    const r = (e.currentTarget as HTMLElement).getBoundingClientRect();
    const px = e.clientX - r.left;
    if (px < LEFT) return; // over the names: let the lanes scroll
    e.preventDefault();
    const at = zoom.u0 + ((px - LEFT) / W) * zoom.span;
    setZoom((z) => zoomAxis(z, e.deltaY < 0 ? 2 : 0.5, at));
  };
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const on = (e: WheelEvent) => wheel.current(e);
    el.addEventListener("wheel", on, { passive: false });
    return () => el.removeEventListener("wheel", on);
  }, [box]);
  const centre = zoom.u0 + zoom.span / 2;
  const onKeyDown = (e: KeyboardEvent<HTMLElement>) => {
    if (e.ctrlKey || e.metaKey || e.altKey || e.target !== e.currentTarget) return;
    let done = true;
    if (e.key === "+" || e.key === "=") setZoom((z) => zoomAxis(z, 2, centre));
    else if (e.key === "-" || e.key === "_") setZoom((z) => zoomAxis(z, 0.5, centre));
    else if (e.key === "0") setZoom(WHOLE);
    else done = false;
    if (done) {
      e.preventDefault();
      e.stopPropagation(); // + and - are the speed keys elsewhere
    }
  };
  const foldAll = (f: boolean) => setChoice(new Map(view.lanes.map((l) => [l.name, f])));
  const whole = zoom.u0 === 0 && zoom.span === 1;

  const empty = view.lanes.length === 0;
  return (
    <div className="panel-body spaces-body">
      {!empty && (
        <div className="spaces-tools">
          <span className="spaces-count" data-testid="spaces-count">
            {view.lanes.length} process{view.lanes.length === 1 ? "" : "es"} · {vmaCount} VMA
            {vmaCount === 1 ? "" : "s"}
            {folded > 0 ? ` · ${folded} folded` : ""}
          </span>
          <button type="button" data-testid="spaces-fold-all" onClick={() => foldAll(true)}>
            fold all
          </button>
          <button type="button" data-testid="spaces-open-all" onClick={() => foldAll(false)}>
            open all
          </button>
          <button
            type="button"
            aria-label="zoom the address axis out"
            disabled={whole}
            onClick={() => setZoom((z) => zoomAxis(z, 0.5, centre))}
          >
            −
          </button>
          <button
            type="button"
            aria-label="zoom the address axis in"
            data-testid="spaces-zoom-in"
            disabled={zoom.span <= MIN_AXIS_SPAN}
            onClick={() => setZoom((z) => zoomAxis(z, 2, centre))}
          >
            +
          </button>
          <button
            type="button"
            data-testid="spaces-zoom-reset"
            disabled={whole}
            onClick={() => setZoom(WHOLE)}
          >
            all addresses
          </button>
        </div>
      )}
      <section
        className="spaces-scroll"
        ref={box}
        // biome-ignore lint/a11y/noNoninteractiveTabindex: the panel scrolls and takes its zoom keys when focused
        tabIndex={0}
        aria-label="address spaces: + and - zoom the address axis, 0 shows all addresses"
        onKeyDown={onKeyDown}
        data-testid="spaces"
        data-zoom={(1 / zoom.span).toFixed(0)}
      >
        {empty && <p className="panel-empty">No processes yet.</p>}
        <svg width={size.width} height={svgH} role="img" aria-label="process address spaces and their PTEs">
          <defs>
            <clipPath id={clip.current}>
              <rect x={LEFT - 2} y={-2} width={W + 4} height={svgH + 4} />
            </clipPath>
          </defs>
          <g ref={g} />
        </svg>
        {view.lanes.map((l, i) => {
          const b = boxes[i];
          if (!b) return null;
          return (
            <button
              key={l.proc}
              type="button"
              className="lane-toggle"
              data-testid={`lane-toggle-${l.name}`}
              aria-expanded={!b.folded}
              aria-label={`${b.folded ? "open" : "fold"} ${l.name}'s address space`}
              style={{ top: b.y + (b.folded ? 3 : 9) }}
              onClick={() => setChoice((c) => new Map(c).set(l.name, !b.folded))}
            >
              {b.folded ? "▸" : "▾"}
            </button>
          );
        })}
      </section>
    </div>
  );
}

/** The entry kinds; with `leaves` (the huge designs) the PMD and PUD leaves too. Memoised: it
 * changes with the design, not with the step. */
export const PteLegend = memo(function PteLegend({ leaves = false }: { readonly leaves?: boolean }) {
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
});
