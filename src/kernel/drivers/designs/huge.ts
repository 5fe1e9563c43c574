/**
 * `huge`: the maintainers' direction for huge p2pmem folios (../shared/kernel/huge.md §3; Jason
 * Gunthorpe 1ee42f0311, Logan Gunthorpe af6d0f97da, Alistair Popple 6dcad0c97c), on Linux 7.3
 * primitives. Not merged, no code posted: every step v1 does not share is a [P] choice, kept in
 * HUGE_POLICY (huge-policy.ts).
 *
 * Per mmap: a folio order from the length (§3.3 step 3), an aligned genpool range with fallback
 * PUD -> PMD -> 4K (step 4), then per folio zone_device_folio_init() and one PMD/PUD leaf
 * (insert_pmd()/insert_pud() semantics, mm/huge_memory.c 7.3.4), the init reference put (step 6).
 * Order 0 (a short length, or the last fallback) is upstream's p2pmem_alloc_mmap() plus
 * VM_DONTEXPAND and the vm_ops. A folio is freed whole by p2pdma_folio_free() (§3.10).
 */
import { type Kernel, Outcome } from "../../core.ts";
import type { LoopBodyInit } from "../../events.ts";
import { genPoolAlloc } from "../../lib/genalloc.ts";
import { hex } from "../../mm/memory.ts";
import { p2pdmaPageFreeBody, pgref, pgrefPut } from "../../mm/memremap.ts";
import {
  type PageInfo,
  PTE_NORMAL,
  PTE_PMD,
  PTE_PUD,
  packPte,
  VM_DONTEXPAND,
  type Vma,
} from "../../state.ts";
import type { P2pDriver, VmOps } from "../driver.ts";
import { pciP2pdmaUnmapMappings } from "../p2pdma.ts";
import { HUGE_POLICY, hugeAllocate, hugeTargetOrder, pudOrder } from "./huge-policy.ts";
import { upstream } from "./upstream.ts";

/** Bytes, as a person reads a folio size. */
export function sizeName(bytes: number): string {
  if (bytes >= 2 ** 30) return `${bytes / 2 ** 30} GiB`;
  if (bytes >= 2 ** 20) return `${bytes / 2 ** 20} MiB`;
  return `${bytes / 1024} KiB`;
}

/** The leaf kind that maps a folio of `order` (PUD_ORDER -> PUD, else PMD). */
export function leafKind(k: Kernel, order: number): typeof PTE_PMD | typeof PTE_PUD {
  return order === pudOrder(k.pageSize) ? PTE_PUD : PTE_PMD;
}

/**
 * The end of p2pmem_alloc_mmap() in the huge designs (huge.md §3.3 step 7, from v1 cd82504782):
 * vm_flags |= VM_DONTEXPAND; vm_ops = &p2pmem_vm_ops; vm_private_data = the folio size.
 */
export function hugeVmaSetup(k: Kernel, p: number, vmaId: number): void {
  const v = k.findVmaById(p, vmaId);
  if (!v) return;
  k.emit({
    kind: "vma-flags",
    fn: "p2pmem_alloc_mmap",
    proc: p,
    vmaId,
    from: v.flags,
    to: v.flags | VM_DONTEXPAND,
  });
}

/**
 * Upstream's order-0 mapping (vm_insert_page() per page, VM_MIXEDMAP), then the huge designs' VMA
 * set-up: huge.md §3.3 "An order-0 mapping ends exactly as README §2.3, plus VM_DONTEXPAND and the
 * vm_ops".
 */
export function orderZeroMmap(k: Kernel, p: number, vma: Vma, pages: number): void {
  upstream.mmap(k, p, { ...vma, order: 0 }, pages);
  hugeVmaSetup(k, p, vma.id);
}

/**
 * Inserts `n` folios of 2^order pages from `first` at the VMA's start, one loop (huge.md §3.3 step
 * 6, per slice): `init` forms the folio, then insert_pmd()/insert_pud() (folio_get: ref 1 -> 2;
 * folio_add_file_rmap_pmd/pud: entire mapcount 0 -> 1; rss +2^O; set_pmd_at/set_pud_at), `pgrefs`
 * and the put of the init reference (ref 2 -> 1).
 */
