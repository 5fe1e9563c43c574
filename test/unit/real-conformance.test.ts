/**
 * The model against every recording of the real Linux kernel (kernel-lab/recordings/), without
 * booting anything: each statement must match the kernel on its result and on every device's free
 * pages (and, where the kernel had the debug_pages patch, on the refcount and mapcount of every
 * allocated page), or be listed with a reason in kernel-lab/recordings/exceptions.json.
 */
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { compareRun, modelTraceFor } from "../../src/real/compare.ts";
import { BOOT_RETRY_NOTE, parseGuestOutput } from "../../src/real/guest-output.ts";
import { modelVersionFor } from "../../src/real/kernel-version.ts";
import { planScenario } from "../../src/real/lab.ts";
import { presetStatus, recordingForPreset } from "../../src/real/preset-status.ts";
import {
  CORPUS_SEEDS,
  corpusJobs,
  labJobs,
  PROPOSAL_PRESETS,
  presetJobs,
  UNRECORDABLE_PRESETS,
} from "../../src/real/record-cli.ts";
import { listRecordings, loadExceptions, RECORDINGS_DIR, sha256Hex } from "../../src/real/recording.ts";

const recordings = listRecordings();
const exceptions = loadExceptions();
/** the kernel releases recorded: one directory each under kernel-lab/recordings/ */
const kernels = readdirSync(RECORDINGS_DIR, { withFileTypes: true })
  .filter((e) => e.isDirectory())
  .map((e) => e.name)
  .sort();
/** the current source text of every job record-cli knows, by name */
const sources = new Map(
  [...presetJobs(), ...labJobs(), ...corpusJobs(CORPUS_SEEDS)].map((j) => [j.name, j.text]),
);

