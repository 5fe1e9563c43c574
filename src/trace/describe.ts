/** One plain sentence per event, and the kernel source file of each modelled function. */
import type { KernelEvent } from "../kernel/events.ts";
import { PTE_KIND_NAMES, pteDev, pteKind, ptePage, vmFlagNames } from "../kernel/state.ts";
import { formatSize } from "../scenario/size.ts";
import type { Trace } from "./trace.ts";

/** Kernel source file of each function the model names (paths as in Linux 6.12 unless noted). */
const SOURCES: Record<string, string> = {
  p2pviz: "p2pviz (scenario setup)",
  pci_p2pdma_add_resource: "drivers/pci/p2pdma.c",
  devm_memremap_pages: "mm/memremap.c",
  gen_pool_add_owner: "lib/genalloc.c",
  gen_pool_alloc_owner: "lib/genalloc.c",
  gen_pool_destroy: "lib/genalloc.c",
  copy_process: "kernel/fork.c",
  dup_mmap: "kernel/fork.c",
  copy_present_pte: "mm/memory.c",
  get_unmapped_area: "mm/mmap.c",
  do_mmap: "mm/mmap.c",
  mmap_region: "mm/mmap.c",
  kernfs_fop_mmap: "fs/kernfs/file.c",
  kernfs_vma_fault: "fs/kernfs/file.c",
  p2pmem_alloc_mmap: "drivers/pci/p2pdma.c",
  pci_mmap_p2pmem: "drivers/pci/p2pdma.c (RFC series)",
  pci_alloc_p2pmem: "drivers/pci/p2pdma.c",
  pci_free_p2pmem: "drivers/pci/p2pdma.c",
  pci_p2pdma_vma_fault: "drivers/pci/p2pdma.c (RFC v6)",
  pci_p2pdma_vma_alloc: "drivers/pci/p2pdma.c (RFC v6)",
  pci_p2pdma_map_release: "drivers/pci/p2pdma.c (RFC v6)",
  pci_p2pdma_unmap_mappings: "drivers/pci/p2pdma.c",
  pci_p2pdma_release: "drivers/pci/p2pdma.c",
  p2pdma_page_free: "drivers/pci/p2pdma.c",
  p2pdma_folio_free: "drivers/pci/p2pdma.c",
  free_zone_device_page: "mm/memremap.c",
  unmap_region: "mm/vma.c",
  madvise_update_vma: "mm/madvise.c",
  madvise_walk_vmas: "mm/madvise.c",
  do_madvise: "mm/madvise.c",
  should_fail: "lib/fault-inject.c",
  bind_store: "drivers/base/bus.c",
  kref_put: "include/linux/kref.h",
  free_zone_device_folio: "mm/memremap.c",
  memunmap_pages: "mm/memremap.c",
  percpu_ref_tryget_live_rcu: "include/linux/percpu-refcount.h",
  percpu_ref_get: "include/linux/percpu-refcount.h",
  percpu_ref_put: "include/linux/percpu-refcount.h",
  percpu_ref_kill: "lib/percpu-refcount.c",
  set_page_count: "include/linux/page_ref.h",
  vm_insert_page: "mm/memory.c",
  insert_page: "mm/memory.c",
  put_page: "include/linux/mm.h",
  vmf_insert_mixed: "mm/memory.c",
  remap_pfn_range: "mm/memory.c",
  handle_mm_fault: "mm/memory.c",
  do_fault: "mm/memory.c",
  do_user_addr_fault: "arch/x86/mm/fault.c",
  faultin_page: "mm/gup.c",
  follow_page_pte: "mm/gup.c",
  pin_user_pages: "mm/gup.c",
  __get_user_pages: "mm/gup.c",
  is_valid_gup_args: "mm/gup.c",
  check_vma_flags: "mm/gup.c",
  try_grab_folio: "mm/gup.c",
  unpin_user_page: "mm/gup.c",
  unpin_user_pages: "mm/gup.c",
  do_vmi_munmap: "mm/vma.c",
  __split_vma: "mm/vma.c",
  zap_pte_range: "mm/memory.c",
  unmap_vmas: "mm/memory.c",
  unmap_mapping_range: "mm/memory.c",
  tlb_finish_mmu: "mm/mmu_gather.c",
  remove_vma: "mm/vma.c",
  "vm_ops->open": "drivers/pci/p2pdma.c (RFC series: kref_get on the pmap)",
  "vm_ops->close": "drivers/pci/p2pdma.c (RFC series: kref_put on the pmap)",
  call_rcu: "kernel/rcu/tree.c",
  synchronize_rcu: "kernel/rcu/tree.c",
  do_exit: "kernel/exit.c",
  device_release_driver: "drivers/base/dd.c",
  unbind_store: "drivers/base/bus.c",
  sysfs_remove_file_from_group: "fs/sysfs/group.c",
  // the huge-folio designs (huge.md; 7.3.4 paths)
  zone_device_folio_init: "include/linux/memremap.h",
  percpu_ref_tryget_many: "include/linux/percpu-refcount.h",
  percpu_ref_put_many: "include/linux/percpu-refcount.h",
  insert_pmd: "mm/huge_memory.c",
  insert_pud: "mm/huge_memory.c",
  zap_huge_pmd: "mm/huge_memory.c",
  zap_huge_pud: "mm/huge_memory.c",
  record_subpages: "mm/gup.c",
  gup_put_folio: "mm/gup.c",
  gen_pool_first_fit_align: "lib/genalloc.c",
  gen_pool_first_fit: "lib/genalloc.c",
  gen_pool_alloc_algo_owner: "lib/genalloc.c",
  memmap_init_compound: "mm/mm_init.c",
  vm_insert_folio_pmd: "mm/huge_memory.c",
  vm_insert_folio_pud: "mm/huge_memory.c",
  copy_page_range: "mm/memory.c",
  copy_huge_pmd: "mm/huge_memory.c",
  kernfs_vma_may_split: "fs/kernfs/file.c",
};

