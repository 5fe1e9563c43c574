/**
 * Comparing two traces statement by statement: the same user actions under two designs (or two
 * scenario texts). Stepping is aligned by statement: a statement lasts as long as the longer side
 * needs, and the shorter side waits at the end of its statement meanwhile.
 */
import type { TraceRecord } from "../kernel/events.ts";
import { RangeSet } from "../kernel/runs.ts";
import { leakedPages, PTE_KIND_NAMES, pteKind } from "../kernel/state.ts";
import { TraceCursor } from "./cursor.ts";
import type { Trace } from "./trace.ts";

/** How many steps of each event kind a record stands for, by kind, calling `each` per template. */
function forEachEvent(
  r: TraceRecord,
  each: (e: Exclude<TraceRecord, { kind: "loop" }>, times: number) => void,
) {
  if (r.kind === "loop") for (const b of r.body) each(b, r.n);
  else each(r, 1);
}

/** What one statement did on one side. */
export interface StatementEffect {
  readonly result: string;
  /** pages handed out by the genpool during the statement, per device */
  readonly allocated: number;
  /** pages returned to the genpool during the statement */
  readonly freed: number;
  /** free pages of every device after the statement */
  readonly free: number;
  /** finding kinds recorded by the statement, with page counts */
  readonly findings: readonly { kind: string; pages: number; text: string }[];
}

export interface Divergence {
  /** statement index */
  readonly index: number;
  readonly line: number;
  readonly text: string;
  /** which aspects differ */
  readonly aspects: readonly ("result" | "allocated" | "freed" | "findings")[];
  readonly a: StatementEffect;
  readonly b: StatementEffect;
  /** one sentence for a person */
  readonly explanation: string;
}

export interface SideSummary {
  readonly label: string;
  readonly peakAllocated: number;
  readonly leakedAtEnd: number;
  readonly freedWhileInUse: number;
  readonly errnos: readonly { line: number; text: string; result: string }[];
  readonly pteKinds: readonly string[];
  readonly pins: { readonly attempted: number; readonly ok: number };
  readonly findings: number;
}

export interface Comparison {
  readonly a: Trace;
  readonly b: Trace;
  readonly labelA: string;
  readonly labelB: string;
  /** number of aligned statements (the longer side's count) */
  readonly statements: number;
  /** aligned step where each statement starts; the last entry is the total number of steps */
  readonly starts: readonly number[];
  readonly divergences: readonly Divergence[];
  readonly summary: readonly [SideSummary, SideSummary];
}

function effects(t: Trace): StatementEffect[] {
  return t.ops.map((op) => {
    let allocated = 0;
    let freed = 0;
    const findings: { kind: string; pages: number; text: string }[] = [];
    for (let r = op.firstRecord; r < op.endRecord; r++) {
      forEachEvent(t.records.get(r), (e, times) => {
        if (e.kind === "genpool-alloc") allocated += times;
        else if (e.kind === "genpool-free") freed += times;
        else if (e.kind === "folio-free")
          freed += times * e.pages; // p2pdma_folio_free(): the whole folio
        else if (e.kind === "finding") {
          const f = t.findings[e.finding]!;
          findings.push({ kind: f.kind, pages: f.pages, text: f.text });
        }
      });
    }
    const free = Object.values(op.free).reduce((x, y) => x + y, 0);
    return { result: op.result, allocated, freed, free, findings };
  });
}

const pages = (n: number) => `${n} page${n === 1 ? "" : "s"}`;

function findingPhrase(f: readonly { kind: string; pages: number }[]): string {
  const byKind = new Map<string, number>();
  for (const x of f) byKind.set(x.kind, (byKind.get(x.kind) ?? 0) + x.pages);
  return [...byKind].map(([k, n]) => `${k} (${pages(n)})`).join(", ");
}

/** What one side did, in a few words, for the explanation sentence. */
function sidePhrase(label: string, e: StatementEffect, other: StatementEffect): string {
  const parts: string[] = [];
  if (e.result !== "ok" || other.result !== "ok") {
    parts.push(e.result === "ok" ? "succeeded" : e.result === "blocked" ? "blocked" : `got ${e.result}`);
  }
  if (e.allocated !== other.allocated)
    parts.push(e.allocated ? `took ${pages(e.allocated)} from the pool` : "took no pages");
  if (e.freed !== other.freed) {
    parts.push(e.freed ? `returned ${pages(e.freed)} to the pool` : "returned no pages to the pool");
  }
  if (e.findings.length) parts.push(`found ${findingPhrase(e.findings)}`);
  else if (other.findings.length) parts.push("found nothing wrong");
  return `${label} ${parts.join(", ")}`;
}

function sameFindings(a: StatementEffect, b: StatementEffect): boolean {
  return findingPhrase(a.findings) === findingPhrase(b.findings);
}

