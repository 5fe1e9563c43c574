/**
 * `P exit` while P's own pin (an O_DIRECT read in flight) is held.
 *
 * Linux 6.12 and 7.3: do_exit() (kernel/exit.c) calls io_uring_files_cancel() before exit_mm();
 * io_uring_cancel_generic() (io_uring/io_uring.c) sleeps TASK_UNINTERRUPTIBLE while tctx_inflight()
 * is non-zero. For aio, exit_mm() -> mmput() -> __mmput() (kernel/fork.c) calls exit_aio() (fs/aio.c),
 * which waits "until all IO for the context are done" before exit_mmap(). So the exit is `blocked`
 * until the pin's `unpin`, and the address space is torn down only then (src/kernel/kernel/exit.ts).
 */
import { describe, expect, it } from "vitest";
import { applyEvent } from "../../src/kernel/events.ts";
import { emptyState } from "../../src/kernel/state.ts";
import { TraceCursor } from "../../src/trace/cursor.ts";
import { runText } from "../../src/trace/run.ts";
import { allEvents, type Trace } from "../../src/trace/trace.ts";
import { final, lines, refs, result, results, run, stateAfterLine } from "./helpers.ts";

function replayTo(t: Trace, step: number) {
  const s = emptyState(t.design, t.pageSize, t.version);
  for (let i = 0; i <= step; i++) applyEvent(s, allEvents(t)[i]!);
  return s;
}

const BASE = ["kernel upstream 7.3", "device d 64K", "process a", "a mmap m d 16K", "a touch m 0"];

describe("do_exit with the process's own pin in flight", () => {
  it("io_uring_cancel_generic: the exit blocks while the pin is held and completes at its unpin", () => {
    const t = run(lines(...BASE, "a pin p m 0 8K", "a exit", "unpin p"));
    expect(results(t).slice(-3)).toEqual(["ok", "blocked", "ok"]);
    // blocked: the address space is intact, the pin still holds its pages (7.3: 1 + 1024 each)
    const during = stateAfterLine(t, 7);
    expect(during.processes[0]!.alive).toBe(true);
    expect(during.processes[0]!.exiting).toBe(true);
    expect(during.processes[0]!.vmas.length).toBe(1);
    expect(refs(during, 0, 0, 4)).toEqual([1025, 1025, 1, 1]);
    expect(during.devices[0]!.freePages).toBe(12);
    // the unpin ends the wait: exit_mmap() runs and every page goes back to the pool (7.3 rests at 0)
    const after = final(t);
    expect(after.processes[0]!.alive).toBe(false);
    expect(after.processes[0]!.vmas.length).toBe(0);
    expect(refs(after, 0, 0, 4)).toEqual([0, 0, 0, 0]);
    expect(after.devices[0]!.freePages).toBe(16);
    const exits = allEvents(t).filter((e) => e.kind === "process-exit");
    expect(exits.map((e) => e.line)).toEqual([8]);
  });

  it("exit_aio: with two pins in flight the exit waits for the last one", () => {
    const t = run(lines(...BASE, "a pin p m 0 4K", "a pin q m 4K 4K", "a exit", "unpin q", "unpin p"));
    expect(results(t).slice(-3)).toEqual(["blocked", "ok", "ok"]);
    expect(stateAfterLine(t, 9).processes[0]!.alive).toBe(true);
    expect(final(t).processes[0]!.alive).toBe(false);
    expect(final(t).devices[0]!.freePages).toBe(16);
  });

  it("do_exit: a pin that was already released, or failed, does not hold the exit", () => {
    expect(result(run(lines(...BASE, "a pin p m 0 4K", "unpin p", "a exit")), 8)).toBe("ok");
    // past the end of the label: EFAULT, nothing in flight
    expect(result(run(lines(...BASE, "a pin p m 12K 8K", "a exit")), 7)).toBe("ok");
  });

  it("do_exit: another process's pin does not hold the exit; the parent's pin in a forked child's range neither", () => {
    const t = run(lines(...BASE, "a pin p m 0 4K", "a fork c", "c exit", "unpin p", "a exit"));
    expect(results(t).slice(-3)).toEqual(["ok", "ok", "ok"]);
    expect(final(t).devices[0]!.freePages).toBe(16);
  });

  it("do_exit: an unbind while the exit waits zaps the exiting process's PTEs too, and both end at the unpin", () => {
    const t = run(
      lines("kernel upstream 6.12", ...BASE.slice(1), "a pin p m 0 4K", "a exit", "unbind d", "unpin p"),
    );
    expect(results(t).slice(-3)).toEqual(["blocked", "blocked", "ok"]);
    const s = final(t);
    expect(s.processes[0]!.alive).toBe(false);
    expect(s.devices[0]!.lifecycle).toBe("unbound");
  });

  it("do_exit: a cursor moves through the blocked exit and its completion in both directions, as a replay", () => {
    for (const every of [1, 3, 7]) {
      const r = runText(lines(...BASE, "a pin p m 0 8K", "a exit", "unpin p"), { checkpointEvery: every });
      if (!r.ok) throw new Error("parse");
      const t = r.trace;
      const exiting = allEvents(t).findIndex((e) => e.kind === "process-exiting");
      const exited = allEvents(t).findIndex((e) => e.kind === "process-exit");
      expect(exiting).toBeGreaterThan(0);
      expect(exited).toBeGreaterThan(exiting);
      const cursor = new TraceCursor(t);
      for (const target of [t.steps - 1, exiting - 1, exiting, exited - 1, exited, 0, exiting + 1]) {
        cursor.seek(target < t.steps / 2 ? t.steps - 1 : 0);
        expect(cursor.seek(target)).toEqual(replayTo(t, target));
      }
      for (const cp of t.checkpoints) expect(cp.state).toEqual(replayTo(t, cp.step - 1));
    }
  });
});
