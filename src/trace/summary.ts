/**
 * Mail-ready text of a trace: one to a few lines per statement, none wider than 72 columns, with
 * pages named as ranges and refcounts as before->after (`summarize`); and one page followed through
 * the trace (`followPage`). Pure: the CLI's `run --summary` / `--page` and the app's "Copy as text"
 * both print these lines. Both read a statement's stored records, a kernel loop as one range of
 * pages (statementChanges, touchesPage), never its per-page events: the summary of eight 32 GiB
 * mappings takes about 10 ms, where walking their 683M events took minutes and ran out of memory.
 */

import type { KernelEvent } from "../kernel/events.ts";
import { PTE_KIND_NAMES, pageAt, pteDev, pteKind, ptePage } from "../kernel/state.ts";
import { VERSIONS } from "../kernel/versions.ts";
import { formatSize } from "../scenario/size.ts";
import { TraceCursor } from "./cursor.ts";
import type { OpRecord, Trace } from "./trace.ts";

/** The widest line the summary prints (a mail body's usual limit). */
export const SUMMARY_WIDTH = 72;

/** How many runs of pages a range list names before it says "+N more". */
const MAX_RUNS = 6;

/** Page runs [start, end), in page order and apart, as text: "0-3,8"; long lists end in "+N more". */
export function runsText(runs: readonly PageRunRange[]): string {
  const text = runs.slice(0, MAX_RUNS).map(([a, b]) => (b - a === 1 ? String(a) : `${a}-${b - 1}`));
  return runs.length <= MAX_RUNS ? text.join(",") : `${text.join(",")},+${runs.length - MAX_RUNS} more`;
}

/** Sorted page numbers as runs: [0,1,2,3,8] -> "0-3,8"; long lists end in "+N more". */
export function pageRanges(pages: Iterable<number>): string {
  const runs: [number, number][] = [];
  for (const p of [...new Set(pages)].sort((a, b) => a - b)) addRun(runs, p, p + 1);
  return runsText(runs);
}

/** Pages [start, end). */
type PageRunRange = readonly [number, number];

/** Appends [a, b) to runs in page order, joined to the last run when they touch. */
function addRun(runs: [number, number][], a: number, b: number): void {
  const last = runs[runs.length - 1];
  if (last && last[1] === a) last[1] = b;
  else runs.push([a, b]);
}

const pageCount = (runs: readonly PageRunRange[]) => runs.reduce((n, [a, b]) => n + b - a, 0);

function pagesPhrase(dev: string, runs: readonly PageRunRange[]): string {
  return `${dev} ${pageCount(runs) === 1 ? "page" : "pages"} ${runsText(runs)}`;
}

/**
 * Greedy word wrap to `width` columns; continuation lines are indented by `indent`. A word longer
 * than a line is cut at its commas, or hard at the width as a last resort.
 */
export function wrap(text: string, width = SUMMARY_WIDTH, indent = "    "): string[] {
  const lead = /^ */.exec(text)![0];
  const words: string[] = [];
  for (const w of text.slice(lead.length).split(" ")) {
    if (w === "") continue;
    if (w.length <= width - indent.length) words.push(w);
    else {
      let rest = w;
      const room = width - indent.length;
      while (rest.length > room) {
        const cut = rest.lastIndexOf(",", room - 1);
        const at = cut > 0 ? cut + 1 : room;
        words.push(rest.slice(0, at));
        rest = rest.slice(at);
      }
      if (rest) words.push(rest);
    }
  }
  const lines: string[] = [];
  let cur = "";
  for (const w of words) {
    const next = cur === "" ? (lines.length === 0 ? `${lead}${w}` : `${indent}${w}`) : `${cur} ${w}`;
    if (next.length > width && cur !== "") {
      lines.push(cur);
      cur = `${indent}${w}`;
    } else cur = next;
  }
  if (cur !== "") lines.push(cur);
  return lines;
}

/**
 * One event of a statement and how many times it happens: a stored loop of n iterations is its
 * body's events with n each (iteration i is about page + i, or the i-th folio after page). The
 * summary works on these, never on per-page events: a 32 GiB mmap is a few spans, not 8M events.
 * `order` is the span's place in the statement (record, then body event), which is the order of
 * the events on any one page: a loop's body events all start at the same page (core.ts loop()).
 */
interface Span {
  readonly ev: KernelEvent;
  readonly n: number;
  readonly order: number;
}

