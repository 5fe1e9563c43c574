/**
 * Trace events: past-tense facts, one per kernel effect. Every change to KernelState is an event
 * applied by applyEvent(), and revertEvent() undoes it exactly, so a cursor can move through a trace
 * of millions of events in both directions without re-running the scenario.
 *
 * `fn` names the kernel function the event models; `line` is the scenario line of the statement that
 * caused it. Sentences are made on demand by describe.ts, so events stay small.
 */

import type { DeviceLifecycle, KernelState, Label, PinStatus, Pmap, ProcessState, Vma } from "./state.ts";
import { LabelList, newDevice, pteDev, ptePage } from "./state.ts";

interface Base {
  /** scenario line of the statement this event belongs to */
  readonly line: number;
  /** kernel function this event models */
  readonly fn: string;
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
      }
    | { readonly kind: "genpool-add"; readonly dev: number }
    | {
        readonly kind: "pgref";
        readonly dev: number;
        readonly delta: number /** pgmap->ref after */;
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
        readonly delta: number /** refcount after */;
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
  );

export type EventKind = KernelEvent["kind"];

/** Distributes Omit over the union, so each event kind keeps its own fields. */
export type EventInit = KernelEvent extends infer E
  ? E extends KernelEvent
    ? Omit<E, "line">
    : never
  : never;

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

/** A PTE appears: the page gains a PTE, and a normal PTE a mapcount and an rss page. */
function mapPte(s: KernelState, e: { proc: number; vpn: number; pte: number; rmap: 0 | 1 }): void {
  const p = proc(s, e.proc);
  p.ptes.set(e.vpn, e.pte);
  const d = s.devices[pteDev(e.pte)]!;
  const page = ptePage(e.pte);
  d.ptes[page]!++;
  d.mapcount[page]! += e.rmap;
  p.rssFile += e.rmap;
}

/** The inverse of mapPte. */
function unmapPte(s: KernelState, e: { proc: number; vpn: number; pte: number; rmap: 0 | 1 }): void {
  const p = proc(s, e.proc);
  p.ptes.delete(e.vpn);
  const d = s.devices[pteDev(e.pte)]!;
  const page = ptePage(e.pte);
  d.ptes[page]!--;
  d.mapcount[page]! -= e.rmap;
  p.rssFile -= e.rmap;
}

/** The genpool bit of a page is set (owner >= -1) or cleared. */
function setAllocated(s: KernelState, dev: number, page: number, allocated: boolean, owner: number): void {
  const d = s.devices[dev]!;
  d.allocated[page] = allocated ? 1 : 0;
  d.owner[page] = allocated ? owner : -1;
  d.freePages += allocated ? -1 : 1;
}

/** Applies one event to the state, in place. The only way the state changes. */
export function applyEvent(s: KernelState, e: KernelEvent): void {
  switch (e.kind) {
    case "device-add":
      s.devices.push(newDevice(e.dev, e.name, e.pages, e.barStart));
      return;
    case "pgref":
      s.devices[e.dev]!.pgref += e.delta;
      return;
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
        vmas: [],
        ptes: new Map(),
        labels,
        rssFile: 0,
      });
      return;
    }
    case "process-exit":
      proc(s, e.proc).alive = false;
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
    case "genpool-alloc":
      setAllocated(s, e.dev, e.page, true, e.owner);
      return;
    case "genpool-free":
      setAllocated(s, e.dev, e.page, false, -1);
      return;
    case "page-ref":
      s.devices[e.dev]!.refcount[e.page]! += e.delta;
      return;
    case "pte-set":
      mapPte(s, e);
      return;
    case "pte-clear":
      unmapPte(s, e);
      return;
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
      s.pins.push({ name: e.name, proc: e.proc, pages: [], status: "held" });
      return;
    case "pin-page":
      s.pins[e.pin]!.pages.push(e.dev * 2 ** 32 + e.page);
      s.devices[e.dev]!.pins[e.page]!++;
      return;
    case "unpin-page":
      s.devices[e.dev]!.pins[e.page]!--;
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
    case "page-free":
    case "note":
    case "result":
      return;
  }
}

/** Undoes applyEvent(s, e): revertEvent(applyEvent(s, e)) leaves s as it was. */
export function revertEvent(s: KernelState, e: KernelEvent): void {
  switch (e.kind) {
    case "device-add":
      s.devices.pop();
      return;
    case "pgref":
      s.devices[e.dev]!.pgref -= e.delta;
      return;
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
      s.processes[e.proc] = { ...p, alive: true, vmas: p.vmas.slice(), ptes: new Map(p.ptes) };
      return;
    }
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
    case "genpool-alloc":
      setAllocated(s, e.dev, e.page, false, -1);
      return;
    case "genpool-free":
      setAllocated(s, e.dev, e.page, true, e.owner);
      return;
    case "page-ref":
      s.devices[e.dev]!.refcount[e.page]! -= e.delta;
      return;
    case "pte-set":
      unmapPte(s, e);
      return;
    case "pte-clear":
      mapPte(s, e);
      return;
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
    case "pin-page":
      s.pins[e.pin]!.pages.pop();
      s.devices[e.dev]!.pins[e.page]!--;
      return;
    case "unpin-page":
      s.devices[e.dev]!.pins[e.page]!++;
      return;
    case "pin-status": {
      // Finished pins may be shared with checkpoints (cloneState shareDead): revive a copy.
      const pin = s.pins[e.pin]!;
      s.pins[e.pin] = { ...pin, pages: pin.pages.slice(), status: e.from };
      return;
    }
    case "finding":
      s.findings--;
      return;
    case "design":
    case "genpool-add":
    case "fault":
    case "page-free":
    case "note":
    case "result":
      return;
  }
}
