/** The `p2pviz run --json` document (format "p2pviz-run/1"): the shape is a contract for scripts. */

import { pmdOrder, pudOrder } from "../kernel/drivers/designs/huge-policy.ts";
import { DRIVERS } from "../kernel/drivers/designs/index.ts";
import {
  isLeafKind,
  type KernelState,
  type PageRun,
  PTE_KIND_NAMES,
  PTE_PUD,
  type PteKind,
  pinPages,
  unpackDev,
  unpackPage,
  vmFlagNames,
} from "../kernel/state.ts";
import { VERSIONS } from "../kernel/versions.ts";
import { type Cost, opCosts } from "./cost.ts";
import { TraceCursor } from "./cursor.ts";
import { describeEvent, sourceOf } from "./describe.ts";
import { eventsOf, type Trace } from "./trace.ts";

export interface RunJson {
  format: "p2pviz-run/1";
  kernel: string;
  /** the kernel version the design ran in (language v2) */
  kernelVersion: string;
  pageSize: number;
  ops: {
    line: number;
    text: string;
    result: string;
    firstStep: number;
    lastStep: number;
    free: Record<string, number>;
    /** huge.md §6.3 counters of the statement, from its records (src/trace/cost.ts) */
    cost: Cost;
  }[];
  events: { step: number; line: number; kind: string; fn: string; source: string; text: string }[];
  findings: {
    step: number;
    line: number;
    kind: string;
    page: number;
    pages: number;
    device: string;
    text: string;
  }[];
  final: FinalJson;
  truncated?: { line: number; message: string };
}

export interface FinalJson {
  devices: {
    name: string;
    state: string;
    pages: number;
    freePages: number;
    pgref: number;
    /** the refcount a free page rests at in this kernel version (1 before 6.15, 0 from it on) */
    freeRefcount: number;
    /**
     * bytes of struct page (vmemmap) the device's ZONE_DEVICE memory costs: 64 per page
     * (sizeof(struct page) on x86-64, huge.md §3.1, §6.3 "Per device, static")
     */
    vmemmapBytes: number;
    /**
     * large folios in use (huge designs): head page, order, and the head's refcount, entire
     * mapcount (PMD/PUD mappings) and _pincount
     */
    folios: FolioJson[];
    /** allocated pages; a large folio's tail pages show refcount 0, as in the kernel */
    allocated: { page: number; refcount: number; mapcount: number; pins: number }[];
  }[];
  processes: {
    name: string;
    alive: boolean;
    vmas: {
      label: string;
      start: number;
      end: number;
      pgoff: number;
      flags: string[];
      /** a PTE, or a PMD/PUD leaf (`kind` "pmd" | "pud", `page` its head, `pages` the pages it maps) */
      ptes: { offset: number; device: string; page: number; kind: string; pages?: number }[];
    }[];
  }[];
  pins: { name: string; process: string; status: string; pages: { device: string; page: number }[] }[];
}

export interface FolioJson {
  head: number;
  order: number;
  refcount: number;
  mapcount: number;
  pincount: number;
}

/** The large folios in use on a device: one entry per head (O(folios), never O(pages)). */
export function foliosOf(d: KernelState["devices"][number]): FolioJson[] {
  const out: FolioJson[] = [];
  for (const r of d.pageRuns.runs()) {
    if (!r.allocated || r.order === 0) continue;
    const size = 2 ** r.order;
    for (let h = Math.ceil(r.start / size) * size; h < r.start + r.length; h += size)
      out.push({ head: h, order: r.order, refcount: r.refcount, mapcount: r.mapcount, pincount: r.pincount });
  }
  return out;
}

/** A page's refcount as the kernel holds it: a large folio's tails are 0 (the head has the count). */
function pageRefcount(r: { order: number; refcount: number }, page: number): number {
  return r.order > 0 && page % 2 ** r.order !== 0 ? 0 : r.refcount;
}

/** The vmemmap bytes of a device (the design's, e.g. huge-v1's deduplicated compound vmemmap). */
export function deviceVmemmap(trace: Trace, pages: number): number {
  return DRIVERS[trace.design].vmemmapBytes?.(pages, trace.pageSize) ?? vmemmapBytes(pages);
}

