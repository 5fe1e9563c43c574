/**
 * Migrating an old link's step runs the first engine (src/legacy) only up to the statement that
 * holds the step: that engine spends an object per page, so a 4G mmap later in the scenario would
 * cost seconds (and a v0 link to a big scenario at step 0 used to run all of it).
 */
import { describe, expect, it } from "vitest";
import { runText as runLegacy } from "../../src/legacy/v1-trace/run.ts";
import { migrateStep } from "../../src/share/migrate-step.ts";
import { runText } from "../../src/trace/run.ts";

const SMALL =
  "kernel upstream\ndevice nvme0 1M\nprocess p\np mmap a nvme0 64K\np fork c\nc exit\np munmap a\n";
const BIG_LATER =
  "kernel upstream\ndevice nvme0 1M\nprocess p\np mmap a nvme0 64K\ndevice big 4G\np mmap b big 4G\n";

describe("legacy runScenario untilStep", () => {
  it("stops after the statement holding the step, with the same events as the whole run", () => {
    const full = runLegacy(SMALL);
    if (!full.ok) throw new Error("does not run");
    const mid = full.trace.ops[3]!; // the mmap
    const r = runLegacy(SMALL, { untilStep: mid.firstStep + 1 });
    if (!r.ok) throw new Error("does not run");
    expect(r.trace.ops.map((o) => o.lastStep)).toEqual(full.trace.ops.slice(0, 4).map((o) => o.lastStep));
    expect(r.trace.events).toEqual(full.trace.events.slice(0, mid.lastStep + 1));
    expect(r.trace.truncated).toBeUndefined();
  });

  it("never runs a 4G mmap that comes after a link's step", () => {
    const r = runLegacy(BIG_LATER, { untilStep: 2 });
    if (!r.ok) throw new Error("does not run");
    expect(r.trace.ops.length).toBeLessThan(4);
    expect(r.trace.events.length).toBeLessThan(100);
  });
});

describe("migrateStep", () => {
  it("maps step 0 of a hand-written (v0) link to step 0", () => {
    expect(migrateStep({ text: BIG_LATER, step: 0 }, 0)).toBe(0);
  });

  it("maps a v1 step inside the first mmap of a scenario with a 4G mmap later to the same event", () => {
    const full = runLegacy(BIG_LATER, { untilStep: 10 });
    if (!full.ok) throw new Error("does not run");
    const mmap = full.trace.ops[3]!;
    const now = runText(BIG_LATER);
    if (!now.ok) throw new Error("does not run");
    // the first event of the mmap statement, in today's numbering
    expect(migrateStep({ text: BIG_LATER, step: mmap.firstStep }, 1)).toBe(now.trace.ops[3]!.firstStep);
  });
});
