/**
 * Short pseudocode excerpts, in our own words, of every kernel function the model names
 * (describe.ts MODELLED_FUNCTIONS), and the line of each that the current step stands on.
 *
 * The line is derived from the event and from the path the kernel took in that statement: its
 * result (ok, an errno, SIGBUS or SIGSEGV, blocked), whether a fault ran, and what the statement
 * asked for (MAP_PRIVATE, an offset, a long-term pin). `hl` is the default line, `at` a line per
 * event kind, and `pick` decides from the whole context where the path matters. Excerpts
 * summarise the kernel source, they do not quote it: kernel-sources.ts gives each function's
 * file and line range to read the real code.
 */

import type { EventKind, KernelEvent } from "../kernel/events.ts";
import type { Design, Stmt } from "../scenario/ast.ts";
import { eventAt, eventsOf, type Trace } from "../trace/trace.ts";

/** What the kernel did around the current step: the event, and the statement's outcome. */
export interface CodeContext {
  readonly event: KernelEvent;
  /** the statement's result: "ok", an errno ("EINVAL"), a signal ("SIGBUS"), or "blocked" */
  readonly result: string;
  readonly design: Design;
  /** the statement the event belongs to */
  readonly stmt: Stmt | undefined;
  /** the statement ran a page fault (a `fault` event); only worked out for `touch` */
  readonly faulted: boolean;
}

export interface CodeExcerpt {
  readonly lines: readonly string[];
  /** index of the line the event models */
  readonly hl: number;
  /** a different highlighted line for some event kinds */
  readonly at?: Partial<Record<EventKind, number>>;
  /** the line from the whole context (outcome, statement); undefined falls back to `at` and `hl` */
  readonly pick?: (c: CodeContext) => number | undefined;
}

const failed = (c: CodeContext) => c.result !== "ok" && c.result !== "blocked";
const isPrivateMmap = (c: CodeContext) => c.stmt?.op === "mmap" && c.stmt.private;

/**
 * Functions the huge-folio proposals (../shared/kernel/huge.md; not merged in 7.3.4) add or use.
 * Ranges: see kernel-sources.ts; the excerpts follow huge.md's steps and the 7.3.4 functions it
 * names (mm/huge_memory.c insert_pmd/insert_pud/zap_huge_pmd/zap_huge_pud, mm/gup.c
 * try_grab_folio/gup_put_folio, mm/memremap.c zone_device_folio_init, lib/genalloc.c
 * gen_pool_first_fit_align).
 */
