/**
 * `rfc-v1`: "[RFC PATCH 14/15] PCI/P2PDMA: Introduce pci_mmap_p2pmem()" as posted, 2020-11-06
 * (§3.1): one allocation, a devmap PTE (vmf_insert_mixed with PFN_DEV|PFN_MAP) for every page,
 * memory freed when the last VMA closes, whatever the page refcounts say.
 */
import { type Kernel, Outcome } from "../../core.ts";
import { genPoolAlloc, genPoolFirstFit } from "../../lib/genalloc.ts";
import { pteBody, zapRange } from "../../mm/memory.ts";
import { pgref } from "../../mm/memremap.ts";
import {
  PTE_DEVMAP,
  PTE_PFNMAP,
  type PteKind,
  VM_DONTDUMP,
  VM_DONTEXPAND,
  VM_IO,
  VM_MIXEDMAP,
  VM_PFNMAP,
  type Vma,
} from "../../state.ts";
import type { P2pDriver } from "../driver.ts";
import { reportStaleMappings } from "../p2pdma.ts";
import { createPmap, pciFreeP2pmem, pmapPgrefs, pmapVmOps } from "./pmap.ts";

/**
 * pci_mmap_p2pmem() of RFC v1 and of an MMIO-style driver: pci_alloc_p2pmem(len) makes one
 * contiguous allocation with one pgmap reference, owned by a kref'd pmap; every page gets a devmap
 * PTE (vmf_insert_mixed) or a pfnmap PTE (io_remap_pfn_range), neither of which takes a page
 * reference.
 */
export function pmapMmap(k: Kernel, p: number, vma0: Vma, n: number, pte: PteKind): void {
  const dev = vma0.dev;
  const allocOk = k.injectPeek("gen_pool_alloc") > 0;
  const first = allocOk ? genPoolFirstFit(k, dev, n) : -1;
  if (first < 0) {
    if (!allocOk) k.injectConsume("gen_pool_alloc", 0, true);
    k.note(
      "pci_alloc_p2pmem",
      allocOk ? `no run of ${n} free pages in ${k.dev(dev).name}` : "fault injection: gen_pool_alloc() fails",
    );
    throw new Outcome("ENOMEM");
  }
  k.injectConsume("gen_pool_alloc", 1, false);
  const vma: Vma = { ...vma0, flags: vma0.flags | VM_MIXEDMAP, pmap: k.state.pmaps.length };
  k.emit({ kind: "vma-create", fn: "mmap_region", proc: p, vma });
  genPoolAlloc(k, dev, first, n, vma.pmap, "pci_alloc_p2pmem");
  pgref(k, dev, 1, "percpu_ref_tryget_live_rcu");
  createPmap(k, dev, n, first, "pci_mmap_p2pmem");
  const vpn = vma.start / k.pageSize;
  if (pte === PTE_PFNMAP) {
    const to = (vma.flags & ~VM_MIXEDMAP) | VM_IO | VM_PFNMAP | VM_DONTEXPAND | VM_DONTDUMP;
    k.emit({ kind: "vma-flags", fn: "remap_pfn_range", proc: p, vmaId: vma.id, from: vma.flags, to });
    k.loop(n, [pteBody("pte-set", "remap_pfn_range", p, vpn, dev, first, pte)]);
    return;
  }
  const ok = Math.min(n, k.injectPeek("vmf_insert_mixed"));
  const errno = k.injectConsume("vmf_insert_mixed", ok, ok < n);
  k.loop(ok, [pteBody("pte-set", "vmf_insert_mixed", p, vpn, dev, first, pte)]);
  if (!errno) return;
  // RFC v1: if any vmf_insert_mixed() returns VM_FAULT_ERROR, kref_put() frees everything and
  // the call returns -EFAULT; mmap_region() then unmaps what was inserted.
  k.note(
    "vmf_insert_mixed",
    `fault injection: vmf_insert_mixed() fails with -${errno}: VM_FAULT_OOM, so pci_mmap_p2pmem returns -EFAULT`,
  );
  k.emit({ kind: "pmap-kref", fn: "kref_put", pmap: vma.pmap, delta: -1 });
  pciFreeP2pmem(k, vma.pmap);
  zapRange(k, p, vma.start, vma.start + ok * k.pageSize, "unmap_region");
  k.emit({ kind: "vma-remove", fn: "mmap_region", proc: p, vma: k.findVmaById(p, vma.id)! });
  throw new Outcome("EFAULT");
}

export const rfcV1: P2pDriver = {
  design: "rfc-v1",
  summary: "RFC v1: one allocation, vmf_insert_mixed() every page, freed when the last VMA closes",
  pte: PTE_DEVMAP,
  mmapFn: "pci_mmap_p2pmem",
  pgoffCheck: false,
  dirtyTracked: false,
  mmap: (k, p, vma, n) => pmapMmap(k, p, vma, n, PTE_DEVMAP),
  vmOps: pmapVmOps(pciFreeP2pmem),
  unbindMappings: reportStaleMappings,
  pgrefExtras: pmapPgrefs,
  leakFn: "put_page",
};
