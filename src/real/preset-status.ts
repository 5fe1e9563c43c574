/**
 * For the app (issue 7, item 5): whether a preset's recording on the real kernel matches the model,
 * and what the kernel did at each line, without Node APIs. The app can load the recordings with
 * Vite, e.g. `import.meta.glob("/kernel-lab/recordings/*\/presets/*.json", { eager: true })` and
 * `/kernel-lab/recordings/exceptions.json`, and pass them in here.
 */
import { runText } from "../trace/run.ts";
import { type ConformanceException, compareRun } from "./compare.ts";
import type { RealStatement } from "./guest-output.ts";
import type { Recording } from "./recording.ts";

export interface PresetStatus {
  /** e.g. "6.12.117" */
  readonly kernel: string;
  /** every statement matches the model, or its difference is a listed exception */
  readonly checked: boolean;
  /** statements whose differences are listed exceptions (held pins and the like) */
  readonly knownDifferences: number;
  /** what the kernel did at each source line */
  readonly byLine: ReadonlyMap<number, RealStatement>;
  /** the reason of a listed exception at each line that has one */
  readonly reasons: ReadonlyMap<number, string>;
}

/** The recording of a preset file ("upstream-basic.p2p"), if any. */
export function recordingForPreset(recordings: readonly Recording[], file: string): Recording | undefined {
  const name = `presets/${file.replace(/\.p2p$/, "")}`;
  return recordings.find((r) => r.name === name);
}

/**
 * Compares a recording with the current model. `checked` is false when the recording's scenario
 * no longer parses, or any statement differs without a listed reason.
 */
export function presetStatus(rec: Recording, exceptions: readonly ConformanceException[]): PresetStatus {
  const byLine = new Map(rec.run.statements.map((s) => [s.line, s]));
  const outcome = runText(rec.scenario);
  if (!outcome.ok)
    return { kernel: rec.kernel, checked: false, knownDifferences: 0, byLine, reasons: new Map() };
  const cmp = compareRun(rec.run, outcome.trace, exceptions, rec.name);
  const reasons = new Map<number, string>();
  for (const s of cmp.statements) {
    const r = Object.values(s.excepted)[0];
    if (r) reasons.set(s.line, r);
  }
  return {
    kernel: rec.kernel,
    checked: cmp.mismatches === 0,
    knownDifferences: cmp.statements.filter((s) => s.differs.length > 0).length,
    byLine,
    reasons,
  };
}
