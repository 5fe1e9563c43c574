/**
 * Trace events: past-tense facts, one per kernel effect. Every change to KernelState is an event,
 * applied by applyEvent() and undone exactly by revertEvent(), so a cursor moves through a trace in
 * both directions without re-running the scenario.
 *
 * A kernel loop over N pages (vm_insert_page() per page, one zap per PTE) is stored once, as a Loop:
 * a body of events for iteration 0, where iteration i acts on page + i and vpn + i. applyLoop()
 * applies any number of iterations at once as range updates, so the cost of a 32 GiB mmap follows
 * the loop, not its 8 million pages, while every per-page event keeps its own step.
 *
 * `fn` names the kernel function the event models; `line` is the scenario line of the statement that
 * caused it. Sentences are made on demand by describe.ts, so events stay small.
 */

import { type PageRuns, PTE_PAGE } from "./runs.ts";
import type { DeviceLifecycle, KernelState, Label, PinStatus, Pmap, ProcessState, Vma } from "./state.ts";
import { clonePin, cloneProcess, LabelList, newDevice, PteTable, pteDev, pteKind, ptePage } from "./state.ts";

interface Base {
  /** scenario line of the statement this event belongs to */
  readonly line: number;
  /** kernel function this event models */
  readonly fn: string;
}

/** A device's state before a `bind` replaced it, so the bind can be reverted. */
export interface DeviceBefore {
  readonly pageRuns: PageRuns;
  readonly freePages: number;
  readonly pgref: number;
  readonly pgrefDying: boolean;
  readonly lifecycle: DeviceLifecycle;
  readonly generation: number;
}