function spansOf(trace: Trace, op: OpRecord): Span[] {
  const spans: Span[] = [];
  for (let i = op.firstRecord; i < op.endRecord; i++) {
    const r = trace.records.get(i);
    if (r.kind === "loop") for (const ev of r.body) spans.push({ ev, n: r.n, order: spans.length });
    else spans.push({ ev: r, n: 1, order: spans.length });
  }
  return spans;
}

/** A range of one device's pages, [start, end), carrying a value. */
interface Segment {
  readonly start: number;
  readonly end: number;
  readonly value: number;
}

/**
 * The elementary intervals of a set of segments: their ends, sorted and apart, so that within one
 * interval every page is covered by the same segments. What follows is computed per interval.
 */
class Cuts {
  readonly at: number[];
  constructor(segments: readonly Segment[]) {
    const ends = new Set<number>();
    for (const g of segments) ends.add(g.start).add(g.end);
    this.at = [...ends].sort((a, b) => a - b);
  }
  get intervals(): number {
    return Math.max(0, this.at.length - 1);
  }
  /** the interval that starts at page p (p is a segment's end) */
  index(p: number): number {
    let lo = 0;
    let hi = this.at.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.at[mid]! < p) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
  /**
   * Per interval, the value of the first segment (in the order given) that covers it, NaN where
   * none does. Each interval is written once: a covered interval is skipped through a
   * union-find "next unwritten" pointer, so this is linear in segments and intervals.
   */
  first(segments: readonly Segment[]): Float64Array {
    const out = new Float64Array(this.intervals).fill(Number.NaN);
    const next = Array.from({ length: this.intervals + 1 }, (_, i) => i);
    const find = (i: number): number => {
      let r = i;
      while (next[r] !== r) r = next[r]!;
      while (next[i] !== r) [i, next[i]] = [next[i]!, r];
      return r;
    };
    for (const g of segments) {
      const b = this.index(g.end);
      for (let i = find(this.index(g.start)); i < b; i = find(i)) {
        out[i] = g.value;
        next[i] = i + 1;
      }
    }
    return out;
  }
  /** per interval, the value of the last covering segment (NaN where none) */
  last(segments: readonly Segment[]): Float64Array {
    return this.first([...segments].reverse());
  }
  /** per interval, the sum of the values of the segments covering it */
  sum(segments: readonly Segment[]): Float64Array {
    const d = new Float64Array(this.intervals + 1);
    for (const g of segments) {
      d[this.index(g.start)]! += g.value;
      d[this.index(g.end)]! -= g.value;
    }
    for (let i = 1; i < d.length; i++) d[i]! += d[i - 1]!;
    return d.subarray(0, this.intervals);
  }
}

/** What a statement did to a range of one device's base pages, [start, end). */
export interface PageRangeChange {
  readonly dev: number;
  readonly start: number;
  readonly end: number;
  /** refcount before the statement's first change to these pages and after its last; NaN: none */
  readonly from: number;
  readonly to: number;
  readonly allocated: boolean;
  readonly freed: boolean;
}

/** What a statement did to consecutive large folios of one size: heads start, start + pages, ... < end. */
export interface FolioRangeChange {
  readonly dev: number;
  readonly pages: number;
  readonly start: number;
  readonly end: number;
  /** refcount before the first event about these folios, and after the last that set it */
  readonly from: number;
  readonly to: number;
  /** pincount change */
  readonly pin: number;
  readonly formed: boolean;
  readonly freed: boolean;
}

/** Everything a statement changed, as ranges: what its summary line says. */
export interface StatementChanges {
  /** by device in the order the statement first touched each, then by page */
  readonly pages: readonly PageRangeChange[];
  /** in the order the statement first touched each folio */
  readonly folios: readonly FolioRangeChange[];
  readonly ptesSet: number;
  readonly ptesCleared: number;
  /** leaves set and cleared by level name ("PMD", "PUD") */
  readonly leavesSet: ReadonlyMap<string, number>;
  readonly leavesCleared: ReadonlyMap<string, number>;
}

/** A map's entry, made with `make` when missing. */
function entry<K, V>(m: Map<K, V>, k: K, make: () => V): V {
  let v = m.get(k);
  if (v === undefined) m.set(k, (v = make()));
  return v;
}

