/**
 * kernel/fork.c dup_mmap() with mm/memory.c copy_page_range() (§2.6): each VMA without VM_DONTCOPY
 * is copied and vm_ops->open runs; a normal PTE's page gains a reference and a mapcount
 * (copy_present_pte); devmap and pfnmap PTEs are copied without touching the page.
 */
import type { Kernel } from "../core.ts";
import { MMAP_TOP } from "../core.ts";
import { pteBody } from "../mm/memory.ts";
import { pageRefs } from "../mm/memremap.ts";
import { PTE_NORMAL, VM_DONTCOPY, type Vma } from "../state.ts";

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
    const copy: Vma = { ...v, id: k.nextVmaId++ };
    k.emit({ kind: "vma-create", fn: "dup_mmap", proc: child, vma: copy });
    k.driver.vmOps.open?.(k, copy);
    const first = v.start / k.pageSize;
    for (const r of parent.ptes.runsIn(first, v.end / k.pageSize - first)) {
      const set = (page: number) => [
        pteBody("pte-set", "copy_present_pte", child, r.vpn + (page - r.page), r.dev, page, r.kind),
      ];
      if (r.kind === PTE_NORMAL) pageRefs(k, r.dev, r.page, r.length, 1, "copy_present_pte", undefined, set);
      else k.loop(r.length, set(r.page));
    }
  }
  return "ok";
}
