/**
 * The kernel model: runs scenario statements against KernelState, emitting one event per kernel
 * effect. Each method names the kernel function it models; the semantics follow
 * ../shared/kernel/README.md (section numbers below) and, where it is silent, the kernel source.
 *
 * The simulator never mutates the state directly: it emits events, and applyEvent() changes the
 * state. A trace replayed from any checkpoint therefore reaches exactly the same states.
 */

import type { Design, Stmt } from "../../scenario/ast.ts";
import { DESIGN_TRAITS, type DesignTraits } from "./designs.ts";
import { applyEvent, type EventInit, type KernelEvent } from "./events.ts";
import {
  cloneState,
  type DeviceState,
  emptyState,
  isLeaked,
  type KernelState,
  type Label,
  type ProcessState,
  PTE_NORMAL,
  packPte,
  pteDev,
  pteKind,
  ptePage,
  VM_DONTDUMP,
  VM_DONTEXPAND,
  VM_IO,
  VM_MAYSHARE,
  VM_MIXEDMAP,
  VM_PFNMAP,
  VM_SHARED,
  type Vma,
} from "./state.ts";

export type FindingKind =
  | "use-after-free"
  | "leak"
  | "unbind-hang"
  | "stale-mapping"
  | "alias"
  | "refcount-underflow"
  | "double-free"
  | "pgref-imbalance";

export interface SimFinding {
  readonly step: number;
  readonly line: number;
  readonly kind: FindingKind;
  readonly device: string;
  readonly page: number;
  readonly pages: number;
  readonly text: string;
}

export interface SimCheckpoint {
  readonly step: number;
  readonly state: KernelState;
}

/** GUP_PIN_COUNTING_BIAS (include/linux/mm.h): a FOLL_PIN on an order-0 page adds 1024 refs. */
export const GUP_PIN_COUNTING_BIAS = 1024;
/** Top of the simulated user address space: mappings are placed top-down below it. */
export const MMAP_TOP = 2 ** 47;
const MMAP_MIN_ADDR = 0x10000;
/** Where device k's p2pmem BAR sits in physical memory (a 64-bit BAR), for pfns. */
export const BAR_BASE = 0x40_0000_0000;
export const BAR_STRIDE = 0x1_0000_0000;

/** Thrown when a run reaches the event budget; the trace keeps what ran. */
export class EventBudgetExceeded extends Error {}

/** A statement ended early with this errno or signal. */
class Outcome {
  constructor(readonly result: string) {}
}

/** Finding gathered during a statement, merged with its neighbours when the statement ends. */
interface PendingFinding {
  kind: FindingKind;
  dev: number;
  page: number;
  fn: string;
  /** sentence for one page; `{pages}` is replaced by the page range after merging */
  text: string;
}

export interface SimOptions {
  /** stop with EventBudgetExceeded after this many events */
  readonly maxEvents?: number;
  /** take a checkpoint at least this many events apart (grows with the state's size) */
  readonly checkpointEvery?: number;
}

export class Simulator {
  readonly state: KernelState;
  readonly events: KernelEvent[] = [];
  readonly findings: SimFinding[] = [];
  readonly checkpoints: SimCheckpoint[] = [];
  readonly traits: DesignTraits;
  private line = 0;
  private nextVmaId = 0;
  private readonly maxEvents: number;
  private readonly checkpointEvery: number;
  private nextCheckpoint: number;
  /** per process: lowest address handed out so far (addresses are never reused, see mmap) */
  private readonly mmapBase: number[] = [];
  /** pages whose references changed during the current statement (for the leak check) */
  private touched = new Set<number>();
  /** pages already reported as leaked and not freed since */
  private readonly leaked = new Set<number>();
  private pending: PendingFinding[] = [];
  /** name -> index, so 100k statements over thousands of processes stay linear */
  private readonly procByName = new Map<string, number>();
  private readonly devByName = new Map<string, number>();
  private readonly pinByName = new Map<string, number>();
  /** per process: label lookups, filled as labels are made or first found through the parent */
  private readonly labelIndex: Map<string, Label>[] = [];

  constructor(
    readonly design: Design,
    readonly pageSize: number,
    opts: SimOptions = {},
  ) {
    this.state = emptyState(design, pageSize);
    this.traits = DESIGN_TRAITS[design];
    this.maxEvents = opts.maxEvents ?? 4_000_000;
    this.checkpointEvery = opts.checkpointEvery ?? 8192;
    this.checkpoints.push({ step: 0, state: cloneState(this.state) });
    this.nextCheckpoint = this.checkpointEvery;
  }

  // ---------------------------------------------------------------- plumbing

  private emit(init: EventInit): void {
    // The init object becomes the event: no copy per event (a hot path of millions).
    const ev = init as KernelEvent & { line: number };
    ev.line = this.line;
    applyEvent(this.state, ev);
    this.events.push(ev);
    const n = this.events.length;
    if (n >= this.nextCheckpoint) {
      this.checkpoints.push({ step: n, state: cloneState(this.state, true) });
      // A checkpoint costs a copy of the state: space them by the state's size so copying stays a
      // small fraction of the run even with a million-page device.
      this.nextCheckpoint = n + Math.max(this.checkpointEvery, stateWeight(this.state) >> 2);
    }
    if (n >= this.maxEvents) throw new EventBudgetExceeded();
  }

  private note(fn: string, text: string): void {
    this.emit({ kind: "note", fn, text });
  }

  private lifecycle(i: number): DeviceState["lifecycle"] {
    return this.dev(i).lifecycle;
  }

  private dev(i: number): DeviceState {
    return this.state.devices[i]!;
  }

  private proc(i: number): ProcessState {
    return this.state.processes[i]!;
  }

  /** The label `name` of process p (its own or inherited), cached so long fork chains stay cheap. */
  private label(p: number, name: string): Label {
    const index = this.labelIndex[p]!;
    let l = index.get(name);
    if (!l) {
      l = this.proc(p).labels.get(name)!;
      index.set(name, l);
    }
    return l;
  }

  private devIndex(name: string): number {
    return this.devByName.get(name)!;
  }

  private procIndex(name: string): number {
    return this.procByName.get(name)!;
  }

  /** Small-integer key of a page (devices < 1024, pages < 2^20), cheap in a Set. */
  private static key(dev: number, page: number): number {
    return dev * 1048576 + page;
  }

  private touch(dev: number, page: number): void {
    this.touched.add(Simulator.key(dev, page));
  }

