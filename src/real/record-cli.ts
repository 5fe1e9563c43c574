/**
 * Records the real kernel's behaviour for every preset (public/presets/*.p2p) and for the seeded
 * corpus (corpus.ts) into kernel-lab/recordings/<kernel>/, then prints how each compares with the
 * model. The only writer of recordings: never edit one by hand.
 *
 *   npx tsx src/real/record-cli.ts [--presets] [--lab] [--corpus N] [--from SEED]
 *
 * With none of them it records all three (the corpus with 112 seeds).
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { runText } from "../trace/run.ts";
import { compareRun } from "./compare.ts";
import { corpusScenario } from "./corpus.ts";
import { bootScenario, ensureInitramfs, ensureKernel, LabError, missingTools } from "./lab.ts";
import { asUpstream, loadExceptions, RECORDINGS_DIR, type Recording } from "./recording.ts";

const PRESETS_DIR = resolve(RECORDINGS_DIR, "../../public/presets");

interface Job {
  name: string;
  source: string;
  text: string;
}

export function presetJobs(dir = PRESETS_DIR): Job[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".p2p"))
    .sort()
    .map((f) => {
      const original = readFileSync(join(dir, f), "utf8");
      const up = asUpstream(original);
      return {
        name: `presets/${basename(f, ".p2p")}`,
        source: `public/presets/${f}${up.from ? ` (design '${up.from}' run as upstream: Linux implements only upstream)` : ""}`,
        text: up.text,
      };
    });
}

const LAB_SCENARIOS_DIR = resolve(RECORDINGS_DIR, "../scenarios");

/** Hand-written probes of the lab's edges (kernel-lab/scenarios/*.p2p). */
export function labJobs(dir = LAB_SCENARIOS_DIR): Job[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".p2p"))
    .sort()
    .map((f) => ({
      name: `lab/${basename(f, ".p2p")}`,
      source: `kernel-lab/scenarios/${f}`,
      text: readFileSync(join(dir, f), "utf8"),
    }));
}

export function corpusJobs(count: number, from = 0): Job[] {
  const jobs: Job[] = [];
  for (let seed = from; seed < from + count; seed++) {
    const { kind, text } = corpusScenario(seed);
    jobs.push({
      name: `corpus/seed-${String(seed).padStart(4, "0")}`,
      source: `src/real/corpus.ts seed ${seed} (${kind})`,
      text,
    });
  }
  return jobs;
}

async function main(argv: string[]): Promise<number> {
  const presets = argv.includes("--presets");
  const lab = argv.includes("--lab");
  const ci = argv.indexOf("--corpus");
  const fi = argv.indexOf("--from");
  const all = !presets && !lab && ci < 0;
  const corpusN = ci >= 0 ? Number(argv[ci + 1]) : all ? 112 : 0;
  const from = fi >= 0 ? Number(argv[fi + 1]) : 0;
  const jobs = [
    ...(presets || all ? presetJobs() : []),
    ...(lab || all ? labJobs() : []),
    ...corpusJobs(corpusN, from),
  ];
  const missing = missingTools();
  if (missing) throw new LabError(missing);
  const kernel = ensureKernel({ log: (s) => process.stderr.write(s) });
  const initramfs = ensureInitramfs();
  const exceptions = loadExceptions();
  let unexplained = 0;
  let statements = 0;
  const walls: number[] = [];
  for (const job of jobs) {
    const outcome = runText(job.text);
    if (!outcome.ok) {
      console.error(`${job.name}: not a valid scenario: ${outcome.diagnostics[0]?.message}`);
      return 2;
    }
    const boot = await bootScenario(job.text, { kernel, initramfs });
    const rec: Recording = {
      format: "p2pviz-real-recording/1",
      name: job.name,
      source: job.source,
      scenario: job.text,
      kernel: boot.run.kernel,
      qemu: boot.qemu,
      variant: kernel.variant,
      build: basename(kernel.dir),
      run: boot.run,
      wallMs: boot.wallMs,
    };
    const file = join(RECORDINGS_DIR, boot.run.kernel, `${job.name}.json`);
    mkdirSync(resolve(file, ".."), { recursive: true });
    writeFileSync(file, `${JSON.stringify(rec, null, 1)}\n`);
    const cmp = compareRun(boot.run, outcome.trace, exceptions, job.name);
    unexplained += cmp.mismatches;
    statements += cmp.statements.length;
    walls.push(boot.wallMs);
    const diffs = cmp.statements
      .filter((s) => s.differs.some((f) => !s.excepted[f]))
      .map((s) => `L${s.line}:${s.differs.filter((f) => !s.excepted[f]).join("+")}`);
    console.log(
      `${job.name.padEnd(42)} ${String(cmp.statements.length).padStart(3)} stmts  ${(boot.wallMs / 1000).toFixed(1)} s  ${diffs.length ? `DIFF ${diffs.join(" ")}` : "ok"}${cmp.excepted ? ` (${cmp.excepted} known)` : ""}`,
    );
  }
  walls.sort((a, b) => a - b);
  console.log(
    `\n${jobs.length} scenarios, ${statements} statements, ${unexplained} unexplained difference(s); boot+run median ${((walls[walls.length >> 1] ?? 0) / 1000).toFixed(2)} s`,
  );
  return unexplained ? 1 : 0;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      console.error(e instanceof LabError ? `record: ${e.message}` : e);
      process.exitCode = 1;
    },
  );
}