export function sourceOf(fn: string): string {
  return SOURCES[fn] ?? "unknown";
}

/** Every function name the model can emit, for panels that explain them. */
export const MODELLED_FUNCTIONS: readonly string[] = Object.keys(SOURCES);

function hex(n: number): string {
  return `0x${n.toString(16)}`;
}

/** One plain sentence saying what the event did. */
export function describeEvent(trace: Trace, e: KernelEvent): string {
  const dev = (i: number) => trace.deviceNames[i] ?? `device ${i}`;
  const proc = (i: number) => trace.processNames[i] ?? `process ${i}`;
  const page = (d: number, p: number) => `${dev(d)} page ${p}`;
  const addr = (vpn: number) => hex(vpn * trace.pageSize);
  switch (e.kind) {
    case "design":
      return `Simulating the ${trace.design} design on Linux ${trace.version} with ${formatSize(trace.pageSize)} pages.`;
    case "device-add":
      return `${e.name} publishes ${e.pages} pages (${formatSize(e.pages * trace.pageSize)}) of its BAR at ${hex(e.barStart)} as p2pmem.`;
    case "genpool-add":
      return `The whole range of ${dev(e.dev)} is added to its genpool as one chunk.`;
    case "pgref":
      return `${dev(e.dev)} pgmap->ref ${e.delta > 0 ? "+" : ""}${e.delta} to ${e.to} (${e.fn}).`;
    case "pgref-kill":
      return `${dev(e.dev)} pgmap->ref is killed: from now on percpu_ref_tryget_live fails.`;
    case "device-rebind":
      return `The driver of ${dev(e.dev)} is bound again: fresh struct pages and an empty pool.`;
    case "device-state":
      return e.to === "unbinding"
        ? `The driver of ${dev(e.dev)} is being unbound.`
        : `${dev(e.dev)} is ${e.to}: its pool and struct pages are gone.`;
    case "process-add":
      return e.parent >= 0
        ? `${proc(e.parent)} forks ${e.name}.`
        : `Process ${e.name} starts with an empty address space.`;
    case "process-exit":
      return `${proc(e.proc)} has exited.`;
    case "process-exiting":
      return `${proc(e.proc)} begins to exit, and waits for its own I/O in flight (its pins) to complete.`;
    case "label-add":
      return `${proc(e.proc)} '${e.label.name}' is placed at ${hex(e.label.start)}-${hex(e.label.start + e.label.len)}.`;
    case "vma-create":
      return `${proc(e.proc)} gets a VMA ${hex(e.vma.start)}-${hex(e.vma.end)} for '${e.vma.label}' (${vmFlagNames(e.vma.flags).join("|") || "no flags"}).`;
    case "vma-remove":
      return `${proc(e.proc)} VMA ${hex(e.vma.start)}-${hex(e.vma.end)} of '${e.vma.label}' is removed.`;
    case "vma-split":
      return `${proc(e.proc)} VMA ${hex(e.vma.start)}-${hex(e.vma.end)} is split at ${hex(e.at)}; the upper piece has pgoff ${e.upperPgoff}.`;
    case "vma-flags":
      return `${proc(e.proc)} VMA flags become ${vmFlagNames(e.to).join("|")} (${e.fn}).`;
    case "genpool-alloc":
      return `The genpool hands out ${page(e.dev, e.page)} (first fit).`;
    case "genpool-free":
      return `${page(e.dev, e.page)} goes back to the genpool.`;
    case "page-ref":
      return `${page(e.dev, e.page)} refcount ${e.to - e.delta} -> ${e.to} (${e.fn}).`;
    case "pte-set":
      return `${proc(e.proc)} PTE at ${addr(e.vpn)} now maps ${page(pteDev(e.pte), ptePage(e.pte))} (${PTE_KIND_NAMES[pteKind(e.pte)]}${e.rmap ? ", mapcount +1" : ", no page reference"}).`;
    case "pte-clear":
      return `${proc(e.proc)} PTE at ${addr(e.vpn)} for ${page(pteDev(e.pte), ptePage(e.pte))} is cleared (${PTE_KIND_NAMES[pteKind(e.pte)]}).`;
    case "pmap-create":
      return `A pmap for ${e.pmap.pages} pages of ${dev(e.pmap.dev)} is created with kref 1${e.pmap.first >= 0 ? `, owning pages ${e.pmap.first}-${e.pmap.first + e.pmap.pages - 1}` : ", nothing allocated yet"}.`;
    case "pmap-kref":
      return `pmap ${e.pmap} kref ${e.delta > 0 ? "+" : ""}${e.delta} (${e.fn}).`;
    case "pmap-first":
      return e.to >= 0
        ? `pmap ${e.pmap} now owns pages ${e.to}-${e.to + e.pages - 1}.`
        : `pmap ${e.pmap} lets go of its pages (${e.fn}).`;
    case "pin-create":
      return `${proc(e.proc)} starts pinning '${e.name}' for O_DIRECT I/O.`;
    case "pin-page":
      return e.fn === "record_subpages"
        ? `${page(e.dev, e.page)} is pinned by '${trace.pinNames[e.pin] ?? e.pin}' (its folio counted the pin: refcount and pincount +1, no bias).`
        : `${page(e.dev, e.page)} is pinned by '${trace.pinNames[e.pin] ?? e.pin}' (+1024 refcount).`;
    case "unpin-page":
      return `'${trace.pinNames[e.pin] ?? e.pin}' lets go of ${page(e.dev, e.page)}.`;
    case "pin-status":
      return e.to === "failed"
        ? `Pin '${trace.pinNames[e.pin] ?? e.pin}' failed; nothing stays pinned.`
        : `Pin '${trace.pinNames[e.pin] ?? e.pin}' is released.`;
    case "fault":
      return `${proc(e.proc)} faults at ${addr(e.vpn)}: no PTE there.`;
    case "page-free":
      return `${page(e.dev, e.page)} refcount reached 0: the pgmap's page_free hook runs.`;
    case "note":
      return `${e.text}.`;
    case "result": {
      const op = trace.ops[e.op];
      const text = op?.text ?? trace.scenario.statements[e.op]?.op ?? "statement";
      return e.result === "ok"
        ? `'${text}' completes.`
        : e.result === "blocked"
          ? e.fn === "do_exit"
            ? `'${text}' is blocked: the process waits in do_exit() for its own I/O in flight (its pins).`
            : `'${text}' is blocked, waiting for references to drop.`
          : e.result.startsWith("SIG")
            ? `'${text}' gets ${e.result}.`
            : `'${text}' fails with ${e.result}.`;
    }
    case "finding":
      return `Finding: ${trace.findings[e.finding]?.text ?? "?"}.`;
    case "folio-init":
      return e.ref === 0
        ? `${dev(e.dev)} pages ${e.page}-${e.page + e.pages - 1} are formed into folios of order ${e.order} at probe (${e.fn}); every refcount stays 0.`
        : `${dev(e.dev)} pages ${e.page}-${e.page + e.pages - 1} become one folio of order ${e.order}: ${e.pages} struct pages rewritten, head refcount 0 -> ${e.ref} (${e.fn}).`;
    case "folio-ref":
      return `${dev(e.dev)} folio at page ${e.page} (${e.pages} pages) refcount ${e.to - e.delta} -> ${e.to}${e.pin ? `, pincount ${e.pin > 0 ? "+" : ""}${e.pin}` : ""} (${e.fn}).`;
    case "leaf-set":
      return `${proc(e.proc)} ${PTE_KIND_NAMES[pteKind(e.pte)].toUpperCase()} leaf at ${addr(e.vpn)} now maps the folio ${page(pteDev(e.pte), ptePage(e.pte))}-${ptePage(e.pte) + e.pages - 1} (${e.pages} pages, entire mapcount +1, ${e.fn}).`;
    case "leaf-clear":
      return `${proc(e.proc)} ${PTE_KIND_NAMES[pteKind(e.pte)].toUpperCase()} leaf at ${addr(e.vpn)} for the folio at ${page(pteDev(e.pte), ptePage(e.pte))} is cleared (entire mapcount -1, ${e.fn}).`;
    case "folio-free":
      return `${dev(e.dev)} folio at page ${e.page} reached refcount 0: ${e.fn} returns its ${e.pages} pages to the genpool in one call.`;
    case "genpool-miss":
      return e.order > 0
        ? `The genpool of ${dev(e.dev)} has no free run of ${e.pages} pages aligned to ${formatSize(2 ** e.order * trace.pageSize)} (${e.fn}).`
        : `The genpool of ${dev(e.dev)} has no free run of ${e.pages} pages (${e.fn}).`;
    case "fallback":
      return `${dev(e.dev)}: the mapping falls back from order ${e.from} to ${e.to === 0 ? "4K pages" : `order ${e.to}`} folios.`;
  }
}
