/**
 * Statement by statement, what the real kernel did (a RealRun from the lab or a recording) against
 * what the model did (a Trace): the result, each device's free pages, and, when the kernel had the
 * debug_pages patch, the refcount and mapcount of every allocated page.
 *
 * Free pages: the kernel's sysfs `available` / page size against `trace.ops[i].free[dev]`. After an
 * unbind the kernel's p2pmem/ directory is gone (no `available` to read); that matches a model
 * device whose pool was destroyed (lifecycle "unbound") whatever its counter says.
 *
 * Refcounts: allocated pages are always compared; they have the same counts in 6.12, 7.3 and the
 * model, pins included (+1024 each) when the lab held the pin (RealStatement.held). Free pages rest
 * at refcount 1 on 6.12 and at 0 on 7.3 (6.15+); the model runs the version that stands for the
 * recorded kernel (modelVersionFor), so free pages are compared too.
 */
import { type KernelState, packDevPage, pinPages } from "../kernel/state.ts";
import { TraceCursor } from "../trace/cursor.ts";
import { type RunOptions, type RunOutcome, runText } from "../trace/run.ts";
import type { OpRecord, Trace } from "../trace/trace.ts";
import type { RealRun, RealStatement, RefRun } from "./guest-output.ts";
import { modelVersionFor } from "./kernel-version.ts";

export { modelVersionFor } from "./kernel-version.ts";

export type Field = "result" | "pool" | "refs";

/**
 * A difference the project has looked at and explained (kernel-lab/recordings/exceptions.json).
 * It excuses exactly one pair of values: the kernel's and the model's at that line and field (as
 * fieldValues writes them); any other difference there is a mismatch.
 */
export interface ConformanceException {
  /** recording name, e.g. "presets/upstream-basic" or "corpus/seed-0007" */
  readonly recording: string;
  /** kernel release of the recording, e.g. "6.12.117" */
  readonly kernel: string;
  readonly line: number;
  readonly field: Field;
  /** the kernel's value it excuses */
  readonly kernelValue: string;
  /** the model's value it excuses */
  readonly modelValue: string;
  readonly reason: string;
}

/** The model runs kernel versions, so free pages are compared as well (kept for the callers' checks). */
export const MODEL_SUPPORTS_VERSIONS = true;

/** The model's run of a scenario the kernel `kernelRelease` ran, in the version that stands for it. */
export function modelTraceFor(text: string, kernelRelease: string, opts: RunOptions = {}): RunOutcome {
  return runText(text, { ...opts, version: modelVersionFor(kernelRelease) });
}

/** A device's pool as one side saw it: free pages, or "gone" once p2pmem/ was torn down. */
export type PoolView = number | "gone";

export interface StatementComparison {
  readonly line: number;
  readonly text: string;
  readonly realResult: string;
  readonly modelResult: string;
  readonly realFree: Readonly<Record<string, PoolView>>;
  readonly modelFree: Readonly<Record<string, PoolView>>;
  /** undefined when the kernel had no debug_pages patch */
  readonly refsEqual?: boolean;
  /** readable lines, one per difference, e.g. "d: 240 free on the kernel, 242 in the model" */
  readonly refsDetail?: string;
  /** which fields differ */
  readonly differs: readonly Field[];
  /** the reason of each listed exception that covers one of `differs` (same values on both sides) */
  readonly excepted: Readonly<Partial<Record<Field, string>>>;
  /** kernel and model value of each field that differs, as exceptions store them */
  readonly values: Readonly<Partial<Record<Field, { kernel: string; model: string }>>>;
  /** the statement cannot be expressed in user space (the result is not checked) */
  readonly unchecked?: string;
}

export interface Comparison {
  readonly kernel: string;
  readonly statements: readonly StatementComparison[];
  /** differences not covered by an exception */
  readonly mismatches: number;
  /** differences covered by an exception */
  readonly excepted: number;
  readonly unchecked: number;
}

function realPool(s: RealStatement, pageSize: number): Record<string, PoolView> {
  const r: Record<string, PoolView> = {};
  for (const [dev, bytes] of Object.entries(s.available)) r[dev] = bytes === null ? "gone" : bytes / pageSize;
  return r;
}

function modelPool(op: OpRecord, state: KernelState): Record<string, PoolView> {
  const r: Record<string, PoolView> = {};
  for (const d of state.devices) {
    const free = op.free[d.name];
    if (free === undefined) continue;
    r[d.name] = d.lifecycle === "unbound" ? "gone" : free;
  }
  return r;
}

/** a pool view as one string, e.g. "a=240 b=gone" (devices sorted) */
export function poolText(p: Readonly<Record<string, PoolView>>): string {
  return Object.keys(p)
    .sort()
    .map((d) => `${d}=${p[d]}`)
    .join(" ");
}

