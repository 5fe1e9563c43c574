/**
 * A mapping design is what a driver is in the kernel: an object that supplies the extension points
 * the mm core calls (the mmap handler, vm_operations_struct, dev_pagemap_ops), chosen once per run.
 * The mm core (../mm, ../proc) is generic; adding a design touches its own file and the registry.
 */
import type { Design } from "../../scenario/ast.ts";
import type { Kernel } from "../core.ts";
import type { LoopBodyInit } from "../events.ts";
import type { PageInfo } from "../runs.ts";
import type { Label, PteKind, Vma } from "../state.ts";

export interface VmOps {
  /** vm_ops->open: a VMA copy (fork) or a split piece starts sharing the mapping */
  open?(k: Kernel, vma: Vma): void;
  /** vm_ops->close: remove_vma() */
  close?(k: Kernel, vma: Vma): void;
  /** vm_ops->fault: a CPU access found no PTE; throws Outcome("SIGBUS") where there is no page */
  fault?(k: Kernel, p: number, vma: Vma, addr: number, label: Label): void;
}

export interface P2pDriver {
  readonly design: Design;
  /** one line for menus and help */
  readonly summary: string;
  /** the kind of PTE the design installs */
  readonly pte: PteKind;
  /** the function whose argument checks refuse a mapping (named in notes) */
  readonly mmapFn: string;
  /** p2pmem_alloc_mmap-style `vm_pgoff != 0 -> -EINVAL` */
  readonly pgoffCheck: boolean;
  /** the mapping is a dirty-tracked file (kernfs_vm_ops has ->page_mkwrite): 6.5+ refuses a writable long-term pin */
  readonly dirtyTracked: boolean;
  /**
   * The driver's mmap handler, called on a VMA that mmap_region() has set up but not linked in:
   * allocates and inserts `pages` pages, or throws Outcome.
   */
  mmap(k: Kernel, p: number, vma: Vma, pages: number): void;
  readonly vmOps: VmOps;
  /**
   * dev_pagemap_ops->page_free (folio_free from 6.19): the events for each page of the run
   * [page, page + n) of `dev` that reached refcount 0, whose fields are then `info` (checks are made
   * once for the run). Undefined
   * where the design has no such hook (RFC v1, an MMIO-style driver).
   */
  pageFree?(k: Kernel, dev: number, page: number, n: number, info: PageInfo): LoopBodyInit[];
  /** the devres action that deals with user mappings when the driver is unbound */
  unbindMappings(k: Kernel, dev: number): void;
  /** pgmap references held by the driver's own allocations, for the balance self-check */
  pgrefExtras(k: Kernel, dev: number): number;
  /** the function a leak finding is charged to */
  readonly leakFn: string;
}
