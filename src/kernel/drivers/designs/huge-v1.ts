/**
 * `huge-v1`: Hou Tao's "[PATCH 00/13] Enable compound page for p2pdma memory" as posted
 * (2025-12-20, ../shared/kernel/huge.md §4; not merged in 7.3.4). The device's alignment A fixes
 * the folio size at probe (pci_p2pdma_add_resource(..., align, ...), 06/13 ebeb6b9677):
 * - probe: pgmap->vmemmap_shift = log2(A / PAGE), so memmap_init_zone_device() ->
 *   memmap_init_compound() pre-forms folios of that order (07/13 c2c325bec2, mm/mm_init.c 7.3.4) and
 *   memremap_pages() takes npages >> vmemmap_shift base references (mm/memremap.c);
 * - mmap: "unaligned vma" -EINVAL for a length that is not a multiple of A (10/13 cd82504782); per
 *   A-slice set_page_count(head, 1), vm_insert_folio_pmd/pud() (08/13 e9e9c8e94a), percpu_ref_get
 *   (one per folio), put_page;
 * - free: p2pdma_folio_free() frees A bytes and puts one pgmap reference (06/13).
 * A = PAGE devices behave as upstream, plus VM_DONTEXPAND and may_split.
 * A comes from the BAR size (HUGE_POLICY.v1Align).
 */
import { type Kernel, Outcome } from "../../core.ts";
import type { LoopBodyInit } from "../../events.ts";
import { genPoolAlloc } from "../../lib/genalloc.ts";
import { p2pdmaPageFreeBody, pgref, pgrefPut } from "../../mm/memremap.ts";
import { type PageInfo, PTE_NORMAL, PTE_PUD, type Vma } from "../../state.ts";
import type { P2pDriver } from "../driver.ts";
import { pciP2pdmaUnmapMappings } from "../p2pdma.ts";
import { hugeVmaSetup, hugeVmOps, insertFolios, leafKind, orderZeroMmap, sizeName } from "./huge.ts";
import { firstFitAlign, hugeV1Order } from "./huge-policy.ts";

/** The order of device `dev`'s folios: log2(A / PAGE). */
function devOrder(k: Kernel, dev: number): number {
  return hugeV1Order(k.dev(dev).pages, k.pageSize);
}

/** 10/13 p2pmem_alloc_mmap() with the compound-page path. */
function v1AllocMmap(k: Kernel, p: number, vma: Vma, pages: number): void {
  const dev = vma.dev;
  const d = k.dev(dev);
  const order = devOrder(k, dev);
  if (order === 0) {
    orderZeroMmap(k, p, vma, pages);
    return;
  }
  const size = 2 ** order;
  const a = sizeName(size * k.pageSize);
  if (pages % size !== 0) {
    k.note(
      "p2pmem_alloc_mmap",
      `${d.name} has align ${a}: vm_start or vm_end is not ${a} aligned, "unaligned vma" -EINVAL`,
    );
    k.find(
      "unaligned-refused",
      dev,
      0,
      1,
      "p2pmem_alloc_mmap",
      `${d.name}: an mmap of ${sizeName(pages * k.pageSize)} is refused with EINVAL because the device's folio size is ${a} (v1 makes the alignment a property of the device); upstream and huge map it`,
    );
    throw new Outcome("EINVAL");
  }
  const allocOk = k.injectPeek("gen_pool_alloc") > 0;
  // The pool's bits are A-sized (gen_pool_create(ilog2(A))): every run is A-aligned.
  const first = allocOk ? firstFitAlign(d.pageRuns, pages, size) : -1;
  if (first < 0) {
    if (!allocOk) {
      k.injectConsume("gen_pool_alloc", 0, true);
      k.note("gen_pool_alloc_owner", "fault injection: gen_pool_alloc_owner() returns NULL");
    } else {
      k.note("gen_pool_alloc_owner", `no run of ${pages / size} free ${a} bits in ${d.name}: -ENOMEM`);
    }
    throw new Outcome("ENOMEM");
  }
  k.injectConsume("gen_pool_alloc", 1, false);
  const v: Vma = { ...vma, order };
  k.emit({ kind: "vma-create", fn: "mmap_region", proc: p, vma: v });
  genPoolAlloc(k, dev, first, pages, -1, "gen_pool_alloc_owner");
  pgref(k, dev, 1, "percpu_ref_tryget_live_rcu");
  const insertFn = leafKind(k, order) === PTE_PUD ? "vm_insert_folio_pud" : "vm_insert_folio_pmd";
  insertFolios(
    k,
    p,
    v,
    first,
    pages / size,
    order,
    // No folio formation: the folio exists since probe; only the head's count is set.
    [{ kind: "folio-ref", fn: "set_page_count", dev, page: first, pages: size, delta: 1, pin: 0, to: 1 }],
    [{ kind: "pgref", fn: "percpu_ref_get", dev, delta: 1, to: d.pgref + 1 }],
  );
  k.note(insertFn, `${pages / size} ${a} folio${pages === size ? "" : "s"} inserted with ${insertFn}()`);
  hugeVmaSetup(k, p, v.id);
  pgrefPut(k, dev, 1, "percpu_ref_put");
}

/** 06/13 p2pdma_folio_free(): gen_pool_free_owner() of p2pdma->align bytes, one percpu_ref_put. */
function v1FolioFree(k: Kernel, dev: number, head: number, pages: number, info: PageInfo): LoopBodyInit[] {
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
      reset: false,
    },
    { kind: "pgref", fn: "percpu_ref_put", dev, delta: -1, to: d.pgref - 1 },
  ];
}

export const hugeV1: P2pDriver = {
  design: "huge-v1",
  summary:
    "proposal (huge.md §4): the series as posted; the device's alignment fixes the folio size at probe, unaligned mmaps get EINVAL",
  pte: PTE_NORMAL,
  mmapFn: "p2pmem_alloc_mmap",
  pgoffCheck: true,
  dirtyTracked: true,
  mmap: v1AllocMmap,
  vmOps: hugeVmOps,
  pageFree: p2pdmaPageFreeBody,
  folioFree: v1FolioFree,
  pgmapRefs: (k, pages) => pages / 2 ** hugeV1Order(pages, k.pageSize),
  probe(k, dev) {
    const order = devOrder(k, dev);
    if (order === 0) return;
    k.emit({
      kind: "folio-init",
      fn: "memmap_init_compound",
      dev,
      page: 0,
      pages: k.dev(dev).pages,
      order,
      ref: 0,
    });
  },
  // 09/13 p2pmem_get_unmapped_area(): mm_get_unmapped_area(len + A) rounded up to A.
  mmapAlign: (k, dev) => 2 ** devOrder(k, dev) * k.pageSize,
  // huge.md §6.3: with A > PAGE, (D / P) * 8 KiB of vmemmap data (VMEMMAP_RESERVE_NR = 2 pages per
  // folio, __vmemmap_can_optimize) plus D / 8 bytes of vmemmap page tables; else 64 B per page.
  vmemmapBytes: (pages, pageSize) => {
    const order = hugeV1Order(pages, pageSize);
    if (order === 0) return pages * 64;
    return (pages / 2 ** order) * 2 * pageSize + pages / 8;
  },
  unbindMappings: pciP2pdmaUnmapMappings,
  pgrefExtras: (k, dev) => {
    const d = k.dev(dev);
    return (d.pages - d.freePages) / 2 ** devOrder(k, dev);
  },
  leakFn: "put_page",
};
