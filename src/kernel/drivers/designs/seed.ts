/**
 * `seed`: the sketch in Logan Gunthorpe's LKML reply on RFC 14/15, 2020-11-06 (§3.0, ../lkml/): at
 * mmap time, for each page, pci_alloc_p2pmem(PAGE_SIZE) then vmf_insert_mixed(PFN_DEV|PFN_MAP),
 * meaning to free each page when its refcount reaches zero. Devmap PTEs hold no reference, so
 * nothing ever puts the allocation's: the pages leak at the last unmap.
 */
import { type Kernel, Outcome } from "../../core.ts";
import type { LoopBodyInit } from "../../events.ts";
import { genPoolFree, lowestFreePages } from "../../lib/genalloc.ts";
import { pteBody, zapRange } from "../../mm/memory.ts";
import { p2pdmaPageFreeBody, pgrefPut } from "../../mm/memremap.ts";
import { PTE_DEVMAP, VM_MIXEDMAP, type Vma } from "../../state.ts";
import type { P2pDriver } from "../driver.ts";
import { reportStaleMappings } from "../p2pdma.ts";

/**
 * N one-page first-fit allocations (pci_alloc_p2pmem: one pgmap reference each, and the page's
 * reference: taken when free pages rest at 0, already there when they rest at 1), each followed by
 * a devmap PTE. A page that cannot be allocated or inserted fails the mmap, and the pages already
 * taken go back [P].
 */
function seedMmap(k: Kernel, p: number, vma0: Vma, n: number): void {
  const dev = vma0.dev;
  const vma: Vma = { ...vma0, flags: vma0.flags | VM_MIXEDMAP };
  k.emit({ kind: "vma-create", fn: "mmap_region", proc: p, vma });
  const take = k.rules.freeRefcount === 0;
  const taken: [number, number][] = [];
  let done = 0;
  let why = "";
  for (const [start, len] of lowestFreePages(k, dev, n)) {
    const allocs = k.injectPeek("gen_pool_alloc");
    const inserts = k.injectPeek("vmf_insert_mixed");
    const m = Math.min(len, allocs, inserts);
    const d = k.dev(dev);
    const body: LoopBodyInit[] = [
      { kind: "genpool-alloc", fn: "pci_alloc_p2pmem", dev, page: start, owner: -1 },
      { kind: "pgref", fn: "percpu_ref_tryget_live_rcu", dev, delta: 1, to: d.pgref + 1 },
      ...(take
        ? [{ kind: "page-ref" as const, fn: "pci_alloc_p2pmem", dev, page: start, delta: 1, to: 1 }]
        : []),
      pteBody("pte-set", "vmf_insert_mixed", p, vma.start / k.pageSize + done, dev, start, PTE_DEVMAP),
    ];
    k.loop(m, body);
    k.touch(dev, start, m);
    k.injectConsume("gen_pool_alloc", m, false);
    k.injectConsume("vmf_insert_mixed", m, false);
    if (m > 0) taken.push([start, m]);
    done += m;
    if (m < len) {
      if (allocs === m) {
        why = `fault injection: pci_alloc_p2pmem() of page ${done} fails with -${k.injectConsume("gen_pool_alloc", 0, true)}`;
      } else {
        // The page was allocated; its insert fails.
        k.injectConsume("gen_pool_alloc", 1, false);
        const page = start + m;
        k.emit({ kind: "genpool-alloc", fn: "pci_alloc_p2pmem", dev, page, owner: -1 });
        k.emit({ kind: "pgref", fn: "percpu_ref_tryget_live_rcu", dev, delta: 1, to: k.dev(dev).pgref + 1 });
        if (take) k.emit({ kind: "page-ref", fn: "pci_alloc_p2pmem", dev, page, delta: 1, to: 1 });
        taken.push([start + m, 1]);
        why = `fault injection: vmf_insert_mixed() of page ${done} fails with -${k.injectConsume("vmf_insert_mixed", 0, true)}`;
      }
      break;
    }
  }
  if (done === n) return;
  k.note(
    "pci_alloc_p2pmem",
    why || `${k.dev(dev).name} has no free page left: the mmap fails and gives back what it took`,
  );
  zapRange(k, p, vma.start, vma.start + done * k.pageSize, "zap_pte_range");
  k.emit({ kind: "vma-remove", fn: "mmap_region", proc: p, vma: k.findVmaById(p, vma.id)! });
  for (const [start, len] of taken) {
    // pci_free_p2pmem(): the pages go back to the pool, each with its pgmap reference.
    if (take) {
      k.loop(len, [{ kind: "page-ref", fn: "pci_free_p2pmem", dev, page: start, delta: -1, to: 0 }]);
    }
    genPoolFree(k, dev, start, len, "pci_free_p2pmem");
    pgrefPut(k, dev, len, "pci_free_p2pmem");
  }
  throw new Outcome("ENOMEM");
}

export const seed: P2pDriver = {
  design: "seed",
  summary:
    "LKML sketch (2020-11-06): pci_alloc_p2pmem(PAGE_SIZE) + vmf_insert_mixed(PFN_DEV|PFN_MAP) per page",
  pte: PTE_DEVMAP,
  mmapFn: "pci_mmap_p2pmem",
  pgoffCheck: false,
  dirtyTracked: false,
  mmap: seedMmap,
  vmOps: {},
  pageFree: p2pdmaPageFreeBody,
  unbindMappings: reportStaleMappings,
  pgrefExtras: (k, dev) => k.dev(dev).pages - k.dev(dev).freePages,
  leakFn: "zap_pte_range",
};
