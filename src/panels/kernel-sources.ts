/**
 * Where each modelled kernel function lives: its file and line range, read in one kernel version
 * (LINES_READ_AT), and the Linux version each design simulates. Data only; the kernel-code panel
 * shows it with a link to a source browser.
 *
 * The ranges were read on 2026-12-04 in Debian's linux-source-6.12 6.12.117-1~deb12u1 (the tree
 * kernel-lab/ builds), function definition to closing brace. Debian's unprivileged_userns_clone
 * patch adds 6 lines to kernel/fork.c before dup_mmap and 4 more inside copy_process: the fork.c
 * ranges below are corrected to the vanilla 6.12.117 tree that the links open. The other files
 * were not diffed against vanilla (Debian's patch series was not at hand); Debian rarely patches
 * them. The torvalds/linux copy in the search index was a 4.20-era snapshot (pci_alloc_p2pmem
 * without RCU), too old for line numbers.
 */

import { VERSIONS } from "../kernel/versions.ts";
import type { Design, KernelVersion } from "../scenario/ast.ts";

/** The kernel version the line ranges were read in. */
export const LINES_READ_AT = "6.12.117";

/** The Linux version each design simulates (kernel spec, ../shared/kernel/README.md). */
export const DESIGN_KERNEL: Readonly<Record<Design, { readonly version: string; readonly what: string }>> = {
  upstream: { version: "7.3.4", what: "p2pmem_alloc_mmap() as merged, with every fix through 7.3.4" },
  seed: { version: "5.10", what: "the LKML sketch of 2020-11-06, against 5.10-rc" },
  "rfc-v1": { version: "5.10", what: "RFC v1 of 2020-11-06, against 5.10-rc" },
  fault: { version: "5.10", what: "RFC v2-v6 (first posted against 5.10-rc)" },
  remap: { version: "5.10", what: "an MMIO-style driver of the same era" },
  huge: {
    version: "7.3.4",
    what: "proposal, not merged: the maintainers' direction for huge folios (huge.md §3), on 7.3.4 primitives",
  },
  "huge-v1": {
    version: "7.3.4",
    what: "proposal, not merged: the compound-page series as posted 2025-12-20 (huge.md §4), on 7.3.4",
  },
};

/**
 * The Linux a run simulates: its design in the kernel version it ran in (the version switch, a
 * `kernel DESIGN VERSION` line). A design in its own default kernel is DESIGN_KERNEL; upstream at
 * 6.12 is the lab's 6.12.117; any other version is that behaviour epoch (versions.ts).
 */
export function simulatedKernel(
  design: Design,
  version: KernelVersion,
): { readonly version: string; readonly what: string } {
  const own = DESIGN_KERNEL[design];
  if (design === "upstream") {
    if (version === "7.3") return own;
    if (version === "6.12")
      return { version: "6.12.117", what: "p2pmem_alloc_mmap() as in Debian's 6.12.117" };
    return { version, what: `p2pmem_alloc_mmap() in Linux ${VERSIONS[version].stands}` };
  }
  if (version === "5.10") return own;
  return { version, what: `${own.what}, with the mm of Linux ${VERSIONS[version].stands}` };
}

export interface SourceRange {
  readonly file: string;
  /** the definition's first and last line in LINES_READ_AT */
  readonly from: number;
  readonly to: number;
  /** the symbol defined there, when the model's name is a wrapper or a renamed function */
  readonly symbol?: string;
}

export interface SourceElsewhere {
  readonly file: string;
  /** why there is no line range: the function never reached Linux, or is not a kernel function */
  readonly note: string;
}

export type SourceRef = SourceRange | SourceElsewhere;

export function hasRange(s: SourceRef): s is SourceRange {
  return "from" in s;
}

const RFC = "posted on LKML (RFC series), never merged: no line range in Linux";

