/**
 * The simulated kernel state: PCI devices with their p2pmem genpool and ZONE_DEVICE struct pages,
 * processes with their VMAs and page tables, the pmaps of the historical designs, and pins.
 *
 * Per-page fields are run-length maps (runs.ts), so a 1 TiB device mapped whole costs a few runs,
 * not 268 million entries. The state is mutated only by applying trace events (events.ts).
 */

import type { Design, KernelVersion } from "../scenario/ast.ts";
import { type PageInfo, PageRuns, type PteTable } from "./runs.ts";

export type { PageInfo, PageRun, PteKind, PteRun } from "./runs.ts";
export {
  isLeafKind,
  PageRuns,
  PTE_DEVMAP,
  PTE_KIND_NAMES,
  PTE_NORMAL,
  PTE_PFNMAP,
  PTE_PMD,
  PTE_PUD,
  PteTable,
  packPte,
  pteDev,
  pteKind,
  ptePage,
} from "./runs.ts";

export type DeviceLifecycle = "bound" | "unbinding" | "unbound";

export interface DeviceState {
  readonly index: number;
  readonly name: string;
  /** number of pages of p2pmem the BAR publishes */
  readonly pages: number;
  /** CPU physical address of the p2pmem (a 64-bit BAR), for pfn display */
  readonly barStart: number;
  lifecycle: DeviceLifecycle;
  /** the struct pages and genpool bits, as runs */
  pageRuns: PageRuns;
  freePages: number;
  /** pgmap->ref percpu_ref count: 1 initial + 1 per page (memremap_pages) + extras */
  pgref: number;
  /** percpu_ref_kill has run: tryget_live fails */
  pgrefDying: boolean;
  /** how many times the driver was bound (pci_p2pdma_add_resource); 1 until a `bind` */
  generation: number;
}

/** VMA flags (include/linux/mm.h), as a bit set. */
export const VM_SHARED = 1 << 0;
export const VM_MAYSHARE = 1 << 1;
export const VM_MIXEDMAP = 1 << 2;
export const VM_PFNMAP = 1 << 3;
export const VM_IO = 1 << 4;
export const VM_DONTEXPAND = 1 << 5;
export const VM_DONTDUMP = 1 << 6;
/** set by madvise(MADV_DONTFORK): dup_mmap() skips the VMA */
export const VM_DONTCOPY = 1 << 7;
export const VM_FLAG_NAMES: readonly [number, string][] = [
  [VM_SHARED, "VM_SHARED"],
  [VM_MAYSHARE, "VM_MAYSHARE"],
  [VM_MIXEDMAP, "VM_MIXEDMAP"],
  [VM_PFNMAP, "VM_PFNMAP"],
  [VM_IO, "VM_IO"],
  [VM_DONTEXPAND, "VM_DONTEXPAND"],
  [VM_DONTDUMP, "VM_DONTDUMP"],
  [VM_DONTCOPY, "VM_DONTCOPY"],
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
  /**
   * huge designs: the order of the folios the mapping was made of (vm_private_data = PAGE << order,
   * huge.md §3.3 step 7), which p2pmem_may_split() checks; undefined elsewhere
   */
  readonly order?: number;
  /**
   * dup_mmap() copied this VMA into a child without its entries (vma_needs_copy() false, huge.md
   * §3.5): the device page the parent mapped at `start`, for the fork-not-shared finding
   */
  readonly noCopy?: { readonly dev: number; readonly page: number };
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
  /**
   * do_exit() has begun but waits for this process's own pins (in-flight O_DIRECT I/O) to complete:
   * io_uring_files_cancel() / exit_aio() block before exit_mm() (kernel/exit.ts).
   */
  exiting: boolean;
  /** sorted by start, never overlapping */
  vmas: Vma[];
  /** page table, as runs of virtual pages */
  ptes: PteTable;
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
  /** the binding of the device it was made under (DeviceState.generation) */
  readonly generation: number;
}

export type PinStatus = "held" | "released" | "failed";

/** A run of pinned pages of one device. */
export interface PinnedRange {
  readonly dev: number;
  readonly page: number;
  readonly length: number;
}

export interface PinState {
  readonly name: string;
  readonly proc: number;
  /** the pinned pages, in pin order, as runs */
  readonly ranges: PinnedRange[];
  status: PinStatus;
}

export const packDevPage = (dev: number, page: number): number => dev * 2 ** 32 + page;
export const unpackDev = (p: number): number => Math.floor(p / 2 ** 32);
export const unpackPage = (p: number): number => p % 2 ** 32;