export type KernelEvent = Base &
  (
    | { readonly kind: "design"; readonly design: string; readonly pageSize: number }
    | {
        readonly kind: "device-add";
        readonly dev: number;
        readonly name: string;
        readonly pages: number;
        readonly barStart: number;
        /** refcount a free page rests at in this kernel version */
        readonly freeRefcount: number;
      }
    | {
        readonly kind: "device-rebind";
        readonly dev: number;
        readonly freeRefcount: number;
        readonly before: DeviceBefore;
      }
    | { readonly kind: "genpool-add"; readonly dev: number }
    | {
        readonly kind: "pgref";
        readonly dev: number;
        readonly delta: number;
        /** pgmap->ref after (for a loop body: after iteration 0) */
        readonly to: number;
      }
    | { readonly kind: "pgref-kill"; readonly dev: number }
    | {
        readonly kind: "device-state";
        readonly dev: number;
        readonly from: DeviceLifecycle;
        readonly to: DeviceLifecycle;
      }
    | { readonly kind: "process-add"; readonly proc: number; readonly name: string; readonly parent: number }
    | { readonly kind: "process-exit"; readonly proc: number }
    | { readonly kind: "process-exiting"; readonly proc: number }
    | { readonly kind: "label-add"; readonly proc: number; readonly label: Label }
    | { readonly kind: "vma-create"; readonly proc: number; readonly vma: Vma }
    | { readonly kind: "vma-remove"; readonly proc: number; readonly vma: Vma }
    | {
        readonly kind: "vma-split";
        readonly proc: number;
        /** the VMA before the split */
        readonly vma: Vma;
        readonly at: number;
        readonly newId: number;
        /** __split_vma's new_below: the new VMA is the lower piece (else the upper one) */
        readonly newBelow: boolean;
        /** vm_pgoff of the upper piece */
        readonly upperPgoff: number;
      }
    | {
        readonly kind: "vma-flags";
        readonly proc: number;
        readonly vmaId: number;
        readonly from: number;
        readonly to: number;
      }
    | { readonly kind: "genpool-alloc"; readonly dev: number; readonly page: number; readonly owner: number }
    | { readonly kind: "genpool-free"; readonly dev: number; readonly page: number; readonly owner: number }
    | {
        readonly kind: "page-ref";
        readonly dev: number;
        readonly page: number;
        readonly delta: number;
        /** refcount after */
        readonly to: number;
      }
    | {
        readonly kind: "pte-set";
        readonly proc: number;
        readonly vpn: number;
        readonly pte: number;
        readonly rmap: 0 | 1;
      }
    | {
        readonly kind: "pte-clear";
        readonly proc: number;
        readonly vpn: number;
        readonly pte: number;
        readonly rmap: 0 | 1;
      }
    | { readonly kind: "pmap-create"; readonly pmap: Pmap }
    | { readonly kind: "pmap-kref"; readonly pmap: number; readonly delta: number }
    | {
        readonly kind: "pmap-first";
        readonly pmap: number;
        readonly from: number;
        readonly to: number;
        readonly pages: number;
      }
    | { readonly kind: "pin-create"; readonly pin: number; readonly name: string; readonly proc: number }
    | { readonly kind: "pin-page"; readonly pin: number; readonly dev: number; readonly page: number }
    | { readonly kind: "unpin-page"; readonly pin: number; readonly dev: number; readonly page: number }
    | { readonly kind: "pin-status"; readonly pin: number; readonly from: PinStatus; readonly to: PinStatus }
    | { readonly kind: "fault"; readonly proc: number; readonly vpn: number }
    | { readonly kind: "page-free"; readonly dev: number; readonly page: number }
    | { readonly kind: "note"; readonly text: string }
    | { readonly kind: "result"; readonly op: number; readonly result: string }
    | { readonly kind: "finding"; readonly finding: number }
    /*
     * Large folios (huge.md): each of these acts on a span of `pages` pages (a whole folio or
     * leaf) and is one kernel call, so one step; in a loop, iteration i acts on the span i * pages
     * further on (folio i, leaf i).
     */
    | {
        /**
         * zone_device_folio_init() (or, at probe, memmap_init_compound()): the folio's struct pages
         * are (re)written as one folio of `order`; its refcount goes 0 -> `ref`
         */
        readonly kind: "folio-init";
        readonly dev: number;
        readonly page: number;
        readonly pages: number;
        readonly order: number;
        readonly ref: number;
      }
    | {
        /** folio_get / folio_put / try_grab_folio / gup_put_folio: refcount +delta, _pincount +pin */
        readonly kind: "folio-ref";
        readonly dev: number;
        readonly page: number;
        readonly pages: number;
        readonly delta: number;
        readonly pin: number;
        /** refcount after */
        readonly to: number;
      }
    | {
        /** insert_pmd() / insert_pud(): one leaf maps the folio; entire mapcount +1, rss +pages */
        readonly kind: "leaf-set";
        readonly proc: number;
        readonly vpn: number;
        /** packed entry of the first page (kind PTE_PMD or PTE_PUD) */
        readonly pte: number;
        readonly pages: number;
      }
    | {
        /** zap_huge_pmd() / zap_huge_pud(): the leaf is cleared; entire mapcount -1, rss -pages */
        readonly kind: "leaf-clear";
        readonly proc: number;
        readonly vpn: number;
        readonly pte: number;
        readonly pages: number;
      }
    | {
        /**
         * p2pdma_folio_free(): gen_pool_free_owner() of the whole folio (pool +pages); with `reset`
         * the folio's pages read as base pages again
         */
        readonly kind: "folio-free";
        readonly dev: number;
        readonly page: number;
        readonly pages: number;
        readonly order: number;
        readonly owner: number;
        readonly reset: boolean;
      }
    | {
        /** gen_pool_first_fit_align() found no free run of `pages` aligned to 2^order pages */
        readonly kind: "genpool-miss";
        readonly dev: number;
        readonly order: number;
        readonly pages: number;
      }
    | {
        /** huge.md §3.3 step 4: the mapping gets folios of a lower order than it asked for */
        readonly kind: "fallback";
        readonly dev: number;
        readonly from: number;
        readonly to: number;
      }
  );

