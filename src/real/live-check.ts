/**
 * The live check CI runs (kernel-lab/ci-live.sh): boots the real kernel on a few presets and corpus
 * scenarios, compares each with the model and fails on any difference not listed in
 * kernel-lab/recordings/exceptions.json. It also fails when the live kernel disagrees with the
 * committed recording of the same scenario (the recording would then be stale).
 *
 *   npx tsx src/real/live-check.ts [--all] [--no-patch] [NAME...]   (default: DEFAULT_LIVE)
 *
 * --no-patch boots a kernel without the debug_pages patch: every result and `available` must still
 * equal the recording (made with the patch), which shows the patch only observes.
 */
import { runText } from "../trace/run.ts";
import { compareRun } from "./compare.ts";
import { formatComparison } from "./format.ts";
import { bootScenario, ensureInitramfs, ensureKernel, LabError, missingTools } from "./lab.ts";
import { corpusJobs, labJobs, presetJobs } from "./record-cli.ts";
import { listRecordings, loadExceptions } from "./recording.ts";

export const DEFAULT_LIVE = [
  "presets/upstream-basic",
  "presets/fork-keeps-pages",
  "presets/partial-munmap-split",
  "presets/fragmentation",
  "presets/refusals",
  "presets/odirect-pin-outlives-munmap",
  "presets/unbind-live-pin",
  "lab/several-devices",
  "corpus/seed-0004",
  "corpus/seed-0005",
];

async function main(argv: string[]): Promise<number> {
  const noPatch = argv.includes("--no-patch");
  const all = argv.includes("--all");
  const names = argv.filter((a) => !a.startsWith("--"));
  const everything = [...presetJobs(), ...labJobs(), ...corpusJobs(112)];
  const wanted = all ? everything.map((j) => j.name) : names.length ? names : DEFAULT_LIVE;
  const jobs = everything.filter((j) => wanted.includes(j.name));
  const unknown = wanted.filter((w) => !jobs.some((j) => j.name === w));
  if (unknown.length) {
    console.error(`live-check: unknown scenario(s): ${unknown.join(", ")}`);
    return 2;
  }
  const missing = missingTools();
  if (missing) throw new LabError(missing);
  const t0 = Date.now();
  const kernel = ensureKernel({ noPatch, log: (s) => process.stderr.write(s) });
  const buildMs = Date.now() - t0;
  const initramfs = ensureInitramfs();
  const exceptions = loadExceptions();
  const recordings = new Map(listRecordings().map((r) => [r.name, r]));
  let failures = 0;
  for (const job of jobs) {
    const outcome = runText(job.text);
    if (!outcome.ok) {
      console.error(`${job.name}: invalid scenario: ${outcome.diagnostics[0]?.message}`);
      failures++;
      continue;
    }
    const rec = recordings.get(job.name);
    const attempt = async () => {
      const boot = await bootScenario(job.text, { kernel, initramfs });
      const cmp = compareRun(boot.run, outcome.trace, exceptions, job.name);
      // the live kernel against the committed recording: results and pool must be identical
      const drift: string[] = [];
      if (rec && rec.scenario === job.text) {
        for (const s of boot.run.statements) {
          const r = rec.run.statements.find((x) => x.line === s.line);
          if (!r || r.result !== s.result || JSON.stringify(r.available) !== JSON.stringify(s.available)) {
            drift.push(
              `line ${s.line}: live ${s.result} ${JSON.stringify(s.available)}, recorded ${r?.result} ${JSON.stringify(r?.available)}`,
            );
          }
        }
      }
      return { boot, cmp, drift, ok: cmp.mismatches === 0 && drift.length === 0 };
    };
    let run = await attempt();
    if (!run.ok) {
      // A held pin is an O_DIRECT read kept in flight by a throttled namespace: on a loaded host it
      // can end early (seen once in a CI-like run). Boot once more; a second failure is real.
      console.log(`retry ${job.name}: the first boot differed; booting once more`);
      run = await attempt();
    }
    const { boot, cmp, drift, ok } = run;
    console.log(
      `${ok ? "ok  " : "FAIL"} ${job.name} (${(boot.wallMs / 1000).toFixed(1)} s, ${cmp.excepted} known difference(s))`,
    );
    if (!ok) {
      failures++;
      console.log(formatComparison(cmp, `${job.name}: Linux ${boot.run.kernel} vs the model`));
      for (const d of drift) console.log(`  recording drift: ${d}`);
    }
  }
  console.log(
    `live-check: ${jobs.length} scenario(s), ${failures} failure(s); kernel ${kernel.release} (${kernel.variant}), build step ${(buildMs / 1000).toFixed(1)} s`,
  );
  return failures ? 1 : 0;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      console.error(e instanceof LabError ? `live-check: ${e.message}` : e);
      process.exitCode = 1;
    },
  );
}
