/**
 * The simulated kernel state: PCI devices with their p2pmem genpool and ZONE_DEVICE struct pages,
 * processes with their VMAs and page tables, the pmaps of the historical designs, and pins.
 *
 * Per-page fields are typed arrays so a device of 4G (a million pages) stays cheap to clone for
 * trace checkpoints. The state is mutated only by applyEvent() (events.ts), which makes every
 * change an invertible trace event.
 */

import type { Design } from "../../scenario/ast.ts";

export type DeviceLifecycle = "bound" | "unbinding" | "unbound";

export interface DeviceState {
  readonly index: number;
  readonly name: string;
  /** number of pages of p2pmem the BAR publishes */
  readonly pages: number;
  /** CPU physical address of the p2pmem (a 64-bit BAR), for pfn display */
  readonly barStart: number;
  lifecycle: DeviceLifecycle;
  /** struct page _refcount (6.15+: a free page rests at 0) */
  readonly refcount: Int32Array;
  /** struct page _mapcount + 1: rmap count made by vm_insert_page, not by devmap/pfnmap PTEs */
  readonly mapcount: Int32Array;
  /** how many PTEs of any kind (normal, devmap, pfnmap) point at the page, in all processes */
  readonly ptes: Int32Array;
  /** how many held pins include the page */
  readonly pins: Int32Array;
  /** genpool bitmap: 1 when the page is allocated */
  readonly allocated: Uint8Array;
  /** pmap id that owns the page (rfc-v1, fault, remap), or -1 */
  readonly owner: Int32Array;
  freePages: number;
  /** pgmap->ref percpu_ref count: 1 initial + 1 per page (memremap_pages) + extras */
  pgref: number;
  /** percpu_ref_kill has run: tryget_live fails */
  pgrefDying: boolean;
}

/** PTE kinds, as §1 of the kernel reference names them. */
export const PTE_NORMAL = 0;
export const PTE_DEVMAP = 1;
export const PTE_PFNMAP = 2;
export type PteKind = typeof PTE_NORMAL | typeof PTE_DEVMAP | typeof PTE_PFNMAP;
export const PTE_KIND_NAMES = ["normal", "devmap", "pfnmap"] as const;

/** A PTE packed in one number: page * 4096 + device * 4 + kind (devices < 1024). */
export function packPte(dev: number, page: number, kind: PteKind): number {
  return page * 4096 + dev * 4 + kind;
}
export const pteDev = (p: number): number => (p % 4096) >> 2;
export const ptePage = (p: number): number => Math.floor(p / 4096);
export const pteKind = (p: number): PteKind => (p % 4) as PteKind;

/** VMA flags (include/linux/mm.h), as a bit set. */
export const VM_SHARED = 1 << 0;
export const VM_MAYSHARE = 1 << 1;
export const VM_MIXEDMAP = 1 << 2;
export const VM_PFNMAP = 1 << 3;
export const VM_IO = 1 << 4;
export const VM_DONTEXPAND = 1 << 5;
export const VM_DONTDUMP = 1 << 6;
export const VM_FLAG_NAMES: readonly [number, string][] = [
  [VM_SHARED, "VM_SHARED"],
  [VM_MAYSHARE, "VM_MAYSHARE"],
  [VM_MIXEDMAP, "VM_MIXEDMAP"],
  [VM_PFNMAP, "VM_PFNMAP"],
  [VM_IO, "VM_IO"],
  [VM_DONTEXPAND, "VM_DONTEXPAND"],
  [VM_DONTDUMP, "VM_DONTDUMP"],
];
export function vmFlagNames(flags: number): string[] {
  return VM_FLAG_NAMES.filter(([bit]) => flags & bit).map(([, name]) => name);
}

export interface Vma {
  readonly id: number;
  readonly start: number;
  readonly end: number;
  /** vm_pgoff, in pages */
  readonly pgoff: number;
  readonly flags: number;
  readonly dev: number;
  /** the pmap (vm_private_data) of rfc-v1/fault/remap, or -1 */
  readonly pmap: number;
  /** the scenario label this VMA came from */
  readonly label: string;
}

/** A scenario label: the address range an mmap statement named (kept even if the mmap failed). */
export interface Label {
  readonly name: string;
  readonly start: number;
  readonly len: number;
  readonly dev: number;
}

/**
 * A process's labels as an immutable list, newest first. Labels are only ever added, so a fork
 * shares its parent's list and a checkpoint shares it too: no copying, however many labels there are.
 */
export class LabelList {
  static readonly EMPTY = new LabelList(null, null, 0);
  private constructor(
    readonly head: Label | null,
    readonly rest: LabelList | null,
    readonly size: number,
  ) {}
  with(label: Label): LabelList {
    return new LabelList(label, this, this.size + 1);
  }
  get(name: string): Label | undefined {
    for (let l: LabelList | null = this; l?.head; l = l.rest) if (l.head.name === name) return l.head;
    return undefined;
  }
  /** oldest first */
  values(): Label[] {
    const out: Label[] = [];
    for (let l: LabelList | null = this; l?.head; l = l.rest) out.push(l.head);
    return out.reverse();
  }
}