export type EventKind = KernelEvent["kind"];

/** Distributes Omit over the union, so each event kind keeps its own fields. */
export type EventInit = KernelEvent extends infer E
  ? E extends KernelEvent
    ? Omit<E, "line">
    : never
  : never;

/** Event kinds a loop body may hold: each acts on page + i (and vpn + i) in iteration i. */
export type LoopBodyEvent = Extract<
  KernelEvent,
  {
    kind:
      | "page-ref"
      | "pte-set"
      | "pte-clear"
      | "genpool-alloc"
      | "genpool-free"
      | "page-free"
      | "pgref"
      | "pin-page"
      | "unpin-page"
      | "folio-init"
      | "folio-ref"
      | "leaf-set"
      | "leaf-clear"
      | "folio-free";
  }
>;
export type LoopBodyInit = Extract<EventInit, { kind: LoopBodyEvent["kind"] }>;

/** A kernel loop over `n` consecutive pages: `body` is iteration 0. */
export interface Loop {
  readonly kind: "loop";
  readonly line: number;
  readonly n: number;
  readonly body: readonly LoopBodyEvent[];
}

/** One stored trace record: a single event or a loop. */
export type TraceRecord = KernelEvent | Loop;

/** The event of iteration i of a loop body template (with or without its line). */
export function instantiate<E extends LoopBodyInit>(e: E, i: number): E {
  if (i === 0) return e;
  switch (e.kind) {
    case "pte-set":
    case "pte-clear":
      return { ...e, vpn: e.vpn + i, pte: e.pte + i * PTE_PAGE };
    case "pgref":
      return { ...e, to: e.to + i * e.delta };
    case "leaf-set":
    case "leaf-clear":
      return { ...e, vpn: e.vpn + i * e.pages, pte: e.pte + i * e.pages * PTE_PAGE };
    case "folio-init":
    case "folio-ref":
    case "folio-free":
      return { ...e, page: e.page + i * e.pages };
    default:
      return { ...e, page: (e as { page: number }).page + i };
  }
}

function proc(s: KernelState, i: number): ProcessState {
  return s.processes[i]!;
}

function insertVma(p: ProcessState, v: Vma): void {
  let i = 0;
  while (i < p.vmas.length && p.vmas[i]!.start < v.start) i++;
  p.vmas.splice(i, 0, v);
}

function removeVma(p: ProcessState, id: number): void {
  const i = p.vmas.findIndex((v) => v.id === id);
  if (i >= 0) p.vmas.splice(i, 1);
}

function replaceVma(p: ProcessState, id: number, v: Vma): void {
  const i = p.vmas.findIndex((x) => x.id === id);
  if (i >= 0) p.vmas[i] = v;
}

/**
 * Iterations [i0, i0 + k) of a loop-body event, applied (sign 1) or reverted (sign -1) as range
 * updates. A single event is the case i0 = 0, k = 1.
 */
