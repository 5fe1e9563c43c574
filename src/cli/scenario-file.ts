/** What the commands that take a scenario FILE share: reading it, running it, reporting errors. */
import { DESIGNS, type Design } from "../scenario/ast.ts";
import { formatDiagnostic } from "../scenario/parse.ts";
import { type RunOptions, runText } from "../trace/run.ts";
import type { Trace } from "../trace/trace.ts";
import { UsageError } from "./args.ts";
import { type CliIO, EXIT_USAGE } from "./io.ts";

/** Reads the scenario file (or standard input for "-"), or reports why not. */
export function readScenarioFile(io: CliIO, file: string): string | undefined {
  try {
    return io.readInput(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    io.err(`p2pviz: cannot read ${file === "-" ? "standard input" : file}${code ? ` (${code})` : ""}\n`);
    return undefined;
  }
}

/** The name diagnostics give a file: <stdin> for "-". */
export function displayName(file: string): string {
  return file === "-" ? "<stdin>" : file;
}

export interface RanFile {
  readonly name: string;
  /** the text that ran (after `transform`) */
  readonly text: string;
  readonly trace: Trace;
}

/**
 * Reads FILE and runs it. On a scenario error prints every diagnostic as FILE:LINE:COL: message
 * and returns undefined, as it does when the file cannot be read (the caller exits 2).
 */
export function runScenarioFile(
  io: CliIO,
  file: string,
  opts: RunOptions = {},
  transform: (text: string) => string = (t) => t,
): RanFile | undefined {
  const original = readScenarioFile(io, file);
  if (original === undefined) return undefined;
  const name = displayName(file);
  const text = transform(original);
  const outcome = runText(text, opts);
  if (!outcome.ok) {
    for (const d of outcome.diagnostics) io.err(`${formatDiagnostic(name, d)}\n`);
    return undefined;
  }
  return { name, text, trace: outcome.trace };
}

/** A --kernel/--vs value: a design name, or a usage error listing them. */
export function designFlag(v: string | true | undefined): Design | undefined {
  if (v === undefined || v === true) return undefined;
  if (!(DESIGNS as readonly string[]).includes(v)) {
    throw new UsageError(`unknown design '${v}' (designs: ${DESIGNS.join(", ")})`);
  }
  return v as Design;
}

/** Reports a usage error with the command's help; rethrows anything else. Returns exit status 2. */
export function usageFailure(io: CliIO, cmd: string, help: string, e: unknown): number {
  if (!(e instanceof UsageError)) throw e;
  io.err(`p2pviz ${cmd}: ${e.message}\n\n${help}`);
  return EXIT_USAGE;
}