export interface ProcessState {
  readonly index: number;
  readonly name: string;
  alive: boolean;
  /** sorted by start, never overlapping */
  vmas: Vma[];
  /** page table: virtual page number -> packed PTE */
  readonly ptes: Map<number, number>;
  /** the scenario labels this process can name (its own and those inherited at fork) */
  labels: LabelList;
  /** MM_FILEPAGES rss counter, in pages */
  rssFile: number;
}

/**
 * The per-mmap object of RFC-era designs (`struct p2pdma_pmap`-like): a kref shared by every VMA
 * made from one mmap, and (once allocated) the first page of its allocation.
 */
export interface Pmap {
  readonly id: number;
  readonly dev: number;
  /** length in pages */
  readonly pages: number;
  /** first page of the allocation, or -1 while nothing is allocated */
  first: number;
  kref: number;
}

export type PinStatus = "held" | "released" | "failed";

export interface PinState {
  readonly name: string;
  readonly proc: number;
  /** packed (dev * 2^32 + page) of each pinned page, in pin order */
  readonly pages: number[];
  status: PinStatus;
}

export const packDevPage = (dev: number, page: number): number => dev * 2 ** 32 + page;
export const unpackDev = (p: number): number => Math.floor(p / 2 ** 32);
export const unpackPage = (p: number): number => p % 2 ** 32;

export interface KernelState {
  readonly design: Design;
  readonly pageSize: number;
  readonly devices: DeviceState[];
  readonly processes: ProcessState[];
  readonly pmaps: Pmap[];
  readonly pins: PinState[];
  /** findings recorded up to here */
  findings: number;
}

export function emptyState(design: Design, pageSize: number): KernelState {
  return { design, pageSize, devices: [], processes: [], pmaps: [], pins: [], findings: 0 };
}

export function newDevice(index: number, name: string, pages: number, barStart: number): DeviceState {
  return {
    index,
    name,
    pages,
    barStart,
    lifecycle: "bound",
    refcount: new Int32Array(pages),
    mapcount: new Int32Array(pages),
    ptes: new Int32Array(pages),
    pins: new Int32Array(pages),
    allocated: new Uint8Array(pages),
    owner: new Int32Array(pages).fill(-1),
    freePages: pages,
    pgref: 0,
    pgrefDying: false,
  };
}

/**
 * A deep copy of the state. With `shareDead`, exited processes and finished pins are shared rather
 * than copied: no event changes them in place (applying never touches them again, and reverting
 * their exit or release puts a fresh copy in their slot), so checkpoints and cursors can share them.
 */
export function cloneState(s: KernelState, shareDead = false): KernelState {
  return {
    design: s.design,
    pageSize: s.pageSize,
    devices: s.devices.map((d) => ({
      ...d,
      refcount: d.refcount.slice(),
      mapcount: d.mapcount.slice(),
      ptes: d.ptes.slice(),
      pins: d.pins.slice(),
      allocated: d.allocated.slice(),
      owner: d.owner.slice(),
    })),
    processes: s.processes.map((p) =>
      shareDead && !p.alive ? p : { ...p, vmas: p.vmas.slice(), ptes: new Map(p.ptes) },
    ),
    pmaps: s.pmaps.map((m) => ({ ...m })),
    // A pin that is released or failed never changes again (in the simulator's forward run).
    pins: s.pins.map((p) => (shareDead && p.status !== "held" ? p : { ...p, pages: p.pages.slice() })),
    findings: s.findings,
  };
}

/**
 * A leaked page: allocated in the genpool, yet no PTE maps it, no pin holds it and no live pmap
 * owns it, so nothing will ever give it back.
 */
export function isLeaked(s: KernelState, d: DeviceState, page: number): boolean {
  if (!d.allocated[page] || d.ptes[page]! > 0 || d.pins[page]! > 0) return false;
  const owner = d.owner[page]!;
  return !(owner >= 0 && s.pmaps[owner]!.kref > 0);
}

/** What a person sees for a page in the pool panel, derived from the page's fields. */
export type PageLook = "free" | "allocated" | "mapped" | "pinned" | "freed-in-use" | "gone";

export function pageLook(d: DeviceState, page: number): PageLook {
  if (d.lifecycle === "unbound") return "gone";
  const inUse = d.ptes[page]! > 0 || d.pins[page]! > 0;
  if (!d.allocated[page]) return inUse ? "freed-in-use" : "free";
  if (d.pins[page]! > 0) return "pinned";
  if (d.ptes[page]! > 0) return "mapped";
  return "allocated";
}
