/**
 * Mail-ready text of a trace: one to a few lines per statement, none wider than 72 columns, with
 * pages named as ranges and refcounts as before->after (`summarize`); and one page followed through
 * the trace (`followPage`). Pure: the CLI's `run --summary` / `--page` and the app's "Copy as text"
 * both print these lines.
 */

import type { KernelEvent } from "../kernel/events.ts";
import { PTE_KIND_NAMES, pageAt, pteDev, pteKind, ptePage } from "../kernel/state.ts";
import { VERSIONS } from "../kernel/versions.ts";
import { formatSize } from "../scenario/size.ts";
import { TraceCursor } from "./cursor.ts";
import { eventsOf, type OpRecord, type Trace } from "./trace.ts";

/** The widest line the summary prints (a mail body's usual limit). */
export const SUMMARY_WIDTH = 72;

/** How many runs of pages a range list names before it says "+N more". */
const MAX_RUNS = 6;

/** Sorted page numbers as runs: [0,1,2,3,8] -> "0-3,8"; long lists end in "+N more". */
export function pageRanges(pages: Iterable<number>): string {
  const sorted = [...new Set(pages)].sort((a, b) => a - b);
  const runs: string[] = [];
  let i = 0;
  while (i < sorted.length) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    runs.push(i === j ? String(sorted[i]) : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  if (runs.length <= MAX_RUNS) return runs.join(",");
  return `${runs.slice(0, MAX_RUNS).join(",")},+${runs.length - MAX_RUNS} more`;
}

function pagesPhrase(dev: string, pages: readonly number[]): string {
  return `${dev} ${pages.length === 1 ? "page" : "pages"} ${pageRanges(pages)}`;
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

interface PageChange {
  /** refcount before the statement's first change and after its last */
  from: number;
  to: number;
  allocated: boolean;
  freed: boolean;
}

/** What happened to each page in events[first..last], by device index then page. */
function pageChanges(trace: Trace, first: number, last: number): Map<number, Map<number, PageChange>> {
  const byDev = new Map<number, Map<number, PageChange>>();
  const get = (dev: number, page: number, ref?: number): PageChange => {
    let m = byDev.get(dev);
    if (!m) byDev.set(dev, (m = new Map()));
    let c = m.get(page);
    if (!c) {
      c = { from: ref ?? Number.NaN, to: ref ?? Number.NaN, allocated: false, freed: false };
      m.set(page, c);
    }
    return c;
  };
  for (const e of eventsOf(trace, first, last + 1)) {
    if (e.kind === "page-ref") {
      const c = get(e.dev, e.page, e.to - e.delta);
      if (Number.isNaN(c.from)) c.from = e.to - e.delta;
      c.to = e.to;
    } else if (e.kind === "genpool-alloc") get(e.dev, e.page).allocated = true;
    else if (e.kind === "genpool-free") get(e.dev, e.page).freed = true;
  }
  return byDev;
}

/** PTEs and PMD/PUD leaves set and cleared in events[first..last]. */
function pteCounts(
  trace: Trace,
  first: number,
  last: number,
): { set: number; cleared: number; leavesSet: Map<string, number>; leavesCleared: Map<string, number> } {
  let set = 0;
  let cleared = 0;
  const leavesSet = new Map<string, number>();
  const leavesCleared = new Map<string, number>();
  for (const e of eventsOf(trace, first, last + 1)) {
    const k = e.kind;
    if (k === "pte-set") set++;
    else if (k === "pte-clear") cleared++;
    else if (k === "leaf-set" || k === "leaf-clear") {
      const m = k === "leaf-set" ? leavesSet : leavesCleared;
      const name = PTE_KIND_NAMES[pteKind(e.pte)].toUpperCase();
      m.set(name, (m.get(name) ?? 0) + 1);
    }
  }
  return { set, cleared, leavesSet, leavesCleared };
}

interface FolioChange {
  dev: number;
  head: number;
  pages: number;
  from: number;
  to: number;
  pin: number;
  formed: boolean;
  freed: boolean;
}

/** What happened to each large folio (by device and head) in events[first..last]. */
function folioChanges(trace: Trace, first: number, last: number): FolioChange[] {
  const by = new Map<string, FolioChange>();
  const get = (dev: number, head: number, pages: number, ref: number) => {
    const key = `${dev}:${head}`;
    let c = by.get(key);
    if (!c) by.set(key, (c = { dev, head, pages, from: ref, to: ref, pin: 0, formed: false, freed: false }));
    return c;
  };
  for (const e of eventsOf(trace, first, last + 1)) {
    if (e.kind === "folio-init" && e.ref > 0) {
      const c = get(e.dev, e.page, e.pages, 0);
      c.formed = true;
      c.to = e.ref;
    } else if (e.kind === "folio-ref") {
      const c = get(e.dev, e.page, e.pages, e.to - e.delta);
      c.to = e.to;
      c.pin += e.pin;
    } else if (e.kind === "folio-free") get(e.dev, e.page, e.pages, 0).freed = true;
  }
  return [...by.values()];
}

/**
 * Large folios as phrases, equal changes grouped: `npu0 1G folio at page 0 ref 1->2, pincount +1`,
 * `d 2M folios at pages 0,512,1024,1536 formed, ref 0->1`.
 */
function folioPhrases(trace: Trace, changes: readonly FolioChange[]): string[] {
  const groups = new Map<string, { who: string; what: string; heads: number[] }>();
  for (const c of changes) {
    const parts = [c.formed ? "formed" : "", c.from !== c.to ? `ref ${c.from}->${c.to}` : ""];
    if (c.pin !== 0) parts.push(`pincount ${c.pin > 0 ? "+" : ""}${c.pin}`);
    if (c.freed) parts.push("freed whole");
    const what = parts.filter((x) => x !== "").join(", ");
    if (what === "") continue;
    const who = `${trace.deviceNames[c.dev] ?? `device ${c.dev}`} ${formatSize(c.pages * trace.pageSize)}`;
    const key = `${who}|${what}`;
    const g = groups.get(key);
    if (g) g.heads.push(c.head);
    else groups.set(key, { who, what, heads: [c.head] });
  }
  return [...groups.values()].map(({ who, what, heads }) => {
    const at = heads.length === 1 ? `folio at page ${heads[0]}` : `folios at pages ${folioHeads(heads)}`;
    return `${who} ${at} ${what}`;
  });
}

/** Folio heads, evenly spaced runs shortened: 0,512,...,1536 (4). */
function folioHeads(heads: readonly number[]): string {
  if (heads.length <= 4) return heads.join(",");
  return `${heads[0]},${heads[1]},...,${heads[heads.length - 1]} (${heads.length})`;
}

const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? "" : "s"}`;

/**
 * One statement's page changes as one phrase: refcount groups by device (`nvme0 pages 0-15
 * 2->1`), allocations and frees, the PTEs set or cleared, and "none freed" when references were
 * dropped or PTEs cleared without a page going back to the pool.
 */
function changePhrase(trace: Trace, op: OpRecord): string {
  const groupsOut: string[] = [];
  let dropped = false;
  let freedAny = false;
  const folios = folioChanges(trace, op.firstStep, op.lastStep);
  for (const f of folios) {
    if (f.freed) freedAny = true;
    if (f.to < f.from) dropped = true;
  }
  for (const [dev, pages] of pageChanges(trace, op.firstStep, op.lastStep)) {
    const name = trace.deviceNames[dev] ?? `device ${dev}`;
    // group pages by what happened to them, in page order of each group's first page
    const groups = new Map<string, number[]>();
    for (const [page, c] of [...pages].sort((a, b) => a[0] - b[0])) {
      const ref = Number.isNaN(c.from) || c.from === c.to ? "" : `${c.from}->${c.to}`;
      if (ref === "" && !c.allocated && !c.freed) continue;
      if (c.to < c.from) dropped = true;
      if (c.freed) freedAny = true;
      const what = [c.allocated ? "allocated" : "", ref, c.freed ? (c.allocated ? "and freed" : "freed") : ""]
        .filter((x) => x !== "")
        .join(" ");
      const g = groups.get(what);
      if (g) g.push(page);
      else groups.set(what, [page]);
    }
    let first = true;
    for (const [what, ps] of groups) {
      const who = first ? pagesPhrase(name, ps) : `${ps.length === 1 ? "page" : "pages"} ${pageRanges(ps)}`;
      // "1->0 freed" reads "1->0, freed"
      groupsOut.push(`${who} ${what.replace(/(\d) freed$/, "$1, freed")}`);
      first = false;
    }
  }
  groupsOut.push(...folioPhrases(trace, folios));
  const tail: string[] = [];
  const ptes = pteCounts(trace, op.firstStep, op.lastStep);
  if (ptes.set > 0) tail.push(`${plural(ptes.set, "PTE")} set`);
  for (const [k, n] of ptes.leavesSet) tail.push(`${plural(n, `${k} leaf`).replace(/leafs$/, "leaves")} set`);
  if (ptes.cleared > 0) tail.push(`${plural(ptes.cleared, "PTE")} cleared`);
  for (const [k, n] of ptes.leavesCleared)
    tail.push(`${plural(n, `${k} leaf`).replace(/leafs$/, "leaves")} cleared`);
  const leavesCleared = [...ptes.leavesCleared.values()].reduce((a, b) => a + b, 0);
  if ((dropped || ptes.cleared > 0 || leavesCleared > 0) && !freedAny) tail.push("none freed");
  return [groupsOut.join("; "), ...tail].filter((x) => x !== "").join(", ");
}

/** The findings a statement raised, one phrase each. */
function findingPhrases(trace: Trace, op: OpRecord): string[] {
  const counts = new Map<string, number>();
  for (const f of trace.findings) {
    if (f.step < op.firstStep || f.step > op.lastStep) continue;
    const pages = Array.from({ length: Math.max(1, f.pages) }, (_, i) => f.page + i);
    const p = `FINDING ${f.kind}: ${pagesPhrase(f.device, pages)}`;
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
    let touched = false;
    for (const e of eventsOf(trace, op.firstStep, op.lastStep + 1)) {
      const p = eventPage(e);
      touched = p !== undefined && p.dev === d && page >= p.page && page < p.page + p.pages;
      if (touched) break;
    }
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