/** GUP_PIN_COUNTING_BIAS (include/linux/mm.h): what one FOLL_PIN adds to an order-0 page */
export const PIN_BIAS = 1024;

/**
 * refcount:mapcount of each allocated page, by device then page. The lab holds a pin across
 * statements (an O_DIRECT read kept in flight) unless its `unpin` is the very next statement; then
 * the pin and unpin happen inside one pread and the kernel never shows the bias. For those pins
 * (`released`) the model's PIN_BIAS is taken out, and a page that only such a pin keeps allocated
 * is left out (the pool columns would still show it).
 */
function modelRefs(state: KernelState, released: ReadonlySet<string>): Map<string, Map<number, string>> {
  const bias = new Map<number, number>(); // packed dev/page -> bias to take out
  for (const pin of state.pins) {
    if (pin.status !== "held" || !released.has(pin.name)) continue;
    for (const p of pinPages(pin)) bias.set(p, (bias.get(p) ?? 0) + PIN_BIAS);
  }
  const m = new Map<string, Map<number, string>>();
  for (const d of state.devices) {
    if (d.lifecycle === "unbound") continue;
    const pages = new Map<number, string>();
    for (const r of d.pageRuns.runs()) {
      if (!r.allocated) continue;
      for (let i = r.start; i < r.start + r.length; i++) {
        const b = bias.get(packDevPage(d.index, i)) ?? 0;
        const ref = r.refcount - b;
        if (b > 0 && ref === 0 && r.mapcount === 0) continue;
        pages.set(i, `${ref}:${r.mapcount}`);
      }
    }
    m.set(d.name, pages);
  }
  return m;
}

function realRefs(
  refs: Readonly<Record<string, readonly RefRun[] | null>>,
): Map<string, Map<number, string>> {
  const m = new Map<string, Map<number, string>>();
  for (const [dev, runs] of Object.entries(refs)) {
    if (runs === null) continue;
    const pages = new Map<number, string>();
    for (const r of runs) for (let i = r.first; i <= r.last; i++) pages.set(i, `${r.ref}:${r.map}`);
    m.set(dev, pages);
  }
  return m;
}

function runsText(pages: Map<number, string> | undefined): string {
  if (!pages || pages.size === 0) return "none";
  const keys = [...pages.keys()].sort((a, b) => a - b);
  const out: string[] = [];
  let start = keys[0]!;
  let prev = start;
  const flush = () => out.push(`${start === prev ? start : `${start}-${prev}`}=${pages.get(start)}`);
  for (const k of keys.slice(1)) {
    if (k === prev + 1 && pages.get(k) === pages.get(start)) prev = k;
    else {
      flush();
      start = prev = k;
    }
  }
  flush();
  return out.join(" ");
}

/** free pages of each bound device by refcount, e.g. {"0": 250} */
function modelFreeRefs(state: KernelState): Map<string, string> {
  const m = new Map<string, string>();
  for (const d of state.devices) {
    if (d.lifecycle === "unbound") continue;
    const tally = new Map<number, number>();
    for (const r of d.pageRuns.runs()) {
      if (r.allocated) continue;
      tally.set(r.refcount, (tally.get(r.refcount) ?? 0) + r.length);
    }
    m.set(d.name, tallyText(Object.fromEntries([...tally].map(([r, n]) => [String(r), n]))));
  }
  return m;
}

function tallyText(t: Readonly<Record<string, number>>): string {
  return Object.keys(t)
    .sort((a, b) => Number(a) - Number(b))
    .map((r) => `${r}:${t[r]}`)
    .join(" ");
}

function realFreeRefs(
  free: Readonly<Record<string, Readonly<Record<string, number>> | null>>,
): Map<string, string> {
  const m = new Map<string, string>();
  for (const [dev, t] of Object.entries(free)) if (t !== null) m.set(dev, tallyText(t));
  return m;
}

interface RefsSide {
  readonly runs: Map<string, Map<number, string>>;
  readonly free?: Map<string, string>;
}

/** one side's refs as one string: "d [0-1=1026:2 2-15=2:2]" per device, "; "-separated */
function refsText(side: RefsSide, devs: readonly string[]): string {
  return devs
    .map((dev) => {
      const free = side.free ? ` free [${side.free.get(dev) ?? "none"}]` : "";
      return `${dev} [${runsText(side.runs.get(dev))}]${free}`;
    })
    .join("; ");
}

function compareRefs(real: RefsSide, model: RefsSide): string | undefined {
  const diffs: string[] = [];
  for (const dev of new Set([...real.runs.keys(), ...model.runs.keys()])) {
    const ta = runsText(real.runs.get(dev));
    const tb = runsText(model.runs.get(dev));
    if (ta !== tb) diffs.push(`${dev} refcount:mapcount kernel [${ta}] model [${tb}]`);
    // a device the kernel's tally leaves out was not observed (gone, cut by the console, or the
    // filler made it ambiguous): only what was read is compared; the pool column covers "gone"
    if (real.free && model.free && real.free.has(dev)) {
      const fa = real.free.get(dev) ?? "none";
      const fb = model.free.get(dev) ?? "none";
      if (fa !== fb) diffs.push(`${dev} free pages by refcount kernel [${fa}] model [${fb}]`);
    }
  }
  return diffs.length ? diffs.join("; ") : undefined;
}

