/**
 * The model against every recording of the real Linux kernel (kernel-lab/recordings/), without
 * booting anything: each statement must match the kernel on its result and on every device's free
 * pages (and, where the kernel had the debug_pages patch, on the refcount and mapcount of every
 * allocated page), or be listed with a reason in kernel-lab/recordings/exceptions.json.
 */
import { describe, expect, it } from "vitest";
import { compareRun } from "../../src/real/compare.ts";
import { presetStatus, recordingForPreset } from "../../src/real/preset-status.ts";
import { listRecordings, loadExceptions } from "../../src/real/recording.ts";
import { runText } from "../../src/trace/run.ts";

const recordings = listRecordings();
const exceptions = loadExceptions();

describe("recorded conformance with the real kernel", () => {
  it("has recordings of every preset and of at least 50 corpus scenarios", () => {
    expect(recordings.filter((r) => r.name.startsWith("presets/")).length).toBeGreaterThanOrEqual(12);
    expect(recordings.filter((r) => r.name.startsWith("corpus/")).length).toBeGreaterThanOrEqual(50);
    for (const r of recordings) expect(r.kernel).toMatch(/^6\.12\.\d+/);
  });

  it("lists no exception for a recording or statement that does not exist", () => {
    for (const e of exceptions) {
      const r = recordings.find((x) => x.name === e.recording);
      expect(r, `exception for unknown recording ${e.recording}`).toBeDefined();
      expect(
        r!.run.statements.some((s) => s.line === e.line),
        `${e.recording}: no statement at line ${e.line}`,
      ).toBe(true);
    }
  });

  it("gives the app a per-preset status: checked, with the kernel's result at each line", () => {
    const rec = recordingForPreset(recordings, "fork-keeps-pages.p2p");
    expect(rec).toBeDefined();
    const st = presetStatus(rec!, exceptions);
    expect(st.kernel).toMatch(/^6\.12\./);
    expect(st.checked).toBe(true);
    const mmapLine = rec!.scenario.split("\n").findIndex((l) => / mmap /.test(l)) + 1;
    expect(st.byLine.get(mmapLine)?.result).toBe("ok");
    const pinned = presetStatus(recordingForPreset(recordings, "unbind-live-pin.p2p")!, exceptions);
    expect(pinned.checked).toBe(true);
    expect(pinned.knownDifferences).toBeGreaterThan(0);
    expect([...pinned.reasons.values()].join(" ")).toMatch(/held pin/);
    // without the exceptions the same recording is not "checked"
    expect(presetStatus(recordingForPreset(recordings, "unbind-live-pin.p2p")!, []).checked).toBe(false);
  });

  for (const rec of recordings) {
    it(`${rec.name}: every statement matches the kernel or is a listed exception`, () => {
      const outcome = runText(rec.scenario);
      if (!outcome.ok) throw new Error(`${rec.name}: ${outcome.diagnostics[0]?.message}`);
      const cmp = compareRun(rec.run, outcome.trace, exceptions, rec.name);
      const open = cmp.statements.flatMap((s) =>
        s.differs
          .filter((f) => !s.excepted[f])
          .map((f) =>
            f === "result"
              ? `line ${s.line} '${s.text}': kernel ${s.realResult}, model ${s.modelResult}`
              : f === "pool"
                ? `line ${s.line} '${s.text}': free pages kernel ${JSON.stringify(s.realFree)}, model ${JSON.stringify(s.modelFree)}`
                : `line ${s.line} '${s.text}': ${s.refsDetail}`,
          ),
      );
      expect(open).toEqual([]);
      // every listed exception for this recording must still be needed
      const stale = exceptions
        .filter((e) => e.recording === rec.name)
        .filter((e) => !cmp.statements.some((s) => s.line === e.line && s.differs.includes(e.field)));
      expect(stale.map((e) => `line ${e.line} ${e.field}`)).toEqual([]);
    });
  }
});
