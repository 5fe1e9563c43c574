/**
 * The per-mmap `struct p2pdma_pmap` of the RFC-era designs (§3.1, §3.2, §3.4): a kref shared by
 * every VMA made from one mmap, taken by vm_ops->open (fork, split) and dropped by ->close; the
 * last close releases the memory the design's way.
 */
import type { Kernel } from "../../core.ts";
import { genPoolFree } from "../../lib/genalloc.ts";
import { pgrefPut } from "../../mm/memremap.ts";
import type { Vma } from "../../state.ts";
import type { VmOps } from "../driver.ts";

/** A new pmap for `vma` (kref 1), recorded; returns its id. */
export function createPmap(k: Kernel, dev: number, pages: number, first: number, fn: string): number {
  const id = k.state.pmaps.length;
  k.emit({
    kind: "pmap-create",
    fn,
    pmap: { id, dev, pages, first, kref: 1, generation: k.dev(dev).generation },
  });
  return id;
}

/** vm_ops {open: kref_get, close: kref_put}; `release` runs when the last VMA closes. */
export function pmapVmOps(
  release: (k: Kernel, pmap: number) => void,
): Required<Pick<VmOps, "open" | "close">> {
  return {
    open(k: Kernel, v: Vma) {
      if (v.pmap >= 0) k.emit({ kind: "pmap-kref", fn: "vm_ops->open", pmap: v.pmap, delta: 1 });
    },
    close(k: Kernel, v: Vma) {
      if (v.pmap < 0) return;
      k.emit({ kind: "pmap-kref", fn: "vm_ops->close", pmap: v.pmap, delta: -1 });
      const pm = k.state.pmaps[v.pmap]!;
      if (pm.kref === 0 && pm.first >= 0) release(k, pm.id);
    },
  };
}

/**
 * pci_free_p2pmem() of a whole pmap allocation (rfc-v1, remap): gen_pool_free_owner() of every
 * page, whatever its refcount says, then one percpu_ref_put(). A page still pinned goes back to
 * the pool: the flaw Jason Gunthorpe pointed at (§3.1).
 */
export function pciFreeP2pmem(k: Kernel, pmapId: number): void {
  const pm = k.state.pmaps[pmapId]!;
  k.touch(pm.dev, pm.first, pm.pages);
  genPoolFree(k, pm.dev, pm.first, pm.pages, "pci_free_p2pmem");
  k.emit({ kind: "pmap-first", fn: "pci_free_p2pmem", pmap: pm.id, from: pm.first, to: -1, pages: pm.pages });
  pgrefPut(k, pm.dev, 1, "pci_free_p2pmem");
}

/** pgmap references the pmaps of a device hold: one per allocation (pci_alloc_p2pmem). */
export function pmapPgrefs(k: Kernel, dev: number): number {
  let n = 0;
  for (const pm of k.state.pmaps) if (pm.dev === dev && pm.first >= 0) n++;
  return n;
}
