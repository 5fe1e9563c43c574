/** `p2pviz link FILE`: the share URL that opens FILE in the app at a step. */
import { formatDiagnostic, type KernelChoice } from "../scenario/parse.ts";
import {
  checkStep,
  DEFAULT_BASE,
  encodeShareLink,
  MAX_URL_CHARS,
  type ShareState,
  versionFor,
} from "../share/codec.ts";
import { PANEL_NAMES } from "../share/panels.ts";
import { runSideB } from "../store/compare-run.ts";
import { alignedTotal, statementEnd } from "../trace/diff.ts";
import { pageFlag, parseArgs, UsageError } from "./args.ts";
import { chooseBase } from "./config.ts";
import { type CliIO, type Command, EXIT_OK, EXIT_USAGE } from "./io.ts";
import {
  displayName,
  KERNEL_FLAG_HELP,
  kernelFlag,
  readScenarioFile,
  runOptions,
  runScenarioFile,
  usageFailure,
} from "./scenario-file.ts";

const HELP = `Usage: p2pviz link FILE [--step N] [--base URL] [--kernel DESIGN[@VERSION]] [--page DEV:P] [--panel NAME] [--json]
       p2pviz link FILE --vs DESIGN [--vs-file FILE2] [--divergence K] [--step N] ...   (compare mode)

Prints a share URL that opens the scenario FILE (or - for standard input) in the p2pviz app at a
step. The whole scenario travels in the URL's '#' part (compressed when that is shorter), so the
link needs no server and opens the same scenario at the same step in any later p2pviz.

Options:
  --step N          the step to open at, counting from 0 (default 0); must exist in the run
  --base URL        where the app is served; without it: $P2PVIZ_BASE, else "base" in
                    ./.p2pvizrc.json or ~/.p2pvizrc.json ({"base": "https://.../"}),
                    else ${DEFAULT_BASE} (the vite preview address)
  --kernel DESIGN[@VERSION]
                    open under another design (and kernel version) than the scenario's
                    'kernel' line: ${KERNEL_FLAG_HELP}; without @VERSION, the design's newest
  --page DEV:P      select page P (from 0) of device DEV (a name or a PCI address)
  --panel NAME      the panel to focus (${PANEL_NAMES.join(", ")})
  --vs DESIGN[@VERSION]
                    open compare mode: side B runs under DESIGN (side A is FILE with --kernel)
  --vs-file FILE2   side B runs the scenario FILE2 (under --vs, or FILE2's own 'kernel' line);
                    with either, --step is the aligned step of both sides ('p2pviz diff')
  --divergence K    in compare mode, open at the end of the K-th divergent statement (from 1)
  --json            print {"format": "p2pviz-link/1", "url", "length", ...} instead
  -h, --help        this help

Exit status: 0 with the URL on standard output; 2 for a scenario error (FILE:LINE:COL: message),
a step past the end of the run, a link over ${MAX_URL_CHARS} characters, or bad usage.
Read a link back with 'p2pviz open URL'. Link format: docs/url-format.md
`;

function intFlag(v: string | true | undefined, name: string): number | undefined {
  if (v === undefined || v === true) return undefined;
  if (!/^[0-9]{1,9}$/.test(v)) throw new UsageError(`${name} must be a whole number from 0, not '${v}'`);
  return Number(v);
}