  private find(kind: FindingKind, dev: number, page: number, fn: string, text: string): void {
    this.pending.push({ kind, dev, page, fn, text });
  }

  // ---------------------------------------------------------------- statements

  /** Runs one statement; returns its result ("ok", an errno, a signal or "blocked"). */
  run(st: Stmt, line: number, opIndex: number): string {
    this.line = line;
    this.touched = new Set();
    let result: string;
    try {
      result = this.statement(st);
    } catch (e) {
      if (!(e instanceof Outcome)) throw e;
      result = e.result;
    }
    this.endOfStatement();
    this.emit({ kind: "result", fn: resultFn(st), op: opIndex, result });
    return result;
  }

  private statement(st: Stmt): string {
    switch (st.op) {
      case "kernel":
      case "page":
        this.emit({ kind: "design", fn: "p2pviz", design: this.design, pageSize: this.pageSize });
        return "ok";
      case "device":
        this.addDevice(st.dev, st.size / this.pageSize);
        return "ok";
      case "process":
        this.emit({
          kind: "process-add",
          fn: "copy_process",
          proc: this.state.processes.length,
          name: st.proc,
          parent: -1,
        });
        this.procByName.set(st.proc, this.state.processes.length - 1);
        this.mmapBase.push(MMAP_TOP);
        this.labelIndex.push(new Map());
        return "ok";
      case "mmap":
        return this.mmap(
          this.procIndex(st.proc),
          st.map,
          this.devIndex(st.dev),
          st.len,
          st.private,
          st.offset ?? 0,
        );
      case "touch":
        return this.touchAddr(this.procIndex(st.proc), st.map, st.off);
      case "pin":
        return this.pin(this.procIndex(st.proc), st.pin, st.map, st.off, st.len, st.longterm, st.nop2p);
      case "unpin":
        return this.unpin(st.pin);
      case "fork":
        return this.fork(this.procIndex(st.proc), st.child);
      case "munmap":
        return this.munmap(this.procIndex(st.proc), st.map, st.off, st.len);
      case "exit":
        return this.exit(this.procIndex(st.proc));
      case "unbind":
        return this.unbind(this.devIndex(st.dev));
      case "bind":
      case "madvise":
      case "inject":
        // Language v2 statements: the parser does not accept them until the v2 model lands.
        throw new Error(`${st.op}: not simulated by this engine`);
    }
  }

  /**
   * drivers/pci/p2pdma.c pci_p2pdma_add_resource(): devm_memremap_pages() creates the struct pages
   * and takes one pgmap reference per page (mm/memremap.c), then gen_pool_add_owner() adds the
   * whole BAR range as one chunk (§2.1).
   */
  private addDevice(name: string, pages: number): void {
    const dev = this.state.devices.length;
    this.emit({
      kind: "device-add",
      fn: "pci_p2pdma_add_resource",
      dev,
      name,
      pages,
      barStart: BAR_BASE + dev * BAR_STRIDE,
    });
    this.devByName.set(name, dev);
    // percpu_ref_init() starts at 1; memremap_pages() adds one per page.
    this.pgref(dev, 1 + pages, "devm_memremap_pages");
    this.emit({ kind: "genpool-add", fn: "gen_pool_add_owner", dev });
  }

  // ---------------------------------------------------------------- genpool (lib/genalloc.c)

  /**
   * lib/genalloc.c gen_pool_first_fit() via bitmap_find_next_zero_area(): the lowest run of `n` free
   * pages, or -1. One chunk per device, so no run spans chunks.
   */
  private firstFit(dev: number, n: number): number {
    const d = this.dev(dev);
    if (n > d.freePages) return -1;
    const bits = d.allocated;
    let run = 0;
    for (let i = 0; i < d.pages; i++) {
      if (bits[i]) run = 0;
      else if (++run === n) return i - n + 1;
    }
    return -1;
  }

  /** gen_pool_alloc_owner(): sets the bits of the run, page by page. */
  private genpoolAlloc(dev: number, first: number, n: number, owner: number, fn: string): void {
    const d = this.dev(dev);
    for (let p = first; p < first + n; p++) {
      if (d.pins[p]! > 0) {
        this.find(
          "use-after-free",
          dev,
          p,
          fn,
          `${d.name} {pages}: handed out again while an earlier pin is still in flight, so that DMA can overwrite the new owner's data`,
        );
      }
      this.emit({ kind: "genpool-alloc", fn, dev, page: p, owner });
    }
  }

  /**
   * gen_pool_free_owner(): clears the page's bit. The kernel BUGs on a bit that is already clear;
   * the model records a double-free finding instead and goes on.
   */
  private genpoolFree(dev: number, page: number, fn: string): void {
    const d = this.dev(dev);
    if (!d.allocated[page]) {
      this.find(
        "double-free",
        dev,
        page,
        fn,
        `${d.name} {pages}: freed twice, where gen_pool_free() would BUG on a clear bit`,
      );
      return;
    }
    if (d.ptes[page]! > 0) {
      this.find(
        "use-after-free",
        dev,
        page,
        fn,
        `${d.name} {pages}: went back to the pool while still mapped, so the next owner shares memory with the old mapping`,
      );
    } else if (d.pins[page]! > 0) {
      this.find(
        "use-after-free",
        dev,
        page,
        fn,
        `${d.name} {pages}: went back to the pool while pinned for I/O (freed while pinned)`,
      );
    }
    this.emit({ kind: "genpool-free", fn, dev, page, owner: d.owner[page]! });
    this.leaked.delete(Simulator.key(dev, page));
  }

  // ---------------------------------------------------------------- struct page refcounts

  /** A page reference change; a put that reaches zero frees the page when the design has a hook. */
  private pageRef(dev: number, page: number, delta: number, fn: string): void {
    const d = this.dev(dev);
    this.emit({ kind: "page-ref", fn, dev, page, delta, to: d.refcount[page]! + delta });
    this.touch(dev, page);
    const ref = d.refcount[page]!;
    if (ref < 0) {
      this.find("refcount-underflow", dev, page, fn, `${d.name} {pages}: refcount went below zero (${ref})`);
    } else if (ref === 0 && delta < 0 && this.traits.pageFreeHook) {
      this.freeZoneDeviceFolio(dev, page);
    }
  }

  /**
   * mm/memremap.c free_zone_device_folio(): the last put calls pgmap->ops->page_free, which for
   * p2pdma is p2pdma_page_free(): gen_pool_free_owner() of that one page, then percpu_ref_put() (§2.4).
   */
  private freeZoneDeviceFolio(dev: number, page: number): void {
    this.emit({ kind: "page-free", fn: "free_zone_device_folio", dev, page });
    this.genpoolFree(dev, page, "p2pdma_page_free");
    this.pgrefPut(dev, 1, "p2pdma_page_free");
  }

