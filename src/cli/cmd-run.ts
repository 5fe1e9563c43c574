/** `p2pviz run FILE`: the trace, one event a line, then the findings; or the run JSON. */
import { basename } from "node:path";
import type { KernelChoice } from "../scenario/parse.ts";
import { describeEvent, sourceOf } from "../trace/describe.ts";
import { batched, writeRunJson } from "../trace/json.ts";
import { followPage, SUMMARY_WIDTH, summarize } from "../trace/summary.ts";
import { eventAt, type Trace } from "../trace/trace.ts";
import { pageFlag, parseArgs, UsageError } from "./args.ts";
import { type Command, EXIT_OK, EXIT_USAGE } from "./io.ts";
import { KERNEL_FLAG_HELP, kernelFlag, runOptions, runScenarioFile, usageFailure } from "./scenario-file.ts";

const HELP = `Usage: p2pviz run FILE [--json [--runs [--events]] | --summary | --page DEV:P] [--kernel DESIGN[@VERSION]]

Runs a scenario (FILE, or - for standard input) through the kernel model and prints every event,
one a line, grouped by statement, then the findings.

Options:
  --json            print the run as JSON (format "p2pviz-run/1"), written as it goes (any size)
  --runs            with --json: format "p2pviz-run/2": allocated pages and PTEs as runs of
                    consecutive entries that agree, and no events list (unless --events)
  --events          with --json --runs: the events list too
  --summary         mail-ready text: one to a few lines per statement, none wider than
                    ${SUMMARY_WIDTH} columns, pages as ranges, refcounts as before->after
  --page DEV:P      follow page P (from 0) of device DEV: every statement that changed it,
                    with its refcount, mapcount and state after
  --kernel DESIGN[@VERSION]
                    simulate another design (and kernel version) than the scenario's
                    'kernel' line: ${KERNEL_FLAG_HELP}; without @VERSION, the design's newest
  -h, --help        this help

Exit status: 0 when the scenario ran (errnos, signals and findings are results);
2 for a scenario error (printed as FILE:LINE:COL: message) or bad usage.
`;

/** The trace, one event a line under its statement, then the findings, written as it goes. */
export function writeTrace(trace: Trace, out: (text: string) => void): void {
  const w = batched(out);
  const push = (line: string) => w.push(`${line}\n`);
  const width = String(Math.max(0, trace.steps - 1)).length;
  for (const op of trace.ops) {
    push(`-- line ${op.line}: ${op.text}  => ${op.result}`);
    for (let step = op.firstStep; step <= op.lastStep; step++) {
      const e = eventAt(trace, step)!;
      push(`${String(step).padStart(width)}  ${describeEvent(trace, e)}  [${e.fn}, ${sourceOf(e.fn)}]`);
    }
  }
  if (trace.truncated) push(`!! ${trace.truncated.message}`);
  push("");
  if (trace.findings.length === 0) push("Findings: none.");
  else {
    push(`Findings (${trace.findings.length}):`);
    for (const f of trace.findings) push(`  step ${f.step}, line ${f.line}: [${f.kind}] ${f.text}`);
  }
  w.flush();
}

export const command: Command = (args, io) => {
  let file: string;
  let json: boolean;
  let summary: boolean;
  let page: { dev: string; index: number } | undefined;
  let kernel: KernelChoice | undefined;
  let runs: boolean;
  let events: boolean;
  try {
    const a = parseArgs(
      args,
      ["--kernel", "--page"],
      ["--json", "--runs", "--events", "--summary", "--help", "-h"],
    );
    if (a.flags.has("--help") || a.flags.has("-h")) {
      io.out(HELP);
      return EXIT_OK;
    }
    if (a.positionals.length !== 1)
      throw new UsageError("expected exactly one FILE (or - for standard input)");
    file = a.positionals[0]!;
    json = a.flags.has("--json");
    summary = a.flags.has("--summary");
    page = pageFlag(a.flags.get("--page"));
    if ([json, summary, page !== undefined].filter(Boolean).length > 1) {
      throw new UsageError("--json, --summary and --page exclude each other");
    }
    runs = a.flags.has("--runs");
    events = a.flags.has("--events");
    if (runs && !json) throw new UsageError("--runs goes with --json");
    if (events && !runs)
      throw new UsageError("--events goes with --json --runs (format 1 always has the events)");
    kernel = kernelFlag(a.flags.get("--kernel"));
  } catch (e) {
    return usageFailure(io, "run", HELP, e);
  }
  const ran = runScenarioFile(io, file, runOptions(kernel));
  if (!ran) return EXIT_USAGE;
  const { name, trace } = ran;
  if (page) {
    const r = followPage(trace, page.dev, page.index);
    if (!r.ok) {
      io.err(`p2pviz run: --page: ${name}: ${r.message}\n`);
      return EXIT_USAGE;
    }
    io.out(`${r.lines.join("\n")}\n`);
  } else if (summary) io.out(`${summarize(trace, basename(name)).join("\n")}\n`);
  else if (json) writeRunJson(trace, io.out, { runs, events });
  else writeTrace(trace, io.out);
  if (trace.truncated) {
    io.err(`${name}:${trace.truncated.line}:1: ${trace.truncated.message}\n`);
    return EXIT_USAGE;
  }
  return EXIT_OK;
};
