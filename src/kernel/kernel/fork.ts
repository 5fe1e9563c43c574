/**
 * kernel/fork.c dup_mmap() with mm/memory.c copy_page_range() (§2.6): each VMA without VM_DONTCOPY
 * is copied and vm_ops->open runs; a normal PTE's page gains a reference and a mapcount
 * (copy_present_pte); devmap and pfnmap PTEs are copied without touching the page.
 */
import type { Kernel } from "../core.ts";
import { MMAP_TOP } from "../core.ts";
import { pteBody } from "../mm/memory.ts";
import { pageRefs } from "../mm/memremap.ts";
import { isLeafKind, PTE_NORMAL, VM_DONTCOPY, VM_MIXEDMAP, VM_PFNMAP, type Vma } from "../state.ts";

/** copy_process() of a process with an empty address space (the `process` statement). */
export function newProcess(k: Kernel, name: string): void {
  const proc = k.state.processes.length;
  k.emit({ kind: "process-add", fn: "copy_process", proc, name, parent: -1 });
  k.procByName.set(name, proc);
  k.mmapBase.push(MMAP_TOP);
  k.labelIndex.push(new Map());
}

export function fork(k: Kernel, p: number, childName: string): string {
  const child = k.state.processes.length;
  k.emit({ kind: "process-add", fn: "copy_process", proc: child, name: childName, parent: p });
  k.procByName.set(childName, child);
  k.mmapBase.push(k.mmapBase[p]!);
  k.labelIndex.push(new Map());
  const parent = k.proc(p);
  for (const v of parent.vmas.slice()) {
    if (v.flags & VM_DONTCOPY) {
      k.note("dup_mmap", `${v.label} has VM_DONTCOPY (MADV_DONTFORK): the child gets no copy`);
      continue;
    }
    const first = v.start / k.pageSize;
    const entries = parent.ptes.runsIn(first, v.end / k.pageSize - first);
    // vma_needs_copy() (mm/memory.c, 7.3.4): without a VM_COPY_ON_FORK flag (VM_PFNMAP|VM_MIXEDMAP|
    // VM_UFFD_WP) or an anon_vma, copy_page_range() returns 0 at once: the child gets the VMA
    // without its entries and would refill them by faulting (huge.md §3.5).
    const needsCopy = (v.flags & (VM_MIXEDMAP | VM_PFNMAP)) !== 0;
    const e0 = entries[0];
    const copy: Vma =
      !needsCopy && e0
        ? { ...v, id: k.nextVmaId++, noCopy: { dev: e0.dev, page: e0.page - (e0.vpn - first) } }
        : { ...v, id: k.nextVmaId++ };
    k.emit({ kind: "vma-create", fn: "dup_mmap", proc: child, vma: copy });
    k.driver.vmOps.open?.(k, copy);
    if (!needsCopy) {
      if (e0)
        k.note(
          "copy_page_range",
          `${v.label} has no VM_MIXEDMAP or VM_PFNMAP: vma_needs_copy() is false, so ${childName} gets the VMA without its entries`,
        );
      continue;
    }
    for (const r of entries) {
      if (isLeafKind(r.kind)) {
        // Not reached by any design (a VMA with leaves never has VM_MIXEDMAP|VM_PFNMAP). For a PMD it
        // is right: copy_huge_pmd() (mm/huge_memory.c:1950-2060, 7.3.4) "Skip if can be re-fill on
        // fault" for a non-anonymous VMA. A PUD would differ: copy_huge_pud() (2076-2109) copies the
        // entry with no folio_get and no rmap (huge.md §3.5).
        k.note(
          "copy_huge_pmd",
          `${v.label}: a huge leaf of a file VMA is not copied; the child would refault it`,
        );
        continue;
      }
      if (r.kind === PTE_NORMAL)
        pageRefs(k, r.dev, r.page, r.length, 1, "copy_present_pte", undefined, (page) => [
          pteBody("pte-set", "copy_present_pte", child, r.vpn + (page - r.page), r.dev, page, r.kind),
        ]);
      else k.loop(r.length, [pteBody("pte-set", "copy_present_pte", child, r.vpn, r.dev, r.page, r.kind)]);
    }
  }
  return "ok";
}
