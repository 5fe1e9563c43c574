/**
 * Statement by statement, what the real kernel did (a RealRun from the lab or a recording) against
 * what the model did (a Trace): the result, each device's free pages, and, when the kernel had the
 * debug_pages patch, the refcount and mapcount of every allocated page.
 *
 * Free pages: the kernel's sysfs `available` / page size against `trace.ops[i].free[dev]`. After an
 * unbind the kernel's p2pmem/ directory is gone (no `available` to read); that matches a model
 * device whose pool was destroyed (lifecycle "unbound") whatever its counter says.
 *
 * Refcounts: only allocated pages are compared. A free page rests at refcount 1 in 6.12 and at 0
 * in the model (6.15+), so free pages would differ by design; allocated pages have the same counts
 * in both, pins included (+1024 each) when the lab held the pin (RealStatement.held).
 */
import { type KernelState, packDevPage, pinPages } from "../kernel/state.ts";
import { TraceCursor } from "../trace/cursor.ts";
import type { OpRecord, Trace } from "../trace/trace.ts";
import type { RealRun, RealStatement, RefRun } from "./guest-output.ts";

export type Field = "result" | "pool" | "refs";

/** A difference the project has looked at and explained (kernel-lab/recordings/exceptions.json). */
export interface ConformanceException {
  /** recording name, e.g. "presets/upstream-basic" or "corpus/seed-0007" */
  readonly recording: string;
  readonly line: number;
  readonly field: Field;
  readonly reason: string;
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
  /** the reason of each listed exception that covers one of `differs` */
  readonly excepted: Readonly<Partial<Record<Field, string>>>;
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

function compareRefs(
  real: Map<string, Map<number, string>>,
  model: Map<string, Map<number, string>>,
): string | undefined {
  const diffs: string[] = [];
  for (const dev of new Set([...real.keys(), ...model.keys()])) {
    const a = real.get(dev);
    const b = model.get(dev);
    const ta = runsText(a);
    const tb = runsText(b);
    if (ta !== tb) diffs.push(`${dev} refcount:mapcount kernel [${ta}] model [${tb}]`);
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
): Comparison {
  const cursor = new TraceCursor(trace);
  const byLine = new Map<number, OpRecord>();
  for (const op of trace.ops) byLine.set(op.line, op);
  const mine = exceptions.filter((e) => e.recording === recording);
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
    if (realResult === "UNSUPPORTED") {
      unchk = "no user-space call pins with FOLL_LONGTERM|FOLL_PCI_P2PDMA on 6.12";
    } else if (!sameResult(realResult, modelResult)) differs.push("result");
    const devs = new Set([...Object.keys(realFree), ...Object.keys(modelFree)]);
    for (const d of devs) {
      if (realFree[d] !== modelFree[d]) {
        differs.push("pool");
        break;
      }
    }
    let refsEqual: boolean | undefined;
    let refsDetail: string | undefined;
    if (rs?.refcounts && state) {
      refsDetail = compareRefs(realRefs(rs.refcounts), modelRefs(state, released));
      refsEqual = refsDetail === undefined;
      if (!refsEqual) differs.push("refs");
    }
    const exc: Partial<Record<Field, string>> = {};
    for (const f of differs) {
      const e = mine.find((x) => x.line === line && x.field === f);
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
      ...(unchk ? { unchecked: unchk } : {}),
    });
  }
  return { kernel: real.kernel, statements, mismatches, excepted, unchecked };
}