export function insertFolios(
  k: Kernel,
  p: number,
  vma: Vma,
  first: number,
  n: number,
  order: number,
  init: LoopBodyInit[],
  pgrefs: LoopBodyInit[],
): void {
  const dev = vma.dev;
  const size = 2 ** order;
  const kind = leafKind(k, order);
  const insertFn = kind === PTE_PUD ? "insert_pud" : "insert_pmd";
  k.loop(n, [
    ...init,
    ...pgrefs,
    { kind: "folio-ref", fn: insertFn, dev, page: first, pages: size, delta: 1, pin: 0, to: 2 },
    {
      kind: "leaf-set",
      fn: insertFn,
      proc: p,
      vpn: vma.start / k.pageSize,
      pte: packPte(dev, first, kind),
      pages: size,
    },
    { kind: "folio-ref", fn: "put_page", dev, page: first, pages: size, delta: -1, pin: 0, to: 1 },
  ]);
  k.touch(dev, first, n * size);
}

/** huge.md §3.3: p2pmem_alloc_mmap() as the maintainers' direction would make it. */
function hugeAllocMmap(k: Kernel, p: number, vma: Vma, pages: number): void {
  const dev = vma.dev;
  const d = k.dev(dev);
  const want = hugeTargetOrder(pages, k.pageSize);
  if (want === 0) {
    k.note(
      "p2pmem_alloc_mmap",
      `${pages} pages is not a multiple of 2 MiB: order 0, as upstream (${HUGE_POLICY.order})`,
    );
    orderZeroMmap(k, p, vma, pages);
    return;
  }
  if (k.injectPeek("gen_pool_alloc") === 0) {
    k.injectConsume("gen_pool_alloc", 0, true);
    k.note("gen_pool_alloc_algo_owner", "fault injection: gen_pool_alloc_algo_owner() returns NULL");
    throw new Outcome("ENOMEM");
  }
  const got = hugeAllocate(d.pageRuns, pages, want, k.pageSize);
  for (const t of got.tries) {
    if (t.first >= 0) break;
    k.emit({
      kind: "genpool-miss",
      fn: t.order > 0 ? "gen_pool_first_fit_align" : "gen_pool_first_fit",
      dev,
      order: t.order,
      pages,
    });
  }
  if (got.order < 0) {
    k.note("gen_pool_alloc_owner", `no run of ${pages} free pages in ${d.name}: p2pmem_alloc_mmap fails`);
    throw new Outcome("ENOMEM");
  }
  if (got.order < want) {
    k.emit({ kind: "fallback", fn: "p2pmem_alloc_mmap", dev, from: want, to: got.order });
    const asked = sizeName(2 ** want * k.pageSize);
    const gave = got.order === 0 ? "4 KiB pages" : `${sizeName(2 ** got.order * k.pageSize)} folios`;
    k.find(
      "huge-fallback",
      dev,
      got.first,
      pages,
      "gen_pool_first_fit_align",
      `${d.name} {pages}: no free ${asked}-aligned run of ${pages} pages, so the ${sizeName(pages * k.pageSize)} mapping got ${gave} instead of ${asked} folios (${HUGE_POLICY.fallback})`,
    );
  }
  if (got.order === 0) {
    orderZeroMmap(k, p, vma, pages);
    return;
  }
  k.injectConsume("gen_pool_alloc", 1, false); // one successful call (should_fail counts it)
  const order = got.order;
  const size = 2 ** order;
  const v: Vma = { ...vma, order };
  k.emit({ kind: "vma-create", fn: "mmap_region", proc: p, vma: v });
  genPoolAlloc(k, dev, got.first, pages, -1, "gen_pool_alloc_algo_owner");
  pgref(k, dev, 1, "percpu_ref_tryget_live_rcu");
  insertFolios(
    k,
    p,
    v,
    got.first,
    pages / size,
    order,
    [{ kind: "folio-init", fn: "zone_device_folio_init", dev, page: got.first, pages: size, order, ref: 1 }],
    [{ kind: "pgref", fn: "percpu_ref_tryget_many", dev, delta: size, to: d.pgref + size }],
  );
  hugeVmaSetup(k, p, v.id);
  pgrefPut(k, dev, 1, "percpu_ref_put");
}

