/**
 * kernel/exit.c do_exit() -> exit_mm() -> exit_mmap() (§2.7): the same as a munmap of every VMA.
 * Pins are not the address space's: they stay with their I/O until `unpin`.
 */
import type { Kernel } from "../core.ts";
import { type Batch, releaseBatch, zapRange } from "../mm/memory.ts";
import { removeVma } from "../mm/mmap.ts";

export function doExit(k: Kernel, p: number): string {
  const vmas = k.proc(p).vmas.slice();
  const batch: Batch = [];
  for (const v of vmas) zapRange(k, p, v.start, v.end, "unmap_vmas", batch);
  releaseBatch(k, batch);
  for (const v of vmas) removeVma(k, p, v);
  k.emit({ kind: "process-exit", fn: "do_exit", proc: p });
  return "ok";
}
