/**
 * The live check CI runs (kernel-lab/ci-live.sh): boots each real kernel (6.12.117 and 7.3.4) on a
 * few presets and corpus scenarios, compares each with the model and fails on any difference not
 * listed in kernel-lab/recordings/exceptions.json. It also fails when the live kernel disagrees
 * with the committed recording of the same scenario on the same kernel (the recording would then be
 * stale). Only a scenario with a held pin is booted a second time after a failure (its pin is I/O
 * kept in flight by a throttle on the host's clock); the number of such retries is printed.
 *
 *   npx tsx src/real/live-check.ts [--linux 6.12|7.3|all] [--all] [--no-patch] [NAME...]
 *   (default: both kernels, DEFAULT_LIVE)
 *
 * --no-patch boots a kernel without the debug_pages patch: every result and `available` must still
 * equal the recording (made with the patch), which shows the patch only observes.
 */
import { compareRun, modelTraceFor } from "./compare.ts";
import { formatComparison } from "./format.ts";
import type { RealRun } from "./guest-output.ts";
import {
  bootScenario,
  ensureInitramfs,
  ensureKernel,
  isLabKernel,
  LAB_KERNELS,
  LabError,
  type LabKernel,
  missingTools,
} from "./lab.ts";
import { CORPUS_SEEDS, corpusJobs, labJobs, presetJobs } from "./record-cli.ts";
import { listRecordings, loadExceptions, type Recording } from "./recording.ts";

/**
 * What CI boots on each kernel without NAMEs: 7.3 (the default kernel) gets the wider set; 6.12
 * the scenarios where the two kernels are known to differ or that exercise the lifetime rules (free
 * pages, held pins, unbind with a pin from the peer controller, several devices), to keep both
 * kernels inside CI's budget.
 */
export const DEFAULT_LIVE: Readonly<Record<LabKernel, readonly string[]>> = {
  "7.3": [
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
  ],
  "6.12": ["presets/upstream-basic", "presets/refusals", "presets/unbind-live-pin", "lab/several-devices"],
};

/** A run holds a pin across statements (the lab kept an O_DIRECT read in flight). */
export function hasHeldPin(run: RealRun | undefined): boolean {
  return !!run?.statements.some((s) => s.held);
}

/** Results the guest writes; anything else is a console line another message cut into. */
const GUEST_RESULT = /^(ok|blocked|UNSUPPORTED|E[A-Z0-9]+|SIG[A-Z]+|short:\d+)$/;

/**
 * The serial console glued a kernel message into a guest line (seen on 6.12: "okreboot:"), so the
 * boot says nothing about the model.
 */
export function garbledConsole(live: RealRun): boolean {
  return live.statements.some((s) => !GUEST_RESULT.test(s.result));
}

/**
 * Whether a failed live job may be booted once more: when the scenario holds a pin, on the
 * committed recording or on the failed boot (a held pin is I/O kept in flight by a throttle that runs
 * on the host's clock; nothing else in a run depends on host timing), or when the console garbled a
 * guest line (not a difference of the model at all).
 */
export function mayRetry(rec: Recording | undefined, live: RealRun): boolean {
  return hasHeldPin(rec?.run) || hasHeldPin(live) || garbledConsole(live);
}

