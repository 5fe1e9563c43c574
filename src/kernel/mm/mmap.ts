/**
 * mm/mmap.c and mm/vma.c: do_mmap() into the driver's mmap handler, munmap with VMA splits, and
 * madvise(MADV_DONTFORK / MADV_DOFORK) (§2.3, §2.5, §2.6).
 */
import { type Kernel, MMAP_MIN_ADDR, Outcome } from "../core.ts";
import { type Label, VM_DONTCOPY, VM_MAYSHARE, VM_SHARED, type Vma } from "../state.ts";
import { type Batch, hex, releaseBatch, zapRange } from "./memory.ts";

/**
 * do_mmap() -> mmap_region() -> kernfs_fop_mmap() -> the driver's mmap (§2.3, §3). The label names
 * its address range even when mmap fails, so addresses are handed out top-down and never reused
 * (Linux would reuse a freed gap; the language needs a label to keep naming the same addresses).
 */
export function doMmap(
  k: Kernel,
  p: number,
  map: string,
  dev: number,
  len: number,
  priv: boolean,
  offset: number,
): string {
  const base = k.mmapBase[p]!;
  // Checked before any address is chosen (ksys_mmap_pgoff, do_mmap): the label names an empty range.
  if (len === 0 || offset % k.pageSize !== 0) {
    addLabel(k, p, { name: map, start: base, len: 0, dev }, "do_mmap");
    k.note(
      "do_mmap",
      len === 0
        ? "a zero length is refused before anything else: -EINVAL"
        : "the offset is not page aligned: -EINVAL",
    );
    throw new Outcome("EINVAL");
  }
  const pages = Math.ceil(len / k.pageSize);
  const bytes = pages * k.pageSize;
  // get_unmapped_area: the file's hook may ask for an alignment (huge designs: the folio size).
  const align = k.driver.mmapAlign?.(k, dev, pages) ?? k.pageSize;
  const below = Math.floor((base - bytes) / align) * align;
  const fits = below >= MMAP_MIN_ADDR;
  const start = fits ? below : 0;
  if (fits) k.mmapBase[p] = start;
  addLabel(k, p, { name: map, start, len: bytes, dev }, "get_unmapped_area");
  if (!fits) throw new Outcome("ENOMEM"); // get_unmapped_area: no room below mmap_base
  const d = k.dev(dev);
  if (d.lifecycle !== "bound") {
    // kernfs_fop_mmap: the allocate file was removed at unbind (the fd is from before it).
    k.note("kernfs_fop_mmap", `the p2pmem allocate file of ${d.name} is gone: its driver was unbound`);
    throw new Outcome("ENODEV");
  }
  const drv = k.driver;
  const vma: Vma = {
    id: k.nextVmaId++,
    start,
    end: start + bytes,
    pgoff: offset / k.pageSize,
    flags: priv ? 0 : VM_SHARED | VM_MAYSHARE,
    dev,
    pmap: -1,
    label: map,
  };
  // The driver's ->mmap runs on a VMA that mmap_region() has set up but not yet linked in.
  if (priv) {
    k.note(drv.mmapFn, "MAP_PRIVATE: the VMA lacks VM_MAYSHARE, so the mapping is refused");
    throw new Outcome("EINVAL");
  }
  if (drv.pgoffCheck && offset !== 0) {
    k.note(drv.mmapFn, "vm_pgoff != 0: a mapping must start at offset 0 of the allocate file");
    throw new Outcome("EINVAL");
  }
  drv.mmap(k, p, vma, pages);
  return "ok";
}

/** The scenario label `label` of process p, recorded and indexed. */
function addLabel(k: Kernel, p: number, label: Label, fn: string): void {
  k.emit({ kind: "label-add", fn, proc: p, label });
  k.labelIndex[p]!.set(label.name, label);
}

/** munmap(2) of a label, or of LEN bytes at OFF (v2: OFF page aligned, LEN rounded up). */
export function munmap(k: Kernel, p: number, map: string, off: number | undefined, len: number | undefined) {
  const label = k.label(p, map);
  if (len === 0) {
    k.note("do_vmi_munmap", "a zero length is refused: -EINVAL");
    return "EINVAL";
  }
  if (off !== undefined && off % k.pageSize !== 0) {
    k.note("do_vmi_munmap", "the start address is not page aligned: -EINVAL");
    return "EINVAL";
  }
  const start = label.start + (off ?? 0);
  const end = off === undefined ? label.start + label.len : start + Math.ceil(len! / k.pageSize) * k.pageSize;
  return unmapRange(k, p, start, end);
}

/**
 * do_vmi_align_munmap() (§2.5): split the VMAs that straddle the range (__split_vma: the new VMA
 * gets vm_ops->open, the upper piece's pgoff moves up), zap the PTEs of the range (zap_pte_range),
 * release the gathered page references (tlb_finish_mmu), then remove each VMA
 * (remove_vma -> vm_ops->close).
 */