const HUGE_CODE: Readonly<Record<string, CodeExcerpt>> = {
  zone_device_folio_init: {
    // 7.3.4: include/linux/memremap.h zone_device_folio_init() -> mm/memremap.c zone_device_page_init()
    lines: [
      "# huge.md §3.3 step 6a [P]: the folio is formed at mmap time (zone_device_page_init)",
      "for each of the 2^order struct pages: clear order/head; pgmap = pgmap; VM_WARN if refcount != 0",
      "WARN_ON_ONCE(!percpu_ref_tryget_many(&pgmap->ref, 1 << order))",
      "set_page_count(head, 1); lock_page(head)   # refcount 0 -> 1",
      "if order: prep_compound_page(head, order); folio_set_large_rmappable(folio)",
    ],
    hl: 3,
  },
  percpu_ref_tryget_many: {
    lines: ["percpu_ref_tryget_many(ref, nr)   # get nr references unless the ref is dead"],
    hl: 0,
  },
  percpu_ref_put_many: {
    lines: ["percpu_ref_put_many(ref, nr)   # put nr references; the last one ends memunmap_pages' wait"],
    hl: 0,
  },
  insert_pmd: {
    lines: [
      "if !pmd_none(*pmd): return VM_FAULT_NOPAGE   # occupied: nothing inserted",
      "entry = folio_mk_pmd(folio, prot)   # a write fault: young, dirty, writable with VM_WRITE",
      "folio_get(folio)   # folio refcount +1",
      "folio_add_file_rmap_pmd(folio, page, vma)   # entire mapcount +1",
      "add_mm_counter(mm, mm_counter_file(folio), HPAGE_PMD_NR)",
      "set_pmd_at(mm, addr, pmd, entry)   # one PMD leaf maps 2 MiB",
    ],
    hl: 5,
    at: { "folio-ref": 2, "leaf-set": 5 },
  },
  insert_pud: {
    lines: [
      "if !pud_none(*pud): return VM_FAULT_NOPAGE   # occupied: nothing inserted",
      "entry = folio_mk_pud(folio, prot)   # a write fault: young, dirty, writable with VM_WRITE",
      "folio_get(folio)   # folio refcount +1",
      "folio_add_file_rmap_pud(folio, page, vma)   # entire mapcount +1",
      "add_mm_counter(mm, mm_counter_file(folio), HPAGE_PUD_NR)",
      "set_pud_at(mm, addr, pud, entry)   # one PUD leaf maps 1 GiB",
    ],
    hl: 5,
    at: { "folio-ref": 2, "leaf-set": 5 },
  },
  zap_huge_pmd: {
    lines: [
      "orig = pmdp_huge_get_and_clear_full(vma, addr, pmd, fullmm)   # clear the leaf",
      "folio_remove_rmap_pmd(folio, page, vma)   # entire mapcount -1",
      "add_mm_counter(mm, mm_counter_file(folio), -HPAGE_PMD_NR)",
      "tlb_remove_page_size(tlb, page, HPAGE_PMD_SIZE)   # folio put at tlb_finish_mmu",
    ],
    hl: 0,
  },
  zap_huge_pud: {
    lines: [
      "orig = pudp_huge_get_and_clear_full(vma, addr, pud, fullmm)   # clear the leaf",
      "if !vma_is_special_huge(vma):   # no VM_PFNMAP|VM_MIXEDMAP",
      "    folio_remove_rmap_pud(folio, page, vma)   # entire mapcount -1",
      "    add_mm_counter(mm, mm_counter_file(folio), -HPAGE_PUD_NR)",
      "    tlb_remove_page_size(tlb, page, HPAGE_PUD_SIZE)   # folio put at tlb_finish_mmu",
    ],
    hl: 0,
  },
  record_subpages: {
    lines: [
      "# 7.3.4 has no record_subpages(): gup_fast_pud_leaf / gup_fast_pmd_leaf fill pages[] inline",
      "folio = try_grab_folio_fast(page, refs, flags)   # refs = pages of the leaf in the range",
      "for (; refs; refs--) *(pages++) = page++   # grabbed: the pin records each page",
    ],
    hl: 2,
  },
  gup_put_folio: {
    lines: [
      "if flags & FOLL_PIN:",
      "    if folio_has_pincount(folio): atomic_sub(refs, &folio->_pincount)   # large folio",
      "    else: refs *= GUP_PIN_COUNTING_BIAS",
      "folio_put_refs(folio, refs)   # refcount -refs; the whole folio is freed at 0",
    ],
    hl: 3,
  },
  gen_pool_first_fit_align: {
    lines: [
      "align_mask = ((data->align + (1 << order) - 1) >> order) - 1   # order = pool->min_alloc_order",
      "align_off = (start_addr & (data->align - 1)) >> order   # relative to the chunk",
      "start = bitmap_find_next_zero_area_off(map, size, start, nr, align_mask, align_off)",
      "# no free run at that alignment: the mmap tries a lower order (huge.md §3.3 step 4)",
    ],
    hl: 2,
    at: { "genpool-miss": 3, finding: 3 },
  },
  gen_pool_first_fit: {
    lines: [
      "start = bitmap_find_next_zero_area(map, size, start, nr, 0)   # lowest free run",
      "# no free run of that length: gen_pool_alloc returns 0 (NULL)",
    ],
    hl: 0,
    at: { "genpool-miss": 1 },
  },
  gen_pool_alloc_algo_owner: {
    lines: [
      "for each chunk: start_bit = algo(chunk->bits, end_bit, 0, nbits, data, pool, start_addr)",
      "bitmap_set_ll(chunk->bits, start_bit, nbits)   # set bits: the range is allocated",
      "return chunk->start_addr + (start_bit << order)   # NULL if no chunk had room",
    ],
    hl: 1,
    at: { note: 2 },
  },
  memmap_init_compound: {
    lines: [
      "# huge-v1 probe: pgmap->vmemmap_shift = ilog2(align) - PAGE_SHIFT",
      "per folio: __SetPageHead(head); each tail: init, prep_compound_tail(), set_page_count(0); prep_compound_head()",
      "# every refcount stays 0; tail struct pages share vmemmap pages (dedup)",
    ],
    hl: 1,
  },
  vm_insert_folio_pmd: {
    lines: [
      "# 08/13, not merged: allocate the p4d, pud and pmd levels for addr",
      "ret = insert_pmd(vma, addr, pmd, folio, write)   # NOPAGE means done",
    ],
    hl: 1,
  },
  vm_insert_folio_pud: {
    lines: [
      "# 08/13, not merged: allocate the p4d and pud levels for addr",
      "ret = insert_pud(vma, addr, pud, folio, write)   # NOPAGE means done",
    ],
    hl: 1,
  },
  copy_page_range: {
    lines: [
      "if !vma_needs_copy(dst_vma, src_vma): return 0   # no VM_PFNMAP|VM_MIXEDMAP, no anon_vma",
      "copy_p4d_range() ... copy_pte_range(): copy each present entry",
    ],
    hl: 0,
  },
  copy_huge_pmd: {
    lines: [
      "if pmd_present(pmd) && pmd_special(pmd) && !is_huge_zero_pmd(pmd): copy the entry as is",
      'if !vma_is_anonymous(dst_vma): return 0   # "Skip if can be re-fill on fault": not copied',
    ],
    hl: 1,
  },
  kernfs_vma_may_split: {
    lines: [
      "if !kernfs_get_active_of(of): return -ENODEV   # the allocate file is gone (unbind)",
      "ret = of->vm_ops->may_split(vma, addr)   # p2pmem_may_split: -EINVAL if not folio aligned",
      "kernfs_put_active_of(of); return ret",
    ],
    hl: 0,
  },
};

