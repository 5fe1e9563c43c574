/**
 * For the app (issue 7, item 5): whether a preset's recording on the real kernel matches the model,
 * and what the kernel did at each line, without Node APIs. The app can load the recordings with
 * Vite, e.g. `import.meta.glob("/kernel-lab/recordings/*\/presets/*.json", { eager: true })` and
 * `/kernel-lab/recordings/exceptions.json`, and pass them in here.
 */
import { type ConformanceException, compareRun, modelTraceFor } from "./compare.ts";
import type { RealStatement } from "./guest-output.ts";
import type { Recording } from "./recording.ts";

export interface PresetStatus {
  /** e.g. "7.3.4" */
  readonly kernel: string;
  /**
   * every statement that could be checked matches the model, or differs only by a listed exception
   * with exactly these values; statements in `unchecked` were not checked at all
   */
  readonly checked: boolean;
  /** statements whose differences are listed exceptions (held pins and the like) */
  readonly knownDifferences: number;
  /** lines whose result user space cannot produce (e.g. `pin ... longterm`), and why: not checked */
  readonly unchecked: ReadonlyMap<number, string>;
  /** what the kernel did at each source line */
  readonly byLine: ReadonlyMap<number, RealStatement>;
  /** the reason of a listed exception at each line that has one */
  readonly reasons: ReadonlyMap<number, string>;
}

/**
 * The recording of a preset file ("upstream-basic.p2p"), if any: on the kernel whose release
 * starts with `kernel` (e.g. "7.3"), or else the newest kernel's.
 */
export function recordingForPreset(
  recordings: readonly Recording[],
  file: string,
  kernel?: string,
): Recording | undefined {
  const name = `presets/${file.replace(/\.p2p$/, "")}`;
  const mine = recordings
    .filter((r) => r.name === name)
    .sort((a, b) => b.kernel.localeCompare(a.kernel, "en", { numeric: true }));
  return (
    (kernel ? mine.find((r) => r.kernel === kernel || r.kernel.startsWith(`${kernel}.`)) : undefined) ??
    mine[0]
  );
}

/**
 * Compares a recording with the current model. `checked` is false when the recording's scenario
 * no longer parses, or any statement differs without a listed reason.
 */
export function presetStatus(rec: Recording, exceptions: readonly ConformanceException[]): PresetStatus {
  const byLine = new Map(rec.run.statements.map((s) => [s.line, s]));
  const outcome = modelTraceFor(rec.scenario, rec.kernel);
  if (!outcome.ok)
    return {
      kernel: rec.kernel,
      checked: false,
      knownDifferences: 0,
      unchecked: new Map(),
      byLine,
      reasons: new Map(),
    };
  const cmp = compareRun(rec.run, outcome.trace, exceptions, rec.name);
  const unchecked = new Map<number, string>();
  for (const s of cmp.statements) if (s.unchecked) unchecked.set(s.line, s.unchecked);
  const reasons = new Map<number, string>();
  for (const s of cmp.statements) {
    const r = Object.values(s.excepted)[0];
    if (r) reasons.set(s.line, r);
  }
  return {
    kernel: rec.kernel,
    checked: cmp.mismatches === 0,
    knownDifferences: cmp.statements.filter((s) => s.differs.length > 0).length,
    unchecked,
    byLine,
    reasons,
  };
}