  /** A change of pgmap->ref (percpu_ref get/put), with the count after it. */
  private pgref(dev: number, delta: number, fn: string): void {
    this.emit({ kind: "pgref", fn, dev, delta, to: this.dev(dev).pgref + delta });
  }

  /** percpu_ref_put(&pgmap->ref): during an unbind, the last put lets memunmap_pages() go on. */
  private pgrefPut(dev: number, n: number, fn: string): void {
    this.pgref(dev, -n, fn);
    const d = this.dev(dev);
    if (d.lifecycle === "unbinding" && d.pgref === 0) this.finishUnbind(dev);
  }

  // ---------------------------------------------------------------- mmap

  /**
   * mm/mmap.c do_mmap() -> mmap_region() -> kernfs_fop_mmap() -> the design's mmap (§2.3, §3).
   * The label names its address range even when mmap fails, so addresses are handed out top-down
   * and never reused (Linux would reuse a freed gap; the language needs a label to keep naming the
   * same addresses).
   */
  private mmap(p: number, map: string, dev: number, len: number, priv: boolean, offset: number): string {
    const pagesLen = Math.ceil(len / this.pageSize);
    const bytes = pagesLen * this.pageSize;
    const base = this.mmapBase[p]!;
    const fits = base - bytes >= MMAP_MIN_ADDR;
    const start = fits ? base - bytes : 0;
    if (fits) this.mmapBase[p] = start;
    const label: Label = { name: map, start, len: bytes, dev };
    this.emit({ kind: "label-add", fn: "get_unmapped_area", proc: p, label });
    this.labelIndex[p]!.set(map, label);
    if (len === 0) throw new Outcome("EINVAL"); // do_mmap: !len
    if (!fits) throw new Outcome("ENOMEM"); // get_unmapped_area: no room below mmap_base
    const d = this.dev(dev);
    if (d.lifecycle !== "bound") {
      // kernfs_fop_mmap: the allocate file was removed at unbind (the fd is from before it).
      this.note("kernfs_fop_mmap", `the p2pmem allocate file of ${d.name} is gone: its driver was unbound`);
      throw new Outcome("ENODEV");
    }
    const flags = priv ? 0 : VM_SHARED | VM_MAYSHARE;
    const pmap = this.traits.pmap ? this.state.pmaps.length : -1;
    const vma: Vma = {
      id: this.nextVmaId++,
      start,
      end: start + bytes,
      pgoff: offset / this.pageSize,
      flags: this.traits.pte === PTE_NORMAL ? flags : flags | VM_MIXEDMAP,
      dev,
      pmap,
      label: map,
    };
    const checkFn = this.design === "upstream" ? "p2pmem_alloc_mmap" : "pci_mmap_p2pmem";
    // The driver's ->mmap runs on a VMA that mmap_region() has set up but not yet linked in.
    if (priv) {
      this.note(checkFn, "MAP_PRIVATE: the VMA lacks VM_MAYSHARE, so the mapping is refused");
      throw new Outcome("EINVAL");
    }
    if (this.traits.pgoffCheck && offset !== 0) {
      this.note(checkFn, "vm_pgoff != 0: a mapping must start at offset 0 of the allocate file");
      throw new Outcome("EINVAL");
    }
    switch (this.design) {
      case "upstream":
        return this.p2pmemAllocMmap(p, vma, pagesLen);
      case "seed":
        return this.seedMmap(p, vma, pagesLen);
      case "rfc-v1":
      case "remap":
        return this.pmapMmap(p, vma, pagesLen);
      case "fault":
        this.emit({
          kind: "pmap-create",
          fn: "pci_mmap_p2pmem",
          pmap: { id: pmap, dev, pages: pagesLen, first: -1, kref: 1 },
        });
        this.emit({ kind: "vma-create", fn: "mmap_region", proc: p, vma });
        return "ok";
      case "huge":
      case "huge-v1":
        // Links written before format v3 cannot name the huge designs (they came with language v2).
        throw new Error(`the first engine does not simulate '${this.design}'`);
    }
  }

  /**
   * drivers/pci/p2pdma.c p2pmem_alloc_mmap() (6.15+ with the fixes of §6): one contiguous
   * allocation of the whole length, then per page set_page_count(1), vm_insert_page() (which takes
   * its own reference), percpu_ref_get(), put_page(). Each page ends at refcount 1, mapcount 1.
   */
  private p2pmemAllocMmap(p: number, vma: Vma, n: number): string {
    const dev = vma.dev;
    const first = this.firstFit(dev, n);
    if (first < 0) {
      this.note(
        "gen_pool_alloc_owner",
        `no run of ${n} free pages in ${this.dev(dev).name}: p2pmem_alloc_mmap fails`,
      );
      throw new Outcome("ENOMEM");
    }
    this.emit({ kind: "vma-create", fn: "mmap_region", proc: p, vma });
    this.genpoolAlloc(dev, first, n, -1, "gen_pool_alloc_owner");
    this.pgref(dev, 1, "percpu_ref_tryget_live_rcu");
    const d = this.dev(dev);
    for (let i = 0; i < n; i++) {
      const page = first + i;
      const ref = d.refcount[page]!;
      if (ref !== 1) this.pageRef(dev, page, 1 - ref, "set_page_count");
      if (i === 0) this.setVmaFlags(p, vma.id, vma.flags | VM_MIXEDMAP, "vm_insert_page");
      this.pageRef(dev, page, 1, "insert_page");
      this.emit({
        kind: "pte-set",
        fn: "insert_page",
        proc: p,
        vpn: vma.start / this.pageSize + i,
        pte: packPte(dev, page, PTE_NORMAL),
        rmap: 1,
      });
      this.pgref(dev, 1, "percpu_ref_get");
      this.pageRef(dev, page, -1, "put_page");
    }
    this.pgrefPut(dev, 1, "percpu_ref_put");
    return "ok";
  }