export const KERNEL_CODE: Readonly<Record<string, CodeExcerpt>> = {
  ...HUGE_CODE,
  p2pviz: {
    lines: [
      "# not a kernel function: the simulator's own setup",
      "design  = scenario 'kernel' (or the design switch)",
      "pagesz  = scenario 'page' (default 4K)",
    ],
    hl: 1,
  },
  pci_p2pdma_add_resource: {
    lines: [
      "if BAR is not memory || size + offset > BAR length: return -EINVAL",
      "first call: pci_p2pdma_setup(): provider, genpool, sysfs p2pmem/",
      "pgmap = devm_memremap_pages(bar range)   # the struct pages",
      "gen_pool_add_owner(pool, vaddr, bus, size, &pgmap->ref)",
      "devm_add_action(pci_p2pdma_unmap_mappings)",
      "return 0",
    ],
    hl: 1,
    at: { "device-add": 1, result: 5 },
  },
  devm_memremap_pages: {
    lines: [
      "create struct pages for the range (ZONE_DEVICE)",
      "init each page: refcount 0 (6.15+), pgmap set",
      "percpu_ref_get_many(&pgmap->ref, nr_pages)",
    ],
    hl: 2,
  },
  gen_pool_add_owner: {
    lines: [
      "chunk = alloc(bitmap of size >> min_order bits)",
      "chunk->owner = owner; chunk->avail = size",
      "list_add_rcu(&chunk->next, &pool->chunks)  # newest first",
    ],
    hl: 2,
  },
  gen_pool_alloc_owner: {
    lines: [
      "for chunk in pool->chunks (newest first):",
      "    if chunk->avail < size: continue",
      "    start = first_fit(chunk->bits, nbits)   # lowest free run",
      "    if no run: continue",
      "    set bits [start, start+nbits); avail -= size",
      "    *owner = chunk->owner; return chunk->start + start << order",
      "return 0   # no run anywhere: the caller reports -ENOMEM",
    ],
    hl: 4,
    at: { "genpool-alloc": 4, note: 6 },
  },
  gen_pool_destroy: {
    lines: [
      "for chunk in pool->chunks:",
      "    BUG_ON(bitmap has any bit set)   # memory still allocated",
      "    free chunk",
      "free pool",
    ],
    hl: 1,
  },
  copy_process: {
    lines: [
      "p = dup_task_struct(current)",
      "copy_files, copy_fs, ...",
      "copy_mm(): mm = dup_mm() -> dup_mmap()",
      "wake_up_new_task(p)",
    ],
    hl: 0,
    at: { "process-add": 0, result: 3 },
  },
  dup_mmap: {
    lines: [
      "for vma in oldmm:",
      "    if vma has VM_DONTCOPY: skip",
      "    tmp = vm_area_dup(vma); insert tmp into mm",
      "    if tmp->vm_ops->open: tmp->vm_ops->open(tmp)",
      "    if vma_needs_copy(tmp, vma): copy_page_range(tmp, vma)",
    ],
    hl: 2,
  },
  copy_present_pte: {
    lines: [
      "page = vm_normal_page(src_vma, addr, pte)",
      "if page:                      # NORMAL pte only",
      "    folio_get(folio)           # child's page ref",
      "    folio_dup_file_rmap_pte()  # mapcount + 1",
      "    rss[mm_counter(folio)]++",
      "set_pte_at(dst_mm, addr, dst_pte, pte)   # devmap/pfnmap: copy only",
    ],
    hl: 5,
    at: { "page-ref": 2, "pte-set": 5 },
  },
  get_unmapped_area: {
    lines: [
      "addr = mm->get_unmapped_area(file, hint, len, pgoff, flags)",
      "# top-down search for a hole of len bytes",
      "return addr",
    ],
    hl: 0,
  },
  do_mmap: {
    lines: [
      "len = PAGE_ALIGN(len); if !len: return -EINVAL   # also an unaligned offset",
      "addr = get_unmapped_area(file, addr, len, pgoff, flags)",
      "vm_flags |= VM_SHARED|VM_MAYSHARE if MAP_SHARED",
      "addr = mmap_region(file, addr, len, vm_flags, pgoff); return addr",
      "# mmap_region failed: its error is returned (-EINVAL, -ENODEV, -ENOMEM)",
    ],
    hl: 3,
    pick: (c) => {
      // a zero length or an unaligned offset is refused before any address is chosen
      const early = c.stmt?.op === "mmap" && (c.stmt.len === 0 || (c.stmt.offset ?? 0) % 4096 !== 0);
      if (early && c.result === "EINVAL") return 0;
      return c.event.kind === "result" ? (failed(c) ? 4 : 3) : undefined;
    },
  },
  mmap_region: {
    lines: [
      "vma = vm_area_alloc(mm); vma->vm_start/end/pgoff/flags = ...",
      "error = call_mmap(file, vma)   # -> kernfs_fop_mmap -> driver",
      "if error: unmap_region(); vm_area_free(vma); return error",
      "vma_link(mm, vma)               # now visible in the address space",
      "return addr",
    ],
    hl: 0,
    at: { "vma-create": 0, "vma-remove": 2 },
  },
  kernfs_fop_mmap: {
    lines: [
      "if !kernfs_get_active(of->kn): return -ENODEV   # file removed at unbind",
      "rc = ops->mmap(of, vma)   # sysfs_kf_bin_mmap -> p2pmem_alloc_mmap",
      "of->vm_ops = vma->vm_ops; vma->vm_ops = &kernfs_vm_ops",
      "of->mmapped = true",
    ],
    hl: 1,
    at: { note: 0 },
  },
  kernfs_vma_fault: {
    lines: [
      "if !of->vm_ops: return VM_FAULT_SIGBUS   # p2pmem has no .fault",
      "if !kernfs_get_active_of(of): return VM_FAULT_SIGBUS",
      "ret = of->vm_ops->fault ? of->vm_ops->fault(vmf) : VM_FAULT_SIGBUS",
    ],
    hl: 0,
  },
  p2pmem_alloc_mmap: {
    lines: [
      "if !(vma->vm_flags & VM_MAYSHARE): return -EINVAL   # MAP_PRIVATE",
      "if vma->vm_pgoff: return -EINVAL",
      "if !rcu_dereference(pdev->p2pdma): return -ENODEV",
      "kaddr = gen_pool_alloc_owner(pool, len, &ref)",
      "if !kaddr: return -ENOMEM",
      "if !percpu_ref_tryget_live_rcu(ref): gen_pool_free(); return -ENODEV",
      "for each page: set_page_count(page, 1)   # 6.15+",
      "    vm_insert_page(vma, addr, page)",
      "    percpu_ref_get(ref); put_page(page)",
      "percpu_ref_put(ref); return 0",
    ],
    hl: 3,
    at: { "genpool-alloc": 3, "page-ref": 6, "genpool-free": 5, result: 9 },
    pick: (c) => (c.event.kind === "note" ? (isPrivateMmap(c) ? 0 : 1) : undefined),
  },
  pci_mmap_p2pmem: {
    lines: [
      "if !(vma->vm_flags & VM_SHARED): return -EINVAL   # MAP_PRIVATE",
      "if vma->vm_pgoff: return -EINVAL",
      "pmap = kzalloc(); kref_init(&pmap->ref)   # kref 1",
      "vma->vm_flags |= VM_MIXEDMAP; vma->vm_private_data = pmap",
      "vma->vm_ops = &pci_p2pdma_vmops  # open/close(/fault)",
      "rfc-v1, seed, remap: allocate now; fault: allocate on first fault",
    ],
    hl: 2,
    at: { "pmap-create": 2, "vma-flags": 3 },
    pick: (c) => (c.event.kind === "note" ? (isPrivateMmap(c) ? 0 : 1) : undefined),
  },
  pci_alloc_p2pmem: {
    lines: [
      "p2pdma = rcu_dereference(pdev->p2pdma); if !p2pdma: return NULL",
      "ret = gen_pool_alloc_owner(p2pdma->pool, size, &ref)",
      "if !ret: return NULL   # the caller's mmap fails: -ENOMEM",
      "if !percpu_ref_tryget_live_rcu(ref): gen_pool_free(); ret = NULL",
      "return ret   # each page handed out gets one reference: the allocation's",
    ],
    hl: 1,
    at: { "genpool-alloc": 1, pgref: 3, "page-ref": 4, note: 2, finding: 1 },
  },
  pci_free_p2pmem: {
    lines: [
      "# each page's allocation reference is dropped",
      "gen_pool_free_owner(p2pdma->pool, addr, size, &ref)",
      "percpu_ref_put(ref)",
    ],
    hl: 1,
    at: { "genpool-free": 1, pgref: 2, "page-ref": 0, "pmap-first": 1, finding: 1 },
  },
  pci_p2pdma_vma_fault: {
    lines: [
      "pmap = vmf->vma->vm_private_data",
      "if !pmap->kaddr && !p2pdma->active: return VM_FAULT_SIGBUS   # unbound",
      "if !pmap->kaddr: pci_p2pdma_vma_alloc(pmap)   # the whole length",
      "pfn = virt_to_phys(kaddr + (addr - vma->vm_start)) >> PAGE_SHIFT",
      "return vmf_insert_mixed(vma, addr, pfn | PFN_DEV | PFN_MAP)",
    ],
    hl: 2,
    at: { note: 1, "pte-set": 4, finding: 3 },
  },
  pci_p2pdma_vma_alloc: {
    lines: [
      "mutex_lock(&pmap->kaddr_lock)      # v6 race fix",
      "if pmap->kaddr: goto out            # another fault won",
      "kaddr = gen_pool_alloc(pool, pmap->len)",
      "if !kaddr: return VM_FAULT_SIGBUS   # no free run that long",
      "v4: get_page() on every page; v6: base ref is the allocation's",
      "pmap->kaddr = kaddr",
      "out: mutex_unlock(&pmap->kaddr_lock)",
    ],
    hl: 2,
    at: { "genpool-alloc": 2, note: 3, "page-ref": 4, "pmap-first": 5, finding: 2 },
  },
  pci_p2pdma_map_release: {
    lines: [
      "# last close: kref reached 0",
      "call_rcu(&pmap->rcu, free_pmap)",
      "free_pmap: for each page: put_page(page)  # -> page_free",
      "kfree(pmap)",
    ],
    hl: 2,
    at: { "pmap-first": 2 },
  },
  pci_p2pdma_unmap_mappings: {
    lines: [
      "sysfs_remove_file_from_group(&pdev->dev.kobj, allocate)",
      "# kernfs drains the file: unmap_mapping_range() zaps every user PTE",
      "RFC v4-v6: p2pdma->active = false; synchronize_rcu()",
      "RFC v4-v6: unmap_mapping_range(); put_page() on every page of every pmap",
    ],
    hl: 1,
    at: { "pte-clear": 1, "pmap-first": 3 },
  },
  pci_p2pdma_release: {
    lines: [
      "p2pdma = pdev->p2pdma; if !p2pdma: return",
      "pdev->p2pdma = NULL; synchronize_rcu()   # no new pci_alloc_p2pmem",
      "gen_pool_destroy(p2pdma->pool)   # BUG if still allocated",
      "sysfs_remove_group(&pdev->dev.kobj, &p2pmem_group)   # unbound",
    ],
    hl: 2,
    at: { note: 1, "device-state": 3 },
  },
  p2pdma_page_free: {
    lines: [
      "pgmap = page_pgmap(page); p2pdma = ...",
      "gen_pool_free_owner(p2pdma->pool, page_to_virt(page), PAGE_SIZE, &ref)",
      "percpu_ref_put(ref)",
    ],
    hl: 1,
    at: { "genpool-free": 1, pgref: 2 },
  },
  p2pdma_folio_free: {
    lines: [
      "# 6.19+: dev_pagemap_ops.folio_free (was page_free)",
      "gen_pool_free_owner(p2pdma->pool, folio_address(folio), PAGE_SIZE, &ref)",
      "percpu_ref_put(ref)",
    ],
    hl: 1,
    at: { pgref: 2 },
  },
  free_zone_device_page: {
    lines: [
      "# before 6.15: the last reference to a ZONE_DEVICE page was put",
      "pgmap->ops->page_free(page)   # p2pdma_page_free",
      "set_page_count(page, 1)       # free pages rest at 1",
    ],
    hl: 1,
    at: { "page-free": 1, "genpool-free": 1, pgref: 1, "page-ref": 2 },
  },
  unmap_region: {
    lines: [
      "# mmap_region() error path: the driver's ->mmap failed",
      "unmap_page_range(vma, start, end)   # zap what was inserted",
      "tlb_finish_mmu()                    # put the gathered references",
      "free the VMA                        # no ->close: it was never set up",
    ],
    hl: 1,
    at: { "vma-remove": 3 },
  },
  madvise_update_vma: {
    lines: [
      "if range starts inside vma: __split_vma(vma, start)",
      "if range ends inside vma:   __split_vma(vma, end)",
      "MADV_DONTFORK: vm_flags |= VM_DONTCOPY",
      "MADV_DOFORK:   vm_flags &= ~VM_DONTCOPY",
    ],
    hl: 2,
  },
  madvise_walk_vmas: {
    lines: [
      "for each vma overlapping [start, end):",
      "    apply the advice to the overlapping part",
      "if part of [start, end) had no vma: return -ENOMEM",
    ],
    hl: 2,
  },
  do_madvise: {
    lines: [
      "start, len page aligned? else -EINVAL",
      "end = start + PAGE_ALIGN(len); if end == start: return 0",
      "madvise_walk_vmas(mm, start, end, behavior)",
    ],
    hl: 1,
  },
  should_fail: {
    lines: [
      "# lib/fault-inject.c: is this call chosen to fail?",
      "if attr->space > 0: attr->space -= 1; return false   # 'after N'",
      "if attr->times == 0: return false",
      "attr->times -= 1; return true                        # fail once",
    ],
    hl: 3,
  },
  bind_store: {
    lines: [
      "dev = bus_find_device_by_name(bus, buf)",
      "if dev->driver: return -EBUSY",
      "device_driver_attach(drv, dev)   # probe: pci_p2pdma_add_resource",
    ],
    hl: 1,
  },
  kref_put: {
    lines: [
      "if refcount_dec_and_test(&kref->refcount):",
      "    release(kref)   # RFC v1: pci_free_p2pmem of the whole pmap",
    ],
    hl: 0,
  },
  free_zone_device_folio: {
    lines: [
      "# the last reference to a ZONE_DEVICE folio was put",
      "switch (pgmap->type):",
      "case MEMORY_DEVICE_PCI_P2PDMA:",
      "    pgmap->ops->page_free(page)   # p2pdma_page_free",
      "    # 6.15+: refcount stays 0 (older: reset to 1)",
    ],
    hl: 3,
    at: { "page-free": 3, "genpool-free": 3, pgref: 3 },
  },
  memunmap_pages: {
    lines: [
      "percpu_ref_kill(&pgmap->ref)          # tryget_live fails now",
      "for each range: percpu_ref_put_many(&pgmap->ref, nr_pages)",
      "wait_for_completion(&pgmap->done)    # blocks while a page reference is held",
      "remove the struct pages",
    ],
    hl: 2,
    at: { "pgref-kill": 0, pgref: 1, finding: 2 },
    pick: (c) => (c.event.kind === "note" ? (c.result === "blocked" ? 2 : 3) : undefined),
  },
  percpu_ref_tryget_live_rcu: {
    lines: [
      "if percpu_ref is dying or dead: return false",
      "this_cpu_inc(*percpu_count)   # or atomic inc in atomic mode",
      "return true",
    ],
    hl: 1,
  },
  percpu_ref_get: { lines: ["this_cpu_inc(*percpu_count)   # or atomic_long_inc(&ref->count)"], hl: 0 },
  percpu_ref_put: {
    lines: [
      "this_cpu_dec(*percpu_count)   # or atomic_long_dec",
      "if the count hits 0 after kill: ref->release(ref)  # completes pgmap->done",
    ],
    hl: 0,
  },
  percpu_ref_kill: {
    lines: [
      "ref->percpu_count_ptr |= __PERCPU_REF_DEAD   # kill",
      "switch to atomic mode and put (drop) the initial reference",
      "# from now on tryget_live fails",
    ],
    hl: 0,
    at: { "pgref-kill": 0, pgref: 1 },
  },
  set_page_count: { lines: ["atomic_set(&page->_refcount, v)   # no checks, no free"], hl: 0 },
  vm_insert_page: {
    lines: [
      "if addr < vma->vm_start || addr >= vma->vm_end: return -EFAULT",
      "if !(vma->vm_flags & VM_MIXEDMAP): vm_flags_set(vma, VM_MIXEDMAP)",
      "return insert_page(vma, addr, page, vma->vm_page_prot)",
    ],
    hl: 1,
    at: { "vma-flags": 1 },
  },
  insert_page: {
    lines: [
      "if page is anon, slab or typed: return -EINVAL",
      "pte = get_locked_pte(mm, addr, &ptl); if !pte_none(*pte): return -EBUSY",
      "folio_get(folio)                   # the PTE's page reference",
      "inc_mm_counter(mm, mm_counter_file(folio))",
      "folio_add_file_rmap_pte(folio, page, vma)   # mapcount + 1",
      "set_pte_at(mm, addr, pte, mk_pte(page, prot))   # NORMAL pte",
    ],
    hl: 5,
    at: { "page-ref": 2, "pte-set": 5 },
  },
  put_page: {
    lines: [
      "folio = page_folio(page)",
      "if folio_put_testzero(folio):   # refcount - 1 == 0",
      "    free_zone_device_folio(folio)  # ZONE_DEVICE pages",
    ],
    hl: 1,
  },
  vmf_insert_mixed: {
    lines: [
      "# pfn carries PFN_DEV|PFN_MAP",
      "BUG_ON(!(vma->vm_flags & VM_MIXEDMAP))",
      "insert_pfn(vma, addr, pfn, prot, false)",
      "    entry = pte_mkdevmap(pfn_pte(pfn, prot))  # special + devmap",
      "    set_pte_at(...)   # no folio_get, no rmap, no rss",
    ],
    hl: 4,
  },
  remap_pfn_range: {
    lines: [
      "vm_flags_set(vma, VM_IO | VM_PFNMAP | VM_DONTEXPAND | VM_DONTDUMP)",
      "for each page: set_pte_at(pte_mkspecial(pfn_pte(pfn, prot)))",
      "# no struct page is touched: no refs, no mapcount, no rss",
    ],
    hl: 1,
    at: { "vma-flags": 0, "pte-set": 1 },
  },
  handle_mm_fault: {
    lines: [
      "pte = lookup(vma, addr)",
      "if pte_none(pte): do_fault(vmf) -> vma->vm_ops->fault(vmf)",
      "return the handler's VM_FAULT_* code to the caller",
    ],
    hl: 1,
  },
  do_fault: {
    lines: ["if !vma->vm_ops->fault: return VM_FAULT_SIGBUS", "ret = vma->vm_ops->fault(vmf)"],
    hl: 1,
    at: { note: 0 },
  },
  do_user_addr_fault: {
    lines: [
      "# the PTE is present: the MMU completes the load, no fault",
      "vma = lock_mm_and_find_vma(mm, address)",
      "if !vma: bad_area_nosemaphore() -> SIGSEGV",
      "fault = handle_mm_fault(vma, address, flags)",
      "if fault & VM_FAULT_SIGBUS: do_sigbus() -> SIGBUS",
      "# fault handled: the load is retried through the new PTE",
    ],
    hl: 1,
    pick: (c) => {
      if (c.result === "SIGSEGV") return 2;
      if (c.result === "SIGBUS") return 4;
      return c.faulted ? 5 : 0;
    },
  },
  faultin_page: {
    lines: ["ret = handle_mm_fault(vma, address, fault_flags)", "if ret & VM_FAULT_SIGBUS: return -EFAULT"],
    hl: 0,
    at: { note: 1 },
  },
  follow_page_pte: {
    lines: [
      "page = vm_normal_page(vma, address, pte)",
      "if !page && pte_devmap(pte): pgmap = get_dev_pagemap(pfn, pgmap)",
      "    if !pgmap: return -EFAULT   # the pgmap is dying",
      "    page = pte_page(pte)",
      "ret = try_grab_folio(folio, 1, flags)",
    ],
    hl: 4,
    at: { note: 2 },
  },
  pin_user_pages: {
    lines: [
      "if !is_valid_gup_args(pages, NULL, &gup_flags, FOLL_PIN): return -EINVAL",
      "__get_user_pages_locked(): mm_set_has_pinned_flag()   # MMF_HAS_PINNED",
      "for each page: __get_user_pages() -> follow_page_pte() or faultin_page()",
      "    try_grab_folio(folio, 1, FOLL_PIN)",
      "return the number of pages pinned   # all of them",
      "# a page failed: the caller unpins what it got (-EFAULT, -EREMOTEIO, -EOPNOTSUPP)",
    ],
    hl: 1,
    at: { "pin-create": 1 },
    pick: (c) => {
      if (c.event.kind !== "result" && c.event.kind !== "pin-status") return undefined;
      if (c.result === "EINVAL") return 0;
      return failed(c) ? 5 : 4;
    },
  },
  __get_user_pages: {
    lines: [
      "vma = gup_vma_lookup(mm, start); if !vma: return -EFAULT",
      "check_vma_flags(vma, gup_flags)",
      "page = follow_page_mask(vma, start, foll_flags)",
      "if !page: faultin_page()",
    ],
    hl: 2,
    at: { note: 0 },
  },
  is_valid_gup_args: {
    lines: [
      "if (gup_flags & (FOLL_LONGTERM|FOLL_PCI_P2PDMA)) == both:",
      "    WARN_ON_ONCE(); return false   # the caller returns -EINVAL",
      "gup_flags |= to_set; return true",
    ],
    hl: 1,
  },
  check_vma_flags: {
    lines: [
      "if vm_flags & (VM_IO | VM_PFNMAP): return -EFAULT",
      "if longterm && write && !writable_file_mapping_allowed(): return -EFAULT",
      "if (gup_flags & (FOLL_LONGTERM|FOLL_PCI_P2PDMA)) == both: return -EOPNOTSUPP   # 6.2 and older",
      "return 0",
    ],
    hl: 0,
    pick: (c) => {
      if (c.result === "EOPNOTSUPP") return 2;
      // upstream's VMAs are never VM_IO: there a refusal is the long-term writable pin
      return c.design === "upstream" && c.stmt?.op === "pin" && c.stmt.longterm ? 1 : 0;
    },
  },
  try_grab_folio: {
    lines: [
      "if WARN_ON_ONCE(folio_ref_count(folio) <= 0): return -ENOMEM",
      "if !(flags & FOLL_PCI_P2PDMA) && is_pci_p2pdma_page(page): return -EREMOTEIO",
      "if flags & FOLL_GET: folio_ref_add(folio, refs)",
      "else if FOLL_PIN: folio_ref_add(folio, refs * GUP_PIN_COUNTING_BIAS)  # +1024",
      "    node_stat_mod_folio(folio, NR_FOLL_PIN_ACQUIRED, refs)",
      "    large folio: folio_ref_add(folio, refs); atomic_add(refs, &folio->_pincount)  # no bias",
    ],
    hl: 3,
    at: { note: 1, "page-ref": 3, "pin-page": 3, finding: 3, "folio-ref": 5 },
  },
  unpin_user_page: {
    lines: [
      "folio = page_folio(page)",
      "if folio_ref_sub_and_test(folio, GUP_PIN_COUNTING_BIAS):   # -1024",
      "    free_zone_device_folio(folio)",
    ],
    hl: 1,
  },
  unpin_user_pages: {
    lines: [
      "for i in 0..npages: unpin_user_page(pages[i])",
      "# a pin that failed holds nothing: there is nothing to unpin",
    ],
    hl: 0,
    at: { note: 1 },
  },
  do_vmi_munmap: {
    lines: [
      "vma = vma_find(vmi, end); if !vma: return 0   # nothing mapped there",
      "if start > vma->vm_start: __split_vma(vmi, vma, start, 0)",
      "if end < last->vm_end: __split_vma(vmi, last, end, 0)",
      "unmap_region(): zap the PTEs of the range",
      "for each vma in range: remove_vma(vma)   # vm_ops->close",
      "return 0",
      "a split refused by vm_ops->may_split: return its error (-EINVAL, -ENODEV); nothing unmapped",
    ],
    hl: 3,
    at: { note: 0, "vma-split": 1, "vma-remove": 4, result: 5 },
    pick: (c) =>
      c.event.kind === "result" && (c.result === "EINVAL" || c.result === "ENODEV") && c.stmt?.op === "munmap"
        ? 6
        : undefined,
  },
  __split_vma: {
    lines: [
      "new = vm_area_dup(vma)",
      "if new_below: new->vm_end = addr",
      "else: new->vm_start = addr; new->vm_pgoff += (addr - vma->vm_start) >> PAGE_SHIFT",
      "if new->vm_ops->open: new->vm_ops->open(new)",
      "shrink vma to the other side of addr",
      "# first: if vm_ops->may_split(vma, addr) fails (addr not folio aligned): return -EINVAL",
      "# first: if vm_ops->may_split(vma, addr) fails (the allocate file is gone): return -ENODEV",
    ],
    hl: 2,
    at: { "vma-split": 2, "pmap-kref": 3 },
    pick: (c) => (c.event.kind === "note" ? (c.result === "ENODEV" ? 6 : 5) : undefined),
  },
  zap_pte_range: {
    lines: [
      "for each pte in the range:",
      "    ptent = ptep_get_and_clear_full(mm, addr, pte)",
      "    page = vm_normal_page(vma, addr, ptent)   # NULL for devmap/pfnmap",
      "    if page: folio_remove_rmap_pte(); rss--",
      "             tlb_remove_page(tlb, page)   # ref put at tlb_finish_mmu",
    ],
    hl: 1,
    at: { "pte-clear": 1, finding: 2 },
  },
  unmap_vmas: {
    lines: [
      "for each vma: unmap_single_vma(tlb, vma, start, end)",
      "    -> zap_pte_range() clears every PTE of every page table",
    ],
    hl: 1,
  },
  unmap_mapping_range: {
    lines: [
      "for each vma in mapping->i_mmap:   # every process, forks too",
      "    zap_page_range_single(vma, start, len)   # clear the PTEs",
      "# VMAs stay: a later access faults",
    ],
    hl: 1,
  },
  tlb_finish_mmu: {
    lines: [
      "tlb_flush_mmu(tlb)",
      "free_pages_and_swap_cache() -> folios_put_refs()   # put each gathered page",
      "# a refcount that reaches 0 frees the page",
    ],
    hl: 1,
  },
  remove_vma: {
    lines: [
      "if vma->vm_ops && vma->vm_ops->close: vma->vm_ops->close(vma)",
      "if vma->vm_file: fput(vma->vm_file)",
      "vm_area_free(vma)   # the VMA is removed",
    ],
    hl: 2,
    at: { "pmap-kref": 0 },
  },
  "vm_ops->open": {
    lines: ["pmap = vma->vm_private_data", "kref_get(&pmap->ref)   # one per VMA sharing the pmap"],
    hl: 1,
  },
  "vm_ops->close": {
    lines: [
      "pmap = vma->vm_private_data",
      "kref_put(&pmap->ref, pci_p2pdma_map_release)   # last VMA frees the memory",
    ],
    hl: 1,
  },
  call_rcu: {
    lines: [
      "queue head->func(head) to run after a grace period",
      "# readers that started before now may still see the object",
    ],
    hl: 0,
  },
  synchronize_rcu: {
    lines: [
      "wait until every CPU has passed a quiescent state",
      "# all RCU readers of the old pointer are done",
    ],
    hl: 0,
  },
  do_exit: {
    lines: [
      "io_uring_files_cancel()   # io_uring_cancel_generic(): blocks while the task's requests are in flight",
      "exit_signals(tsk); ...",
      "exit_mm(): mmput(mm) -> __mmput(): exit_aio() waits for aio in flight, then exit_mmap(mm)",
      "    unmap_vmas(); free_pgtables(); remove_vma() for each",
      "exit_files(); exit_notify()   # the task has exited",
    ],
    hl: 2,
    at: { "process-exiting": 0, note: 0, "process-exit": 4, "pte-clear": 3, "vma-remove": 3 },
    // A blocked exit (the process's own pin in flight) stops in io_uring_cancel_generic (kernel/exit.ts).
    pick: (c) => (c.event.kind === "result" ? (c.result === "blocked" ? 0 : 4) : undefined),
  },
  device_release_driver: {
    lines: [
      "drv->remove(dev)   # the driver is being unbound",
      "devres_release_all(dev)   # devm actions, newest first:",
      "    pci_p2pdma_unmap_mappings()   # upstream only: zap every user mapping",
      "    memunmap_pages()   # blocks until every page reference is put",
      "    pci_p2pdma_release()   # the device is unbound",
      "# no driver was bound: unbind_store returned -ENODEV",
    ],
    hl: 1,
    at: { "device-state": 0, note: 2, finding: 2 },
    pick: (c) => {
      if (c.event.kind === "finding") return c.result === "blocked" ? 3 : 2;
      if (c.event.kind !== "result") return undefined;
      if (c.result === "blocked") return 3;
      return failed(c) ? 5 : 4;
    },
  },
  unbind_store: {
    lines: [
      "dev = bus_find_device_by_name(bus, NULL, buf)",
      "if !dev || dev->driver != drv: return -ENODEV",
      "device_driver_detach(dev)  # -> device_release_driver",
    ],
    hl: 2,
    at: { note: 1 },
  },
  sysfs_remove_file_from_group: {
    lines: [
      "kn = kernfs_find_and_get(group, attr->name)",
      "kernfs_remove(kn)   # deactivate, drain open files, unmap mmaps",
    ],
    hl: 1,
  },
};

