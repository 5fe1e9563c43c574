/** `p2pviz run FILE`: the trace, one event a line, then the findings; or the run JSON. */
import { DESIGNS, type Design } from "../scenario/ast.ts";
import { formatDiagnostic } from "../scenario/parse.ts";
import { describeEvent, sourceOf } from "../trace/describe.ts";
import { toRunJson } from "../trace/json.ts";
import { runText } from "../trace/run.ts";
import type { Trace } from "../trace/trace.ts";
import { parseArgs, UsageError } from "./args.ts";
import { type CliIO, type Command, EXIT_OK, EXIT_USAGE } from "./io.ts";

const HELP = `Usage: p2pviz run FILE [--json] [--kernel DESIGN]

Runs a scenario (FILE, or - for standard input) through the kernel model and prints every event,
one a line, grouped by statement, then the findings.

Options:
  --json            print the run as JSON (format "p2pviz-run/1")
  --kernel DESIGN   simulate another design than the scenario's 'kernel' line
                    (${DESIGNS.join(", ")})
  -h, --help        this help

Exit status: 0 when the scenario ran (errnos, signals and findings are results);
2 for a scenario error (printed as FILE:LINE:COL: message) or bad usage.
`;

/** Reads the scenario file, or reports why not; shared by the commands that take FILE. */
export function readScenarioFile(io: CliIO, file: string): string | undefined {
  try {
    return io.readInput(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    io.err(`p2pviz: cannot read ${file === "-" ? "standard input" : file}${code ? ` (${code})` : ""}\n`);
    return undefined;
  }
}

export function designFlag(v: string | true | undefined): Design | undefined {
  if (v === undefined || v === true) return undefined;
  if (!(DESIGNS as readonly string[]).includes(v)) {
    throw new UsageError(`unknown design '${v}' (designs: ${DESIGNS.join(", ")})`);
  }
  return v as Design;
}

export function formatTrace(trace: Trace): string {
  const out: string[] = [];
  const width = String(Math.max(0, trace.events.length - 1)).length;
  for (const op of trace.ops) {
    out.push(`-- line ${op.line}: ${op.text}  => ${op.result}`);
    for (let step = op.firstStep; step <= op.lastStep; step++) {
      const e = trace.events[step]!;
      out.push(`${String(step).padStart(width)}  ${describeEvent(trace, e)}  [${e.fn}, ${sourceOf(e.fn)}]`);
    }
  }
  if (trace.truncated) out.push(`!! ${trace.truncated.message}`);
  out.push("");
  if (trace.findings.length === 0) out.push("Findings: none.");
  else {
    out.push(`Findings (${trace.findings.length}):`);
    for (const f of trace.findings) out.push(`  step ${f.step}, line ${f.line}: [${f.kind}] ${f.text}`);
  }
  return `${out.join("\n")}\n`;
}

export const command: Command = (args, io) => {
  let file: string;
  let json: boolean;
  let design: Design | undefined;
  try {
    const a = parseArgs(args, ["--kernel"], ["--json", "--help", "-h"]);
    if (a.flags.has("--help") || a.flags.has("-h")) {
      io.out(HELP);
      return EXIT_OK;
    }
    if (a.positionals.length !== 1)
      throw new UsageError("expected exactly one FILE (or - for standard input)");
    file = a.positionals[0]!;
    json = a.flags.has("--json");
    design = designFlag(a.flags.get("--kernel"));
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.err(`p2pviz run: ${e.message}\n\n${HELP}`);
    return EXIT_USAGE;
  }
  const text = readScenarioFile(io, file);
  if (text === undefined) return EXIT_USAGE;
  const outcome = runText(text, design ? { design } : {});
  const name = file === "-" ? "<stdin>" : file;
  if (!outcome.ok) {
    for (const d of outcome.diagnostics) io.err(`${formatDiagnostic(name, d)}\n`);
    return EXIT_USAGE;
  }
  const trace = outcome.trace;
  io.out(json ? `${JSON.stringify(toRunJson(trace), null, 1)}\n` : formatTrace(trace));
  if (trace.truncated) {
    io.err(`${name}:${trace.truncated.line}:1: ${trace.truncated.message}\n`);
    return EXIT_USAGE;
  }
  return EXIT_OK;
};
