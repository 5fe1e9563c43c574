/** TraceCursor: far jumps from checkpoints, both directions, and checkpoints that never change. */
import { describe, expect, it } from "vitest";
import { applyEvent } from "../../src/kernel/events.ts";
import { emptyState } from "../../src/kernel/state.ts";
import { TraceCursor } from "../../src/trace/cursor.ts";
import { runText } from "../../src/trace/run.ts";
import type { Trace } from "../../src/trace/trace.ts";
import { allEvents } from "../../src/trace/trace.ts";

function replayTo(t: Trace, step: number) {
  const s = emptyState(t.design, t.pageSize, t.version);
  for (let i = 0; i <= step; i++) applyEvent(s, allEvents(t)[i]!);
  return s;
}

const TEXT = `device d 64K
process p
p mmap a d 16K
p fork c
p pin io a 0 4K
c exit
unpin io
p munmap a 4K 4K
p exit
`;

describe("TraceCursor", () => {
  it("reverting an exit or an unpin from a later checkpoint leaves every checkpoint as it was", () => {
    for (const every of [1, 2, 3, 5, 8]) {
      const r = runText(TEXT, { checkpointEvery: every });
      if (!r.ok) throw new Error("parse");
      const t = r.trace;
      const exitStep = allEvents(t).findIndex((e) => e.kind === "process-exit");
      const releaseStep = allEvents(t).findIndex((e) => e.kind === "pin-status");
      const cursor = new TraceCursor(t);
      for (const target of [t.steps - 1, exitStep - 1, releaseStep - 1, 0, exitStep + 1, releaseStep - 2]) {
        // jump far away first, so the cursor starts again from a checkpoint
        cursor.seek(target < t.steps / 2 ? t.steps - 1 : 0);
        expect(cursor.seek(target)).toEqual(replayTo(t, target));
      }
      for (const cp of t.checkpoints) expect(cp.state).toEqual(replayTo(t, cp.step - 1));
    }
  });

  it("steps one event at a time in both directions", () => {
    const r = runText(TEXT, { checkpointEvery: 4 });
    if (!r.ok) throw new Error("parse");
    const t = r.trace;
    const cursor = new TraceCursor(t);
    for (let i = 0; i < t.steps; i++) expect(cursor.seek(i)).toEqual(replayTo(t, i));
    for (let i = t.steps - 1; i >= 0; i--) expect(cursor.seek(i)).toEqual(replayTo(t, i));
  });

  it("checkpoints share the chunks of exited processes and finished pins, and none ever changes (Snapshotter)", () => {
    // 300 children, each pinning, exiting and unpinned: more than one chunk (256) of processes and
    // of pins freezes, so later checkpoints share them.
    const lines = ["device d 1M", "process p", "p mmap a d 16K"];
    for (let i = 0; i < 300; i++)
      lines.push(`p fork c${i}`, `c${i} pin io${i} a 0 4K`, `c${i} exit`, `unpin io${i}`);
    const r = runText(`${lines.join("\n")}\n`, { checkpointEvery: 64 });
    if (!r.ok) throw new Error("parse");
    const t = r.trace;
    const late = t.checkpoints[t.checkpoints.length - 1]!;
    expect(late.state.processes.length).toBeGreaterThan(256);
    expect(late.state.pins.length).toBeGreaterThan(256);
    const checkAll = () => {
      const s = emptyState(t.design, t.pageSize, t.version);
      const evs = allEvents(t);
      let at = 0;
      for (const cp of t.checkpoints) {
        while (at < cp.step) applyEvent(s, evs[at++]!);
        expect(cp.state).toEqual(s);
      }
    };
    checkAll();
    // Moving a cursor back over exits and unpins revives copies, never the shared objects.
    const cursor = new TraceCursor(t);
    for (const step of [t.steps - 1, 10, t.steps - 40, Math.floor(t.steps / 2), 0, t.steps - 1])
      expect(cursor.seek(step)).toEqual(replayTo(t, step));
    for (let i = t.steps - 1; i > t.steps - 400; i--) cursor.seek(i);
    checkAll();
  });
});