const privOrOffset = (c: CodeContext) =>
  isPrivateMmap(c) ? 0 : c.stmt?.op === "mmap" && (c.stmt.offset ?? 0) !== 0 ? 1 : undefined;

/** Per-design excerpts of functions whose body the design changes (the proposals' mmap and free). */
export const DESIGN_CODE: Readonly<Partial<Record<Design, Readonly<Record<string, CodeExcerpt>>>>> = {
  huge: {
    p2pmem_alloc_mmap: {
      lines: [
        "if !(vma->vm_flags & VM_MAYSHARE): return -EINVAL   # MAP_PRIVATE",
        "if vma->vm_pgoff: return -EINVAL",
        "if !rcu_dereference(pdev->p2pdma): return -ENODEV",
        "order = len % 1G == 0 ? PUD_ORDER : len % 2M == 0 ? PMD_ORDER : 0   # [P] length heuristic",
        "if order == 0: vm_insert_page() each page, as upstream",
        "kaddr = aligned gen_pool alloc, falling back PUD -> PMD -> 4K   # [P] best effort",
        "if !kaddr: return -ENOMEM",
        "for each folio: zone_device_folio_init(); insert_pmd/pud(); put_page(head)",
        "vm_flags |= VM_DONTEXPAND; vm_ops = &p2pmem_vm_ops   # .may_split, .pagesize",
        "percpu_ref_put(ref); return 0",
      ],
      hl: 7,
      at: { "vma-flags": 8, fallback: 5, finding: 5 },
      pick: (c) => (c.event.kind === "note" ? (privOrOffset(c) ?? 4) : undefined),
    },
    p2pdma_folio_free: {
      lines: [
        "# [P] huge.md §3.10: the whole folio goes back",
        "gen_pool_free_owner(pool, folio_address(folio), folio_size(folio), &ref)",
        "percpu_ref_put_many(ref, folio_nr_pages(folio))",
      ],
      hl: 1,
      at: { pgref: 2 },
    },
  },
  "huge-v1": {
    p2pmem_alloc_mmap: {
      lines: [
        "if !(vma->vm_flags & VM_MAYSHARE): return -EINVAL   # MAP_PRIVATE",
        "if vma->vm_pgoff: return -EINVAL",
        "if !rcu_dereference(pdev->p2pdma): return -ENODEV",
        'if !IS_ALIGNED(vm_start | vm_end, p2pdma->align): return -EINVAL   # "unaligned vma"',
        "kaddr = gen_pool_alloc_owner(pool, len)   # align-sized bits: aligned",
        "if !kaddr: return -ENOMEM",
        "per align slice: set_page_count(head, 1); vm_insert_folio_pmd/pud(); percpu_ref_get(); put_page",
        "vm_flags |= VM_DONTEXPAND; vm_ops = &p2pmem_vm_ops",
        "percpu_ref_put(ref); return 0",
      ],
      hl: 6,
      at: { "vma-flags": 7, finding: 3 },
      pick: (c) =>
        c.event.kind === "note" ? (privOrOffset(c) ?? (c.result === "EINVAL" ? 3 : 6)) : undefined,
    },
    p2pdma_folio_free: {
      lines: [
        "# 06/13: one bit of the pool is one folio",
        "gen_pool_free_owner(pool, page_to_virt(head), p2pdma->align, &ref)",
        "percpu_ref_put(ref)   # one per folio",
      ],
      hl: 1,
      at: { pgref: 2 },
    },
  },
};

