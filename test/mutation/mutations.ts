/**
 * Hand-written mutations of src/kernel: each breaks one kernel rule the model claims to follow.
 * `npm run mutate` applies each in a temporary copy of the repository and runs the unit tests; a
 * mutation no test fails "survives". test/unit/mutation-list.test.ts checks that every `search`
 * still occurs exactly once in its file, so the list cannot go stale silently.
 */
export interface Mutation {
  /** short id, unique */
  id: string;
  /** path from the repository root */
  file: string;
  /** exact text, occurring exactly once in the file */
  search: string;
  replace: string;
  /** the kernel rule the mutation breaks */
  rule: string;
}

const G = "src/kernel/lib/genalloc.ts";
const GUP = "src/kernel/mm/gup.ts";
const MEM = "src/kernel/mm/memory.ts";
const MR = "src/kernel/mm/memremap.ts";
const MM = "src/kernel/mm/mmap.ts";
const P2P = "src/kernel/drivers/p2pdma.ts";
const D = "src/kernel/drivers/designs";

export const MUTATIONS: Mutation[] = [
  // lib/genalloc.ts
  {
    id: "genalloc-first-fit-off-by-one",
    file: "src/kernel/runs.ts",
    search: "if (this.end(k) - start >= n) return start;",
    replace: "if (this.end(k) - start > n) return start;",
    rule: "gen_pool_first_fit: a free run of exactly n pages fits",
  },
  {
    id: "genalloc-no-free-check",
    file: G,
    search: "if (n > d.freePages || n <= 0) return -1;",
    replace: "if (n <= 0) return -1;",
    rule: "gen_pool_alloc fails when fewer than n pages are free",
  },
  {
    id: "genalloc-no-reset-on-allocated",
    file: "src/kernel/runs.ts",
    search: "        start = -1;\n        continue;",
    replace: "        continue;",
    rule: "bitmap_find_next_zero_area: a run must be contiguous, an allocated page breaks it",
  },
  {
    id: "genalloc-lowest-free-skip-allocated",
    file: G,
    search: "    if (r.allocated) continue;\n    const take",
    replace: "    const take",
    rule: "the lowest free pages skip allocated ones",
  },
  {
    id: "genalloc-no-uaf-on-alloc",
    file: G,
    search: "    if (r.pins > 0) {\n      k.find(",
    replace: "    if (false) {\n      k.find(",
    rule: "gen_pool_alloc of a page still pinned by earlier I/O is a use-after-free",
  },
  {
    id: "genalloc-no-double-free",
    file: G,
    search: "  if (!r.allocated) {\n    k.find(",
    replace: "  if (false) {\n    k.find(",
    rule: "gen_pool_free of a clear bit is a double free (BUG)",
  },
  {
    id: "genalloc-no-uaf-mapped-free",
    file: G,
    search: "  if (r.ptes > 0) {\n    k.find(",
    replace: "  if (false) {\n    k.find(",
    rule: "freeing a page still mapped is a use-after-free",
  },
  {
    id: "genalloc-no-uaf-pinned-free",
    file: G,
    search: "  } else if (r.pins > 0) {",
    replace: "  } else if (false) {",
    rule: "freeing a page still pinned is a use-after-free",
  },

  // mm/gup.ts
  {
    id: "gup-no-efault-dying-pgmap",
    file: GUP,
    search: "if (pteKind(pte) !== PTE_NORMAL && k.dev(dev).pgrefDying) {",
    replace: "if (false) {",
    rule: "follow_page_pte: get_dev_pagemap fails (-EFAULT) once the pgmap is dying",
  },
  {
    id: "gup-no-efault-no-vma",
    file: GUP,
    search: "    if (!vma) {\n",
    replace: "    if (false) {\n",
    rule: "__get_user_pages: no VMA is -EFAULT",
  },
  {
    id: "gup-no-efault-pfnmap",
    file: GUP,
    search: "if (vma!.flags & (VM_IO | VM_PFNMAP)) {",
    replace: "if (false) {",
    rule: "check_vma_flags: VM_IO|VM_PFNMAP cannot be pinned",
  },
  {
    id: "gup-no-longterm-refusal",
    file: GUP,
    search: "    if (longterm && !nop2p) {",
    replace: "    if (false) {",
    rule: "FOLL_LONGTERM of P2PDMA pages is refused",
  },
  {
    id: "gup-no-writable-longterm-refusal",
    file: GUP,
    search: "if (longterm && rules.writableLongtermRefused && k.driver.dirtyTracked) {",
    replace: "if (false) {",
    rule: "writable_file_mapping_allowed: writable longterm pin of a page_mkwrite mapping fails",
  },
  {
    id: "gup-no-eremoteio",
    file: GUP,
    search: "    if (nop2p) {",
    replace: "    if (false) {",
    rule: "try_grab_folio: P2PDMA page without FOLL_PCI_P2PDMA is -EREMOTEIO",
  },
  {
    id: "gup-fault-error-ignored",
    file: GUP,
    search: '        failPin(k, pinIdx, "EFAULT");\n      }\n      pte =',
    replace: "      }\n      pte =",
    rule: "faultin_page: a failed fault ends the pin with -EFAULT",
  },
  {
    id: "gup-pin-bias-1",
    file: GUP,
    search: 'run.length, GUP_PIN_COUNTING_BIAS, "try_grab_folio"',
    replace: 'run.length, 1, "try_grab_folio"',
    rule: "try_grab_folio(FOLL_PIN) adds GUP_PIN_COUNTING_BIAS",
  },
  {
    id: "gup-unpin-released-twice",
    file: GUP,
    search: '  if (pin.status === "released") {',
    replace: "  if (false) {",
    rule: "unpin of a released pin does nothing",
  },

  // mm/memory.ts
  {
    id: "zap-skip-put-page",
    file: MEM,
    search: "if (r.kind === PTE_NORMAL) batch.push({ dev: r.dev, page: r.page, n: r.length });",
    replace: "",
    rule: "zap_pte_range: a normal PTE's page reference is dropped (tlb_finish_mmu)",
  },
  {
    id: "zap-put-pfnmap-too",
    file: MEM,
    search: "if (r.kind === PTE_NORMAL) batch.push({ dev: r.dev, page: r.page, n: r.length });",
    replace: "batch.push({ dev: r.dev, page: r.page, n: r.length });",
    rule: "vm_normal_page: PFNMAP PTEs hold no page reference",
  },
  {
    id: "release-batch-no-put",
    file: MEM,
    search: 'pageRefs(k, b.dev, b.page, b.n, -1, "tlb_finish_mmu");',
    replace: 'pageRefs(k, b.dev, b.page, b.n, 0, "tlb_finish_mmu");',
    rule: "tlb_finish_mmu: folios_put_refs drops one reference per PTE",
  },
  {
    id: "load-no-sigsegv",
    file: MEM,
    search: '    return "SIGSEGV";',
    replace: '    return "ok";',
    rule: "do_user_addr_fault: no VMA is SIGSEGV",
  },
  {
    id: "fault-no-sigbus",
    file: MEM,
    search: '    throw new Outcome("SIGBUS");',
    replace: "    return;",
    rule: "handle_mm_fault without ->fault is SIGBUS",
  },
  {
    id: "pte-rmap-pfnmap",
    file: MEM,
    search: "rmap: pte === PTE_NORMAL ? 1 : 0",
    replace: "rmap: 1",
    rule: "vm_insert_page maps the page (rmap), a PFNMAP PTE does not",
  },

  // mm/memremap.ts
  {
    id: "memremap-no-finish-unbind",
    file: MR,
    search: '  if (d.lifecycle === "unbinding" && d.pgref === 0) finishUnbind(k, dev);',
    replace: "",
    rule: "memunmap_pages: the wait ends when pgmap->ref reaches zero",
  },
  {
    id: "memremap-no-underflow-finding",
    file: MR,
    search: "    if (to < 0) {",
    replace: "    if (false) {",
    rule: "a page refcount below zero is reported",
  },
  {
    id: "memremap-never-frees",
    file: MR,
    search: "const frees = to === 0 && delta < 0 && k.driver.pageFree !== undefined;",
    replace: "const frees = false;",
    rule: "free_zone_device_folio runs when the count reaches zero",
  },
  {
    id: "memremap-no-reset-count",
    file: MR,
    search: "  if (k.rules.resetCountAfterFree) {",
    replace: "  if (false) {",
    rule: "before 6.15 free_zone_device_page resets the count to 1",
  },
  {
    id: "memremap-pgrefput-no-dec",
    file: MR,
    search: 'body.push({ kind: "pgref", fn, dev, delta: -1, to: d.pgref - 1 });',
    replace: "",
    rule: "->page_free: percpu_ref_put of pgmap->ref",
  },
  {
    id: "memremap-finish-early",
    file: MR,
    search: "left > 0 && left <= r.length",
    replace: "left > 0 && left < r.length",
    rule: "the put that drops the last pgmap reference completes the unbind",
  },

  // mm/mmap.ts
  {
    id: "mmap-no-pgoff-einval",
    file: MM,
    search: "if (drv.pgoffCheck && offset !== 0) {",
    replace: "if (false) {",
    rule: "p2pmem_mmap / pci_mmap_p2pmem: vm_pgoff != 0 is -EINVAL",
  },
  {
    id: "mmap-no-private-einval",
    file: MM,
    search: "  if (priv) {",
    replace: "  if (false) {",
    rule: "MAP_PRIVATE of p2pmem is -EINVAL (no VM_MAYSHARE)",
  },
  {
    id: "mmap-no-enodev",
    file: MM,
    search: '    throw new Outcome("ENODEV");',
    replace: '    return "ok";',
    rule: "mmap of an unbound device's file is -ENODEV",
  },
  {
    id: "mmap-no-enomem",
    file: MM,
    search: 'if (!fits) throw new Outcome("ENOMEM");',
    replace: "",
    rule: "get_unmapped_area: no room below mmap_base is -ENOMEM",
  },
  {
    id: "mmap-min-addr",
    file: MM,
    search: "const fits = below >= MMAP_MIN_ADDR;",
    replace: "const fits = below >= 0;",
    rule: "mmap_min_addr bounds the address space from below",
  },
  {
    id: "mmap-zero-len",
    file: MM,
    search: "if (len === 0 || offset % k.pageSize !== 0) {",
    replace: "if (offset % k.pageSize !== 0) {",
    rule: "do_mmap: len 0 is -EINVAL",
  },
  {
    id: "munmap-zero-len",
    file: MM,
    search: "  if (len === 0) {\n",
    replace: "  if (false) {\n",
    rule: "__vm_munmap: len 0 is -EINVAL",
  },
  {
    id: "munmap-no-front-split",
    file: MM,
    search: "    splitVma(k, p, firstV, start, true);",
    replace: "",
    rule: "split_vma at the start of a munmap range",
  },
  {
    id: "munmap-no-back-split",
    file: MM,
    search: "    splitVma(k, p, lastV, end, false);",
    replace: "",
    rule: "split_vma at the end of a munmap range",
  },
  {
    id: "madvise-no-enomem",
    file: MM,
    search: "  if (covered < end - start) {",
    replace: "  if (false) {",
    rule: "madvise over unmapped space is -ENOMEM",
  },

  // kernel/fork.ts, kernel/exit.ts
  {
    id: "fork-ignores-dontcopy",
    file: "src/kernel/kernel/fork.ts",
    search: "    if (v.flags & VM_DONTCOPY) {",
    replace: "    if (false) {",
    rule: "dup_mmap skips VM_DONTCOPY VMAs",
  },
  {
    id: "fork-no-page-ref",
    file: "src/kernel/kernel/fork.ts",
    search: 'r.page, r.length, 1, "copy_present_pte"',
    replace: 'r.page, r.length, 0, "copy_present_pte"',
    rule: "copy_present_pte takes a reference on each normal page",
  },
  {
    id: "fork-no-vm-open",
    file: "src/kernel/kernel/fork.ts",
    search: "    k.driver.vmOps.open?.(k, copy);",
    replace: "",
    rule: "dup_mmap calls vm_ops->open on the copy",
  },
  {
    id: "exit-no-release",
    file: "src/kernel/kernel/exit.ts",
    search: "  releaseBatch(k, batch);",
    replace: "",
    rule: "exit_mmap drops the zapped pages' references",
  },
  {
    id: "exit-keeps-vmas",
    file: "src/kernel/kernel/exit.ts",
    search: "  for (const v of vmas) removeVma(k, p, v);",
    replace: "",
    rule: "exit_mmap removes (and closes) every VMA",
  },

  // drivers/p2pdma.ts
  {
    id: "bind-while-bound",
    file: P2P,
    search: '  if (d.lifecycle !== "unbound") {',
    replace: "  if (false) {",
    rule: "bind while bound or still unbinding is -EBUSY",
  },
  {
    id: "unbind-no-enodev",
    file: P2P,
    search: '  if (d.lifecycle !== "bound") {\n    k.note("unbind_store"',
    replace: '  if (false) {\n    k.note("unbind_store"',
    rule: "unbind without a driver is -ENODEV",
  },
  {
    id: "unbind-no-kill-put",
    file: P2P,
    search: '  pgref(k, dev, -1, "percpu_ref_kill");',
    replace: "",
    rule: "memunmap_pages: percpu_ref_kill drops the initial reference",
  },
  {
    id: "unbind-no-base-refs",
    file: P2P,
    search: '  pgrefPut(k, dev, pgmapRefs(k, d.pages), "memunmap_pages");',
    replace: "",
    rule: "memunmap_pages drops the per-page pgmap references",
  },
  {
    id: "unbind-no-unmap",
    file: P2P,
    search: "  k.driver.unbindMappings(k, dev);",
    replace: "",
    rule: "the design's unmap of user mappings runs before memunmap_pages",
  },
  {
    id: "bind-pgref-off-by-one",
    file: P2P,
    search: 'pgref(k, dev, 1 + pgmapRefs(k, d.pages), "devm_memremap_pages");',
    replace: 'pgref(k, dev, pgmapRefs(k, d.pages), "devm_memremap_pages");',
    rule: "memremap_pages: pgmap->ref is 1 + one per page",
  },

  // drivers/designs
  {
    id: "fault-no-pgoff-check",
    file: `${D}/fault.ts`,
    search: "  pgoffCheck: true,",
    replace: "  pgoffCheck: false,",
    rule: "fault design ->mmap: vm_pgoff != 0 is -EINVAL",
  },
  {
    id: "remap-no-pgoff-check",
    file: `${D}/remap.ts`,
    search: "  pgoffCheck: true,",
    replace: "  pgoffCheck: false,",
    rule: "remap design pci_mmap_p2pmem: vm_pgoff != 0 is -EINVAL",
  },
  {
    id: "upstream-no-pgoff-check",
    file: `${D}/upstream.ts`,
    search: "  pgoffCheck: true,",
    replace: "  pgoffCheck: false,",
    rule: "p2pmem_alloc_mmap: vm_pgoff != 0 is -EINVAL",
  },
  {
    id: "seed-pgoff-check",
    file: `${D}/seed.ts`,
    search: "  pgoffCheck: false,",
    replace: "  pgoffCheck: true,",
    rule: "seed's ->mmap has no pgoff check",
  },
  {
    id: "rfcv1-pgoff-check",
    file: `${D}/rfc-v1.ts`,
    search: "  pgoffCheck: false,",
    replace: "  pgoffCheck: true,",
    rule: "rfc-v1's ->mmap has no pgoff check",
  },
  {
    id: "upstream-no-enomem",
    file: `${D}/upstream.ts`,
    search: '    throw new Outcome("ENOMEM");',
    replace: "    return;",
    rule: "p2pmem_alloc_mmap: pci_alloc_p2pmem failure is -ENOMEM",
  },
  {
    id: "upstream-insert-no-pgref",
    file: `${D}/upstream.ts`,
    search: '{ kind: "pgref", fn: "percpu_ref_get", dev, delta: 1, to: k.dev(dev).pgref + 1 },',
    replace: "",
    rule: "vm_insert_page of a ZONE_DEVICE page takes a pgmap reference",
  },
  {
    id: "upstream-insert-no-page-ref",
    file: `${D}/upstream.ts`,
    search: '{ kind: "page-ref", fn: "insert_page", dev, page, delta: 1, to: at + 1 },',
    replace: "",
    rule: "insert_page takes a page reference",
  },
  {
    id: "seed-no-enomem",
    file: `${D}/seed.ts`,
    search: '  throw new Outcome("ENOMEM");',
    replace: "  return;",
    rule: "seed: a partial allocation fails with -ENOMEM",
  },
  {
    id: "seed-done-check",
    file: `${D}/seed.ts`,
    search: "  if (done === n) return;",
    replace: "  if (done >= 0) return;",
    rule: "seed: only a full allocation succeeds",
  },
  {
    id: "rfcv1-no-enomem",
    file: `${D}/rfc-v1.ts`,
    search: '    throw new Outcome("ENOMEM");',
    replace: "    return;",
    rule: "rfc-v1: genpool allocation failure is -ENOMEM",
  },
  {
    id: "rfcv1-no-efault",
    file: `${D}/rfc-v1.ts`,
    search: '  throw new Outcome("EFAULT");',
    replace: "  return;",
    rule: "rfc-v1: a failed insert ends the mmap with -EFAULT",
  },
  {
    id: "fault-no-sigbus-unbound",
    file: `${D}/fault.ts`,
    search: 'if (d.lifecycle !== "bound" || pm.generation !== d.generation) {',
    replace: "if (false) {",
    rule: "fault design: a fault after unbind is SIGBUS",
  },
  {
    id: "fault-no-zap-on-unbind",
    file: `${D}/fault.ts`,
    search: 'if (v.dev === dev) zapRange(k, proc.index, v.start, v.end, "unmap_mapping_range");',
    replace: "",
    rule: "fault design unbind: unmap_mapping_range zaps every mapping",
  },
  {
    id: "fault-no-alias-check",
    file: `${D}/fault.ts`,
    search: "  if (idx !== meant) {",
    replace: "  if (false) {",
    rule: "fault design: a front split misaligns pgoff and the fault maps the wrong page (alias)",
  },
  {
    id: "pmap-close-never-releases",
    file: `${D}/pmap.ts`,
    search: "if (pm.kref === 0 && pm.first >= 0) release(k, pm.id);",
    replace: "",
    rule: "vm_ops->close: the last kref frees the allocation",
  },
  {
    id: "pmap-open-no-kref",
    file: `${D}/pmap.ts`,
    search: 'if (v.pmap >= 0) k.emit({ kind: "pmap-kref", fn: "vm_ops->open", pmap: v.pmap, delta: 1 });',
    replace: "",
    rule: "vm_ops->open takes a kref on the allocation",
  },
  {
    id: "remap-pte-normal",
    file: `${D}/remap.ts`,
    search: 'import { PTE_PFNMAP } from "../../state.ts";',
    replace: 'import { PTE_NORMAL as PTE_PFNMAP } from "../../state.ts";',
    rule: "io_remap_pfn_range makes PFNMAP PTEs",
  },
  {
    id: "index-remap-is-fault",
    file: `${D}/index.ts`,
    search: "  remap,\n",
    replace: "  remap: fault,\n",
    rule: "each design name runs its own driver",
  },

  // core.ts, events.ts, runs.ts, state.ts, sim.ts, versions.ts
  {
    id: "core-loop-one-less",
    file: "src/kernel/core.ts",
    search: "applyLoop(this.state, loop, 0, n * body.length);",
    replace: "applyLoop(this.state, loop, 0, (n - 1) * body.length);",
    rule: "a kernel loop applies every iteration",
  },
  {
    id: "events-instantiate-page",
    file: "src/kernel/events.ts",
    search: "return { ...e, to: e.to + i * e.delta };",
    replace: "return { ...e, to: e.to };",
    rule: "iteration i of a counting loop reports the count after i steps",
  },
  {
    id: "events-genpool-free-count",
    file: "src/kernel/events.ts",
    search: "d.freePages += alloc ? -k : k;",
    replace: "d.freePages += alloc ? -k : 0;",
    rule: "gen_pool_free returns pages to the pool's free count",
  },
  {
    id: "events-rss-file",
    file: "src/kernel/events.ts",
    search: "p.rssFile += m * e.rmap * k;",
    replace: "p.rssFile += m * k;",
    rule: "only rmapped (normal) pages count in MM_FILEPAGES",
  },
  {
    id: "runs-find-off-by-one",
    file: "src/kernel/runs.ts",
    search: "if (s[mid]! <= page) lo = mid;",
    replace: "if (s[mid]! < page) lo = mid;",
    rule: "page run lookup finds the run holding the page",
  },
  {
    id: "runs-pte-join",
    file: "src/kernel/runs.ts",
    search:
      "replaceAt(r, i - 1, 2, 1, pteRun(prev.vpn, prev.length + n + next.length, dev, prev.page, kind));",
    replace: "replaceAt(r, i - 1, 2, 1, pteRun(prev.vpn, prev.length + n, dev, prev.page, kind));",
    rule: "PTE runs merge without losing entries",
  },
  {
    id: "state-leaked-ignores-pins",
    file: "src/kernel/state.ts",
    search: "if (!r.allocated || r.ptes > 0 || r.pins > 0) return false;",
    replace: "if (!r.allocated || r.ptes > 0) return false;",
    rule: "a pinned page is not leaked (its I/O holds it)",
  },
  {
    id: "sim-unbind-is-bind",
    file: "src/kernel/sim.ts",
    search: "return unbind(this, this.devIndex(st.dev));",
    replace: "return bind(this, this.devIndex(st.dev));",
    rule: "unbind runs device_release_driver",
  },
  {
    id: "sim-pgref-check-off",
    file: "src/kernel/sim.ts",
    search: "if (d.pgref !== expected) {",
    replace: "if (false) {",
    rule: "self-check: pgmap->ref equals 1 + pages + extras while bound",
  },
  {
    id: "versions-615-refcount",
    file: "src/kernel/versions.ts",
    search: 'stands: "6.15-6.19.3",\n    freeRefcount: 0,',
    replace: 'stands: "6.15-6.19.3",\n    freeRefcount: 1,',
    rule: "6.15+: free ZONE_DEVICE pages rest at refcount 0",
  },
  // drivers/designs/huge-policy.ts (the huge designs' order choice and aligned allocation)
  {
    id: "huge-pmd-order-any-length",
    file: `${D}/huge-policy.ts`,
    search: "if (pages > 0 && pages % 2 ** pmd === 0) return pmd;",
    replace: "if (pages > 0) return pmd;",
    rule: "huge.md §3.3: a PMD folio only when the mmap length is a multiple of the PMD size",
  },
  {
    id: "huge-first-fit-align-ignores-alignment",
    file: `${D}/huge-policy.ts`,
    search: "const cand = Math.ceil(start / alignPages) * alignPages;",
    replace: "const cand = start;",
    rule: "gen_pool_first_fit_align: the range starts on a multiple of the alignment",
  },
  // mm/huge_memory.ts (large folios: leaves, folio puts, pins without bias)
  {
    id: "huge-folio-never-freed",
    file: "src/kernel/mm/huge_memory.ts",
    search: "const frees = to === 0 && delta < 0;",
    replace: "const frees = to < 0 && delta < 0;",
    rule: "folio_put: a large folio whose refcount reaches 0 is freed whole (free_zone_device_folio)",
  },
  {
    id: "huge-pin-no-pincount",
    file: "src/kernel/mm/huge_memory.ts",
    search: 'folioRefs(k, dev, head, count, size, kk, kk, "try_grab_folio")',
    replace: 'folioRefs(k, dev, head, count, size, kk, 0, "try_grab_folio")',
    rule: "try_grab_folio: a pin of a large folio adds to _pincount (folio_has_pincount)",
  },
  // drivers/designs/huge.ts and huge-v1.ts (huge.md §3, §4)
  {
    id: "huge-may-split-any-address",
    file: `${D}/huge.ts`,
    search: 'if (addr % bytes !== 0) return "EINVAL";',
    replace: "",
    rule: "p2pmem_may_split: -EINVAL unless the split address is aligned to the folio size",
  },
  {
    id: "huge-folio-free-one-pgref",
    file: `${D}/huge.ts`,
    search: 'fn: "percpu_ref_put_many", dev, delta: -pages,',
    replace: 'fn: "percpu_ref_put_many", dev, delta: -1,',
    rule: "p2pdma_folio_free [P]: percpu_ref_put_many(folio_nr_pages(folio))",
  },
  {
    id: "huge-v1-accepts-unaligned",
    file: `${D}/huge-v1.ts`,
    search: "if (pages % size !== 0) {",
    replace: "if (pages % size !== 0 && false) {",
    rule: 'huge-v1 p2pmem_alloc_mmap: "unaligned vma" -EINVAL for a length not a multiple of the align',
  },
  {
    id: "huge-v1-base-refs-per-page",
    file: `${D}/huge-v1.ts`,
    search: "pgmapRefs: (k, pages) => pages / 2 ** hugeV1Order(pages, k.pageSize),",
    replace: "pgmapRefs: (_k, pages) => pages,",
    rule: "memremap_pages: base pgmap references are npages >> vmemmap_shift",
  },
  {
    id: "split-ignores-may-split",
    file: MM,
    search: "const err = k.driver.vmOps.maySplit?.(k, v, at);",
    replace: "const err = undefined as string | undefined;",
    rule: "__split_vma: vm_ops->may_split can refuse a split (and the munmap that needs it)",
  },
  {
    id: "zap-leaf-puts-pages-not-folio",
    file: MEM,
    search: "    if (b.folio)\n",
    replace: "    if (b.folio && false)\n",
    rule: "zap_huge_pmd / zap_huge_pud: the leaf's folio gets one put, not one per page",
  },
  {
    id: "leak-check-ignores-folio",
    file: "src/kernel/sim.ts",
    search: "if (r.order > 0 && folioInUse(d.pageRuns, r.start, r.order)) continue;",
    replace: "",
    rule: "a page of a large folio is held while any page of the folio is mapped or pinned (one refcount)",
  },
  // kernel/fork.ts
  {
    id: "fork-copies-without-vm-copy-on-fork",
    file: "src/kernel/kernel/fork.ts",
    search: "const needsCopy = (v.flags & (VM_MIXEDMAP | VM_PFNMAP)) !== 0;",
    replace: "const needsCopy = true;",
    rule: "vma_needs_copy: without VM_PFNMAP|VM_MIXEDMAP (or anon_vma) copy_page_range copies nothing",
  },
  // records.ts (the packed trace: a value must read back as it was stored)
  {
    id: "records-wide-field-drops-high-word",
    file: "src/kernel/records.ts",
    search: "v = (words[w]! >>> 0) + words[w + 1]! * TWO32;",
    replace: "v = words[w]! >>> 0;",
    rule: "a vpn or pte past 2^32 pages (a 16 TiB address) reads back whole",
  },
];
