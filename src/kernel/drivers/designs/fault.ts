/**
 * `fault`: RFC v2..v6 (2021 to April 2022, §3.2): mmap only sets up the VMA and a pmap; the first
 * fault allocates the whole length, and each touched page gets a devmap PTE (vmf_insert_mixed).
 * The last close releases the pmap after an RCU grace period, putting each page's reference.
 */
import { type Kernel, Outcome } from "../../core.ts";
import { genPoolAlloc, genPoolFirstFit } from "../../lib/genalloc.ts";
import { hexOff, pteBody, zapRange } from "../../mm/memory.ts";
import { p2pdmaPageFreeBody, pageRefs } from "../../mm/memremap.ts";
import { type Label, PTE_DEVMAP, VM_MIXEDMAP, type Vma } from "../../state.ts";
import type { P2pDriver } from "../driver.ts";
import { createPmap, pmapVmOps } from "./pmap.ts";

function faultMmap(k: Kernel, p: number, vma0: Vma, n: number): void {
  const pmap = createPmap(k, vma0.dev, n, -1, "pci_mmap_p2pmem");
  const vma: Vma = { ...vma0, flags: vma0.flags | VM_MIXEDMAP, pmap };
  k.emit({ kind: "vma-create", fn: "mmap_region", proc: p, vma });
}

/**
 * RFC v6 pci_p2pdma_vma_fault(): the first fault allocates the whole length of the pmap (each
 * page's reference is the pmap's: taken here when free pages rest at 0, already there when they
 * rest at 1); then the faulting page alone gets a devmap PTE, indexed by (address - vma->vm_start).
 */
function pciP2pdmaVmaFault(k: Kernel, p: number, vma: Vma, addr: number, label: Label): void {
  const pm = k.state.pmaps[vma.pmap]!;
  const d = k.dev(pm.dev);
  if (pm.first < 0) {
    if (d.lifecycle !== "bound" || pm.generation !== d.generation) {
      k.note("pci_p2pdma_vma_fault", `${d.name} is no longer active: VM_FAULT_SIGBUS`);
      throw new Outcome("SIGBUS");
    }
    const allocOk = k.injectPeek("gen_pool_alloc") > 0;
    const first = allocOk ? genPoolFirstFit(k, pm.dev, pm.pages) : -1;
    if (first < 0) {
      if (!allocOk) k.injectConsume("gen_pool_alloc", 0, true);
      k.note(
        "pci_p2pdma_vma_alloc",
        allocOk
          ? `No free P2PDMA memory: no run of ${pm.pages} pages in ${d.name}, VM_FAULT_SIGBUS`
          : "fault injection: gen_pool_alloc() fails: VM_FAULT_SIGBUS",
      );
      throw new Outcome("SIGBUS");
    }
    k.injectConsume("gen_pool_alloc", 1, false);
    genPoolAlloc(k, pm.dev, first, pm.pages, pm.id, "pci_p2pdma_vma_alloc");
    const take = k.rules.freeRefcount === 0;
    k.loop(pm.pages, [
      { kind: "pgref", fn: "percpu_ref_get", dev: pm.dev, delta: 1, to: d.pgref + 1 },
      ...(take
        ? [
            {
              kind: "page-ref" as const,
              fn: "pci_p2pdma_vma_alloc",
              dev: pm.dev,
              page: first,
              delta: 1,
              to: 1,
            },
          ]
        : []),
    ]);
    k.touch(pm.dev, first, pm.pages);
    k.emit({
      kind: "pmap-first",
      fn: "pci_p2pdma_vma_alloc",
      pmap: pm.id,
      from: -1,
      to: first,
      pages: pm.pages,
    });
  }
  const idx = Math.floor((addr - vma.start) / k.pageSize);
  const page = pm.first + idx;
  const meant = Math.floor((addr - label.start) / k.pageSize);
  if (idx !== meant) {
    k.find(
      "alias",
      pm.dev,
      page,
      1,
      "pci_p2pdma_vma_fault",
      `${k.proc(p).name} ${label.name}+${hexOff(addr - label.start)} was mapped to ${d.name} {pages}, which belongs at ${label.name}+${hexOff(idx * k.pageSize)}: after the split, (address - vm_start) indexes the allocation from the wrong base`,
    );
  }
  if (k.injectPeek("vmf_insert_mixed") === 0) {
    const errno = k.injectConsume("vmf_insert_mixed", 0, true);
    k.note(
      "vmf_insert_mixed",
      `fault injection: vmf_insert_mixed() fails with -${errno}: VM_FAULT_OOM, pagefault_out_of_memory() returns and the access is retried`,
    );
  }
  k.injectConsume("vmf_insert_mixed", 1, false);
  k.loop(1, [
    pteBody("pte-set", "vmf_insert_mixed", p, Math.floor(addr / k.pageSize), pm.dev, page, PTE_DEVMAP),
  ]);
}

/** put_page() on every page of a released pmap: each page whose only reference was the pmap's is freed. */
function putPmapPages(k: Kernel, pmapId: number, fn: string): void {
  const pm = k.state.pmaps[pmapId]!;
  const first = pm.first;
  k.emit({ kind: "pmap-first", fn, pmap: pm.id, from: first, to: -1, pages: pm.pages });
  pageRefs(k, pm.dev, first, pm.pages, -1, "put_page");
}

/**
 * RFC v6 pci_p2pdma_map_release(), run after an RCU grace period [P: applied at the end of the
 * statement that closed the last VMA].
 */
function faultPmapRelease(k: Kernel, pmapId: number): void {
  k.note("call_rcu", "the last VMA closed: the pmap is released after an RCU grace period");
  putPmapPages(k, pmapId, "pci_p2pdma_map_release");
}

/**
 * RFC v4/v6 pci_p2pdma_unmap_mappings(): deactivate, unmap_mapping_range() clears the devmap PTEs
 * (no page references change), then put_page() every page of every pmap.
 */
function faultUnmapMappings(k: Kernel, dev: number): void {
  k.note("synchronize_rcu", "p2pdma->active = false; synchronize_rcu()");
  for (const proc of k.state.processes) {
    if (!proc.alive) continue;
    for (const v of proc.vmas)
      if (v.dev === dev) zapRange(k, proc.index, v.start, v.end, "unmap_mapping_range");
  }
  for (const pm of k.state.pmaps) {
    if (pm.dev === dev && pm.first >= 0) putPmapPages(k, pm.id, "pci_p2pdma_unmap_mappings");
  }
}

export const fault: P2pDriver = {
  design: "fault",
  summary:
    "RFC v2-v6: mmap sets up the VMA; the first fault allocates the whole length, vmf_insert_mixed() per touch",
  pte: PTE_DEVMAP,
  mmapFn: "pci_mmap_p2pmem",
  pgoffCheck: true,
  dirtyTracked: false,
  mmap: faultMmap,
  vmOps: { ...pmapVmOps(faultPmapRelease), fault: pciP2pdmaVmaFault },
  pageFree: p2pdmaPageFreeBody,
  unbindMappings: faultUnmapMappings,
  pgrefExtras: (k, dev) => k.dev(dev).pages - k.dev(dev).freePages,
  leakFn: "put_page",
};