/** Pages a pin holds, expanded as packed (dev, page) numbers (for small views and tests). */
export function pinPages(pin: PinState): number[] {
  const out: number[] = [];
  for (const r of pin.ranges) for (let i = 0; i < r.length; i++) out.push(packDevPage(r.dev, r.page + i));
  return out;
}

export function pinPageCount(pin: PinState): number {
  let n = 0;
  for (const r of pin.ranges) n += r.length;
  return n;
}

export interface KernelState {
  readonly design: Design;
  readonly version: KernelVersion;
  readonly pageSize: number;
  readonly devices: DeviceState[];
  readonly processes: ProcessState[];
  readonly pmaps: Pmap[];
  readonly pins: PinState[];
  /** findings recorded up to here */
  findings: number;
}

export function emptyState(design: Design, pageSize: number, version: KernelVersion): KernelState {
  return { design, version, pageSize, devices: [], processes: [], pmaps: [], pins: [], findings: 0 };
}

export function newDevice(
  index: number,
  name: string,
  pages: number,
  barStart: number,
  freeRefcount: number,
): DeviceState {
  return {
    index,
    name,
    pages,
    barStart,
    lifecycle: "bound",
    pageRuns: new PageRuns(pages, {
      allocated: 0,
      owner: -1,
      refcount: freeRefcount,
      mapcount: 0,
      ptes: 0,
      pins: 0,
      order: 0,
      pincount: 0,
    }),
    freePages: pages,
    pgref: 0,
    pgrefDying: false,
    generation: 1,
  };
}

/** One page of a device, as a plain object. */
export function pageAt(d: DeviceState, page: number): PageInfo {
  return d.pageRuns.at(page);
}

/*
 * Copies as literals of the shapes the simulator makes, field by field: a spread's copy gets a
 * hidden class of its own, and a cursor applying events to such copies ran its steps at half speed.
 */
function cloneDevice(d: DeviceState): DeviceState {
  return {
    index: d.index,
    name: d.name,
    pages: d.pages,
    barStart: d.barStart,
    lifecycle: d.lifecycle,
    pageRuns: d.pageRuns.clone(),
    freePages: d.freePages,
    pgref: d.pgref,
    pgrefDying: d.pgrefDying,
    generation: d.generation,
  };
}

export function cloneProcess(p: ProcessState): ProcessState {
  return {
    index: p.index,
    name: p.name,
    alive: p.alive,
    exiting: p.exiting,
    vmas: p.vmas.slice(),
    ptes: p.ptes.clone(),
    labels: p.labels,
    rssFile: p.rssFile,
  };
}

export function clonePin(p: PinState): PinState {
  return { name: p.name, proc: p.proc, ranges: p.ranges.slice(), status: p.status };
}

/**
 * A deep copy of the state. With `shareDead`, exited processes and finished pins are shared rather
 * than copied: no event changes them in place (applying never touches them again, and reverting
 * their exit or release puts a fresh copy in their slot), so checkpoints and cursors can share them.
 */
export function cloneState(s: KernelState, shareDead = false): KernelState {
  return {
    design: s.design,
    version: s.version,
    pageSize: s.pageSize,
    devices: s.devices.map(cloneDevice),
    processes: s.processes.map((p) => (shareDead && !p.alive ? p : cloneProcess(p))),
    pmaps: s.pmaps.map((m) => ({ ...m })),
    pins: s.pins.map((p) => (shareDead && p.status !== "held" ? p : clonePin(p))),
    findings: s.findings,
  };
}

/** Processes and pins per shared chunk of a checkpoint (StateSnapshots). */
const CHUNK = 256;

/**
 * A checkpoint's copy of a state (what cloneState(s, true) gives), stored so that consecutive
 * checkpoints share what can no longer change: processes and pins live in chunks of CHUNK, and a
 * chunk whose processes have all exited (pins all finished) is frozen once and shared by every
 * later checkpoint. Taking a checkpoint costs the live chunks, not every process the run ever
 * made: a run that forks 36,500 children no longer copies 36,500-entry arrays at each checkpoint.
 * `state` makes the KernelState on demand (fresh arrays over the shared objects).
 */
export class StateSnapshot {
  constructor(
    private readonly base: KernelState,
    private readonly procChunks: readonly (readonly ProcessState[])[],
    private readonly pinChunks: readonly (readonly PinState[])[],
  ) {}

  get state(): KernelState {
    const processes: ProcessState[] = [];
    for (const c of this.procChunks) for (const p of c) processes.push(p);
    const pins: PinState[] = [];
    for (const c of this.pinChunks) for (const p of c) pins.push(p);
    const b = this.base;
    return {
      design: b.design,
      version: b.version,
      pageSize: b.pageSize,
      devices: b.devices,
      processes,
      pmaps: b.pmaps,
      pins,
      findings: b.findings,
    };
  }
}