  /**
   * The LKML sketch (§3.0): for each page, pci_alloc_p2pmem(PAGE_SIZE) (first fit, one pgmap
   * reference, the allocation's page reference) and vmf_insert_mixed(PFN_DEV|PFN_MAP), a devmap PTE
   * that takes no reference. A page that cannot be allocated fails the mmap; pages already taken go
   * back [P].
   */
  private seedMmap(p: number, vma: Vma, n: number): string {
    const dev = vma.dev;
    this.emit({ kind: "vma-create", fn: "mmap_region", proc: p, vma });
    const taken: number[] = [];
    for (let i = 0; i < n; i++) {
      const page = this.firstFit(dev, 1);
      if (page < 0) {
        this.note(
          "pci_alloc_p2pmem",
          `${this.dev(dev).name} has no free page left: the mmap fails and gives back what it took`,
        );
        this.zapRange(p, vma.start, vma.start + i * this.pageSize, "zap_pte_range");
        this.emit({ kind: "vma-remove", fn: "mmap_region", proc: p, vma: this.findVmaById(p, vma.id)! });
        for (const t of taken) {
          this.pageRef(dev, t, -1, "pci_free_p2pmem");
        }
        throw new Outcome("ENOMEM");
      }
      this.genpoolAlloc(dev, page, 1, -1, "pci_alloc_p2pmem");
      this.pgref(dev, 1, "percpu_ref_tryget_live_rcu");
      this.pageRef(dev, page, 1, "pci_alloc_p2pmem");
      taken.push(page);
      this.emit({
        kind: "pte-set",
        fn: "vmf_insert_mixed",
        proc: p,
        vpn: vma.start / this.pageSize + i,
        pte: packPte(dev, page, this.traits.pte),
        rmap: 0,
      });
    }
    return "ok";
  }

  /**
   * RFC v1 (§3.1) and an MMIO-style driver (§3.4): pci_alloc_p2pmem(len) makes one contiguous
   * allocation with one pgmap reference, owned by a kref'd pmap; every page gets a devmap PTE
   * (vmf_insert_mixed) or a pfnmap PTE (io_remap_pfn_range), neither of which takes a page reference.
   */
  private pmapMmap(p: number, vma: Vma, n: number): string {
    const dev = vma.dev;
    const first = this.firstFit(dev, n);
    if (first < 0) {
      this.note("pci_alloc_p2pmem", `no run of ${n} free pages in ${this.dev(dev).name}`);
      throw new Outcome("ENOMEM");
    }
    this.emit({ kind: "vma-create", fn: "mmap_region", proc: p, vma });
    this.genpoolAlloc(dev, first, n, vma.pmap, "pci_alloc_p2pmem");
    this.pgref(dev, 1, "percpu_ref_tryget_live_rcu");
    this.emit({
      kind: "pmap-create",
      fn: "pci_mmap_p2pmem",
      pmap: { id: vma.pmap, dev, pages: n, first, kref: 1 },
    });
    const remap = this.design === "remap";
    if (remap) {
      this.setVmaFlags(
        p,
        vma.id,
        (vma.flags & ~VM_MIXEDMAP) | VM_IO | VM_PFNMAP | VM_DONTEXPAND | VM_DONTDUMP,
        "remap_pfn_range",
      );
    }
    const fn = remap ? "remap_pfn_range" : "vmf_insert_mixed";
    for (let i = 0; i < n; i++) {
      this.emit({
        kind: "pte-set",
        fn,
        proc: p,
        vpn: vma.start / this.pageSize + i,
        pte: packPte(dev, first + i, this.traits.pte),
        rmap: 0,
      });
    }
    return "ok";
  }

  private setVmaFlags(p: number, vmaId: number, to: number, fn: string): void {
    const v = this.findVmaById(p, vmaId)!;
    if (v.flags !== to) this.emit({ kind: "vma-flags", fn, proc: p, vmaId, from: v.flags, to });
  }

  private findVmaById(p: number, id: number): Vma | undefined {
    return this.proc(p).vmas.find((v) => v.id === id);
  }

  private findVma(p: number, addr: number): Vma | undefined {
    for (const v of this.proc(p).vmas) if (addr >= v.start && addr < v.end) return v;
    return undefined;
  }

  // ---------------------------------------------------------------- faults and touch

  /**
   * A CPU load (arch/x86/mm/fault.c do_user_addr_fault): no VMA is SIGSEGV; a present PTE needs no
   * fault; otherwise handle_mm_fault() runs the design's fault path.
   */
  private touchAddr(p: number, map: string, off: number): string {
    const label = this.label(p, map);
    const addr = label.start + off;
    const vma = this.findVma(p, addr);
    if (!vma) {
      this.note("do_user_addr_fault", `no VMA covers ${hex(addr)}: the load gets SIGSEGV`);
      return "SIGSEGV";
    }
    const vpn = Math.floor(addr / this.pageSize);
    const pte = this.proc(p).ptes.get(vpn);
    if (pte !== undefined) {
      this.stalePteCheck(p, pte, "do_user_addr_fault", "reads");
      this.note("do_user_addr_fault", `the PTE for ${hex(addr)} is present: the load needs no fault`);
      return "ok";
    }
    this.fault(p, vma, addr, label);
    return "ok";
  }

  /** A user access through a PTE whose device has been unbound reaches a BAR nobody owns any more. */
  private stalePteCheck(p: number, pte: number, fn: string, verb: string): void {
    const dev = pteDev(pte);
    const d = this.dev(dev);
    if (d.lifecycle !== "bound") {
      this.find(
        "stale-mapping",
        dev,
        ptePage(pte),
        fn,
        `${d.name} {pages}: ${this.proc(p).name} still ${verb} it after the driver was unbound, reaching a BAR the driver gave up`,
      );
    }
  }

  /** mm/memory.c handle_mm_fault() for a page with no PTE; throws SIGBUS where the design has no page. */
  private fault(p: number, vma: Vma, addr: number, label: Label): void {
    const vpn = Math.floor(addr / this.pageSize);
    this.emit({ kind: "fault", fn: "handle_mm_fault", proc: p, vpn });
    if (this.design === "upstream") {
      // §2.3: no .fault in p2pmem; kernfs_vma_fault() answers SIGBUS.
      this.note("kernfs_vma_fault", "p2pmem has no fault handler: kernfs_vma_fault returns VM_FAULT_SIGBUS");
      throw new Outcome("SIGBUS");
    }
    if (this.design !== "fault") {
      this.note("do_fault", "the VMA's vm_ops has no ->fault: VM_FAULT_SIGBUS");
      throw new Outcome("SIGBUS");
    }
    this.pciP2pdmaVmaFault(p, vma, addr, label);
  }