async function main(argv: string[]): Promise<number> {
  const noPatch = argv.includes("--no-patch");
  const all = argv.includes("--all");
  const li = argv.indexOf("--linux");
  const linuxOpt = li >= 0 ? (argv[li + 1] ?? "") : "all";
  const kernels: LabKernel[] =
    linuxOpt === "all" ? [...LAB_KERNELS] : isLabKernel(linuxOpt) ? [linuxOpt] : [];
  if (!kernels.length) {
    console.error(`live-check: --linux ${linuxOpt}: one of ${LAB_KERNELS.join(", ")} or all`);
    return 2;
  }
  const names = argv.filter((a, i) => !a.startsWith("--") && !(li >= 0 && i === li + 1));
  const everything = [...presetJobs(), ...labJobs(), ...corpusJobs(CORPUS_SEEDS)];
  const wantedFor = (k: LabKernel): readonly string[] =>
    all ? everything.map((j) => j.name) : names.length ? names : DEFAULT_LIVE[k];
  const unknown = kernels.flatMap((k) => wantedFor(k)).filter((w) => !everything.some((j) => j.name === w));
  if (unknown.length) {
    console.error(`live-check: unknown scenario(s): ${[...new Set(unknown)].join(", ")}`);
    return 2;
  }
  const initramfs = ensureInitramfs();
  const exceptions = loadExceptions();
  const recordings = new Map(listRecordings().map((r) => [`${r.kernel}/${r.name}`, r]));
  let failures = 0;
  let retries = 0;
  let boots = 0;
  const summary: string[] = [];
  for (const lab of kernels) {
    const missing = missingTools(lab);
    if (missing) throw new LabError(missing);
    const t0 = Date.now();
    const kernel = ensureKernel({ kernel: lab, noPatch, log: (s) => process.stderr.write(s) });
    const buildMs = Date.now() - t0;
    const t1 = Date.now();
    let kernelFailures = 0;
    const wanted = wantedFor(lab);
    const jobs = everything.filter((j) => wanted.includes(j.name));
    for (const job of jobs) {
      const r = await checkJob(job, kernel, initramfs, exceptions, recordings);
      boots += r.boots;
      retries += r.boots - 1;
      if (!r.ok) kernelFailures++;
    }
    failures += kernelFailures;
    summary.push(
      `Linux ${kernel.release} (${kernel.variant}): ${jobs.length} scenario(s), ${kernelFailures} failure(s), build step ${(buildMs / 1000).toFixed(1)} s, scenarios ${((Date.now() - t1) / 1000).toFixed(1)} s`,
    );
  }
  for (const l of summary) console.log(`live-check: ${l}`);
  console.log(
    `live-check: ${boots} boot(s), ${retries} retr${retries === 1 ? "y" : "ies"} (held-pin or garbled-console boots only), ${failures} failure(s)`,
  );
  return failures ? 1 : 0;
}

async function checkJob(
  job: { name: string; text: string },
  kernel: ReturnType<typeof ensureKernel>,
  initramfs: string,
  exceptions: ReturnType<typeof loadExceptions>,
  recordings: ReadonlyMap<string, Recording>,
): Promise<{ ok: boolean; boots: number }> {
  {
    const outcome = modelTraceFor(job.text, kernel.release);
    if (!outcome.ok) {
      console.error(`${job.name}: invalid scenario: ${outcome.diagnostics[0]?.message}`);
      return { ok: false, boots: 0 };
    }
    const rec = recordings.get(`${kernel.release}/${job.name}`);
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
    let boots = 1;
    if (!run.ok && mayRetry(rec, run.boot.run)) {
      // A held pin is an O_DIRECT read kept in flight by a throttled namespace: on a loaded host it
      // can end early (seen once in a CI-like run). Boot once more; a second failure is real.
      console.log(
        `retry ${job.name} on ${kernel.release}: the first boot differed and ${garbledConsole(run.boot.run) ? "the console garbled a guest line" : "it holds a pin"}; booting once more`,
      );
      run = await attempt();
      boots++;
    }
    const { boot, cmp, drift, ok } = run;
    console.log(
      `${ok ? "ok  " : "FAIL"} ${kernel.release} ${job.name} (${(boot.wallMs / 1000).toFixed(1)} s, ${cmp.excepted} known difference(s))`,
    );
    if (!ok) {
      console.log(formatComparison(cmp, `${job.name}: Linux ${boot.run.kernel} vs the model`));
      for (const d of drift) console.log(`  recording drift: ${d}`);
    }
    return { ok, boots };
  }
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
