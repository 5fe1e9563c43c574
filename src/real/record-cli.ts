/**
 * Records the real kernel's behaviour for every preset (public/presets/*.p2p) and for the seeded
 * corpus (corpus.ts) into kernel-lab/recordings/<kernel>/, then prints how each compares with the
 * model. The only writer of recordings: never edit one by hand.
 *
 *   npx tsx src/real/record-cli.ts [--linux 6.12|7.3] [--presets] [--lab] [--corpus N] [--from SEED] [NAME...]
 *
 * With none of --presets/--lab/--corpus it records all three (the corpus with 112 seeds); NAMEs
 * (e.g. presets/unbind-live-pin) pick single jobs. --linux picks the lab kernel (default 7.3) for
 * every job, whatever the scenario's `kernel` line says: a recording shows what that kernel did.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { compareRun, modelTraceFor } from "./compare.ts";
import { corpusScenario } from "./corpus.ts";
import { guestLines } from "./guest-output.ts";
import {
  bootScenario,
  DEFAULT_LAB_KERNEL,
  ensureInitramfs,
  ensureKernel,
  isLabKernel,
  LabError,
  missingTools,
} from "./lab.ts";
import { asUpstream, loadExceptions, RECORDINGS_DIR, type Recording, sha256Hex } from "./recording.ts";

const PRESETS_DIR = resolve(RECORDINGS_DIR, "../../public/presets");

interface Job {
  name: string;
  source: string;
  text: string;
}

/**
 * Presets the lab cannot record, each with its reason: they live in public/presets/big/, which
 * presetJobs() does not read. The lab gives an NVMe controller at most MAX_CMB_MB (1 GiB) of CMB
 * (the guest has 256 MiB of RAM for the struct pages; lab.ts), and these presets' devices are 4 GiB
 * to 1 TiB, the sizes of the BARs they are about. planScenario() refuses each of them (checked by
 * test/unit/real-conformance.test.ts), so no recording of them can exist, and none is faked.
 */
export const UNRECORDABLE_PRESETS: Readonly<Record<string, string>> = {
  "big/bar-32g-whole.p2p": "one 32 GiB device: larger than the lab's largest CMB (1 GiB)",
  "big/eight-npus.p2p": "eight 32 GiB devices: each larger than the lab's largest CMB (1 GiB)",
  "big/million-pages.p2p": "one 4 GiB device (1M pages): larger than the lab's largest CMB (1 GiB)",
  "big/tib-device.p2p": "one 1 TiB device: larger than the lab's largest CMB (1 GiB)",
};

/**
 * Presets of designs Linux does not implement (public/presets/huge: the huge-folio proposals of
 * ../shared/kernel/huge.md, "proposal" in index.json) are never recorded: presetJobs() reads only
 * the top directory, and this names the reason the app and docs give.
 */
export const PROPOSAL_PRESETS = {
  dir: "huge",
  reason:
    "proposal, not merged in any Linux release (huge.md §0): no kernel can run it; modelled from the review",
} as const;

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

/** The number of corpus seeds recorded (and checked by the live check's --all). */
export const CORPUS_SEEDS = 112;

/** value of OPTION in argv (and the indices it took), or undefined */
function option(argv: string[], name: string, taken: Set<number>): string | undefined {
  const i = argv.indexOf(name);
  if (i < 0) return undefined;
  taken.add(i).add(i + 1);
  return argv[i + 1];
}

async function main(argv: string[]): Promise<number> {
  const taken = new Set<number>();
  const linux = option(argv, "--linux", taken) ?? DEFAULT_LAB_KERNEL;
  if (!isLabKernel(linux)) throw new LabError(`--linux ${linux}: the lab builds 6.12 and 7.3`);
  const presets = argv.includes("--presets");
  const lab = argv.includes("--lab");
  const corpusOpt = option(argv, "--corpus", taken);
  const fromOpt = option(argv, "--from", taken);
  const names = argv.filter((a, i) => !a.startsWith("--") && !taken.has(i));
  const all = !presets && !lab && corpusOpt === undefined;
  const corpusN = corpusOpt !== undefined ? Number(corpusOpt) : all ? CORPUS_SEEDS : 0;
  const from = fromOpt !== undefined ? Number(fromOpt) : 0;
  const jobs = names.length
    ? [...presetJobs(), ...labJobs(), ...corpusJobs(CORPUS_SEEDS)].filter((j) => names.includes(j.name))
    : [
        ...(presets || all ? presetJobs() : []),
        ...(lab || all ? labJobs() : []),
        ...corpusJobs(corpusN, from),
      ];
  if (names.length && jobs.length !== names.length) {
    console.error(
      `record: unknown name(s): ${names.filter((n) => !jobs.some((j) => j.name === n)).join(", ")}`,
    );
    return 2;
  }
  const missing = missingTools(linux);
  if (missing) throw new LabError(missing);
  const kernel = ensureKernel({ kernel: linux, log: (s) => process.stderr.write(s) });
  const initramfs = ensureInitramfs();
  const exceptions = loadExceptions();
  let unexplained = 0;
  let statements = 0;
  const walls: number[] = [];
  for (const job of jobs) {
    const outcome = modelTraceFor(job.text, kernel.release);
    if (!outcome.ok) {
      console.error(`${job.name}: not a valid scenario: ${outcome.diagnostics[0]?.message}`);
      return 2;
    }
    const boot = await bootScenario(job.text, { kernel, initramfs });
    const guestOutput = guestLines(boot.console);
    const rec: Recording = {
      format: "p2pviz-real-recording/2",
      name: job.name,
      source: job.source,
      scenario: job.text,
      kernel: boot.run.kernel,
      lab: kernel.lab,
      qemu: boot.qemu,
      variant: kernel.variant,
      build: basename(kernel.dir),
      run: boot.run,
      guestOutput,
      guestOutputSha256: sha256Hex(guestOutput.join("\n")),
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