  /**
   * RFC v6 pci_p2pdma_vma_fault() (§3.2): the first fault allocates the whole length of the pmap
   * (each page at ref 1, the pmap's reference); then the faulting page alone gets a devmap PTE,
   * indexed by (address - vma->vm_start).
   */
  private pciP2pdmaVmaFault(p: number, vma: Vma, addr: number, label: Label): void {
    const pm = this.state.pmaps[vma.pmap]!;
    const d = this.dev(pm.dev);
    if (pm.first < 0) {
      if (d.lifecycle !== "bound") {
        this.note("pci_p2pdma_vma_fault", `${d.name} is no longer active: VM_FAULT_SIGBUS`);
        throw new Outcome("SIGBUS");
      }
      const first = this.firstFit(pm.dev, pm.pages);
      if (first < 0) {
        this.note(
          "pci_p2pdma_vma_alloc",
          `No free P2PDMA memory: no run of ${pm.pages} pages in ${d.name}, VM_FAULT_SIGBUS`,
        );
        throw new Outcome("SIGBUS");
      }
      this.genpoolAlloc(pm.dev, first, pm.pages, pm.id, "pci_p2pdma_vma_alloc");
      for (let i = 0; i < pm.pages; i++) {
        this.pgref(pm.dev, 1, "percpu_ref_get");
        this.pageRef(pm.dev, first + i, 1, "pci_p2pdma_vma_alloc");
      }
      this.emit({
        kind: "pmap-first",
        fn: "pci_p2pdma_vma_alloc",
        pmap: pm.id,
        from: -1,
        to: first,
        pages: pm.pages,
      });
    }
    const idx = Math.floor((addr - vma.start) / this.pageSize);
    const page = pm.first + idx;
    const meant = Math.floor((addr - label.start) / this.pageSize);
    if (idx !== meant) {
      this.find(
        "alias",
        pm.dev,
        page,
        "pci_p2pdma_vma_fault",
        `${this.proc(p).name} ${label.name}+${hexOff(addr - label.start)} was mapped to ${d.name} {pages}, which belongs at ${label.name}+${hexOff(idx * this.pageSize)}: after the split, (address - vm_start) indexes the allocation from the wrong base`,
      );
    }
    this.emit({
      kind: "pte-set",
      fn: "vmf_insert_mixed",
      proc: p,
      vpn: Math.floor(addr / this.pageSize),
      pte: packPte(pm.dev, page, this.traits.pte),
      rmap: 0,
    });
  }

  // ---------------------------------------------------------------- pin / unpin (mm/gup.c)

  /**
   * pin_user_pages() as O_DIRECT does it (§2.8). All or nothing [P]: pages grabbed before a
   * failure are released, as an O_DIRECT caller does.
   */
  private pin(
    p: number,
    name: string,
    map: string,
    off: number,
    len: number,
    longterm: boolean,
    nop2p: boolean,
  ): string {
    const pinIdx = this.state.pins.length;
    this.emit({ kind: "pin-create", fn: "pin_user_pages", pin: pinIdx, name, proc: p });
    this.pinByName.set(name, pinIdx);
    const fail = (errno: string): never => {
      const pin = this.state.pins[pinIdx]!;
      for (const packed of pin.pages.slice().reverse()) {
        const dev = Math.floor(packed / 2 ** 32);
        const page = packed % 2 ** 32;
        this.emit({ kind: "unpin-page", fn: "unpin_user_page", pin: pinIdx, dev, page });
        this.pageRef(dev, page, -GUP_PIN_COUNTING_BIAS, "unpin_user_page");
      }
      this.emit({ kind: "pin-status", fn: "pin_user_pages", pin: pinIdx, from: "held", to: "failed" });
      throw new Outcome(errno);
    };
    if (longterm && !nop2p) {
      this.note(
        "is_valid_gup_args",
        "FOLL_LONGTERM together with FOLL_PCI_P2PDMA is refused (WARN, -EINVAL)",
      );
      fail("EINVAL");
    }
    const label = this.label(p, map);
    for (let a = label.start + off; a < label.start + off + len; a += this.pageSize) {
      const vma = this.findVma(p, a);
      if (!vma) {
        this.note("__get_user_pages", `no VMA covers ${hex(a)}: -EFAULT`);
        fail("EFAULT");
      }
      if (vma!.flags & (VM_IO | VM_PFNMAP)) {
        this.note("check_vma_flags", "VM_IO|VM_PFNMAP: GUP cannot pin raw pfns, -EFAULT");
        fail("EFAULT");
      }
      if (longterm && this.design === "upstream") {
        // A writable FOLL_LONGTERM pin of a file mapping that needs dirty tracking: kernfs_vm_ops
        // has .page_mkwrite (observed on 6.12: io_uring buffer registration of p2pmem -> EFAULT).
        this.note(
          "check_vma_flags",
          "writable FOLL_LONGTERM pin of a file mapping with ->page_mkwrite: writable_file_mapping_allowed() fails, -EFAULT",
        );
        fail("EFAULT");
      }
      const vpn = Math.floor(a / this.pageSize);
      let pte = this.proc(p).ptes.get(vpn);
      if (pte === undefined) {
        try {
          this.fault(p, vma!, a, label);
        } catch (e) {
          if (!(e instanceof Outcome)) throw e;
          this.note("faultin_page", `the fault answered ${e.result}: -EFAULT`);
          fail("EFAULT");
        }
        pte = this.proc(p).ptes.get(vpn)!;
      }
      const dev = pteDev(pte);
      const page = ptePage(pte);
      if (pteKind(pte) !== PTE_NORMAL && this.dev(dev).pgrefDying) {
        // follow_page_pte: get_dev_pagemap() fails once the pgmap is dying.
        this.note(
          "follow_page_pte",
          `get_dev_pagemap fails: ${this.dev(dev).name}'s pgmap is dying, -EFAULT`,
        );
        fail("EFAULT");
      }
      if (nop2p) {
        this.note(
          "try_grab_folio",
          "a P2PDMA page without FOLL_PCI_P2PDMA: try_grab_page returns -EREMOTEIO",
        );
        fail("EREMOTEIO");
      }
      this.stalePteCheck(p, pte, "try_grab_folio", "pins");
      this.pageRef(dev, page, GUP_PIN_COUNTING_BIAS, "try_grab_folio");
      this.emit({ kind: "pin-page", fn: "try_grab_folio", pin: pinIdx, dev, page });
    }
    return "ok";
  }

