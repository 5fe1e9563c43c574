/**
 * What the app should show, computed with the engine itself in node: the app must agree with the
 * CLI's model step for step (same trace length, pool counts, page looks, narration).
 */

import { pageLook } from "../../src/kernel/state.ts";
import type { Design } from "../../src/scenario/ast.ts";
import { parseScenario } from "../../src/scenario/parse.ts";
import { stateAt } from "../../src/trace/cursor.ts";
import { describeEvent } from "../../src/trace/describe.ts";
import { runText } from "../../src/trace/run.ts";
import type { Trace } from "../../src/trace/trace.ts";
import { allEvents } from "../../src/trace/trace.ts";

export function traceOf(text: string, design?: Design): Trace {
  const r = runText(text, design ? { design } : {});
  if (!r.ok) throw new Error(`scenario does not run: ${JSON.stringify(r.diagnostics)}`);
  return r.trace;
}

export function poolSummaryAt(trace: Trace, step: number): string {
  return stateAt(trace, step)
    .devices.map((d) => `${d.name}: ${d.freePages} free / ${d.pages} pages`)
    .join("; ");
}

export function looksAt(trace: Trace, step: number): Map<string, string[]> {
  const s = stateAt(trace, step);
  return new Map(s.devices.map((d) => [d.name, Array.from({ length: d.pages }, (_, p) => pageLook(d, p))]));
}

export function narrationAt(trace: Trace, step: number): string {
  return describeEvent(trace, allEvents(trace)[step]!);
}

export function firstError(text: string): string {
  const r = parseScenario(text);
  if (r.ok) throw new Error("expected a scenario error");
  const d = r.diagnostics[0]!;
  return `line ${d.line}:${d.col}: ${d.message}`;
}

/**
 * The step worth a screenshot: the first finding, else the first refused statement, else the end
 * of the statement that leaves the fewest pages free (the busiest picture).
 */
export function interestingStep(trace: Trace): number {
  const f = trace.findings[0];
  if (f) return f.step;
  const bad = trace.ops.find((o) => o.result !== "ok");
  if (bad) return bad.lastStep;
  const pages = new Map(stateAt(trace, trace.steps - 1).devices.map((d) => [d.name, d.pages]));
  const used = (o: Trace["ops"][number]) =>
    Object.entries(o.free).reduce((n, [dev, free]) => n + (pages.get(dev) ?? 0) - free, 0);
  let best = trace.ops[trace.ops.length - 1]!;
  for (const o of trace.ops) if (used(o) >= used(best)) best = o;
  return best.lastStep;
}

/** First step of the statement after the one at `step`, as Shift+Right moves. */
export function nextStatement(trace: Trace, step: number): number {
  for (const op of trace.ops) if (op.firstStep > step) return op.firstStep;
  return trace.steps - 1;
}