function applyBody(s: KernelState, e: LoopBodyEvent, i0: number, k: number, sign: 1 | -1): void {
  switch (e.kind) {
    case "pgref":
      s.devices[e.dev]!.pgref += sign * k * e.delta;
      return;
    case "page-ref":
      s.devices[e.dev]!.pageRuns.add("refcount", e.page + i0, k, sign * e.delta);
      return;
    case "genpool-alloc":
    case "genpool-free": {
      const d = s.devices[e.dev]!;
      const alloc = (e.kind === "genpool-alloc") === (sign === 1);
      d.pageRuns.set("allocated", e.page + i0, k, alloc ? 1 : 0);
      d.pageRuns.set("owner", e.page + i0, k, alloc ? e.owner : -1);
      d.freePages += alloc ? -k : k;
      return;
    }
    case "pte-set":
    case "pte-clear": {
      const p = proc(s, e.proc);
      const dev = pteDev(e.pte);
      const page = ptePage(e.pte) + i0;
      const map = (e.kind === "pte-set") === (sign === 1);
      if (map) p.ptes.set(e.vpn + i0, k, dev, page, pteKind(e.pte));
      else p.ptes.remove(e.vpn + i0, k);
      const d = s.devices[dev]!;
      const m = map ? 1 : -1;
      d.pageRuns.add("ptes", page, k, m);
      d.pageRuns.add("mapcount", page, k, m * e.rmap);
      p.rssFile += m * e.rmap * k;
      return;
    }
    case "pin-page": {
      const d = s.devices[e.dev]!;
      d.pageRuns.add("pins", e.page + i0, k, sign);
      const pin = s.pins[e.pin]!;
      if (sign === 1) addPinned(pin.ranges, e.dev, e.page + i0, k);
      else removePinnedTail(pin.ranges, k);
      return;
    }
    case "unpin-page":
      s.devices[e.dev]!.pageRuns.add("pins", e.page + i0, k, -sign);
      return;
    case "page-free":
      return;
    case "folio-init": {
      const r = s.devices[e.dev]!.pageRuns;
      r.set("order", e.page + i0 * e.pages, k * e.pages, sign === 1 ? e.order : 0);
      r.add("refcount", e.page + i0 * e.pages, k * e.pages, sign * e.ref);
      return;
    }
    case "folio-ref": {
      const r = s.devices[e.dev]!.pageRuns;
      r.add("refcount", e.page + i0 * e.pages, k * e.pages, sign * e.delta);
      r.add("pincount", e.page + i0 * e.pages, k * e.pages, sign * e.pin);
      return;
    }
    case "leaf-set":
    case "leaf-clear": {
      const p = proc(s, e.proc);
      const dev = pteDev(e.pte);
      const span = e.pages;
      const page = ptePage(e.pte) + i0 * span;
      const vpn = e.vpn + i0 * span;
      const map = (e.kind === "leaf-set") === (sign === 1);
      if (map) p.ptes.set(vpn, k * span, dev, page, pteKind(e.pte));
      else p.ptes.remove(vpn, k * span);
      const d = s.devices[dev]!;
      const m = map ? 1 : -1;
      d.pageRuns.add("ptes", page, k * span, m);
      d.pageRuns.add("mapcount", page, k * span, m);
      p.rssFile += m * k * span;
      return;
    }
    case "folio-free": {
      const d = s.devices[e.dev]!;
      const from = e.page + i0 * e.pages;
      const n = k * e.pages;
      const free = sign === 1;
      d.pageRuns.set("allocated", from, n, free ? 0 : 1);
      d.pageRuns.set("owner", from, n, free ? -1 : e.owner);
      if (e.reset) d.pageRuns.set("order", from, n, free ? 0 : e.order);
      d.freePages += free ? n : -n;
      return;
    }
  }
}

function addPinned(
  ranges: { dev: number; page: number; length: number }[],
  dev: number,
  page: number,
  k: number,
) {
  const last = ranges[ranges.length - 1];
  if (last && last.dev === dev && last.page + last.length === page)
    ranges[ranges.length - 1] = { dev: last.dev, page: last.page, length: last.length + k };
  else ranges.push({ dev, page, length: k });
}

function removePinnedTail(ranges: { dev: number; page: number; length: number }[], k: number) {
  while (k > 0) {
    const last = ranges[ranges.length - 1]!;
    const take = Math.min(k, last.length);
    if (take === last.length) ranges.pop();
    else ranges[ranges.length - 1] = { dev: last.dev, page: last.page, length: last.length - take };
    k -= take;
  }
}