  /** unpin_user_pages(): drops GUP_PIN_COUNTING_BIAS per page; a page that reaches 0 is freed. */
  private unpin(name: string): string {
    const pinIdx = this.pinByName.get(name)!;
    const pin = this.state.pins[pinIdx]!;
    if (pin.status === "failed") {
      this.note("unpin_user_pages", `pin ${name} failed, so it holds nothing to release`);
      return "ok";
    }
    for (const packed of pin.pages) {
      const dev = Math.floor(packed / 2 ** 32);
      const page = packed % 2 ** 32;
      this.emit({ kind: "unpin-page", fn: "unpin_user_page", pin: pinIdx, dev, page });
      this.pageRef(dev, page, -GUP_PIN_COUNTING_BIAS, "unpin_user_page");
    }
    this.emit({ kind: "pin-status", fn: "unpin_user_pages", pin: pinIdx, from: "held", to: "released" });
    return "ok";
  }

  // ---------------------------------------------------------------- fork

  /**
   * kernel/fork.c dup_mmap() (§2.6): each VMA is copied and vm_ops->open runs; copy_page_range()
   * copies the PTEs. A normal PTE's page gains a reference and a mapcount (copy_present_pte);
   * devmap and pfnmap PTEs are copied without touching the page.
   */
  private fork(p: number, childName: string): string {
    const child = this.state.processes.length;
    this.emit({ kind: "process-add", fn: "copy_process", proc: child, name: childName, parent: p });
    this.procByName.set(childName, child);
    this.mmapBase.push(this.mmapBase[p]!);
    this.labelIndex.push(new Map());
    const parent = this.proc(p);
    for (const v of parent.vmas.slice()) {
      const copy: Vma = { ...v, id: this.nextVmaId++ };
      this.emit({ kind: "vma-create", fn: "dup_mmap", proc: child, vma: copy });
      this.vmOpen(copy);
      const firstVpn = v.start / this.pageSize;
      const lastVpn = v.end / this.pageSize;
      for (let vpn = firstVpn; vpn < lastVpn; vpn++) {
        const pte = parent.ptes.get(vpn);
        if (pte === undefined) continue;
        const normal = pteKind(pte) === PTE_NORMAL;
        if (normal) this.pageRef(pteDev(pte), ptePage(pte), 1, "copy_present_pte");
        this.emit({ kind: "pte-set", fn: "copy_present_pte", proc: child, vpn, pte, rmap: normal ? 1 : 0 });
      }
    }
    return "ok";
  }

  /** vm_ops->open: RFC-era designs take a kref on the pmap (kernfs_vma_open does nothing). */
  private vmOpen(v: Vma): void {
    if (v.pmap >= 0) this.emit({ kind: "pmap-kref", fn: "vm_ops->open", pmap: v.pmap, delta: 1 });
  }

  // ---------------------------------------------------------------- munmap and exit

  private munmap(p: number, map: string, off: number | undefined, len: number | undefined): string {
    const label = this.label(p, map);
    if (len === 0) {
      this.note("do_vmi_munmap", "a zero length is refused: -EINVAL");
      return "EINVAL";
    }
    const start = label.start + (off ?? 0);
    const end = off === undefined ? label.start + label.len : start + len!;
    this.unmapRange(p, start, end);
    return "ok";
  }

  /**
   * mm/vma.c do_vmi_align_munmap() (§2.5): split the VMAs that straddle the range (__split_vma:
   * the new VMA gets vm_ops->open, the upper piece's pgoff moves up), zap the PTEs of the range
   * (zap_pte_range), release the gathered page references (tlb_finish_mmu), then remove each VMA
   * (remove_vma -> vm_ops->close).
   */
  private unmapRange(p: number, start: number, end: number): void {
    const proc = this.proc(p);
    const overlapping = proc.vmas.filter((v) => v.end > start && v.start < end);
    if (overlapping.length === 0) {
      this.note("do_vmi_munmap", `nothing is mapped in ${hex(start)}-${hex(end)}: munmap returns 0`);
      return;
    }
    const firstV = overlapping[0]!;
    if (firstV.start < start) this.splitVma(p, firstV, start, true);
    const lastV = this.findVma(p, end - 1);
    if (lastV && lastV.end > end) this.splitVma(p, lastV, end, false);
    const doomed = this.proc(p).vmas.filter((v) => v.start >= start && v.end <= end);
    const batch: number[] = [];
    for (const v of doomed) this.zapRange(p, v.start, v.end, "zap_pte_range", batch);
    this.releaseBatch(batch);
    for (const v of doomed) this.removeVma(p, v);
  }

  /** __split_vma(vma, addr, new_below) (mm/vma.c). */
  private splitVma(p: number, v: Vma, at: number, newBelow: boolean): void {
    const newId = this.nextVmaId++;
    const upperPgoff = v.pgoff + (at - v.start) / this.pageSize;
    this.emit({ kind: "vma-split", fn: "__split_vma", proc: p, vma: v, at, newId, newBelow, upperPgoff });
    this.vmOpen(v);
  }

  /**
   * zap_pte_range() over [start, end): clears each PTE; a normal PTE also drops its mapcount and
   * queues its page reference in the mmu_gather batch (put by releaseBatch). Devmap and pfnmap PTEs
   * are special: vm_normal_page() returns NULL, so no page is touched.
   */
  private zapRange(p: number, start: number, end: number, fn: string, batch: number[] = []): number[] {
    const proc = this.proc(p);
    for (let vpn = start / this.pageSize; vpn < end / this.pageSize; vpn++) {
      const pte = proc.ptes.get(vpn);
      if (pte === undefined) continue;
      const normal = pteKind(pte) === PTE_NORMAL;
      this.emit({ kind: "pte-clear", fn, proc: p, vpn, pte, rmap: normal ? 1 : 0 });
      this.touch(pteDev(pte), ptePage(pte));
      if (normal) batch.push(pte);
    }
    return batch;
  }

  /** tlb_finish_mmu() -> folios_put_refs(): the gathered references are dropped after the zap. */
  private releaseBatch(batch: number[]): void {
    for (const pte of batch) this.pageRef(pteDev(pte), ptePage(pte), -1, "tlb_finish_mmu");
  }

  /** remove_vma(): vm_ops->close, then the VMA is freed. */
  private removeVma(p: number, v: Vma): void {
    const cur = this.findVmaById(p, v.id)!;
    if (cur.pmap >= 0) this.vmClose(cur.pmap);
    this.emit({ kind: "vma-remove", fn: "remove_vma", proc: p, vma: cur });
  }

