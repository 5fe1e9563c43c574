/** Runs a scenario through the kernel model and returns its trace. Pure and deterministic. */
import { EventBudgetExceeded, type SimOptions, Simulator } from "../kernel/sim.ts";
import {
  DESIGN_VERSIONS,
  type Design,
  type Diagnostic,
  designOf,
  type KernelVersion,
  pageSizeOf,
  type Scenario,
  type Span,
  versionOf,
} from "../scenario/ast.ts";
import { parseScenario } from "../scenario/parse.ts";
import { printStatement } from "../scenario/print.ts";
import type { OpRecord, Trace } from "./trace.ts";

export interface RunOptions extends SimOptions {
  /** run under this design instead of the scenario's `kernel` statement */
  readonly design?: Design;
  /**
   * run in this kernel version instead of the scenario's; with only `design` given, the design's
   * default version (or the scenario's version when the design has it)
   */
  readonly version?: KernelVersion;
}

/** The design and version a run uses: the options first, then the scenario, then the defaults. */
export function runKernel(
  scenario: Scenario,
  opts: RunOptions = {},
): { design: Design; version: KernelVersion } {
  const design = opts.design ?? designOf(scenario);
  if (opts.version) return { design, version: opts.version };
  const asked = versionOf(scenario, design);
  const versions = DESIGN_VERSIONS[design];
  return { design, version: versions.includes(asked) ? asked : versions[versions.length - 1]! };
}

export function runScenario(scenario: Scenario, spans: readonly Span[], opts: RunOptions = {}): Trace {
  const { design, version } = runKernel(scenario, opts);
  const pageSize = pageSizeOf(scenario);
  const sim = new Simulator(design, version, pageSize, opts);
  const ops: OpRecord[] = [];
  let truncated: Trace["truncated"];
  scenario.statements.forEach((st, index) => {
    if (truncated) return;
    const line = spans[index]?.line ?? index + 1;
    const firstStep = sim.stepCount;
    const firstRecord = sim.records.length;
    try {
      const result = sim.run(st, line, index);
      const free = freeAfter(sim, ops[ops.length - 1]?.free);
      ops.push({
        index,
        line,
        text: printStatement(st),
        result,
        firstStep,
        lastStep: sim.stepCount - 1,
        firstRecord,
        endRecord: sim.records.length,
        free,
      });
    } catch (e) {
      if (!(e instanceof EventBudgetExceeded)) throw e;
      truncated = {
        line,
        message: `the run stopped at line ${line}: the scenario needs more than ${sim.records.length.toLocaleString("en-US")} trace records`,
      };
    }
  });
  return {
    scenario,
    spans,
    design,
    version,
    pageSize,
    records: trimmed(sim),
    steps: sim.stepCount,
    ops,
    findings: sim.findings,
    checkpoints: sim.checkpoints,
    deviceNames: sim.state.devices.map((d) => d.name),
    processNames: sim.state.processes.map((p) => p.name),
    pinNames: sim.state.pins.map((p) => p.name),
    ...(truncated ? { truncated } : {}),
  };
}

/**
 * Free pages of each device, by name: `last` (the previous statement's, shared and never
 * mutated) when nothing changed, so a run of 25,000 statements keeps a few thousand of these.
 */
function freeAfter(sim: Simulator, last: Readonly<Record<string, number>> | undefined) {
  const devices = sim.state.devices;
  if (last) {
    let same = Object.keys(last).length === devices.length;
    for (let i = 0; same && i < devices.length; i++) same = last[devices[i]!.name] === devices[i]!.freePages;
    if (same) return last;
  }
  const free: Record<string, number> = {};
  for (const d of devices) free[d.name] = d.freePages;
  return free;
}

/** The simulator's records, shrunk to what they hold: the trace keeps them from now on. */
function trimmed(sim: Simulator): Simulator["records"] {
  sim.records.trim();
  return sim.records;
}

export type RunOutcome = { ok: true; trace: Trace } | { ok: false; diagnostics: readonly Diagnostic[] };

/** Parses and runs scenario text; `design` and `version` override the text's `kernel` statement. */
export function runText(text: string, opts: RunOptions = {}): RunOutcome {
  const parsed = parseScenario(text);
  if (!parsed.ok) return { ok: false, diagnostics: parsed.diagnostics };
  return { ok: true, trace: runScenario(parsed.scenario, parsed.spans, opts) };
}
