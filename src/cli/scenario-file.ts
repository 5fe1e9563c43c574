/** What the commands that take a scenario FILE share: reading it, running it, reporting errors. */
import { DESIGNS, KERNEL_VERSIONS } from "../scenario/ast.ts";
import { formatDiagnostic, type KernelChoice, readKernel } from "../scenario/parse.ts";
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

/**
 * The run options of `--kernel DESIGN@VERSION`. An override without a version means the design's
 * default version (as a `kernel DESIGN` line would), not the version the scenario's own line names.
 */
export type CliRunOptions = RunOptions;

/** The run options for a `--kernel` choice (none: the scenario's own `kernel` line). */
export function runOptions(k: KernelChoice | undefined): CliRunOptions {
  if (!k) return {};
  return k.version ? { design: k.design, version: k.version } : { design: k.design };
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
  opts: CliRunOptions = {},
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

/** The help text's description of a --kernel value. */
export const KERNEL_FLAG_HELP = `DESIGN or DESIGN@VERSION (designs: ${DESIGNS.join(", ")};
                    versions: ${KERNEL_VERSIONS.join(", ")}; e.g. upstream@6.12)`;

/**
 * A --kernel/--vs value: DESIGN or DESIGN@VERSION (`upstream@6.12`), checked as the `kernel`
 * statement checks them (readKernel); anything else is a usage error that says what would do.
 */
export function kernelFlag(v: string | true | undefined, flag = "--kernel"): KernelChoice | undefined {
  if (v === undefined || v === true) return undefined;
  const at = v.indexOf("@");
  const k = readKernel(at < 0 ? v : v.slice(0, at), at < 0 ? undefined : v.slice(at + 1));
  if ("error" in k) throw new UsageError(`${flag} ${v}: ${k.error} (${k.hint})`);
  return k;
}

/** Reports a usage error with the command's help; rethrows anything else. Returns exit status 2. */
export function usageFailure(io: CliIO, cmd: string, help: string, e: unknown): number {
  if (!(e instanceof UsageError)) throw e;
  io.err(`p2pviz ${cmd}: ${e.message}\n\n${help}`);
  return EXIT_USAGE;
}