export interface CodeView {
  readonly fn: string;
  readonly lines: readonly string[];
  /** highlighted line, or -1 when we have no excerpt */
  readonly hl: number;
}

/** The excerpt for the event's function, with the line the kernel stands on highlighted. */
export function codeView(c: CodeContext): CodeView {
  const fn = c.event.fn;
  const ex = DESIGN_CODE[c.design]?.[fn] ?? KERNEL_CODE[fn];
  if (!ex) return { fn, lines: [], hl: -1 };
  const hl = ex.pick?.(c) ?? ex.at?.[c.event.kind] ?? ex.hl;
  return { fn, lines: ex.lines, hl: Math.max(0, Math.min(hl, ex.lines.length - 1)) };
}

/** The context of `step` in a trace: its event, and the outcome of the statement it belongs to. */
export function codeContext(trace: Trace, step: number): CodeContext | undefined {
  const event = eventAt(trace, step);
  if (!event) return undefined;
  // the statement holding `step` (ops are in step order)
  let lo = 0;
  let hi = trace.ops.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (trace.ops[mid]!.firstStep <= step) lo = mid;
    else hi = mid - 1;
  }
  const op = trace.ops[lo];
  const stmt = op ? trace.scenario.statements[op.index] : undefined;
  // only a touch's path depends on whether it faulted, and a touch is a handful of events
  let faulted = false;
  if (op && stmt?.op === "touch") {
    for (const e of eventsOf(trace, op.firstStep, op.lastStep + 1)) if ((faulted = e.kind === "fault")) break;
  }
  return {
    event,
    result: op?.result ?? "ok",
    design: trace.design,
    stmt,
    faulted,
  };
}