/** Entries of a run of a process's page table: PTEs as they are, leaves one entry each. */
function leafEntries(
  r: { vpn: number; length: number; dev: number; page: number; kind: PteKind },
  pageSize: number,
): { vpn: number; page: number; pages: number }[] {
  const size = r.length > 0 && isLeafKind(r.kind) ? leafSize(r.kind, pageSize) : 0;
  if (!size) return [];
  const out: { vpn: number; page: number; pages: number }[] = [];
  for (let i = 0; i < r.length; i += size) out.push({ vpn: r.vpn + i, page: r.page + i, pages: size });
  return out;
}

function leafSize(kind: PteKind, pageSize: number): number {
  return 2 ** (kind === PTE_PUD ? pudOrder(pageSize) : pmdOrder(pageSize));
}

/** The final state, page by page; without `withPages` the devices' `allocated` lists stay empty. */
export function finalJson(trace: Trace, s: KernelState, withPages = true): FinalJson {
  const devName = (i: number) => s.devices[i]?.name ?? String(i);
  return {
    devices: s.devices.map((d) => {
      const allocated: FinalJson["devices"][number]["allocated"] = [];
      for (const r of d.pageRuns.runs()) {
        if (!r.allocated || !withPages) continue;
        for (let p = r.start; p < r.start + r.length; p++)
          allocated.push({ page: p, refcount: pageRefcount(r, p), mapcount: r.mapcount, pins: r.pins });
      }
      return {
        name: d.name,
        state: d.lifecycle,
        pages: d.pages,
        freePages: d.freePages,
        pgref: d.pgref,
        freeRefcount: VERSIONS[trace.version].freeRefcount,
        vmemmapBytes: deviceVmemmap(trace, d.pages),
        folios: foliosOf(d),
        allocated,
      };
    }),
    processes: s.processes.map((p) => ({
      name: p.name,
      alive: p.alive,
      vmas: p.vmas.map((v) => {
        const label = p.labels.get(v.label)!;
        const ptes: FinalJson["processes"][number]["vmas"][number]["ptes"] = [];
        const first = v.start / trace.pageSize;
        for (const r of p.ptes.runsIn(first, v.end / trace.pageSize - first)) {
          if (isLeafKind(r.kind)) {
            for (const l of leafEntries(r, trace.pageSize))
              ptes.push({
                offset: l.vpn * trace.pageSize - label.start,
                device: devName(r.dev),
                page: l.page,
                kind: PTE_KIND_NAMES[r.kind],
                pages: l.pages,
              });
            continue;
          }
          for (let i = 0; i < r.length; i++) {
            ptes.push({
              offset: (r.vpn + i) * trace.pageSize - label.start,
              device: devName(r.dev),
              page: r.page + i,
              kind: PTE_KIND_NAMES[r.kind],
            });
          }
        }
        return {
          label: v.label,
          start: v.start,
          end: v.end,
          pgoff: v.pgoff,
          flags: vmFlagNames(v.flags),
          ptes,
        };
      }),
    })),
    pins: s.pins.map((pin) => ({
      name: pin.name,
      process: s.processes[pin.proc]?.name ?? "",
      status: pin.status,
      pages:
        pin.status === "held"
          ? pinPages(pin).map((x) => ({ device: devName(unpackDev(x)), page: unpackPage(x) }))
          : [],
    })),
  };
}

/** sizeof(struct page) on x86-64 [I: huge.md §3.1]: every page of a device has its own struct page. */
export const STRUCT_PAGE_BYTES = 64;

/** The vmemmap of a device of `pages` pages with one struct page per page (vmemmap_shift 0). */
export function vmemmapBytes(pages: number): number {
  return pages * STRUCT_PAGE_BYTES;
}

/** The `ops` of both formats: each statement with its result, steps, free pages and cost. */
function opsJson(trace: Trace): RunJson["ops"] {
  const costs = opCosts(trace);
  return trace.ops.map((o, i) => ({
    line: o.line,
    text: o.text,
    result: o.result,
    firstStep: o.firstStep,
    lastStep: o.lastStep,
    free: { ...o.free },
    cost: costs[i]!,
  }));
}

