/**
 * Links written before format v3 count their `step` in the first engine's events (one event per
 * page, historical designs with 6.15+ refcounts). Links are forever, so opening one maps its step to
 * the same moment in today's numbering: the same statement, and within it the same event (same kind,
 * page and address) where both engines have it, else the first step that shows the same pool, else
 * the statement's end.
 *
 * The first engine is kept, frozen, in src/legacy/ for exactly this.
 */
import { TraceCursor as LegacyCursor } from "../legacy/v1-trace/cursor.ts";
import { runText as runLegacy } from "../legacy/v1-trace/run.ts";
import type { OpRecord as LegacyOp } from "../legacy/v1-trace/trace.ts";
import type { Design } from "../scenario/ast.ts";
import { TraceCursor } from "../trace/cursor.ts";
import { alignedTotal, compareTraces } from "../trace/diff.ts";
import { runText } from "../trace/run.ts";
import { eventAt, type Trace } from "../trace/trace.ts";
import type { ShareState } from "./codec.ts";

/** The first format version whose steps count today's engine. */
export const ENGINE2_FORMAT = 3;

type LegacyRun = Extract<ReturnType<typeof runLegacy>, { ok: true }>["trace"];

/**
 * The first engine's run of `text`, up to the statement that holds `untilStep`: the migration looks
 * no further, and the first engine spends an object per page (seconds for a 4G mmap further on).
 */
function legacyOps(text: string, design: Design | undefined, untilStep: number): LegacyRun | null {
  try {
    const r = runLegacy(text, { ...(design && { design }), untilStep });
    return r.ok ? r.trace : null;
  } catch {
    return null;
  }
}

function current(text: string, design: Design | undefined): Trace | null {
  const r = runText(text, design ? { design } : {});
  return r.ok ? r.trace : null;
}

const len = (op: { firstStep: number; lastStep: number } | undefined) =>
  op ? op.lastStep - op.firstStep + 1 : 0;

/** Where an old step stands: statement index and offset in it. */
function locate(ops: readonly LegacyOp[], step: number): { index: number; offset: number } | null {
  const op = ops.find((o) => step >= o.firstStep && step <= o.lastStep);
  return op ? { index: op.index, offset: step - op.firstStep } : null;
}

/** The same event in both engines: same kind, and the same device, page and address where it has them. */
function sameEvent(a: object | undefined, b: object | undefined): boolean {
  if (!a || !b) return false;
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  return ["kind", "dev", "page", "vpn", "proc", "pin"].every((k) => x[k] === y[k]);
}

/** Today's step for `oldStep` of a single-trace link. */
function migrateSingle(text: string, design: Design | undefined, oldStep: number): number {
  const old = legacyOps(text, design, oldStep);
  const now = current(text, design);
  if (!old || !now) return oldStep;
  const at = locate(old.ops, oldStep);
  const op = at && now.ops[at.index];
  if (!at || !op) return oldStep;
  const here = op.firstStep + at.offset;
  const was = old.events[oldStep];
  if (at.offset < len(op) && sameEvent(was, eventAt(now, here))) return here;
  // The same event elsewhere in the statement (the historical designs lost their 6.15 refcount steps).
  for (let s = op.firstStep; s <= op.lastStep; s++) if (sameEvent(was, eventAt(now, s))) return s;
  const pool = new LegacyCursor(old).seek(oldStep).devices.map((d) => d.freePages);
  const cursor = new TraceCursor(now);
  for (let s = op.firstStep; s <= op.lastStep; s++) {
    const free = cursor.seek(s).devices.map((d) => d.freePages);
    if (free.length === pool.length && free.every((f, i) => f === pool[i])) return s;
  }
  return op.lastStep;
}

/** Today's aligned step for `oldStep` of a comparison link: same statement, same offset (clamped). */
function migrateCompare(state: ShareState, oldStep: number): number {
  const cmp = state.compare!;
  // An aligned step is at least either side's own step at the same place, so each side's run up
  // to oldStep covers the statement that holds it.
  const a0 = legacyOps(state.text, state.design, oldStep);
  const b0 = legacyOps(cmp.text ?? state.text, cmp.design ?? state.design, oldStep);
  const a1 = current(state.text, state.design);
  const b1 = current(cmp.text ?? state.text, cmp.design);
  if (!a0 || !b0 || !a1 || !b1) return oldStep;
  const n = Math.max(a0.ops.length, b0.ops.length);
  let start = 0;
  let index = -1;
  for (let i = 0; i < n; i++) {
    const l = Math.max(len(a0.ops[i]), len(b0.ops[i]), 1);
    if (oldStep < start + l) {
      index = i;
      break;
    }
    start += l;
  }
  if (index < 0) return oldStep;
  const c = compareTraces(a1, b1);
  const newLen = c.starts[index + 1]! - c.starts[index]!;
  return Math.min(c.starts[index]! + Math.min(oldStep - start, newLen - 1), alignedTotal(c) - 1);
}

/**
 * The step a decoded link opens, in today's numbering. `version` is the link's format version
 * (decodeShareLink); steps of v3 and later are returned as they are. A link whose scenario does not
 * run, or whose step is past its end, keeps its step, so the caller reports it as it would.
 */
export function migrateStep(state: ShareState, version: number): number {
  if (version >= ENGINE2_FORMAT) return state.step;
  try {
    return state.compare
      ? migrateCompare(state, state.step)
      : migrateSingle(state.text, state.design, state.step);
  } catch {
    return state.step;
  }
}