function summarize(t: Trace, label: string): SideSummary {
  let peak = 0;
  let allocatedNow = 0;
  const pteKinds = new Set<string>();
  for (const r of t.records) {
    // A loop's allocations all happen before any of its frees in a record, so the peak is exact.
    forEachEvent(r, (e, times) => {
      if (e.kind === "genpool-alloc") peak = Math.max(peak, (allocatedNow += times));
      else if (e.kind === "genpool-free") allocatedNow -= times;
      else if (e.kind === "folio-free") allocatedNow -= times * e.pages;
      else if (e.kind === "pte-set" || e.kind === "leaf-set") pteKinds.add(PTE_KIND_NAMES[pteKind(e.pte)]);
    });
  }
  const final = new TraceCursor(t).seek(t.steps - 1);
  let leaked = 0;
  for (const d of final.devices) if (d.lifecycle !== "unbound") leaked += leakedPages(final, d);
  // Distinct pages: one page reported twice (freed while pinned, then handed out again) counts once.
  const inUse = new Map<string, RangeSet>();
  for (const f of t.findings) {
    if (f.kind !== "use-after-free") continue;
    if (!inUse.has(f.device)) inUse.set(f.device, new RangeSet());
    inUse.get(f.device)!.add(f.page, f.pages);
  }
  let freedWhileInUse = 0;
  for (const set of inUse.values()) for (const [, n] of set.ranges()) freedWhileInUse += n;
  const pinOps = t.ops.filter((o) => t.scenario.statements[o.index]?.op === "pin");
  return {
    label,
    peakAllocated: peak,
    leakedAtEnd: leaked,
    freedWhileInUse,
    errnos: t.ops
      .filter((o) => o.result !== "ok")
      .map((o) => ({ line: o.line, text: o.text, result: o.result })),
    pteKinds: [...pteKinds].sort(),
    pins: { attempted: pinOps.length, ok: pinOps.filter((o) => o.result === "ok").length },
    findings: t.findings.length,
  };
}

/** A side's default label: its design, with its kernel version when both sides run one design in two. */
function defaultLabel(t: Trace, other: Trace): string {
  return t.design === other.design && t.version !== other.version ? `${t.design} ${t.version}` : t.design;
}

export function compareTraces(
  a: Trace,
  b: Trace,
  labelA: string = defaultLabel(a, b),
  labelB: string = defaultLabel(b, a),
): Comparison {
  const ea = effects(a);
  const eb = effects(b);
  const n = Math.max(a.ops.length, b.ops.length);
  const starts: number[] = [];
  let at = 0;
  for (let i = 0; i < n; i++) {
    starts.push(at);
    const la = a.ops[i] ? a.ops[i]!.lastStep - a.ops[i]!.firstStep + 1 : 0;
    const lb = b.ops[i] ? b.ops[i]!.lastStep - b.ops[i]!.firstStep + 1 : 0;
    at += Math.max(la, lb, 1);
  }
  starts.push(at);
  const divergences: Divergence[] = [];
  for (let i = 0; i < Math.min(ea.length, eb.length); i++) {
    const x = ea[i]!;
    const y = eb[i]!;
    const aspects: Divergence["aspects"][number][] = [];
    if (x.result !== y.result) aspects.push("result");
    if (x.allocated !== y.allocated) aspects.push("allocated");
    if (x.freed !== y.freed) aspects.push("freed");
    if (!sameFindings(x, y)) aspects.push("findings");
    if (aspects.length === 0) continue;
    const op = a.ops[i]!;
    divergences.push({
      index: i,
      line: op.line,
      text: op.text,
      aspects,
      a: x,
      b: y,
      explanation: `After \`${op.text}\`: ${sidePhrase(labelA, x, y)}; ${sidePhrase(labelB, y, x)}.`,
    });
  }
  return {
    a,
    b,
    labelA,
    labelB,
    statements: n,
    starts,
    divergences,
    summary: [summarize(a, labelA), summarize(b, labelB)],
  };
}

/** Total aligned steps. */
export function alignedTotal(c: Comparison): number {
  return c.starts[c.starts.length - 1]!;
}

/** The statement an aligned step belongs to. */
export function statementAt(c: Comparison, step: number): number {
  let lo = 0;
  let hi = c.statements - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (c.starts[mid]! <= step) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * The step each side shows at an aligned step: within a statement, a side advances with the
 * aligned step until its own events for that statement run out, then waits at its last one.
 */
export function sideStep(c: Comparison, side: "a" | "b", step: number): number {
  const t = side === "a" ? c.a : c.b;
  const i = statementAt(c, step);
  const op = t.ops[Math.min(i, t.ops.length - 1)];
  if (!op) return -1;
  if (i >= t.ops.length) return op.lastStep;
  return Math.min(op.firstStep + (step - c.starts[i]!), op.lastStep);
}

/** The aligned step where statement i ends (both sides have shown its whole effect). */
export function statementEnd(c: Comparison, i: number): number {
  return c.starts[i + 1]! - 1;
}