describe("recorded conformance with the real kernel", () => {
  it("has recordings on Linux 6.12 and 7.3, each of every preset and of at least 50 corpus scenarios", () => {
    expect(kernels.map((k) => modelVersionFor(k)).sort()).toEqual(["6.12", "7.3"]);
    for (const k of kernels) {
      const mine = recordings.filter((r) => r.kernel === k);
      expect(mine.filter((r) => r.name.startsWith("corpus/")).length, k).toBeGreaterThanOrEqual(50);
      for (const r of mine) expect(r.kernel, `${r.name} in ${k}/`).toBe(k);
    }
  });

  for (const k of kernels) {
    it(`${k}: the recorded presets are exactly public/presets/*.p2p`, () => {
      const recorded = recordings
        .filter((r) => r.kernel === k && r.name.startsWith("presets/"))
        .map((r) => r.name)
        .sort();
      expect(recorded).toEqual(
        presetJobs()
          .map((j) => j.name)
          .sort(),
      );
    });
  }

  it("leaves out the proposal presets (public/presets/huge) explicitly: no job, no recording", () => {
    const files = readdirSync(`public/presets/${PROPOSAL_PRESETS.dir}`).filter((f) => f.endsWith(".p2p"));
    expect(files.length).toBeGreaterThanOrEqual(6);
    expect(PROPOSAL_PRESETS.reason).toMatch(/not merged/);
    for (const f of files) {
      const name = `presets/${PROPOSAL_PRESETS.dir}/${f.replace(/\.p2p$/, "")}`;
      expect(
        presetJobs().some((j) => j.name === name || j.name === `presets/${f.replace(/\.p2p$/, "")}`),
      ).toBe(false);
      expect(recordings.some((r) => r.name === name)).toBe(false);
    }
  });

  it("leaves out only the big presets the lab cannot boot, each refused by the lab for its size", () => {
    const big = readdirSync("public/presets/big")
      .filter((f) => f.endsWith(".p2p"))
      .map((f) => `big/${f}`)
      .sort();
    expect(Object.keys(UNRECORDABLE_PRESETS).sort()).toEqual(big);
    for (const f of big) {
      expect(() => planScenario(readFileSync(`public/presets/${f}`, "utf8")), f).toThrow(
        /larger than the lab's largest CMB/,
      );
      expect(recordings.some((r) => r.name === `presets/${f.replace(/\.p2p$/, "")}`)).toBe(false);
    }
    // every preset the lab can boot is recorded (the test above): none is left out for convenience
    for (const j of presetJobs()) expect(() => planScenario(j.text), j.name).not.toThrow();
  });

  it("every recording ran the current text of its source (preset, lab probe or corpus seed)", () => {
    const stale = recordings
      .filter((r) => sources.get(r.name) !== r.scenario)
      .map(
        (r) =>
          `${r.kernel}/${r.name}${sources.has(r.name) ? " (source changed: record it again)" : " (no such source)"}`,
      );
    expect(stale).toEqual([]);
  });

  it("every recording of format 2 is its guest output, unedited (sha256, and parsed again)", () => {
    const v2 = recordings.filter((r) => r.format === "p2pviz-real-recording/2");
    expect(v2.length).toBeGreaterThan(0);
    for (const r of v2) {
      const out = (r.guestOutput ?? []).join("\n");
      expect(sha256Hex(out), `${r.kernel}/${r.name}`).toBe(r.guestOutputSha256);
      // the lab itself may add one note (a first boot that never reached the guest was retried)
      const run = { ...r.run, notes: r.run.notes.filter((n) => n !== BOOT_RETRY_NOTE) };
      expect(parseGuestOutput(out, r.scenario), `${r.kernel}/${r.name}`).toEqual(run);
    }
  });

  it("lists no exception for a recording or statement that does not exist", () => {
    for (const e of exceptions) {
      const r = recordings.find((x) => x.name === e.recording && x.kernel === e.kernel);
      expect(r, `exception for unknown recording ${e.kernel}/${e.recording}`).toBeDefined();
      expect(
        r!.run.statements.some((s) => s.line === e.line),
        `${e.recording}: no statement at line ${e.line}`,
      ).toBe(true);
      // a statement user space cannot express is "not checked", never a known difference
      const st = r!.run.statements.find((s) => s.line === e.line);
      expect(
        e.field === "result" && st?.result === "UNSUPPORTED",
        `${e.kernel}/${e.recording} line ${e.line}: UNSUPPORTED is not checked, not excused`,
      ).toBe(false);
    }
  });

  it("reports a statement user space cannot express as not checked, and says so per preset", () => {
    const rec = recordings.find((r) => r.run.statements.some((s) => s.result === "UNSUPPORTED"));
    expect(rec).toBeDefined();
    const outcome = modelTraceFor(rec!.scenario, rec!.kernel);
    if (!outcome.ok) throw new Error("invalid");
    const cmp = compareRun(rec!.run, outcome.trace, exceptions, rec!.name);
    const line = rec!.run.statements.find((s) => s.result === "UNSUPPORTED")!.line;
    const s = cmp.statements.find((x) => x.line === line)!;
    expect(s.unchecked).toMatch(/FOLL_LONGTERM/);
    expect(s.differs).not.toContain("result");
    expect(s.excepted.result).toBeUndefined();
    if (rec!.name.startsWith("presets/")) {
      expect(presetStatus(rec!, exceptions).unchecked.get(line)).toBe(s.unchecked);
    }
  });

  for (const k of kernels) {
    it(`${k}: gives the app a per-preset status: checked, with the kernel's result at each line`, () => {
      const rec = recordingForPreset(recordings, "fork-keeps-pages.p2p", modelVersionFor(k));
      expect(rec?.kernel).toBe(k);
      const st = presetStatus(rec!, exceptions);
      expect(st.kernel).toBe(k);
      expect(st.checked).toBe(true);
      const mmapLine = rec!.scenario.split("\n").findIndex((l) => / mmap /.test(l)) + 1;
      expect(st.byLine.get(mmapLine)?.result).toBe("ok");
    });

    it(`${k}: unbind with a pin held by the peer controller matches the model without exceptions`, () => {
      const rec = recordingForPreset(recordings, "unbind-live-pin.p2p", modelVersionFor(k))!;
      expect(rec.kernel).toBe(k);
      const st = presetStatus(rec, []);
      expect(st.checked).toBe(true);
      expect(st.knownDifferences).toBe(0);
      const lineOf = (re: RegExp) => rec.scenario.split("\n").findIndex((l) => re.test(l)) + 1;
      // the unbind waits in memunmap_pages() for the pin: the sysfs write does not return ...
      expect(st.byLine.get(lineOf(/^unbind /))?.result).toBe("blocked");
      // ... the PTEs are already zapped (mapcount 0), the pinned pages stay at the pin's 1024 ...
      expect(st.byLine.get(lineOf(/^unbind /))?.refcounts?.nvme0).toEqual([
        { first: 0, last: 1, ref: 1024, map: 0 },
      ]);
      // ... a touch in between gets SIGBUS, and the pool is gone only once the pin ends
      expect(st.byLine.get(lineOf(/ touch /))?.result).toBe("SIGBUS");
      expect(st.byLine.get(lineOf(/^unpin /))?.available).toEqual({ nvme0: null });
      expect(rec.run.notes.join(" ")).toMatch(/blocked unbind of nvme0 returned \(ok after \d+ ms\)/);
    });
  }

  for (const rec of recordings) {
    it(`${rec.kernel}/${rec.name}: every statement matches the kernel or is a listed exception`, () => {
      const outcome = modelTraceFor(rec.scenario, rec.kernel);
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
        .filter((e) => e.recording === rec.name && e.kernel === rec.kernel)
        .filter((e) => !cmp.statements.some((s) => s.line === e.line && s.excepted[e.field]));
      expect(stale.map((e) => `line ${e.line} ${e.field}`)).toEqual([]);
    });
  }
});
