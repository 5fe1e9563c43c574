import type { KernelState } from "../../src/kernel/state.ts";
import type { Design } from "../../src/scenario/ast.ts";
import { stateAt } from "../../src/trace/cursor.ts";
import { runText } from "../../src/trace/run.ts";
import type { Trace } from "../../src/trace/trace.ts";

/** Runs scenario text that must be valid. */
export function run(text: string, design?: Design): Trace {
  const r = runText(text, design ? { design } : {});
  if (!r.ok) throw new Error(`scenario error: ${JSON.stringify(r.diagnostics)}`);
  return r.trace;
}

/** The state after the whole run. */
export function final(t: Trace): KernelState {
  return stateAt(t, t.steps - 1);
}

/** The state after the statement on `line`. */
export function stateAfterLine(t: Trace, line: number): KernelState {
  const op = t.ops.find((o) => o.line === line);
  if (!op) throw new Error(`no statement on line ${line}`);
  return stateAt(t, op.lastStep);
}

export function result(t: Trace, line: number): string {
  const op = t.ops.find((o) => o.line === line);
  if (!op) throw new Error(`no statement on line ${line}`);
  return op.result;
}

export function results(t: Trace): string[] {
  return t.ops.map((o) => o.result);
}

export function refs(s: KernelState, dev: number, from: number, to: number): number[] {
  return Array.from(s.devices[dev]!.pageRuns.field("refcount", from, to));
}

/** Scenario text from lines, so tests can name line numbers. */
export function lines(...ls: string[]): string {
  return `${ls.join("\n")}\n`;
}

/** Runs the CLI in-process, capturing its output; "-" reads `stdin`. */
export async function runCli(
  args: string[],
  stdin = "",
): Promise<{ code: number; out: string; err: string }> {
  const { readFileSync } = await import("node:fs");
  const { main } = await import("../../src/cli/main.ts");
  let out = "";
  let err = "";
  const code = await main(args, {
    out: (t) => {
      out += t;
    },
    err: (t) => {
      err += t;
    },
    readInput: (p) => (p === "-" ? stdin : readFileSync(p, "utf8")),
  });
  return { code, out, err };
}