function isBody(e: KernelEvent): e is LoopBodyEvent {
  switch (e.kind) {
    case "pgref":
    case "page-ref":
    case "genpool-alloc":
    case "genpool-free":
    case "pte-set":
    case "pte-clear":
    case "pin-page":
    case "unpin-page":
    case "page-free":
    case "folio-init":
    case "folio-ref":
    case "leaf-set":
    case "leaf-clear":
    case "folio-free":
      return true;
    default:
      return false;
  }
}

/** Applies one event to the state, in place. The only way the state changes. */
export function applyEvent(s: KernelState, e: KernelEvent): void {
  if (isBody(e)) {
    applyBody(s, e, 0, 1, 1);
    return;
  }
  switch (e.kind) {
    case "device-add":
      s.devices.push(newDevice(e.dev, e.name, e.pages, e.barStart, e.freeRefcount));
      return;
    case "device-rebind": {
      const d = s.devices[e.dev]!;
      const fresh = newDevice(d.index, d.name, d.pages, d.barStart, e.freeRefcount);
      s.devices[e.dev] = { ...fresh, generation: e.before.generation + 1 };
      return;
    }
    case "pgref-kill":
      s.devices[e.dev]!.pgrefDying = true;
      return;
    case "device-state":
      s.devices[e.dev]!.lifecycle = e.to;
      return;
    case "process-add": {
      const labels = e.parent >= 0 ? proc(s, e.parent).labels : LabelList.EMPTY;
      s.processes.push({
        index: e.proc,
        name: e.name,
        alive: true,
        exiting: false,
        vmas: [],
        ptes: new PteTable(),
        labels,
        rssFile: 0,
      });
      return;
    }
    case "process-exit":
      proc(s, e.proc).alive = false;
      return;
    case "process-exiting":
      proc(s, e.proc).exiting = true;
      return;
    case "label-add":
      proc(s, e.proc).labels = proc(s, e.proc).labels.with(e.label);
      return;
    case "vma-create":
      insertVma(proc(s, e.proc), e.vma);
      return;
    case "vma-remove":
      removeVma(proc(s, e.proc), e.vma.id);
      return;
    case "vma-split": {
      const p = proc(s, e.proc);
      const lower: Vma = { ...e.vma, id: e.newBelow ? e.newId : e.vma.id, end: e.at };
      const upper: Vma = { ...e.vma, id: e.newBelow ? e.vma.id : e.newId, start: e.at, pgoff: e.upperPgoff };
      removeVma(p, e.vma.id);
      insertVma(p, lower);
      insertVma(p, upper);
      return;
    }
    case "vma-flags": {
      const p = proc(s, e.proc);
      const v = p.vmas.find((x) => x.id === e.vmaId)!;
      replaceVma(p, e.vmaId, { ...v, flags: e.to });
      return;
    }
    case "pmap-create":
      s.pmaps.push({ ...e.pmap });
      return;
    case "pmap-kref":
      s.pmaps[e.pmap]!.kref += e.delta;
      return;
    case "pmap-first":
      s.pmaps[e.pmap]!.first = e.to;
      return;
    case "pin-create":
      s.pins.push({ name: e.name, proc: e.proc, ranges: [], status: "held" });
      return;
    case "pin-status":
      s.pins[e.pin]!.status = e.to;
      return;
    case "finding":
      s.findings++;
      return;
    case "design":
    case "genpool-add":
    case "fault":
    case "note":
    case "result":
    case "genpool-miss":
    case "fallback":
      return;
  }
}

