/**
 * Kernel versions as data (../shared/kernel/README.md §6 and §8): what the mm core and the p2pdma
 * driver do differently from one behaviour epoch to the next. The core consults these fields; no
 * code asks "which version is this".
 */
import type { KernelVersion } from "../scenario/ast.ts";

export type FailedInsert =
  /** 6220694c52a5 and 83014d82a110 applied: everything is balanced (7.3, 6.12.75+) */
  | "clean"
  /** before 6220694c52a5: the failed page's pgmap reference (the tryget) is never put (6.2-6.11) */
  | "leak-pgref"
  /** 6.15-6.19.3: the pgmap reference leaks and the failed page stays at refcount 1 while free */
  | "leak-pgref-stale-ref";

export interface VersionRules {
  readonly version: KernelVersion;
  /** the real kernels this epoch stands for */
  readonly stands: string;
  /**
   * Refcount of a free ZONE_DEVICE page, and of a page a driver holds from pci_alloc_p2pmem: 1
   * before b7e282378773 (6.15), 0 from it on.
   */
  readonly freeRefcount: 0 | 1;
  /** p2pmem_alloc_mmap() does set_page_count(page, 1) before vm_insert_page() (6.15+) */
  readonly setPageCountBeforeInsert: boolean;
  /** the name of the p2pdma dev_pagemap_ops hook run when a page's count reaches 0 (6.19 renamed it) */
  readonly pageFreeFn: "p2pdma_page_free" | "p2pdma_folio_free";
  /** the mm function that calls it */
  readonly freeZoneDevice: string;
  /** before 6.15: after ->page_free the count is reset to 1, where free pages rest */
  readonly resetCountAfterFree: boolean;
  /** a writable FOLL_LONGTERM pin of a dirty-tracked file mapping fails (6.5+, Lorenzo Stoakes) */
  readonly writableLongtermRefused: boolean;
  /** `pin ... longterm` with FOLL_PCI_P2PDMA: 6.2 check_vma_flags EOPNOTSUPP, 6.3+ is_valid_gup_args EINVAL */
  readonly longtermP2p: { readonly errno: string; readonly fn: string; readonly why: string };
  /** what a failed vm_insert_page() leaves behind in p2pmem_alloc_mmap() */
  readonly failedInsert: FailedInsert;
  /** the driver's probe-time setup function */
  readonly setupFn: string;
  /** the source release a function's line numbers are read from, for links */
  readonly sourceTag: string;
}

const EINVAL_GUP = {
  errno: "EINVAL",
  fn: "is_valid_gup_args",
  why: "FOLL_LONGTERM together with FOLL_PCI_P2PDMA is refused (WARN, -EINVAL)",
};
const EOPNOTSUPP_GUP = {
  errno: "EOPNOTSUPP",
  fn: "check_vma_flags",
  why: "FOLL_LONGTERM together with FOLL_PCI_P2PDMA is not supported: -EOPNOTSUPP",
};

export const VERSIONS: Record<KernelVersion, VersionRules> = {
  "5.10": {
    version: "5.10",
    stands: "5.10-5.18, the kernels of the RFC series",
    // The RFC designs bring their own ->page_free; the count reset after it is as in the 5.17+
    // kernels the later RFC versions ran on (free_zone_device_page) [P].
    freeRefcount: 1,
    setPageCountBeforeInsert: false,
    pageFreeFn: "p2pdma_page_free",
    freeZoneDevice: "free_zone_device_page",
    resetCountAfterFree: true,
    writableLongtermRefused: false,
    // 2020: FOLL_PCI_P2PDMA did not exist; the RFC designs apply the same flag rules [P] (§3.1).
    longtermP2p: EOPNOTSUPP_GUP,
    failedInsert: "leak-pgref",
    setupFn: "pci_p2pdma_add_resource",
    sourceTag: "v5.10",
  },
  "6.2": {
    version: "6.2",
    stands: "6.2-6.4, where p2pmem_alloc_mmap() was merged",
    freeRefcount: 1,
    setPageCountBeforeInsert: false,
    pageFreeFn: "p2pdma_page_free",
    freeZoneDevice: "free_zone_device_page",
    resetCountAfterFree: true,
    writableLongtermRefused: false,
    longtermP2p: EOPNOTSUPP_GUP,
    failedInsert: "leak-pgref",
    setupFn: "pci_p2pdma_setup",
    sourceTag: "v6.2",
  },
  "6.5": {
    version: "6.5",
    stands: "6.5-6.11",
    freeRefcount: 1,
    setPageCountBeforeInsert: false,
    pageFreeFn: "p2pdma_page_free",
    freeZoneDevice: "free_zone_device_page",
    resetCountAfterFree: true,
    writableLongtermRefused: true,
    longtermP2p: EINVAL_GUP,
    failedInsert: "leak-pgref",
    setupFn: "pci_p2pdma_setup",
    sourceTag: "v6.5",
  },
  "6.12": {
    version: "6.12",
    stands: "6.12.75 and later, e.g. Debian's 6.12.117",
    freeRefcount: 1,
    setPageCountBeforeInsert: false,
    pageFreeFn: "p2pdma_page_free",
    freeZoneDevice: "free_zone_device_folio",
    // 6.12.117 mm/memremap.c:459 free_zone_device_folio(): ->page_free, then folio_set_count(folio, 1)
    resetCountAfterFree: true,
    writableLongtermRefused: true,
    longtermP2p: EINVAL_GUP,
    failedInsert: "clean",
    setupFn: "pci_p2pdma_setup",
    sourceTag: "v6.12",
  },
  "6.15": {
    version: "6.15",
    stands: "6.15-6.19.3",
    freeRefcount: 0,
    setPageCountBeforeInsert: true,
    pageFreeFn: "p2pdma_page_free",
    freeZoneDevice: "free_zone_device_folio",
    resetCountAfterFree: false,
    writableLongtermRefused: true,
    longtermP2p: EINVAL_GUP,
    failedInsert: "leak-pgref-stale-ref",
    setupFn: "pci_p2pdma_setup",
    sourceTag: "v6.15",
  },
  "7.3": {
    version: "7.3",
    stands: "7.0-7.3 (and 6.18.14+, 6.19.4+), the newest",
    freeRefcount: 0,
    setPageCountBeforeInsert: true,
    pageFreeFn: "p2pdma_folio_free",
    freeZoneDevice: "free_zone_device_folio",
    resetCountAfterFree: false,
    writableLongtermRefused: true,
    longtermP2p: EINVAL_GUP,
    failedInsert: "clean",
    setupFn: "pci_p2pdma_setup_pool",
    sourceTag: "v7.3",
  },
};