export function toRunJson(trace: Trace): RunJson {
  const final = new TraceCursor(trace).seek(trace.steps - 1);
  const json: RunJson = {
    format: "p2pviz-run/1",
    kernel: trace.design,
    kernelVersion: trace.version,
    pageSize: trace.pageSize,
    ops: opsJson(trace),
    events: [...eventsOf(trace)].map((e, step) => ({
      step,
      line: e.line,
      kind: e.kind,
      fn: e.fn,
      source: sourceOf(e.fn),
      text: describeEvent(trace, e),
    })),
    findings: trace.findings.map((f) => ({ ...f })),
    final: finalJson(trace, final),
  };
  if (trace.truncated) json.truncated = { ...trace.truncated };
  return json;
}

/** `final` of format "p2pviz-run/2": pages and PTEs as runs of consecutive entries that agree. */
export interface FinalRunsJson {
  devices: (Omit<FinalJson["devices"][number], "allocated"> & {
    allocated: { page: number; pages: number; refcount: number; mapcount: number; pins: number }[];
  })[];
  processes: {
    name: string;
    alive: boolean;
    vmas: (Omit<FinalJson["processes"][number]["vmas"][number], "ptes"> & {
      ptes: { offset: number; pages: number; device: string; page: number; kind: string }[];
    })[];
  }[];
  pins: {
    name: string;
    process: string;
    status: string;
    pages: { device: string; page: number; pages: number }[];
  }[];
}

/** An allocated run as entries that agree: a large folio's head apart from its tails (refcount 0). */
function allocatedRuns(r: PageRun): FinalRunsJson["devices"][number]["allocated"] {
  const entry = (page: number, pages: number, refcount: number) => ({
    page,
    pages,
    refcount,
    mapcount: r.mapcount,
    pins: r.pins,
  });
  if (r.order === 0 || r.refcount === 0) return [entry(r.start, r.length, r.refcount)];
  const out: FinalRunsJson["devices"][number]["allocated"] = [];
  const end = r.start + r.length;
  let at = r.start;
  while (at < end) {
    const size = 2 ** r.order;
    if (at % size === 0) {
      out.push(entry(at, 1, r.refcount));
      at++;
      continue;
    }
    const next = Math.min(end, (Math.floor(at / size) + 1) * size);
    out.push(entry(at, next - at, 0));
    at = next;
  }
  return out;
}

/** The final state as runs: its size follows the ranges of the run, not its pages. */
export function finalRunsJson(trace: Trace, s: KernelState): FinalRunsJson {
  const devName = (i: number) => s.devices[i]?.name ?? String(i);
  return {
    devices: s.devices.map((d) => ({
      name: d.name,
      state: d.lifecycle,
      pages: d.pages,
      freePages: d.freePages,
      pgref: d.pgref,
      freeRefcount: VERSIONS[trace.version].freeRefcount,
      vmemmapBytes: deviceVmemmap(trace, d.pages),
      folios: foliosOf(d),
      allocated: d.pageRuns
        .runs()
        .filter((r) => r.allocated)
        .flatMap((r) => allocatedRuns(r)),
    })),
    processes: s.processes.map((p) => ({
      name: p.name,
      alive: p.alive,
      vmas: p.vmas.map((v) => {
        const label = p.labels.get(v.label)!;
        const first = v.start / trace.pageSize;
        return {
          label: v.label,
          start: v.start,
          end: v.end,
          pgoff: v.pgoff,
          flags: vmFlagNames(v.flags),
          ptes: p.ptes.runsIn(first, v.end / trace.pageSize - first).flatMap((r) =>
            isLeafKind(r.kind)
              ? leafEntries(r, trace.pageSize).map((l) => ({
                  offset: l.vpn * trace.pageSize - label.start,
                  pages: l.pages,
                  device: devName(r.dev),
                  page: l.page,
                  kind: PTE_KIND_NAMES[r.kind],
                }))
              : [
                  {
                    offset: r.vpn * trace.pageSize - label.start,
                    pages: r.length,
                    device: devName(r.dev),
                    page: r.page,
                    kind: PTE_KIND_NAMES[r.kind],
                  },
                ],
          ),
        };
      }),
    })),
    pins: s.pins.map((pin) => ({
      name: pin.name,
      process: s.processes[pin.proc]?.name ?? "",
      status: pin.status,
      pages:
        pin.status === "held"
          ? pin.ranges.map((r) => ({ device: devName(r.dev), page: r.page, pages: r.length }))
          : [],
    })),
  };
}

