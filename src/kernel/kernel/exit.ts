/**
 * kernel/exit.c do_exit() -> exit_mm() -> exit_mmap() (§2.7): the same as a munmap of every VMA.
 *
 * Pins are not the address space's, but a process's own pins are its in-flight O_DIRECT I/O, and a
 * real process cannot leave that behind (Linux 6.12 and 7.3 alike):
 * - io_uring: do_exit() calls io_uring_files_cancel() before exit_mm(); it ends in
 *   io_uring_cancel_generic() (io_uring/io_uring.c), which loops while tctx_inflight() is non-zero,
 *   sleeping TASK_UNINTERRUPTIBLE on tctx->wait. A read that is already at the device cannot be
 *   cancelled, so the task waits for its completion.
 * - aio: exit_mm() -> mmput() -> __mmput() (kernel/fork.c) calls exit_aio() (fs/aio.c) before
 *   exit_mmap(); exit_aio() kills every kioctx and then wait_for_completion(&wait.comp) "until all
 *   IO for the context are done".
 * - A synchronous read(2) cannot be in flight when a single-threaded process exits.
 * So `P exit` while one of P's pins is held is `blocked`: nothing is torn down yet, and the exit
 * completes (the address space is torn down) when the last of those pins is released by `unpin`.
 * A pin stays released only by its `unpin`, as the scenario language says; the exit waits for it.
 */
import type { Kernel } from "../core.ts";
import { type Batch, releaseBatch, zapRange } from "../mm/memory.ts";
import { removeVma } from "../mm/mmap.ts";

/** Names of P's pins still held (its in-flight I/O). */
function heldPins(k: Kernel, p: number): string[] {
  const out: string[] = [];
  for (const i of k.pinsOf[p] ?? []) {
    const pin = k.state.pins[i]!;
    if (pin.status === "held") out.push(pin.name);
  }
  return out;
}

export function doExit(k: Kernel, p: number): string {
  const held = heldPins(k, p);
  if (held.length > 0) {
    k.emit({ kind: "process-exiting", fn: "do_exit", proc: p });
    k.note(
      "do_exit",
      `${k.proc(p).name} waits in do_exit() for its I/O in flight (pin${held.length === 1 ? "" : "s"} ${held.join(", ")}): io_uring_files_cancel() and exit_aio() wait for in-flight requests before exit_mm()`,
    );
    return "blocked";
  }
  tearDown(k, p);
  return "ok";
}

/** exit_mm() and the rest of do_exit(): the address space goes, the task has exited. */
function tearDown(k: Kernel, p: number): void {
  const vmas = k.proc(p).vmas.slice();
  const batch: Batch = [];
  for (const v of vmas) zapRange(k, p, v.start, v.end, "unmap_vmas", batch);
  releaseBatch(k, batch);
  for (const v of vmas) removeVma(k, p, v);
  k.emit({ kind: "process-exit", fn: "do_exit", proc: p });
}

/**
 * After an `unpin` of one of P's pins: if P is waiting in do_exit() and that was its last pin in
 * flight, the wait in io_uring_cancel_generic() / exit_aio() ends and the exit completes.
 */
export function exitAfterUnpin(k: Kernel, p: number): void {
  const proc = k.proc(p);
  if (!proc.alive || !proc.exiting || heldPins(k, p).length > 0) return;
  k.note("do_exit", `${proc.name}'s last I/O in flight completed: its exit goes on`);
  tearDown(k, p);
}