export const command: Command = (args, io: CliIO) => {
  let file: string;
  let step: number;
  let base: string;
  let kernel: KernelChoice | undefined;
  let page: { dev: string; index: number } | undefined;
  let panel: string | undefined;
  let json: boolean;
  let vs: KernelChoice | undefined;
  let vsFile: string | undefined;
  let divergence: number | undefined;
  let stepGiven: boolean;
  try {
    const a = parseArgs(
      args,
      ["--step", "--base", "--kernel", "--page", "--panel", "--vs", "--vs-file", "--divergence"],
      ["--json", "--help", "-h"],
    );
    if (a.flags.has("--help") || a.flags.has("-h")) {
      io.out(HELP);
      return EXIT_OK;
    }
    if (a.positionals.length !== 1)
      throw new UsageError("expected exactly one FILE (or - for standard input)");
    file = a.positionals[0]!;
    step = intFlag(a.flags.get("--step"), "--step") ?? 0;
    const b = a.flags.get("--base");
    const chosen = chooseBase(typeof b === "string" ? b : undefined, io.config?.());
    if (!chosen.ok) throw new UsageError(chosen.message);
    base = chosen.base;
    kernel = kernelFlag(a.flags.get("--kernel"));
    page = pageFlag(a.flags.get("--page"));
    const p = a.flags.get("--panel");
    panel = typeof p === "string" ? p : undefined;
    if (panel !== undefined && !PANEL_NAMES.includes(panel)) {
      throw new UsageError(`unknown panel '${panel}' (panels: ${PANEL_NAMES.join(", ")})`);
    }
    json = a.flags.has("--json");
    vs = kernelFlag(a.flags.get("--vs"), "--vs");
    const f2 = a.flags.get("--vs-file");
    vsFile = typeof f2 === "string" ? f2 : undefined;
    divergence = intFlag(a.flags.get("--divergence"), "--divergence");
    stepGiven = a.flags.get("--step") !== undefined;
    if (divergence !== undefined && vs === undefined && vsFile === undefined) {
      throw new UsageError("--divergence needs compare mode (--vs or --vs-file)");
    }
    if (divergence !== undefined && (divergence < 1 || stepGiven)) {
      throw new UsageError(
        divergence < 1 ? "--divergence counts from 1" : "--divergence and --step exclude each other",
      );
    }
  } catch (e) {
    return usageFailure(io, "link", HELP, e);
  }

  // A link to a scenario that does not parse would only open an error: refuse it here.
  const ran = runScenarioFile(io, file, runOptions(kernel));
  if (!ran) return EXIT_USAGE;
  const { name, text, trace } = ran;
  // compare mode: side B, and the aligned timeline the step counts on
  let compare: ShareState["compare"];
  let total = trace.steps;
  if (vs !== undefined || vsFile !== undefined) {
    const textB = vsFile === undefined ? undefined : readScenarioFile(io, vsFile);
    if (vsFile !== undefined && textB === undefined) return EXIT_USAGE;
    const b = runSideB(trace, text, vs?.design ?? null, textB ?? null, vs?.version ?? null);
    if (!b.ok) {
      const nameB = vsFile === undefined ? name : displayName(vsFile);
      for (const d of b.diagnostics) io.err(`${formatDiagnostic(nameB, d)}\n`);
      return EXIT_USAGE;
    }
    compare = {
      ...(vs && { design: vs.design }),
      ...(vs?.version && { version: vs.version }),
      ...(textB !== undefined && { text: textB }),
    };
    total = alignedTotal(b.comparison);
    if (divergence !== undefined) {
      const d = b.comparison.divergences[divergence - 1];
      if (!d) {
        const n = b.comparison.divergences.length;
        io.err(
          `p2pviz link: --divergence ${divergence}: ${n === 0 ? "the two sides never diverge" : `the sides diverge at ${n} statement${n === 1 ? "" : "s"}`}\n`,
        );
        return EXIT_USAGE;
      }
      step = statementEnd(b.comparison, d.index);
    }
  }
  const bad = checkStep(step, total);
  if (bad) {
    io.err(`p2pviz link: ${name}: ${bad.message.replace("The link asks for", "--step asks for")}\n`);
    return EXIT_USAGE;
  }
  if (page) {
    const want = page.dev;
    const dev = trace.scenario.statements.find((s) => s.op === "device" && s.dev === want);
    if (dev?.op !== "device") {
      io.err(`p2pviz link: --page: ${name} has no device '${want}'\n`);
      return EXIT_USAGE;
    }
    const pages = dev.size / trace.pageSize;
    if (page.index >= pages) {
      io.err(`p2pviz link: --page: device '${want}' has pages 0 to ${pages - 1}\n`);
      return EXIT_USAGE;
    }
  }

  const design = kernel?.design;
  const state: ShareState = {
    text,
    step,
    ...(design && { design }),
    ...(kernel?.version && { version: kernel.version }),
    ...(compare && { compare }),
    ...(page && { page }),
    ...(panel !== undefined && { panel }),
  };
  const r = encodeShareLink(state, { base });
  if (!r.ok) {
    io.err(`p2pviz link: ${name}: ${r.error.message}\n${r.error.hint ? `  hint: ${r.error.hint}\n` : ""}`);
    return EXIT_USAGE;
  }
  if (json) {
    const out = {
      format: "p2pviz-link/1",
      url: r.url,
      length: r.url.length,
      version: versionFor(state),
      step,
      totalSteps: total,
      ...(design && { design }),
      ...(kernel?.version && { kernelVersion: kernel.version }),
      ...(compare && { compare }),
      ...(page && { page }),
      ...(panel !== undefined && { panel }),
    };
    io.out(`${JSON.stringify(out, null, 1)}\n`);
  } else {
    io.out(`${r.url}\n`);
  }
  return EXIT_OK;
};