/**
 * Strings handed to `out` a batch at a time (`size` of them joined): the event-by-event outputs
 * (this JSON, the CLI's text trace) are never one string (V8 caps a string at 2^29 characters; a
 * 1M-page mmap's text is 750 MB) and their memory stays constant.
 */
export function batched(out: (s: string) => void, size = 4096): { push(s: string): void; flush(): void } {
  let parts: string[] = [];
  const flush = () => {
    out(parts.join(""));
    parts = [];
  };
  return {
    push(s) {
      parts.push(s);
      if (parts.length >= size) flush();
    },
    flush,
  };
}

/**
 * Writes the run JSON to `out` piece by piece, so a trace of millions of events needs no string of
 * its size: format "p2pviz-run/1" (every event; pages and PTEs one by one), or with `runs` format
 * "p2pviz-run/2" (pages and PTEs as runs; events only with `events`). Same shapes as toRunJson.
 */
export function writeRunJson(
  trace: Trace,
  out: (s: string) => void,
  opts: { runs?: boolean; events?: boolean } = {},
): void {
  const runs = opts.runs ?? false;
  const withEvents = !runs || (opts.events ?? false);
  const final = new TraceCursor(trace).seek(trace.steps - 1);
  const head = {
    format: runs ? "p2pviz-run/2" : "p2pviz-run/1",
    kernel: trace.design,
    kernelVersion: trace.version,
    pageSize: trace.pageSize,
    ops: opsJson(trace),
  };
  const body = JSON.stringify(head, null, 1);
  out(body.slice(0, body.lastIndexOf("}")).trimEnd());
  if (withEvents) {
    out(',\n "events": [');
    const w = batched(out);
    let step = 0;
    for (const e of eventsOf(trace)) {
      const ev = {
        step,
        line: e.line,
        kind: e.kind,
        fn: e.fn,
        source: sourceOf(e.fn),
        text: describeEvent(trace, e),
      };
      w.push(`${step === 0 ? "" : ","}\n  ${JSON.stringify(ev)}`);
      step++;
    }
    w.flush();
    out("\n ]");
  }
  out(`,\n "findings": ${JSON.stringify(trace.findings.map((f) => ({ ...f })))}`);
  if (runs) out(`,\n "final": ${JSON.stringify(finalRunsJson(trace, final))}`);
  else writeFinalPages(trace, final, out);
  if (trace.truncated) out(`,\n "truncated": ${JSON.stringify(trace.truncated)}`);
  out("\n}\n");
}

/** `final` of format 1, written device by device, page lists in chunks. */
function writeFinalPages(trace: Trace, s: KernelState, out: (s: string) => void): void {
  const f = finalJson(trace, s, false);
  out(',\n "final": {"devices": [');
  s.devices.forEach((d, i) => {
    // the device without its pages, then the pages in chunks inside its "allocated": [...]
    out(`${i ? "," : ""}${JSON.stringify(f.devices[i]).slice(0, -2)}`);
    let n = 0;
    let chunk: string[] = [];
    for (const r of d.pageRuns.runs()) {
      if (!r.allocated) continue;
      for (let p = r.start; p < r.start + r.length; p++) {
        chunk.push(
          `${n++ ? "," : ""}${JSON.stringify({ page: p, refcount: pageRefcount(r, p), mapcount: r.mapcount, pins: r.pins })}`,
        );
        if (chunk.length >= 8192) {
          out(chunk.join(""));
          chunk = [];
        }
      }
    }
    out(`${chunk.join("")}]}`);
  });
  out(`], "processes": ${JSON.stringify(f.processes)}, "pins": ${JSON.stringify(f.pins)}}`);
}