export function unmapRange(k: Kernel, p: number, start: number, end: number): string {
  const split = splitAround(k, p, start, end);
  if (typeof split === "string") return split;
  if (!split) {
    k.note("do_vmi_munmap", `nothing is mapped in ${hex(start)}-${hex(end)}: munmap returns 0`);
    return "ok";
  }
  const doomed = k.proc(p).vmas.filter((v) => v.start >= start && v.end <= end);
  const batch: Batch = [];
  for (const v of doomed) zapRange(k, p, v.start, v.end, "zap_pte_range", batch);
  releaseBatch(k, batch);
  for (const v of doomed) removeVma(k, p, v);
  return "ok";
}

/**
 * Splits the VMAs that straddle start or end; false when no VMA overlaps [start, end); an errno when
 * vm_ops->may_split refused a split. As vms_gather_munmap_vmas() (mm/vma.c, 7.3.4) does it: the
 * split at `start` first, then the one at `end`; when the second is refused (end_split_failed) the
 * first is not undone, so the VMA stays split at `start` and nothing is unmapped.
 */
function splitAround(k: Kernel, p: number, start: number, end: number): boolean | string {
  const overlapping = k.proc(p).vmas.filter((v) => v.end > start && v.start < end);
  if (overlapping.length === 0) return false;
  const firstV = overlapping[0]!;
  if (firstV.start < start) {
    const err = maySplit(k, firstV, start);
    if (err) return err;
    splitVma(k, p, firstV, start, true);
  }
  const lastV = k.findVma(p, end - 1);
  if (lastV && lastV.end > end) {
    const err = maySplit(k, lastV, end);
    if (err) return err;
    splitVma(k, p, lastV, end, false);
  }
  return true;
}

/** __split_vma() (mm/vma.c): `if (vma->vm_ops && vma->vm_ops->may_split) err = ...may_split(vma, addr)`. */
function maySplit(k: Kernel, v: Vma, at: number): string | undefined {
  const err = k.driver.vmOps.maySplit?.(k, v, at);
  if (err) k.note("__split_vma", `vm_ops->may_split refuses to split ${v.label} at ${hex(at)}: -${err}`);
  return err;
}

/** __split_vma(vma, addr, new_below) (mm/vma.c): the new piece gets vm_ops->open. */
export function splitVma(k: Kernel, p: number, v: Vma, at: number, newBelow: boolean): void {
  const newId = k.nextVmaId++;
  const upperPgoff = v.pgoff + (at - v.start) / k.pageSize;
  k.emit({ kind: "vma-split", fn: "__split_vma", proc: p, vma: v, at, newId, newBelow, upperPgoff });
  k.driver.vmOps.open?.(k, v);
}

/** remove_vma(): vm_ops->close, then the VMA is freed. */
export function removeVma(k: Kernel, p: number, v: Vma): void {
  const cur = k.findVmaById(p, v.id)!;
  k.driver.vmOps.close?.(k, cur);
  k.emit({ kind: "vma-remove", fn: "remove_vma", proc: p, vma: cur });
}

/**
 * madvise(MADV_DONTFORK / MADV_DOFORK) (mm/madvise.c madvise_vma_behavior): splits the VMAs at the
 * range's ends and sets or clears VM_DONTCOPY. Any part of the range with no VMA gives ENOMEM, after
 * the mapped parts have been changed, as madvise_walk_vmas() does.
 */
export function madvise(
  k: Kernel,
  p: number,
  map: string,
  off: number | undefined,
  len: number | undefined,
  dontfork: boolean,
): string {
  const label = k.label(p, map);
  const start = label.start + (off ?? 0);
  const end = off === undefined ? label.start + label.len : start + len!;
  if (end <= start) {
    k.note("do_madvise", "the range is empty: nothing to do");
    return "ok";
  }
  const mapped = splitAround(k, p, start, end);
  if (typeof mapped === "string") return mapped;
  let covered = 0;
  if (mapped) {
    for (const v of k.proc(p).vmas.slice()) {
      if (v.start < start || v.end > end) continue;
      covered += v.end - v.start;
      const to = dontfork ? v.flags | VM_DONTCOPY : v.flags & ~VM_DONTCOPY;
      if (to !== v.flags)
        k.emit({ kind: "vma-flags", fn: "madvise_update_vma", proc: p, vmaId: v.id, from: v.flags, to });
    }
  }
  if (covered < end - start) {
    k.note("madvise_walk_vmas", `part of ${hex(start)}-${hex(end)} has no VMA: -ENOMEM`);
    return "ENOMEM";
  }
  return "ok";
}