  /** vm_ops->close of the RFC-era designs: kref_put on the pmap; the last one releases the memory. */
  private vmClose(pmapId: number): void {
    this.emit({ kind: "pmap-kref", fn: "vm_ops->close", pmap: pmapId, delta: -1 });
    const pm = this.state.pmaps[pmapId]!;
    if (pm.kref > 0 || pm.first < 0) return;
    if (this.design === "fault") this.faultPmapRelease(pm.id);
    else this.pciFreeP2pmem(pm.id);
  }

  /**
   * pci_free_p2pmem() of a whole pmap allocation (rfc-v1, remap): gen_pool_free_owner() of every
   * page, whatever its refcount says, then one percpu_ref_put(). A page still pinned goes back to
   * the pool: the flaw Jason Gunthorpe pointed at (§3.1).
   */
  private pciFreeP2pmem(pmapId: number): void {
    const pm = this.state.pmaps[pmapId]!;
    for (let i = 0; i < pm.pages; i++) {
      this.touch(pm.dev, pm.first + i);
      this.genpoolFree(pm.dev, pm.first + i, "pci_free_p2pmem");
    }
    this.emit({
      kind: "pmap-first",
      fn: "pci_free_p2pmem",
      pmap: pm.id,
      from: pm.first,
      to: -1,
      pages: pm.pages,
    });
    this.pgrefPut(pm.dev, 1, "pci_free_p2pmem");
  }

  /**
   * RFC v6 pci_p2pdma_map_release(), run after an RCU grace period [P: applied at the end of the
   * statement that closed the last VMA]: put_page() on every page of the allocation, so each page
   * whose only reference was the pmap's goes back to the pool through p2pdma_page_free().
   */
  private faultPmapRelease(pmapId: number): void {
    const pm = this.state.pmaps[pmapId]!;
    this.note("call_rcu", "the last VMA closed: the pmap is released after an RCU grace period");
    const first = pm.first;
    this.emit({
      kind: "pmap-first",
      fn: "pci_p2pdma_map_release",
      pmap: pm.id,
      from: first,
      to: -1,
      pages: pm.pages,
    });
    for (let i = 0; i < pm.pages; i++) this.pageRef(pm.dev, first + i, -1, "put_page");
  }

  /** do_exit() -> exit_mmap() (§2.7): as a munmap of every VMA; pins stay with their I/O. */
  private exit(p: number): string {
    const proc = this.proc(p);
    const vmas = proc.vmas.slice();
    const batch: number[] = [];
    for (const v of vmas) this.zapRange(p, v.start, v.end, "unmap_vmas", batch);
    this.releaseBatch(batch);
    for (const v of vmas) this.removeVma(p, v);
    this.emit({ kind: "process-exit", fn: "do_exit", proc: p });
    return "ok";
  }

  // ---------------------------------------------------------------- unbind (§2.10, §3)

  private unbind(dev: number): string {
    const d = this.dev(dev);
    if (d.lifecycle !== "bound") {
      this.note("unbind_store", `${d.name} has no driver bound: -ENODEV`);
      return "ENODEV";
    }
    this.emit({ kind: "device-state", fn: "device_release_driver", dev, from: "bound", to: "unbinding" });
    if (this.design === "upstream") this.pciP2pdmaUnmapMappings(dev);
    else if (this.design === "fault") this.faultUnmapMappings(dev);
    else this.reportStaleMappings(dev);
    // memunmap_pages(): kill the percpu_ref (dropping its initial reference), drop the per-page base
    // references, then wait_for_completion(&pgmap->done).
    this.emit({ kind: "pgref-kill", fn: "percpu_ref_kill", dev });
    this.pgref(dev, -1, "percpu_ref_kill");
    this.pgrefPut(dev, d.pages, "memunmap_pages");
    // The puts above may have completed the unbind already (finishUnbind).
    if (this.lifecycle(dev) === "unbound") return "ok";
    this.note(
      "memunmap_pages",
      `wait_for_completion(&pgmap->done) blocks: ${d.pgref} pgmap reference${d.pgref === 1 ? "" : "s"} of ${d.name} still held`,
    );
    this.checkUnbindHang(dev);
    return "blocked";
  }

  /**
   * pci_p2pdma_unmap_mappings() (upstream §2.10 step 1): the allocate file is removed and drained;
   * unmap_mapping_range() zaps its PTEs in every process. VMAs stay; pages go back as their
   * references drop.
   */
  private pciP2pdmaUnmapMappings(dev: number): void {
    this.note(
      "sysfs_remove_file_from_group",
      `p2pmem/allocate of ${this.dev(dev).name} is removed and its open files drained`,
    );
    const batch: number[] = [];
    for (const proc of this.state.processes) {
      if (!proc.alive) continue;
      for (const v of proc.vmas)
        if (v.dev === dev) this.zapRange(proc.index, v.start, v.end, "unmap_mapping_range", batch);
    }
    this.releaseBatch(batch);
  }

  /**
   * RFC v4/v6 pci_p2pdma_unmap_mappings() (§3.2): deactivate, unmap_mapping_range() clears the devmap
   * PTEs (no page references change), then put_page() every page of every pmap.
   */
  private faultUnmapMappings(dev: number): void {
    this.note("synchronize_rcu", "p2pdma->active = false; synchronize_rcu()");
    for (const proc of this.state.processes) {
      if (!proc.alive) continue;
      for (const v of proc.vmas)
        if (v.dev === dev) this.zapRange(proc.index, v.start, v.end, "unmap_mapping_range");
    }
    for (const pm of this.state.pmaps) {
      if (pm.dev !== dev || pm.first < 0) continue;
      const first = pm.first;
      this.emit({
        kind: "pmap-first",
        fn: "pci_p2pdma_unmap_mappings",
        pmap: pm.id,
        from: first,
        to: -1,
        pages: pm.pages,
      });
      for (let i = 0; i < pm.pages; i++) this.pageRef(dev, first + i, -1, "put_page");
    }
  }

  /** Designs without an unmap step leave user mappings of the BAR in place (§3.0, §3.1, §3.4). */
  private reportStaleMappings(dev: number): void {
    const d = this.dev(dev);
    this.note("device_release_driver", `nothing in this design unmaps user mappings of ${d.name}`);
    for (const proc of this.state.processes) {
      if (!proc.alive) continue;
      for (const v of proc.vmas) {
        if (v.dev !== dev) continue;
        for (let vpn = v.start / this.pageSize; vpn < v.end / this.pageSize; vpn++) {
          const pte = proc.ptes.get(vpn);
          if (pte === undefined) continue;
          this.find(
            "stale-mapping",
            dev,
            ptePage(pte),
            "device_release_driver",
            `${d.name} {pages}: still mapped by ${proc.name} '${v.label}' after unbind, so user space keeps reaching the BAR`,
          );
        }
      }
    }
  }