/**
 * `all` in chunks of CHUNK: a frozen chunk as it was; otherwise the finished entries shared and the
 * others copied, and a chunk whose entries are all finished is frozen from now on.
 */
function chunks<T>(
  all: readonly T[],
  frozen: (readonly T[])[],
  finished: (x: T) => boolean,
  copy: (x: T) => T,
): (readonly T[])[] {
  const out: (readonly T[])[] = [];
  for (let c = 0; c * CHUNK < all.length; c++) {
    let chunk = frozen[c];
    if (!chunk) {
      const end = Math.min(all.length, (c + 1) * CHUNK);
      const fresh: T[] = [];
      let done = 0;
      for (let i = c * CHUNK; i < end; i++) {
        const x = all[i]!;
        if (finished(x)) {
          done++;
          fresh.push(x);
        } else fresh.push(copy(x));
      }
      if (done === CHUNK) frozen[c] = fresh;
      chunk = fresh;
    }
    out.push(chunk);
  }
  return out;
}

/**
 * Takes the snapshots of one forward run (the simulator's state, which never changes an exited
 * process or a finished pin again: see cloneState's shareDead), remembering the frozen chunks.
 */
export class Snapshotter {
  private readonly frozenProcs: (readonly ProcessState[])[] = [];
  private readonly frozenPins: (readonly PinState[])[] = [];
  /** rough size of the state last taken, in runs (device runs, live PTE runs and VMAs, pins, pmaps) */
  weight = 0;

  take(s: KernelState): StateSnapshot {
    let w = 0;
    for (const d of s.devices) w += d.pageRuns.runCount * 6;
    // Live processes are all in chunks not frozen: copying them is where they are weighed.
    const procChunks = chunks(
      s.processes,
      this.frozenProcs,
      (p) => !p.alive,
      (p) => {
        w += p.ptes.runCount * 5 + p.vmas.length;
        return cloneProcess(p);
      },
    );
    const pinChunks = chunks(s.pins, this.frozenPins, (p) => p.status !== "held", clonePin);
    this.weight = w + s.pins.length + s.pmaps.length;
    const base: KernelState = {
      design: s.design,
      version: s.version,
      pageSize: s.pageSize,
      devices: s.devices.map(cloneDevice),
      processes: [],
      pmaps: s.pmaps.map((m) => ({ ...m })),
      pins: [],
      findings: s.findings,
    };
    return new StateSnapshot(base, procChunks, pinChunks);
  }
}

/**
 * A leaked page: allocated in the genpool, yet no PTE maps it, no pin holds it and no live pmap
 * owns it, so nothing will ever give it back.
 */
export function isLeakedInfo(s: KernelState, r: PageInfo): boolean {
  if (!r.allocated || r.ptes > 0 || r.pins > 0) return false;
  return !(r.owner >= 0 && s.pmaps[r.owner]!.kref > 0);
}

/**
 * Whether any page of the large folio holding `page` is mapped or pinned: a folio has one
 * refcount, so each of its pages is held while any is (folios are naturally aligned).
 */
export function folioInUse(runs: PageRuns, page: number, order: number): boolean {
  const size = 2 ** order;
  const head = Math.floor(page / size) * size;
  return runs.count((x) => x.ptes > 0 || x.pins > 0, head, size) > 0;
}

/** Leaked pages of a device (see isLeakedInfo; a page of a held large folio is not), by runs. */
export function leakedPages(s: KernelState, d: DeviceState): number {
  let n = 0;
  for (const r of d.pageRuns.runs()) {
    if (!isLeakedInfo(s, r)) continue;
    if (r.order > 0 && folioInUse(d.pageRuns, r.start, r.order)) continue;
    n += r.length;
  }
  return n;
}

/** What a person sees for a page in the pool panel, derived from the page's fields. */
export type PageLook = "free" | "allocated" | "mapped" | "pinned" | "freed-in-use" | "gone";

export function lookOf(d: DeviceState, r: PageInfo): PageLook {
  if (d.lifecycle === "unbound") return "gone";
  const inUse = r.ptes > 0 || r.pins > 0;
  if (!r.allocated) return inUse ? "freed-in-use" : "free";
  if (r.pins > 0) return "pinned";
  if (r.ptes > 0) return "mapped";
  return "allocated";
}

export function pageLook(d: DeviceState, page: number): PageLook {
  return lookOf(d, pageAt(d, page));
}