function sameResult(real: string, model: string): boolean {
  return real === model;
}

/**
 * Compares a real run with the model's trace of the same scenario text. `recording` names the
 * run for the exceptions list.
 */
export function compareRun(
  real: RealRun,
  trace: Trace,
  exceptions: readonly ConformanceException[] = [],
  recording = "",
  opts: { freePages?: boolean } = {},
): Comparison {
  const freePages = opts.freePages ?? MODEL_SUPPORTS_VERSIONS;
  const cursor = new TraceCursor(trace);
  const byLine = new Map<number, OpRecord>();
  for (const op of trace.ops) byLine.set(op.line, op);
  const mine = exceptions.filter((e) => e.recording === recording && e.kernel === real.kernel);
  const statements: StatementComparison[] = [];
  let mismatches = 0;
  let excepted = 0;
  let unchecked = 0;
  const lines = new Set([...real.statements.map((s) => s.line), ...trace.ops.map((o) => o.line)]);
  const realByLine = new Map(real.statements.map((s) => [s.line, s]));
  // pins the kernel did not keep in flight: every successful pin statement not marked held
  const released = new Set<string>();
  trace.scenario.statements.forEach((st, i) => {
    if (st.op !== "pin") return;
    const line = trace.spans[i]?.line ?? i + 1;
    if (!realByLine.get(line)?.held) released.add(st.pin);
  });
  for (const line of [...lines].sort((a, b) => a - b)) {
    const rs = realByLine.get(line);
    const op = byLine.get(line);
    const state = op ? cursor.seek(op.lastStep) : undefined;
    const realFree = rs ? realPool(rs, trace.pageSize) : {};
    const modelFree = op && state ? modelPool(op, state) : {};
    const realResult = rs?.result ?? "(not run)";
    const modelResult = op?.result ?? "(not run)";
    const differs: Field[] = [];
    let unchk: string | undefined;
    const values: Partial<Record<Field, { kernel: string; model: string }>> = {};
    if (realResult === "UNSUPPORTED") {
      unchk = `no user-space call pins with FOLL_LONGTERM|FOLL_PCI_P2PDMA on Linux ${real.kernel} (the model says ${modelResult})`;
    } else if (!sameResult(realResult, modelResult)) {
      differs.push("result");
      values.result = { kernel: realResult, model: modelResult };
    }
    const devs = new Set([...Object.keys(realFree), ...Object.keys(modelFree)]);
    for (const d of devs) {
      if (realFree[d] !== modelFree[d]) {
        differs.push("pool");
        values.pool = { kernel: poolText(realFree), model: poolText(modelFree) };
        break;
      }
    }
    let refsEqual: boolean | undefined;
    let refsDetail: string | undefined;
    if (rs?.refcounts && state) {
      const withFree = freePages && rs.freeRefcounts !== undefined;
      const realSide: RefsSide = {
        runs: realRefs(rs.refcounts),
        ...(withFree && rs.freeRefcounts ? { free: realFreeRefs(rs.freeRefcounts) } : {}),
      };
      const modelSide: RefsSide = {
        runs: modelRefs(state, released),
        ...(withFree ? { free: modelFreeRefs(state) } : {}),
      };
      refsDetail = compareRefs(realSide, modelSide);
      refsEqual = refsDetail === undefined;
      if (!refsEqual) {
        differs.push("refs");
        const ds = [...new Set([...realSide.runs.keys(), ...modelSide.runs.keys()])].sort();
        values.refs = { kernel: refsText(realSide, ds), model: refsText(modelSide, ds) };
      }
    }
    const exc: Partial<Record<Field, string>> = {};
    for (const f of differs) {
      const v = values[f];
      const e = mine.find(
        (x) => x.line === line && x.field === f && x.kernelValue === v?.kernel && x.modelValue === v?.model,
      );
      if (e) {
        exc[f] = e.reason;
        excepted++;
      } else mismatches++;
    }
    if (unchk) unchecked++;
    statements.push({
      line,
      text: rs?.text || op?.text || "",
      realResult,
      modelResult,
      realFree,
      modelFree,
      ...(refsEqual !== undefined ? { refsEqual } : {}),
      ...(refsDetail ? { refsDetail } : {}),
      differs,
      excepted: exc,
      values,
      ...(unchk ? { unchecked: unchk } : {}),
    });
  }
  return { kernel: real.kernel, statements, mismatches, excepted, unchecked };
}