/**
 * A span's pages, all its iterations: iteration i is about [page + i * pages, page + (i + 1) *
 * pages), so together [page, page + n * pages); with a value.
 */
function segmentOf(s: Span, value: number): Segment {
  const p = eventPage(s.ev)!;
  return { start: p.page, end: p.page + s.n * p.pages, value };
}

/** Base pages: refcount changes (page-ref), allocations and frees, by device. */
function pageRangeChanges(spans: readonly Span[]): PageRangeChange[] {
  const byDev = new Map<number, { from: Segment[]; to: Segment[]; alloc: Segment[]; free: Segment[] }>();
  const of = (dev: number) => entry(byDev, dev, () => ({ from: [], to: [], alloc: [], free: [] }));
  for (const s of spans) {
    const e = s.ev;
    if (e.kind === "page-ref") {
      of(e.dev).from.push(segmentOf(s, e.to - e.delta));
      of(e.dev).to.push(segmentOf(s, e.to));
    } else if (e.kind === "genpool-alloc") of(e.dev).alloc.push(segmentOf(s, 1));
    else if (e.kind === "genpool-free") of(e.dev).free.push(segmentOf(s, 1));
  }
  const out: PageRangeChange[] = [];
  for (const [dev, g] of byDev) {
    const cuts = new Cuts([...g.from, ...g.alloc, ...g.free]);
    const from = cuts.first(g.from);
    const to = cuts.last(g.to);
    const alloc = cuts.sum(g.alloc);
    const free = cuts.sum(g.free);
    for (let i = 0; i < cuts.intervals; i++) {
      if (Number.isNaN(from[i]!) && alloc[i] === 0 && free[i] === 0) continue;
      const [start, end] = [cuts.at[i]!, cuts.at[i + 1]!];
      out.push({
        dev,
        start,
        end,
        from: from[i]!,
        to: to[i]!,
        allocated: alloc[i]! > 0,
        freed: free[i]! > 0,
      });
    }
  }
  return out;
}

/**
 * Large folios: formed (folio-init with a reference), refcount and pincount changes (folio-ref),
 * freed whole (folio-free). Folios are grouped by device, size and alignment, so an interval holds
 * whole folios.
 */
function folioRangeChanges(spans: readonly Span[]): FolioRangeChange[] {
  type Group = {
    dev: number;
    pages: number;
    first: Segment[];
    to: Segment[];
    pin: Segment[];
    init: Segment[];
    free: Segment[];
    order: Segment[];
  };
  const groups = new Map<string, Group>();
  for (const s of spans) {
    const e = s.ev;
    if (e.kind !== "folio-ref" && e.kind !== "folio-free" && !(e.kind === "folio-init" && e.ref > 0))
      continue;
    const g = entry(groups, `${e.dev}:${e.pages}:${e.page % e.pages}`, () => ({
      dev: e.dev,
      pages: e.pages,
      first: [],
      to: [],
      pin: [],
      init: [],
      free: [],
      order: [],
    }));
    g.order.push(segmentOf(s, s.order));
    if (e.kind === "folio-init") {
      g.first.push(segmentOf(s, 0));
      g.to.push(segmentOf(s, e.ref));
      g.init.push(segmentOf(s, 1));
    } else if (e.kind === "folio-ref") {
      g.first.push(segmentOf(s, e.to - e.delta));
      g.to.push(segmentOf(s, e.to));
      g.pin.push(segmentOf(s, e.pin));
    } else {
      g.first.push(segmentOf(s, 0));
      g.free.push(segmentOf(s, 1));
    }
  }
  const out: (FolioRangeChange & { order: number })[] = [];
  for (const g of groups.values()) {
    const cuts = new Cuts(g.order);
    const order = cuts.first(g.order);
    const from = cuts.first(g.first);
    const to = cuts.last(g.to);
    const pin = cuts.sum(g.pin);
    const init = cuts.sum(g.init);
    const free = cuts.sum(g.free);
    for (let i = 0; i < cuts.intervals; i++) {
      if (Number.isNaN(order[i]!)) continue;
      out.push({
        dev: g.dev,
        pages: g.pages,
        start: cuts.at[i]!,
        end: cuts.at[i + 1]!,
        from: from[i]!,
        to: Number.isNaN(to[i]!) ? from[i]! : to[i]!,
        pin: pin[i]!,
        formed: init[i]! > 0,
        freed: free[i]! > 0,
        order: order[i]!,
      });
    }
  }
  // in the order of each folio's first event: by first span, then head (a loop's iteration order)
  return out.sort((a, b) => a.order - b.order || a.start - b.start).map(({ order: _, ...c }) => c);
}