/**
 * p2pmem_may_split() behind kernfs_vma_may_split() (v1 cb81bb1177, cd82504782; huge.md §3.6):
 * -ENODEV once the allocate file is gone (kernfs_get_active_of() fails after unbind), -EINVAL when
 * `addr` is not aligned to the mapping's folio size (vm_private_data).
 */
export function p2pmemMaySplit(k: Kernel, vma: Vma, addr: number): string | undefined {
  const d = k.dev(vma.dev);
  if (d.lifecycle !== "bound") {
    k.find(
      "split-after-unbind",
      vma.dev,
      0,
      1,
      "kernfs_vma_may_split",
      `${d.name}: splitting '${vma.label}' at ${hex(addr)} after the unbind fails with ENODEV (kernfs_get_active_of() fails in kernfs_vma_may_split), where upstream unmaps part of it and returns 0`,
    );
    return "ENODEV";
  }
  const bytes = 2 ** (vma.order ?? 0) * k.pageSize;
  if (addr % bytes !== 0) return "EINVAL";
  return undefined;
}

/**
 * kernfs_vma_fault(): p2pmem has no ->fault (of->vm_ops->fault is NULL): VM_FAULT_SIGBUS. In a
 * child that got the VMA without its entries at fork, that is the fork-not-shared finding.
 */
export function hugeFault(k: Kernel, p: number, vma: Vma, addr: number): never {
  if (vma.noCopy) {
    const d = k.dev(vma.noCopy.dev);
    const page = vma.noCopy.page + Math.floor((addr - vma.start) / k.pageSize);
    k.find(
      "fork-not-shared",
      vma.noCopy.dev,
      page,
      1,
      "copy_page_range",
      `${d.name} {pages}: ${k.proc(p).name} got '${vma.label}' at fork without its entries (no VM_MIXEDMAP: vma_needs_copy() is false), so its access faults into kernfs_vma_fault and gets SIGBUS; upstream shares the page with the child`,
    );
  }
  k.note("kernfs_vma_fault", "p2pmem has no fault handler: kernfs_vma_fault returns VM_FAULT_SIGBUS");
  throw new Outcome("SIGBUS");
}

export const hugeVmOps: VmOps = { fault: hugeFault, maySplit: p2pmemMaySplit };

/**
 * p2pdma_folio_free() for a large folio (huge.md §3.10 [P] HUGE_POLICY.folioFree):
 * gen_pool_free_owner() of folio_size(folio) and percpu_ref_put_many(folio_nr_pages(folio)).
 */
function hugeFolioFree(k: Kernel, dev: number, head: number, pages: number, info: PageInfo): LoopBodyInit[] {
  const d = k.dev(dev);
  return [
    {
      kind: "folio-free",
      fn: "p2pdma_folio_free",
      dev,
      page: head,
      pages,
      order: info.order,
      owner: info.owner,
      reset: true,
    },
    { kind: "pgref", fn: "percpu_ref_put_many", dev, delta: -pages, to: d.pgref - pages },
  ];
}

export const huge: P2pDriver = {
  design: "huge",
  summary:
    "proposal (huge.md §3): per-mmap folio order from the length, aligned genpool range, PMD/PUD leaves; 4K fallback",
  pte: PTE_NORMAL,
  mmapFn: "p2pmem_alloc_mmap",
  pgoffCheck: true,
  dirtyTracked: true,
  mmap: hugeAllocMmap,
  vmOps: hugeVmOps,
  pageFree: p2pdmaPageFreeBody,
  folioFree: hugeFolioFree,
  // §3.2 [P]: the start is aligned to the folio size the length asks for.
  mmapAlign: (k, _dev, pages) => 2 ** hugeTargetOrder(pages, k.pageSize) * k.pageSize,
  unbindMappings: pciP2pdmaUnmapMappings,
  pgrefExtras: (k, dev) => k.dev(dev).pages - k.dev(dev).freePages,
  leakFn: "put_page",
};
