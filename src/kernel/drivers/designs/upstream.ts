/**
 * `upstream`: drivers/pci/p2pdma.c p2pmem_alloc_mmap(), merged in 6.2 (§2.3): one contiguous
 * allocation of the whole length, then per page vm_insert_page(), whose NORMAL PTE holds a page
 * reference; pages go back through ->page_free when the last reference is put (§2.4).
 */
import { type Kernel, Outcome } from "../../core.ts";
import type { EventInit, LoopBodyInit } from "../../events.ts";
import { genPoolAlloc, genPoolFirstFit, genPoolFree } from "../../lib/genalloc.ts";
import { pteBody, releaseBatch, zapRange } from "../../mm/memory.ts";
import { p2pdmaPageFreeBody, pgref, pgrefPut } from "../../mm/memremap.ts";
import { PTE_NORMAL, VM_MIXEDMAP, type Vma } from "../../state.ts";
import type { P2pDriver } from "../driver.ts";
import { pciP2pdmaUnmapMappings } from "../p2pdma.ts";

/**
 * p2pmem_alloc_mmap() with the version's rules: gen_pool_alloc_owner() of the whole length,
 * percpu_ref_tryget_live_rcu(), then per page [6.15+: set_page_count(1)] vm_insert_page(),
 * percpu_ref_get(), put_page(). Each page ends at refcount 1, mapcount 1.
 */
function p2pmemAllocMmap(k: Kernel, p: number, vma: Vma, n: number): void {
  const dev = vma.dev;
  const allocOk = k.injectPeek("gen_pool_alloc") > 0;
  const first = allocOk ? genPoolFirstFit(k, dev, n) : -1;
  if (first < 0) {
    if (!allocOk) {
      k.injectConsume("gen_pool_alloc", 0, true);
      k.note("gen_pool_alloc_owner", "fault injection: gen_pool_alloc_owner() returns NULL");
    } else {
      k.note(
        "gen_pool_alloc_owner",
        `no run of ${n} free pages in ${k.dev(dev).name}: p2pmem_alloc_mmap fails`,
      );
    }
    throw new Outcome("ENOMEM");
  }
  k.injectConsume("gen_pool_alloc", 1, false);
  k.emit({ kind: "vma-create", fn: "mmap_region", proc: p, vma });
  genPoolAlloc(k, dev, first, n, -1, "gen_pool_alloc_owner");
  pgref(k, dev, 1, "percpu_ref_tryget_live_rcu");
  const inserted = Math.min(n, k.injectPeek("vm_insert_page"));
  const errno = k.injectConsume("vm_insert_page", inserted, inserted < n);
  const vpn0 = vma.start / k.pageSize;
  if (inserted > 0) {
    // Page 0 alone: vm_insert_page() also sets VM_MIXEDMAP on the VMA.
    for (const e of insertBody(k, p, dev, first, vpn0, true, vma)) k.emit(e);
    const d = k.dev(dev);
    for (const r of d.pageRuns.runs(first + 1, inserted - 1)) {
      k.loop(
        r.length,
        insertBody(k, p, dev, r.start, vpn0 + (r.start - first), false, vma) as LoopBodyInit[],
      );
    }
    k.touch(dev, first, inserted);
  }
  if (errno) failedInsert(k, p, vma, first, n, inserted, errno);
  pgrefPut(k, dev, 1, "percpu_ref_put");
}

/** One iteration of the insert loop for `page` at `vpn`, given the page's refcount now. */
function insertBody(
  k: Kernel,
  p: number,
  dev: number,
  page: number,
  vpn: number,
  firstPage: boolean,
  vma: Vma,
): EventInit[] {
  const ref = k.dev(dev).pageRuns.get("refcount", page);
  const body: EventInit[] = [];
  let at = ref;
  if (k.rules.setPageCountBeforeInsert && ref !== 1) {
    body.push({ kind: "page-ref", fn: "set_page_count", dev, page, delta: 1 - ref, to: 1 });
    at = 1;
  }
  if (firstPage) {
    body.push({
      kind: "vma-flags",
      fn: "vm_insert_page",
      proc: p,
      vmaId: vma.id,
      from: vma.flags,
      to: vma.flags | VM_MIXEDMAP,
    });
  }
  body.push(
    { kind: "page-ref", fn: "insert_page", dev, page, delta: 1, to: at + 1 },
    pteBody("pte-set", "insert_page", p, vpn, dev, page, PTE_NORMAL),
    { kind: "pgref", fn: "percpu_ref_get", dev, delta: 1, to: k.dev(dev).pgref + 1 },
    { kind: "page-ref", fn: "put_page", dev, page, delta: -1, to: at },
  );
  return body;
}