/** Undoes applyEvent(s, e): revertEvent(applyEvent(s, e)) leaves s as it was. */
export function revertEvent(s: KernelState, e: KernelEvent): void {
  if (isBody(e)) {
    applyBody(s, e, 0, 1, -1);
    return;
  }
  switch (e.kind) {
    case "device-add":
      s.devices.pop();
      return;
    case "device-rebind": {
      const d = s.devices[e.dev]!;
      s.devices[e.dev] = { ...d, ...e.before, pageRuns: e.before.pageRuns.clone() };
      return;
    }
    case "pgref-kill":
      s.devices[e.dev]!.pgrefDying = false;
      return;
    case "device-state":
      s.devices[e.dev]!.lifecycle = e.from;
      return;
    case "process-add":
      s.processes.pop();
      return;
    case "process-exit": {
      // Exited processes may be shared with checkpoints (cloneState shareDead): revive a copy.
      const p = proc(s, e.proc);
      const copy = cloneProcess(p);
      copy.alive = true;
      s.processes[e.proc] = copy;
      return;
    }
    case "process-exiting":
      proc(s, e.proc).exiting = false;
      return;
    case "label-add":
      proc(s, e.proc).labels = proc(s, e.proc).labels.rest!;
      return;
    case "vma-create":
      removeVma(proc(s, e.proc), e.vma.id);
      return;
    case "vma-remove":
      insertVma(proc(s, e.proc), e.vma);
      return;
    case "vma-split": {
      const p = proc(s, e.proc);
      removeVma(p, e.newId);
      removeVma(p, e.vma.id);
      insertVma(p, e.vma);
      return;
    }
    case "vma-flags": {
      const p = proc(s, e.proc);
      const v = p.vmas.find((x) => x.id === e.vmaId)!;
      replaceVma(p, e.vmaId, { ...v, flags: e.from });
      return;
    }
    case "pmap-create":
      s.pmaps.pop();
      return;
    case "pmap-kref":
      s.pmaps[e.pmap]!.kref -= e.delta;
      return;
    case "pmap-first":
      s.pmaps[e.pmap]!.first = e.from;
      return;
    case "pin-create":
      s.pins.pop();
      return;
    case "pin-status": {
      // Finished pins may be shared with checkpoints (cloneState shareDead): revive a copy.
      const pin = s.pins[e.pin]!;
      const copy = clonePin(pin);
      copy.status = e.from;
      s.pins[e.pin] = copy;
      return;
    }
    case "finding":
      s.findings--;
      return;
    case "design":
    case "genpool-add":
    case "fault":
    case "note":
    case "result":
    case "genpool-miss":
    case "fallback":
      return;
  }
}

/**
 * Applies steps [from, to) of a loop (0 <= from <= to <= n * body.length), as range updates: a
 * partial iteration at each end, whole iterations in between, each template once for all of them.
 */
export function applyLoop(s: KernelState, loop: Loop, from: number, to: number): void {
  const B = loop.body.length;
  let at = from;
  for (; at < to && at % B !== 0; at++) applyEvent(s, instantiate(loop.body[at % B]!, Math.floor(at / B)));
  const whole = Math.floor((to - at) / B);
  if (whole > 0) {
    const i0 = at / B;
    for (const e of loop.body) applyBody(s, e, i0, whole, 1);
    at += whole * B;
  }
  for (; at < to; at++) applyEvent(s, instantiate(loop.body[at % B]!, Math.floor(at / B)));
}

/** Undoes steps [from, to) of a loop, newest first: the inverse of applyLoop(s, loop, from, to). */
export function revertLoop(s: KernelState, loop: Loop, from: number, to: number): void {
  const B = loop.body.length;
  let at = to;
  while (at > from && at % B !== 0) {
    at--;
    revertEvent(s, instantiate(loop.body[at % B]!, Math.floor(at / B)));
  }
  const whole = Math.floor((at - from) / B);
  if (whole > 0) {
    const i0 = at / B - whole;
    for (let j = B - 1; j >= 0; j--) applyBody(s, loop.body[j]!, i0, whole, -1);
    at -= whole * B;
  }
  while (at > from) {
    at--;
    revertEvent(s, instantiate(loop.body[at % B]!, Math.floor(at / B)));
  }
}

/** Applies a whole record. */
export function applyRecord(s: KernelState, r: TraceRecord): void {
  if (r.kind === "loop") applyLoop(s, r, 0, r.n * r.body.length);
  else applyEvent(s, r);
}