/** Every function describe.ts MODELLED_FUNCTIONS names. */
export const KERNEL_SOURCES: Readonly<Record<string, SourceRef>> = {
  p2pviz: { file: "p2pviz", note: "the simulator's own setup, not kernel code" },
  pci_p2pdma_add_resource: { file: "drivers/pci/p2pdma.c", from: 286, to: 357 },
  devm_memremap_pages: { file: "mm/memremap.c", from: 403, to: 417 },
  gen_pool_add_owner: { file: "lib/genalloc.c", from: 184, to: 207 },
  gen_pool_alloc_owner: { file: "lib/genalloc.c", from: 277, to: 325, symbol: "gen_pool_alloc_algo_owner" },
  gen_pool_destroy: { file: "lib/genalloc.c", from: 242, to: 261 },
  copy_process: { file: "kernel/fork.c", from: 2161, to: 2719 },
  dup_mmap: { file: "kernel/fork.c", from: 635, to: 810 },
  copy_present_pte: { file: "mm/memory.c", from: 980, to: 1055, symbol: "copy_present_ptes" },
  get_unmapped_area: { file: "mm/mmap.c", from: 880, to: 933, symbol: "__get_unmapped_area" },
  do_mmap: { file: "mm/mmap.c", from: 284, to: 512 },
  mmap_region: { file: "mm/mmap.c", from: 1599, to: 1631 },
  kernfs_fop_mmap: { file: "fs/kernfs/file.c", from: 457, to: 516 },
  kernfs_vma_fault: { file: "fs/kernfs/file.c", from: 387, to: 405 },
  p2pmem_alloc_mmap: { file: "drivers/pci/p2pdma.c", from: 92, to: 163 },
  pci_mmap_p2pmem: { file: "drivers/pci/p2pdma.c", note: RFC },
  pci_alloc_p2pmem: { file: "drivers/pci/p2pdma.c", from: 818, to: 845 },
  pci_free_p2pmem: { file: "drivers/pci/p2pdma.c", from: 854, to: 862 },
  pci_p2pdma_vma_fault: { file: "drivers/pci/p2pdma.c", note: RFC },
  pci_p2pdma_vma_alloc: { file: "drivers/pci/p2pdma.c", note: RFC },
  pci_p2pdma_map_release: { file: "drivers/pci/p2pdma.c", note: RFC },
  pci_p2pdma_unmap_mappings: { file: "drivers/pci/p2pdma.c", from: 263, to: 274 },
  pci_p2pdma_release: { file: "drivers/pci/p2pdma.c", from: 212, to: 228 },
  p2pdma_folio_free: {
    file: "drivers/pci/p2pdma.c",
    note: "6.19+ (3a5a06554566 renamed p2pdma_page_free); not in 6.12.117",
  },
  free_zone_device_page: {
    file: "mm/memremap.c",
    note: "6.2-6.8 name of free_zone_device_folio; 6.12.117 has the folio version",
  },
  unmap_region: { file: "mm/vma.c", from: 347, to: 363 },
  madvise_update_vma: { file: "mm/madvise.c", from: 137, to: 176 },
  madvise_walk_vmas: { file: "mm/madvise.c", from: 1250, to: 1307 },
  do_madvise: { file: "mm/madvise.c", from: 1430, to: 1491 },
  should_fail: { file: "lib/fault-inject.c", from: 163, to: 166 },
  bind_store: { file: "drivers/base/bus.c", from: 258, to: 276 },
  kref_put: { file: "include/linux/kref.h", from: 62, to: 69 },
  p2pdma_page_free: { file: "drivers/pci/p2pdma.c", from: 195, to: 206 },
  free_zone_device_folio: { file: "mm/memremap.c", from: 459, to: 500 },
  memunmap_pages: { file: "mm/memremap.c", from: 137, to: 155 },
  percpu_ref_tryget_live_rcu: { file: "include/linux/percpu-refcount.h", from: 275, to: 289 },
  percpu_ref_get: { file: "include/linux/percpu-refcount.h", from: 220, to: 223 },
  percpu_ref_put: { file: "include/linux/percpu-refcount.h", from: 349, to: 352 },
  percpu_ref_kill: { file: "include/linux/percpu-refcount.h", from: 147, to: 150 },
  set_page_count: { file: "include/linux/page_ref.h", from: 97, to: 102 },
  vm_insert_page: { file: "mm/memory.c", from: 2218, to: 2229 },
  insert_page: { file: "mm/memory.c", from: 2064, to: 2082 },
  put_page: { file: "include/linux/mm.h", from: 1540, to: 1551 },
  vmf_insert_mixed: { file: "mm/memory.c", from: 2521, to: 2525 },
  remap_pfn_range: { file: "mm/memory.c", from: 2723, to: 2736 },
  handle_mm_fault: { file: "mm/memory.c", from: 6071, to: 6135 },
  do_fault: { file: "mm/memory.c", from: 5425, to: 5467 },
  do_user_addr_fault: { file: "arch/x86/mm/fault.c", from: 1208, to: 1450 },
  faultin_page: { file: "mm/gup.c", from: 1157, to: 1231 },
  follow_page_pte: { file: "mm/gup.c", from: 839, to: 951 },
  pin_user_pages: { file: "mm/gup.c", from: 3640, to: 3649 },
  __get_user_pages: { file: "mm/gup.c", from: 1427, to: 1581 },
  is_valid_gup_args: { file: "mm/gup.c", from: 2595, to: 2639 },
  check_vma_flags: { file: "mm/gup.c", from: 1270, to: 1332 },
  try_grab_folio: { file: "mm/gup.c", from: 146, to: 180 },
  unpin_user_page: { file: "mm/gup.c", from: 191, to: 195 },
  unpin_user_pages: { file: "mm/gup.c", from: 401, to: 424 },
  do_vmi_munmap: { file: "mm/vma.c", from: 1399, to: 1422 },
  __split_vma: { file: "mm/vma.c", from: 370, to: 457 },
  zap_pte_range: { file: "mm/memory.c", from: 1582, to: 1701 },
  unmap_vmas: { file: "mm/memory.c", from: 1879, to: 1904 },
  unmap_mapping_range: { file: "mm/memory.c", from: 3859, to: 3874 },
  tlb_finish_mmu: { file: "mm/mmu_gather.c", from: 464, to: 504 },
  remove_vma: { file: "mm/vma.c", from: 329, to: 340 },
  "vm_ops->open": { file: "drivers/pci/p2pdma.c", note: `pci_p2pdma_vma_open(): ${RFC}` },
  "vm_ops->close": { file: "drivers/pci/p2pdma.c", note: `pci_p2pdma_vma_close(): ${RFC}` },
  call_rcu: { file: "kernel/rcu/tree.c", from: 3200, to: 3203 },
  synchronize_rcu: { file: "kernel/rcu/tree.c", from: 4108, to: 4144 },
  do_exit: { file: "kernel/exit.c", from: 883, to: 998 },
  device_release_driver: { file: "drivers/base/dd.c", from: 1406, to: 1414 },
  unbind_store: { file: "drivers/base/bus.c", from: 235, to: 250 },
  sysfs_remove_file_from_group: { file: "fs/sysfs/file.c", from: 553, to: 569 },
  // huge.md designs (proposals on 7.3.4): named, not ranged
  zone_device_folio_init: {
    file: "include/linux/memremap.h",
    note: "7.3.4 helper over mm/memremap.c zone_device_page_init(); the proposal's use of it is huge.md §3.3 step 6a [P]",
  },
  percpu_ref_tryget_many: {
    file: "include/linux/percpu-refcount.h",
    note: "7.3.4 function used by the huge designs; no 6.12.117 range recorded (its 7.3.4 range was not read in this session)",
  },
  percpu_ref_put_many: {
    file: "include/linux/percpu-refcount.h",
    note: "7.3.4 function used by the huge designs; no 6.12.117 range recorded (its 7.3.4 range was not read in this session)",
  },
  insert_pmd: {
    file: "mm/huge_memory.c",
    note: "7.3.4 function used by the huge designs; no 6.12.117 range recorded (its 7.3.4 range was not read in this session)",
  },
  insert_pud: {
    file: "mm/huge_memory.c",
    note: "7.3.4 function used by the huge designs; no 6.12.117 range recorded (its 7.3.4 range was not read in this session)",
  },
  zap_huge_pmd: {
    file: "mm/huge_memory.c",
    note: "7.3.4 function used by the huge designs; no 6.12.117 range recorded (its 7.3.4 range was not read in this session)",
  },
  zap_huge_pud: {
    file: "mm/huge_memory.c",
    note: "7.3.4 function used by the huge designs; no 6.12.117 range recorded (its 7.3.4 range was not read in this session)",
  },
  record_subpages: {
    file: "mm/gup.c",
    note: "7.3.4 function used by the huge designs; no 6.12.117 range recorded (its 7.3.4 range was not read in this session)",
  },
  gup_put_folio: {
    file: "mm/gup.c",
    note: "7.3.4 function used by the huge designs; no 6.12.117 range recorded (its 7.3.4 range was not read in this session)",
  },
  gen_pool_first_fit_align: {
    file: "lib/genalloc.c",
    note: "7.3.4 function used by the huge designs; no 6.12.117 range recorded (its 7.3.4 range was not read in this session)",
  },
  gen_pool_first_fit: {
    file: "lib/genalloc.c",
    note: "7.3.4 function used by the huge designs; no 6.12.117 range recorded (its 7.3.4 range was not read in this session)",
  },
  gen_pool_alloc_algo_owner: {
    file: "lib/genalloc.c",
    note: "7.3.4 function used by the huge designs; no 6.12.117 range recorded (its 7.3.4 range was not read in this session)",
  },
  memmap_init_compound: {
    file: "mm/mm_init.c",
    note: "7.3.4 function used by the huge designs; no 6.12.117 range recorded (its 7.3.4 range was not read in this session)",
  },
  vm_insert_folio_pmd: {
    file: "mm/huge_memory.c",
    note: "added by the compound-page series (08/13, e9e9c8e94a), never merged",
  },
  vm_insert_folio_pud: {
    file: "mm/huge_memory.c",
    note: "added by the compound-page series (08/13, e9e9c8e94a), never merged",
  },
  copy_page_range: {
    file: "mm/memory.c",
    note: "7.3.4 function used by the huge designs; no 6.12.117 range recorded (its 7.3.4 range was not read in this session)",
  },
  copy_huge_pmd: {
    file: "mm/huge_memory.c",
    note: "7.3.4 function used by the huge designs; no 6.12.117 range recorded (its 7.3.4 range was not read in this session)",
  },
  kernfs_vma_may_split: {
    file: "fs/kernfs/file.c",
    note: "added by the compound-page series (04/13, cb81bb1177), never merged",
  },
};

/** The default source browser: Bootlin's Elixir. */
export const DEFAULT_SOURCE_URL = "https://elixir.bootlin.com/linux/v{VERSION}/source/{FILE}#L{LINE}";

/** Fills a source-browser template: {VERSION}, {FILE}, {LINE} and {END}. */
export function sourceUrl(template: string, version: string, r: SourceRange): string {
  return template
    .replaceAll("{VERSION}", version)
    .replaceAll("{FILE}", r.file)
    .replaceAll("{LINE}", String(r.from))
    .replaceAll("{END}", String(r.to));
}

/** localStorage key holding another source-browser template. */
export const SOURCE_URL_KEY = "p2pviz.sourceUrl";

/**
 * The source-browser template in use: localStorage `p2pviz.sourceUrl`, else the build's
 * VITE_P2PVIZ_SOURCE_URL, else Elixir. A template must be http(s) and name {FILE}.
 */
export function sourceUrlTemplate(stored: string | null, built: string | undefined): string {
  for (const t of [stored, built]) {
    if (t && /^https?:\/\//.test(t) && t.includes("{FILE}")) return t;
  }
  return DEFAULT_SOURCE_URL;
}
