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
  /**
   * vm_ops->may_split: __split_vma() (mm/vma.c, 7.3.4) asks it before splitting `vma` at `addr`;
   * an errno refuses the split (and the munmap / madvise that needed it)
   */
  maySplit?(k: Kernel, vma: Vma, addr: number): string | undefined;
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
  /**
   * dev_pagemap_ops->folio_free for a large folio (order > 0) whose refcount reached 0: the events
   * that free the folio [head, head + pages) (free_zone_device_folio() calls it with the compound
   * state intact, mm/memremap.c 7.3.4). Needed by designs that make large folios.
   */
  folioFree?(k: Kernel, dev: number, head: number, pages: number, info: PageInfo): LoopBodyInit[];
  /**
   * memremap_pages(): the pgmap references taken for a device of `pages` pages besides the
   * initial one: npages >> vmemmap_shift (mm/memremap.c pagemap_range(), memunmap_pages()).
   * Undefined: one per page (vmemmap_shift 0).
   */
  pgmapRefs?(k: Kernel, pages: number): number;
  /** probe-time set-up of the struct pages after memremap_pages() (compound folios at probe) */
  probe?(k: Kernel, dev: number): void;
  /**
   * get_unmapped_area of the allocate file: the alignment in bytes an mmap of `pages` pages of
   * device `dev` gets (p2pmem_get_unmapped_area); undefined: page alignment
   */
  mmapAlign?(k: Kernel, dev: number, pages: number): number;
  /** the devres action that deals with user mappings when the driver is unbound */
  unbindMappings(k: Kernel, dev: number): void;
  /** pgmap references held by the driver's own allocations, for the balance self-check */
  pgrefExtras(k: Kernel, dev: number): number;
  /**
   * bytes of vmemmap (struct page memory) a device of `pages` pages costs, where the design's
   * pgmap differs from one 64-byte struct page per page (huge.md §6.3 "Per device, static")
   */
  vmemmapBytes?(pages: number, pageSize: number): number;
  /** the function a leak finding is charged to */
  readonly leakFn: string;
}