/** What statement `op` changed, from its stored records: cost follows the records, not the pages. */
export function statementChanges(trace: Trace, op: OpRecord): StatementChanges {
  const spans = spansOf(trace, op);
  let ptesSet = 0;
  let ptesCleared = 0;
  const leavesSet = new Map<string, number>();
  const leavesCleared = new Map<string, number>();
  for (const { ev: e, n } of spans) {
    if (e.kind === "pte-set") ptesSet += n;
    else if (e.kind === "pte-clear") ptesCleared += n;
    else if (e.kind === "leaf-set" || e.kind === "leaf-clear") {
      const m = e.kind === "leaf-set" ? leavesSet : leavesCleared;
      const name = PTE_KIND_NAMES[pteKind(e.pte)].toUpperCase();
      m.set(name, (m.get(name) ?? 0) + n);
    }
  }
  return {
    pages: pageRangeChanges(spans),
    folios: folioRangeChanges(spans),
    ptesSet,
    ptesCleared,
    leavesSet,
    leavesCleared,
  };
}

/**
 * Large folios as phrases, equal changes grouped: `npu0 1G folio at page 0 ref 1->2, pincount +1`,
 * `d 2M folios at pages 0,512,...,1536 (4) formed, ref 0->1`.
 */
function folioPhrases(trace: Trace, changes: readonly FolioRangeChange[]): string[] {
  const groups = new Map<string, { who: string; what: string; heads: FolioRangeChange[] }>();
  for (const c of changes) {
    const parts = [c.formed ? "formed" : "", c.from !== c.to ? `ref ${c.from}->${c.to}` : ""];
    if (c.pin !== 0) parts.push(`pincount ${c.pin > 0 ? "+" : ""}${c.pin}`);
    if (c.freed) parts.push("freed whole");
    const what = parts.filter((x) => x !== "").join(", ");
    if (what === "") continue;
    const who = `${trace.deviceNames[c.dev] ?? `device ${c.dev}`} ${formatSize(c.pages * trace.pageSize)}`;
    entry(groups, `${who}|${what}`, () => ({ who, what, heads: [] })).heads.push(c);
  }
  return [...groups.values()].map(({ who, what, heads }) => {
    const n = heads.reduce((k, c) => k + (c.end - c.start) / c.pages, 0);
    const at = n === 1 ? `folio at page ${heads[0]!.start}` : `folios at pages ${folioHeads(heads, n)}`;
    return `${who} ${at} ${what}`;
  });
}

/** The heads of n folios (ranges in order), evenly spaced runs shortened: 0,512,...,1536 (4). */
function folioHeads(ranges: readonly FolioRangeChange[], n: number): string {
  const heads: number[] = [];
  for (const c of ranges) {
    for (let h = c.start; h < c.end && heads.length < 4; h += c.pages) heads.push(h);
    if (heads.length >= 4) break;
  }
  if (n <= 4) return heads.join(",");
  const last = ranges[ranges.length - 1]!;
  return `${heads[0]},${heads[1]},...,${last.end - last.pages} (${n})`;
}

