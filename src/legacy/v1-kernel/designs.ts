/**
 * What distinguishes the five mapping designs (../shared/kernel/README.md §2-3), as data the
 * simulator consults. The behaviour behind each flag is in sim.ts, next to the kernel function.
 */
import type { Design } from "../../scenario/ast.ts";
import { PTE_DEVMAP, PTE_NORMAL, PTE_PFNMAP, type PteKind } from "./state.ts";

export interface DesignTraits {
  /** kind of PTE the design installs */
  readonly pte: PteKind;
  /**
   * The pgmap has a page_free hook, so a page whose refcount drops to 0 goes back to the genpool
   * (p2pdma_page_free). RFC v1 and an MMIO-style driver predate it: their memory lives by a kref.
   */
  readonly pageFreeHook: boolean;
  /** memory belongs to a per-mmap pmap with a kref, taken by vm_ops->open and dropped by ->close */
  readonly pmap: boolean;
  /** p2pmem_alloc_mmap-style `vm_pgoff != 0 -> -EINVAL` check */
  readonly pgoffCheck: boolean;
  /** one line for menus and help */
  readonly summary: string;
}

export const DESIGN_TRAITS: Record<Design, DesignTraits> = {
  upstream: {
    pte: PTE_NORMAL,
    pageFreeHook: true,
    pmap: false,
    pgoffCheck: true,
    summary:
      "Linux 6.2+: allocate the whole length at mmap, vm_insert_page() each page (PTE holds a page ref)",
  },
  seed: {
    pte: PTE_DEVMAP,
    pageFreeHook: true,
    pmap: false,
    pgoffCheck: false,
    summary:
      "LKML sketch (2020-11-06): pci_alloc_p2pmem(PAGE_SIZE) + vmf_insert_mixed(PFN_DEV|PFN_MAP) per page",
  },
  "rfc-v1": {
    pte: PTE_DEVMAP,
    pageFreeHook: false,
    pmap: true,
    pgoffCheck: false,
    summary: "RFC v1: one allocation, vmf_insert_mixed() every page, freed when the last VMA closes",
  },
  fault: {
    pte: PTE_DEVMAP,
    pageFreeHook: true,
    pmap: true,
    pgoffCheck: true,
    summary:
      "RFC v2-v6: mmap sets up the VMA; the first fault allocates the whole length, vmf_insert_mixed() per touch",
  },
  remap: {
    pte: PTE_PFNMAP,
    pageFreeHook: false,
    pmap: true,
    pgoffCheck: true,
    summary:
      "MMIO-style driver: one allocation, io_remap_pfn_range(), VM_IO|VM_PFNMAP, freed by vm_ops->close",
  },
  // The huge designs came with language v2: no link the first engine replays names them, and its
  // mmap refuses them (sim.ts). Upstream's traits, so every other path stays as it was.
  huge: {
    pte: PTE_NORMAL,
    pageFreeHook: true,
    pmap: false,
    pgoffCheck: true,
    summary: "not in the first engine",
  },
  "huge-v1": {
    pte: PTE_NORMAL,
    pageFreeHook: true,
    pmap: false,
    pgoffCheck: true,
    summary: "not in the first engine",
  },
};