  /**
   * Can the wait ever end? Each remaining pgmap reference must be held by something a statement can
   * drop: a page whose refcount is more than its PTEs, pins and pmap account for holds a reference
   * nothing will ever put (the seed design's leak), and the unbind hangs for good.
   */
  private checkUnbindHang(dev: number): void {
    const d = this.dev(dev);
    if (!this.traits.pageFreeHook) return; // pmap designs: the wait ends when the last VMA closes
    for (let page = 0; page < d.pages; page++) {
      if (!d.allocated[page]) continue;
      const owner = d.owner[page]!;
      const pmapHold = owner >= 0 && this.state.pmaps[owner]!.first >= 0 ? 1 : 0;
      const accounted = d.mapcount[page]! + GUP_PIN_COUNTING_BIAS * d.pins[page]! + pmapHold;
      if (d.refcount[page]! > accounted) {
        this.find(
          "unbind-hang",
          dev,
          page,
          "memunmap_pages",
          `${d.name} {pages}: hold a reference that nothing will ever put, so pgmap->ref never reaches zero and the unbind can never finish`,
        );
      }
    }
  }

  /** The wait in memunmap_pages() is over: pci_p2pdma_release() and gen_pool_destroy() run. */
  private finishUnbind(dev: number): void {
    const d = this.dev(dev);
    this.note(
      "memunmap_pages",
      `the last pgmap reference of ${d.name} is gone: wait_for_completion returns, struct pages are removed`,
    );
    this.note("pci_p2pdma_release", "pdev->p2pdma = NULL; synchronize_rcu(); gen_pool_destroy()");
    for (let page = 0; page < d.pages; page++) {
      if (d.allocated[page]) {
        this.find(
          "leak",
          dev,
          page,
          "gen_pool_destroy",
          `${d.name} {pages}: still allocated at gen_pool_destroy(), where the kernel would BUG`,
        );
      }
    }
    this.emit({ kind: "device-state", fn: "pci_p2pdma_release", dev, from: "unbinding", to: "unbound" });
  }

  // ---------------------------------------------------------------- checks at the end of a statement

  /**
   * Leak check over the pages this statement touched: an allocated page that no PTE maps, no pin
   * holds and no live pmap owns can never go back to the pool. Then the pgmap reference balance,
   * and the pending findings, merged into runs of pages.
   */
  private endOfStatement(): void {
    for (const packed of this.touched) {
      const dev = Math.floor(packed / 1048576);
      const page = packed % 1048576;
      const d = this.dev(dev);
      if (!isLeaked(this.state, d, page) || this.leaked.has(packed)) continue;
      this.leaked.add(packed);
      this.find(
        "leak",
        dev,
        page,
        leakFn(this.design),
        `${d.name} {pages}: leaked, still allocated with refcount ${d.refcount[page]} and no PTE, pin or owner left to free it`,
      );
    }
    this.checkPgrefBalance();
    this.flushFindings();
  }

  /** pgmap->ref must equal what holds it: the initial ref, the per-page base refs and the extras. */
  private checkPgrefBalance(): void {
    for (const d of this.state.devices) {
      if (d.lifecycle === "unbound") continue;
      let extras = 0;
      if (this.traits.pmap && this.design !== "fault") {
        for (const pm of this.state.pmaps) if (pm.dev === d.index && pm.first >= 0) extras++;
      } else {
        extras = d.pages - d.freePages;
      }
      const expected = (d.pgrefDying ? 0 : 1 + d.pages) + extras;
      if (d.pgref !== expected) {
        this.find(
          "pgref-imbalance",
          d.index,
          0,
          "percpu_ref_put",
          `${d.name} {pages}: pgmap->ref is ${d.pgref} but the pages and allocations hold ${expected}`,
        );
      }
    }
  }

  private flushFindings(): void {
    const pend = this.pending;
    this.pending = [];
    // Group by what the finding says (in the order first seen), then by page, so runs merge.
    const order = new Map<string, number>();
    for (const f of pend) if (!order.has(f.text)) order.set(f.text, order.size);
    pend.sort((a, b) => order.get(a.text)! - order.get(b.text)! || a.dev - b.dev || a.page - b.page);
    let i = 0;
    while (i < pend.length) {
      const f = pend[i]!;
      let j = i + 1;
      while (j < pend.length) {
        const g = pend[j]!;
        if (g.text !== f.text || g.kind !== f.kind || g.dev !== f.dev || g.page !== pend[j - 1]!.page + 1)
          break;
        j++;
      }
      const n = j - i;
      const range = n === 1 ? `page ${f.page}` : `pages ${f.page}-${f.page + n - 1}`;
      const text = f.text.replace("{pages}", range);
      const index = this.findings.length;
      this.findings.push({
        step: this.events.length,
        line: this.line,
        kind: f.kind,
        device: this.dev(f.dev).name,
        page: f.page,
        pages: n,
        text,
      });
      this.emit({ kind: "finding", fn: f.fn, finding: index });
      i = j;
    }
  }
}

function leakFn(design: Design): string {
  return design === "seed" ? "zap_pte_range" : "put_page";
}

/** The kernel entry point a statement's result comes from. */
function resultFn(st: Stmt): string {
  switch (st.op) {
    case "kernel":
    case "page":
      return "p2pviz";
    case "device":
      return "pci_p2pdma_add_resource";
    case "process":
      return "copy_process";
    case "mmap":
      return "do_mmap";
    case "touch":
      return "do_user_addr_fault";
    case "pin":
      return "pin_user_pages";
    case "unpin":
      return "unpin_user_pages";
    case "fork":
      return "copy_process";
    case "munmap":
      return "do_vmi_munmap";
    case "exit":
      return "do_exit";
    case "unbind":
      return "device_release_driver";
    case "bind":
      return "pci_p2pdma_add_resource";
    case "madvise":
      return "do_madvise";
    case "inject":
      return "p2pviz";
  }
}

/** Rough size of a state, in array entries, to space checkpoints. */
function stateWeight(s: KernelState): number {
  let w = 0;
  for (const d of s.devices) w += d.pages;
  for (const p of s.processes) w += p.ptes.size * 4 + p.vmas.length;
  return w;
}

export function hex(n: number): string {
  return `0x${n.toString(16)}`;
}

function hexOff(n: number): string {
  return n % 1024 === 0 && n > 0 ? `${n / 1024}K` : String(n);
}