const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? "" : "s"}`;

/**
 * One statement's page changes as one phrase: refcount groups by device (`nvme0 pages 0-15
 * 2->1`), allocations and frees, the PTEs set or cleared, and "none freed" when references were
 * dropped or PTEs cleared without a page going back to the pool.
 */
function changePhrase(trace: Trace, op: OpRecord): string {
  const changes = statementChanges(trace, op);
  const groupsOut: string[] = [];
  let dropped = false;
  let freedAny = false;
  for (const f of changes.folios) {
    if (f.freed) freedAny = true;
    if (f.to < f.from) dropped = true;
  }
  // by device, pages grouped by what happened to them, in page order of each group's first page
  const byDev = new Map<number, Map<string, [number, number][]>>();
  for (const c of changes.pages) {
    const groups = entry(byDev, c.dev, () => new Map<string, [number, number][]>());
    const ref = Number.isNaN(c.from) || c.from === c.to ? "" : `${c.from}->${c.to}`;
    if (ref === "" && !c.allocated && !c.freed) continue;
    if (c.to < c.from) dropped = true;
    if (c.freed) freedAny = true;
    const what = [c.allocated ? "allocated" : "", ref, c.freed ? (c.allocated ? "and freed" : "freed") : ""]
      .filter((x) => x !== "")
      .join(" ");
    addRun(
      entry(groups, what, () => []),
      c.start,
      c.end,
    );
  }
  for (const [dev, groups] of byDev) {
    const name = trace.deviceNames[dev] ?? `device ${dev}`;
    let first = true;
    for (const [what, runs] of groups) {
      const who = first
        ? pagesPhrase(name, runs)
        : `${pageCount(runs) === 1 ? "page" : "pages"} ${runsText(runs)}`;
      // "1->0 freed" reads "1->0, freed"
      groupsOut.push(`${who} ${what.replace(/(\d) freed$/, "$1, freed")}`);
      first = false;
    }
  }
  groupsOut.push(...folioPhrases(trace, changes.folios));
  const tail: string[] = [];
  if (changes.ptesSet > 0) tail.push(`${plural(changes.ptesSet, "PTE")} set`);
  for (const [k, n] of changes.leavesSet)
    tail.push(`${plural(n, `${k} leaf`).replace(/leafs$/, "leaves")} set`);
  if (changes.ptesCleared > 0) tail.push(`${plural(changes.ptesCleared, "PTE")} cleared`);
  for (const [k, n] of changes.leavesCleared)
    tail.push(`${plural(n, `${k} leaf`).replace(/leafs$/, "leaves")} cleared`);
  const leavesCleared = [...changes.leavesCleared.values()].reduce((a, b) => a + b, 0);
  if ((dropped || changes.ptesCleared > 0 || leavesCleared > 0) && !freedAny) tail.push("none freed");
  return [groupsOut.join("; "), ...tail].filter((x) => x !== "").join(", ");
}

/** The findings a statement raised, one phrase each. */
function findingPhrases(trace: Trace, op: OpRecord): string[] {
  const counts = new Map<string, number>();
  for (const f of trace.findings) {
    if (f.step < op.firstStep || f.step > op.lastStep) continue;
    const p = `FINDING ${f.kind}: ${pagesPhrase(f.device, [[f.page, f.page + Math.max(1, f.pages)]])}`;
    counts.set(p, (counts.get(p) ?? 0) + 1);
  }
  // the same pages found twice (two processes still mapping them) read as one line, "x2"
  return [...counts].map(([p, n]) => (n === 1 ? p : `${p} (x${n})`));
}

/** The lines of one statement: `L8 fio munmap buf: nvme0 pages 0-15 2->1, none freed`. */
export function summarizeOp(trace: Trace, op: OpRecord): string[] {
  const head = `L${op.line} ${op.text}${op.result === "ok" ? "" : ` -> ${op.result}`}`;
  const changes = changePhrase(trace, op);
  const lines = wrap(changes !== "" ? `${head}: ${changes}` : head);
  for (const f of findingPhrases(trace, op)) lines.push(...wrap(`  ${f}`));
  return lines;
}

/** The header line(s) of a summary. */
export function summaryHeader(trace: Trace, name?: string): string[] {
  const devs = trace.deviceNames.length;
  const head = `${name ? `${name}: ` : ""}${trace.design} design, ${formatSize(trace.pageSize)} pages, ${trace.ops.length} statements, ${devs} device${devs === 1 ? "" : "s"}`;
  return wrap(head);
}

/** The whole trace as mail-ready lines: a header, each statement, then the findings' count. */
export function summarize(trace: Trace, name?: string): string[] {
  const out = summaryHeader(trace, name);
  for (const op of trace.ops) {
    // the `kernel` and `page` lines set the design up: the header already says it
    if (op.text.startsWith("kernel ") || op.text.startsWith("page ")) continue;
    out.push(...summarizeOp(trace, op));
  }
  if (trace.truncated) out.push(...wrap(`STOPPED: ${trace.truncated.message}`));
  const n = trace.findings.length;
  out.push(n === 0 ? "No findings." : `${n} finding${n === 1 ? "" : "s"}.`);
  return out;
}

/** The pages an event is about ([page, page + pages)), if it is about pages. */
function eventPage(e: KernelEvent): { dev: number; page: number; pages: number } | undefined {
  switch (e.kind) {
    case "folio-init":
    case "folio-ref":
    case "folio-free":
      return { dev: e.dev, page: e.page, pages: e.pages };
    case "leaf-set":
    case "leaf-clear":
      return { dev: pteDev(e.pte), page: ptePage(e.pte), pages: e.pages };
    case "page-ref":
    case "genpool-alloc":
    case "genpool-free":
    case "page-free":
    case "pin-page":
    case "unpin-page":
      return { dev: e.dev, page: e.page, pages: 1 };
    case "pte-set":
    case "pte-clear":
      return { dev: pteDev(e.pte), page: ptePage(e.pte), pages: 1 };
    default:
      return undefined;
  }
}

/** The page's state after a step, in words. */
function pageState(allocated: number, ptes: number, pins: number, leaf = false): string {
  const parts = [allocated ? "allocated" : "free"];
  if (ptes > 0)
    parts.push(leaf ? `${ptes} leaf mapping${ptes === 1 ? "" : "s"}` : `${ptes} PTE${ptes === 1 ? "" : "s"}`);
  if (pins > 0) parts.push(`pinned${pins > 1 ? ` x${pins}` : ""}`);
  return parts.join(", ");
}

/** Whether statement `op` has an event about page `page` of device `dev` (from its records). */
export function touchesPage(trace: Trace, op: OpRecord, dev: number, page: number): boolean {
  return spansOf(trace, op).some((s) => {
    const p = eventPage(s.ev);
    return p !== undefined && p.dev === dev && page >= p.page && page < p.page + s.n * p.pages;
  });
}

export type FollowPage = { ok: true; lines: string[] } | { ok: false; message: string };

/**
 * Every statement that changed page `page` of device `dev`, with its refcount, mapcount and state
 * after: `L5 fio mmap buf nvme0 64K: ref 0->1, map 0->1, allocated, 1 PTE`.
 */
export function followPage(trace: Trace, dev: string, page: number): FollowPage {
  const d = trace.deviceNames.indexOf(dev);
  if (d < 0) return { ok: false, message: `no device '${dev}' in this run` };
  const cursor = new TraceCursor(trace);
  const pages = cursor.seek(trace.steps - 1).devices[d]?.pages ?? 0;
  if (page >= pages) return { ok: false, message: `device '${dev}' has pages 0 to ${pages - 1}` };
  const out = [`${dev} page ${page}, through the ${trace.design} design:`];
  // a page starts free, at the refcount free pages rest at in this kernel version
  let before: { ref: number; map: number } = { ref: VERSIONS[trace.version].freeRefcount, map: 0 };
  for (const op of trace.ops) {
    const touched = touchesPage(trace, op, d, page);
    const touchedByFinding = trace.findings.some(
      (f) =>
        f.step >= op.firstStep &&
        f.step <= op.lastStep &&
        f.device === dev &&
        page >= f.page &&
        page < f.page + Math.max(1, f.pages),
    );
    if (!touched && !touchedByFinding) continue;
    const st = cursor.seek(op.lastStep).devices[d];
    if (!st) continue;
    const info = pageAt(st, page);
    // a large folio's counts are its head's (a tail's own refcount is 0 in the kernel)
    const after = { ref: info.refcount, map: info.mapcount };
    const folio =
      info.order > 0
        ? `, in a ${formatSize(2 ** info.order * trace.pageSize)} folio (head ${Math.floor(page / 2 ** info.order) * 2 ** info.order}${info.pincount ? `, pincount ${info.pincount}` : ""})`
        : "";
    const ref = after.ref === before.ref ? `ref ${after.ref}` : `ref ${before.ref}->${after.ref}`;
    const map = after.map === before.map ? `map ${after.map}` : `map ${before.map}->${after.map}`;
    const state = pageState(info.allocated, info.ptes, info.pins, info.order > 0);
    const head = `L${op.line} ${op.text}${op.result === "ok" ? "" : ` -> ${op.result}`}`;
    out.push(...wrap(`${head}: ${ref}, ${map}, ${state}${folio}`));
    for (const f of trace.findings) {
      if (f.step < op.firstStep || f.step > op.lastStep || f.device !== dev) continue;
      if (page >= f.page && page < f.page + Math.max(1, f.pages)) out.push(...wrap(`  FINDING ${f.kind}`));
    }
    before = after;
  }
  if (out.length === 1) out.push("No statement changed it.");
  return { ok: true, lines: out };
}