/**
 * vm_insert_page() failed at page `f` (fault injection). What p2pmem_alloc_mmap() leaves behind
 * is the version's (§6, §8): fixed kernels free pages f.. to the pool, reset page f's count and put
 * the tryget reference; older ones leak that pgmap reference (a later unbind hangs), and 6.15-6.19.3
 * also leave page f at refcount 1 while free. The mmap core then tears down the VMA, which zaps and
 * frees pages 0..f-1.
 */
function failedInsert(
  k: Kernel,
  p: number,
  vma: Vma,
  first: number,
  n: number,
  f: number,
  errno: string,
): never {
  const dev = vma.dev;
  const d = k.dev(dev);
  const page = first + f;
  // 6.15+: set_page_count(page, 1) ran before the vm_insert_page() that fails.
  const ref0 = d.pageRuns.get("refcount", page);
  if (k.rules.setPageCountBeforeInsert && ref0 !== 1)
    k.emit({ kind: "page-ref", fn: "set_page_count", dev, page, delta: 1 - ref0, to: 1 });
  k.note(
    "vm_insert_page",
    `fault injection: vm_insert_page() of ${d.name} page ${page} fails with -${errno}`,
  );
  genPoolFree(k, dev, page, n - f, "p2pmem_alloc_mmap");
  const rule = k.rules.failedInsert;
  if (rule === "clean") {
    const ref = d.pageRuns.get("refcount", page);
    if (ref !== k.rules.freeRefcount)
      k.emit({
        kind: "page-ref",
        fn: "set_page_count",
        dev,
        page,
        delta: k.rules.freeRefcount - ref,
        to: k.rules.freeRefcount,
      });
    pgrefPut(k, dev, 1, "percpu_ref_put");
  } else {
    k.leakedPgrefs[dev]!++;
    k.find(
      "pgref-leak",
      dev,
      page,
      1,
      "p2pmem_alloc_mmap",
      `${d.name}: the error path after the failed vm_insert_page() of {pages} never puts its pgmap reference (fixed by 6220694c52a5), so a later unbind hangs`,
    );
    if (rule === "leak-pgref-stale-ref" && d.pageRuns.get("refcount", page) !== k.rules.freeRefcount) {
      k.find(
        "stale-refcount",
        dev,
        page,
        1,
        "p2pmem_alloc_mmap",
        `${d.name} {pages}: back in the pool with refcount ${d.pageRuns.get("refcount", page)} after the failed vm_insert_page() (fixed by 83014d82a110)`,
      );
    }
  }
  const batch = zapRange(k, p, vma.start, vma.start + f * k.pageSize, "unmap_region");
  releaseBatch(k, batch);
  k.emit({ kind: "vma-remove", fn: "mmap_region", proc: p, vma: k.findVmaById(p, vma.id)! });
  throw new Outcome(errno);
}

/** kernfs_vma_fault(): p2pmem has no ->fault of its own (of->vm_ops is NULL): VM_FAULT_SIGBUS. */
function kernfsVmaFault(k: Kernel): never {
  k.note("kernfs_vma_fault", "p2pmem has no fault handler: kernfs_vma_fault returns VM_FAULT_SIGBUS");
  throw new Outcome("SIGBUS");
}

export const upstream: P2pDriver = {
  design: "upstream",
  summary: "Linux 6.2+: allocate the whole length at mmap, vm_insert_page() each page (PTE holds a page ref)",
  pte: PTE_NORMAL,
  mmapFn: "p2pmem_alloc_mmap",
  pgoffCheck: true,
  dirtyTracked: true,
  mmap: p2pmemAllocMmap,
  vmOps: { fault: kernfsVmaFault },
  pageFree: p2pdmaPageFreeBody,
  unbindMappings: pciP2pdmaUnmapMappings,
  pgrefExtras: (k, dev) => k.dev(dev).pages - k.dev(dev).freePages,
  leakFn: "put_page",
};
