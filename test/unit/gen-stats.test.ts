/**
 * How often the scenario generator (gen.ts) reaches the cases the property tests are for. The
 * sample is fixed (seed), so the shares are figures, printed with the test run, and each is asserted
 * to stay above a stated floor: a generator change that stops reaching a case fails here.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Design } from "../../src/scenario/ast.ts";
import { TraceCursor } from "../../src/trace/cursor.ts";
import { runText } from "../../src/trace/run.ts";
import { allEvents, type Trace } from "../../src/trace/trace.ts";
import { arbChoices, arbDesignVersion, scenarioFrom } from "./gen.ts";

type Case = "pin" | "unbind blocked by a pin" | "free" | "ENOMEM" | "use-after-free" | "alias";

/** The cases one trace reaches. */
function casesOf(t: Trace): Set<Case> {
  const out = new Set<Case>();
  const cursor = new TraceCursor(t);
  for (const op of t.ops) {
    if (op.text.includes(" pin ") && op.result === "ok") out.add("pin");
    if (op.result === "ENOMEM") out.add("ENOMEM");
    if (op.text.startsWith("unbind ") && op.result === "blocked") {
      const s = cursor.seek(op.lastStep);
      const dev = s.devices.findIndex((d) => d.name === op.text.slice("unbind ".length));
      if (s.pins.some((p) => p.ranges.some((r) => r.dev === dev))) out.add("unbind blocked by a pin");
    }
  }
  if (allEvents(t).some((e) => e.kind === "genpool-free")) out.add("free");
  for (const f of t.findings) {
    if (f.kind === "use-after-free") out.add("use-after-free");
    if (f.kind === "alias") out.add("alias");
  }
  return out;
}

/** Each case's floor, as a share of the runs of the designs where it can happen at all. */
const FLOORS: Record<Case, { designs: readonly Design[]; min: number }> = {
  pin: { designs: ["upstream", "seed", "rfc-v1", "fault"], min: 0.4 },
  "unbind blocked by a pin": { designs: ["upstream", "seed", "rfc-v1", "fault"], min: 0.15 },
  free: { designs: ["upstream", "rfc-v1", "fault", "remap"], min: 0.35 },
  // fault allocates at fault time: a failed allocation is SIGBUS there, not ENOMEM
  ENOMEM: { designs: ["upstream", "seed", "rfc-v1", "remap"], min: 0.1 },
  // rfc-v1 frees at the last munmap even while a pin is in flight (freed while pinned)
  "use-after-free": { designs: ["rfc-v1"], min: 0.06 },
  // a front split misaligns the fault design's pgoff (README §3.3)
  alias: { designs: ["fault"], min: 0.08 },
};

describe("scenario generator statistics", () => {
  it("reaches pins, unbinds blocked by pins, frees, ENOMEM, use-after-free and alias in a stated share of runs", () => {
    const samples = fc.sample(fc.tuple(arbDesignVersion, arbChoices), { numRuns: 400, seed: 20261205 });
    const runs: { design: Design; cases: Set<Case>; length: number }[] = [];
    for (const [[design, version], choices] of samples) {
      const r = runText(scenarioFrom(design, choices), { version });
      if (!r.ok) throw new Error("generated an invalid scenario");
      runs.push({ design, cases: casesOf(r.trace), length: choices.length });
    }
    const rows: string[] = [];
    const shares = {} as Record<Case, number>;
    for (const [c, { designs, min }] of Object.entries(FLOORS) as [Case, (typeof FLOORS)[Case]][]) {
      const of = runs.filter((r) => designs.includes(r.design));
      shares[c] = of.filter((r) => r.cases.has(c)).length / of.length;
      rows.push(
        `${c.padEnd(24)} ${(100 * shares[c]).toFixed(1).padStart(5)}% of ${String(of.length).padStart(3)} runs (${designs.join(", ")}), floor ${100 * min}%`,
      );
    }
    for (const d of ["upstream", "seed", "rfc-v1", "fault", "remap"] as Design[]) {
      const of = runs.filter((r) => r.design === d);
      const each = (Object.keys(FLOORS) as Case[]).map(
        (c) => `${c} ${((100 * of.filter((r) => r.cases.has(c)).length) / of.length).toFixed(0)}%`,
      );
      rows.push(`  ${d} (${of.length} runs): ${each.join(", ")}`);
    }
    const lengths = runs.map((r) => r.length).sort((a, b) => a - b);
    rows.push(
      `choices per scenario: median ${lengths[lengths.length >> 1]}, max ${lengths[lengths.length - 1]}`,
    );
    console.log(`generator statistics, ${runs.length} runs (seed 20261205):\n  ${rows.join("\n  ")}`);
    for (const [c, { min }] of Object.entries(FLOORS) as [Case, (typeof FLOORS)[Case]][])
      expect(shares[c], c).toBeGreaterThanOrEqual(min);
  });
});
