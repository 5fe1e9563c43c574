/** Runs a scenario through the kernel model and returns its trace. Pure and deterministic. */

import {
  type Design,
  type Diagnostic,
  designOf,
  pageSizeOf,
  type Scenario,
  type Span,
} from "../../scenario/ast.ts";
import { parseScenario } from "../../scenario/parse.ts";
import { printStatement } from "../../scenario/print.ts";
import { EventBudgetExceeded, type SimOptions, Simulator } from "../v1-kernel/sim.ts";
import type { OpRecord, Trace } from "./trace.ts";

export interface RunOptions extends SimOptions {
  /** run under this design instead of the scenario's `kernel` statement */
  readonly design?: Design;
  /**
   * Stop after the statement that holds this step (added after the freeze, for link migration,
   * which needs nothing past a link's step: the events up to there are the same either way).
   */
  readonly untilStep?: number;
}

export function runScenario(scenario: Scenario, spans: readonly Span[], opts: RunOptions = {}): Trace {
  const design = opts.design ?? designOf(scenario);
  const pageSize = pageSizeOf(scenario);
  const sim = new Simulator(design, pageSize, opts);
  const ops: OpRecord[] = [];
  let truncated: Trace["truncated"];
  let done = false;
  scenario.statements.forEach((st, index) => {
    if (truncated || done) return;
    const line = spans[index]?.line ?? index + 1;
    const firstStep = sim.events.length;
    try {
      const result = sim.run(st, line, index);
      const free: Record<string, number> = {};
      for (const d of sim.state.devices) free[d.name] = d.freePages;
      ops.push({
        index,
        line,
        text: printStatement(st),
        result,
        firstStep,
        lastStep: sim.events.length - 1,
        free,
      });
      done = opts.untilStep !== undefined && sim.events.length > opts.untilStep;
    } catch (e) {
      if (!(e instanceof EventBudgetExceeded)) throw e;
      truncated = {
        line,
        message: `the run stopped at line ${line}: the scenario needs more than ${sim.events.length.toLocaleString("en-US")} events; use smaller sizes or page 64K`,
      };
    }
  });
  return {
    scenario,
    spans,
    design,
    pageSize,
    events: sim.events,
    ops,
    findings: sim.findings,
    checkpoints: sim.checkpoints,
    deviceNames: sim.state.devices.map((d) => d.name),
    processNames: sim.state.processes.map((p) => p.name),
    pinNames: sim.state.pins.map((p) => p.name),
    ...(truncated ? { truncated } : {}),
  };
}

export type RunOutcome = { ok: true; trace: Trace } | { ok: false; diagnostics: readonly Diagnostic[] };

/** Parses and runs scenario text; `design` overrides the text's `kernel` statement. */
export function runText(text: string, opts: RunOptions = {}): RunOutcome {
  const parsed = parseScenario(text);
  if (!parsed.ok) return { ok: false, diagnostics: parsed.diagnostics };
  return { ok: true, trace: runScenario(parsed.scenario, parsed.spans, opts) };
}
