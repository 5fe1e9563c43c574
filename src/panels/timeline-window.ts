/**
 * The timeline at any zoom, as data: a window of steps [start, start + span) drawn over `px` pixels,
 * and what is visible in it on three nested lanes:
 *   - statements (trace.ops), each a span of steps;
 *   - kernel calls: inside a statement, the stored records, consecutive single events of one kernel
 *     function merged into one span (do_mmap, vm_insert_page, ...), and a kernel loop over N pages
 *     (one Loop record) as one span "fn × N";
 *   - per-page events: one tick per step, once a step is at least TICK_PX pixels wide.
 * Everything is found by binary search and built per pixel, never per step or per record: where
 * several spans fall into one pixel, the pixel gets one "dense" span that counts them, and the walk
 * jumps to the first record of the next pixel. A draw costs what is on screen (at most a few spans
 * per pixel), not the length of the trace, so the whole of a 763M-step trace and ten events of it
 * cost alike.
 */

import type { KernelEvent } from "../kernel/events.ts";
import { formatCount } from "../trace/numbers.ts";
import { eventsOf, type Trace } from "../trace/trace.ts";

export interface TimeWindow {
  /** first step shown (may be fractional while zooming) */
  readonly start: number;
  /** steps shown */
  readonly span: number;
}

/** The fewest steps a window shows: single events are then wide enough to read. */
export const MIN_SPAN = 8;
/** A step is drawn as its own tick once it is this wide (pixels). */
export const TICK_PX = 4;

export function wholeWindow(total: number): TimeWindow {
  return { start: 0, span: Math.max(1, total) };
}

export function clampWindow(w: TimeWindow, total: number): TimeWindow {
  const t = Math.max(1, total);
  const span = Math.min(t, Math.max(Math.min(MIN_SPAN, t), w.span));
  const start = Math.min(t - span, Math.max(0, w.start));
  return { start, span };
}

/** Zooms by `factor` (> 1 shows fewer steps) keeping step `at` under the same pixel. */
export function zoomWindow(w: TimeWindow, factor: number, at: number, total: number): TimeWindow {
  const span = w.span / factor;
  const u = w.span > 0 ? (at - w.start) / w.span : 0.5;
  return clampWindow({ start: at - u * span, span }, total);
}

/** Moves the window by `by` of its own width (negative: back). */
export function panWindow(w: TimeWindow, by: number, total: number): TimeWindow {
  return clampWindow({ start: w.start + by * w.span, span: w.span }, total);
}

/**
 * The window moved, if needed, so that `step` is inside it: stepping or playing past an edge pages
 * the window on (the step lands a tenth of the way in from that side), a jump far away centres it.
 */
export function keepVisible(w: TimeWindow, step: number, total: number): TimeWindow {
  if (step >= w.start && step + 1 <= w.start + w.span) return w;
  const margin = w.span / 10;
  let start: number;
  if (step >= w.start + w.span && step < w.start + 2 * w.span) start = step - margin;
  else if (step < w.start && step >= w.start - w.span) start = step + 1 - w.span + margin;
  else start = step + 0.5 - w.span / 2;
  return clampWindow({ start, span: w.span }, total);
}

/** Pixel (from the left edge of the drawing area) of a step boundary, and back. */
export function xOf(w: TimeWindow, px: number, step: number): number {
  return ((step - w.start) / w.span) * px;
}
export function stepAtPx(w: TimeWindow, px: number, x: number, total: number): number {
  if (total <= 1) return 0;
  const s = Math.floor(w.start + (x / Math.max(1, px)) * w.span);
  return Math.max(0, Math.min(total - 1, s));
}

export interface Span {
  readonly key: string;
  /** first step, and one past the last */
  readonly first: number;
  readonly end: number;
  readonly label: string;
  readonly title: string;
  /** how many spans this one stands for (> 1: several fell into one pixel) */
  readonly count: number;
}

export interface StatementSpan extends Span {
  readonly op: number;
  readonly line: number;
}

export interface CallSpan extends Span {
  /** the statement it belongs to */
  readonly op: number;
  readonly loop: boolean;
}

export interface Tick {
  readonly step: number;
  readonly kind: KernelEvent["kind"];
  readonly fn: string;
  readonly page: number | null;
}

/** The first index i in [0, n) with ends(i) > step (ends ascending). */
function firstEndingAfter(n: number, ends: (i: number) => number, step: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ends(mid) > step) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

const windowEnd = (w: TimeWindow) => w.start + w.span;

/** Statements visible in the window, at most about one per pixel. */
export function statementSpans(t: Trace, w: TimeWindow, px: number): StatementSpan[] {
  const ops = t.ops;
  const out: StatementSpan[] = [];
  const end = windowEnd(w);
  let i = firstEndingAfter(ops.length, (k) => ops[k]!.lastStep + 1, w.start);
  while (i < ops.length && ops[i]!.firstStep < end) {
    const op = ops[i]!;
    const x0 = Math.floor(xOf(w, px, op.firstStep));
    const x1 = xOf(w, px, op.lastStep + 1);
    if (x1 - x0 >= 1 || i + 1 >= ops.length) {
      out.push({
        key: `op${i}`,
        op: i,
        line: op.line,
        first: op.firstStep,
        end: op.lastStep + 1,
        label: `L${op.line}`,
        title: `line ${op.line}: ${op.text} → ${op.result}`,
        count: 1,
      });
      i++;
      continue;
    }
    // several statements in this pixel: one span for them, then the first statement of the next pixel
    const nextStep = Math.ceil(w.start + ((x0 + 1) / px) * w.span);
    const j = Math.max(
      i + 1,
      firstEndingAfter(ops.length, (k) => ops[k]!.lastStep + 1, nextStep - 1),
    );
    const last = ops[j - 1]!;
    out.push({
      key: `op${i}`,
      op: i,
      line: op.line,
      first: op.firstStep,
      end: last.lastStep + 1,
      label: "",
      title: `lines ${op.line}–${last.line}: ${j - i} statements`,
      count: j - i,
    });
    i = j;
  }
  return out;
}

/** The kernel function a record is about: its own, or for a loop its body's (joined). */
function loopLabel(t: Trace, i: number): { fn: string; n: number } {
  const r = t.records.get(i);
  if (r.kind !== "loop") return { fn: r.fn, n: 1 };
  const fns: string[] = [];
  for (const b of r.body) if (!fns.includes(b.fn)) fns.push(b.fn);
  return { fn: fns.join(" + "), n: r.n };
}

/** Kernel calls visible in the window: merged single events of one function, loops whole. */
export function callSpans(t: Trace, w: TimeWindow, px: number): CallSpan[] {
  const rec = t.records;
  const n = rec.length;
  const out: CallSpan[] = [];
  if (n === 0 || t.steps === 0) return out;
  const end = Math.min(windowEnd(w), t.steps);
  const startOf = (i: number) => (i === 0 ? 0 : rec.end(i - 1));
  const ops = t.ops;
  let i = rec.indexOfStep(Math.max(0, Math.floor(w.start)));
  let op = firstEndingAfter(ops.length, (k) => ops[k]!.endRecord, i);
  while (i < n && startOf(i) < end) {
    // the statement holding record i (records of no statement, the setup, count as op -1)
    while (op < ops.length && ops[op]!.endRecord <= i) op++;
    const inOp = op < ops.length && ops[op]!.firstRecord <= i ? op : -1;
    const opEnd = inOp >= 0 ? ops[inOp]!.endRecord : op < ops.length ? ops[op]!.firstRecord : n;
    const first = startOf(i);
    const x0 = Math.floor(xOf(w, px, first));
    if (xOf(w, px, rec.end(i)) - x0 < 1) {
      // dense: every record starting in this pixel (within the statement) is one span
      const nextStep = Math.ceil(w.start + ((x0 + 1) / px) * w.span);
      let j = nextStep >= t.steps ? n : rec.indexOfStep(nextStep);
      // the record across the pixel's edge joins only when it ends in the next pixel (a long loop
      // that starts here is drawn on its own)
      if (j < n && startOf(j) < nextStep && xOf(w, px, rec.end(j)) < x0 + 2) j++;
      // inside a statement at least a pixel wide the span stops at its end (calls nest in their
      // statement); statements narrower than a pixel share the pixel's span (op -1: no single one)
      const opWide = inOp >= 0 && xOf(w, px, ops[inOp]!.lastStep + 1) - xOf(w, px, ops[inOp]!.firstStep) >= 1;
      j = Math.max(i + 1, j);
      if (opWide) j = Math.min(j, Math.max(i + 1, opEnd));
      const spanOp = j > opEnd ? -1 : inOp;
      if (j - i === 1) {
        const { fn, n: iters } = loopLabel(t, i);
        out.push(callSpan(i, inOp, first, rec.end(i), fn, iters, rec.kindOf(i) === "loop"));
      } else
        out.push({
          key: `r${i}`,
          op: spanOp,
          first,
          end: rec.end(j - 1),
          label: "",
          title: `${j - i} kernel calls`,
          count: j - i,
          loop: false,
        });
      i = j;
      continue;
    }
    if (rec.kindOf(i) === "loop") {
      const { fn, n: iters } = loopLabel(t, i);
      out.push(callSpan(i, inOp, first, rec.end(i), fn, iters, true));
      i++;
      continue;
    }
    // a single event: merge the following single events of the same function (each >= 1 px, so
    // this walk is bounded by the pixels too)
    const fn = (rec.get(i) as KernelEvent).fn;
    let j = i + 1;
    while (j < opEnd && j < n && startOf(j) < end && rec.kindOf(j) !== "loop") {
      if (xOf(w, px, rec.end(j)) - xOf(w, px, startOf(j)) < 1) break; // dense from here on
      if ((rec.get(j) as KernelEvent).fn !== fn) break;
      j++;
    }
    out.push(callSpan(i, inOp, first, rec.end(j - 1), fn, 1, false, j - i));
    i = j;
  }
  return out;
}

function callSpan(
  i: number,
  op: number,
  first: number,
  end: number,
  fn: string,
  iters: number,
  loop: boolean,
  events = 1,
): CallSpan {
  const label = loop ? `${fn} × ${formatCount(iters)}` : fn;
  const title = loop
    ? `${fn}: a kernel loop over ${formatCount(iters)} pages, ${formatCount(end - first)} events`
    : `${fn}${events > 1 ? `: ${events} events` : ""}`;
  return { key: `r${i}`, op, first, end, label, title, count: 1, loop };
}

/** One tick per step in the window, when steps are at least TICK_PX wide; else null. */
export function ticks(t: Trace, w: TimeWindow, px: number): Tick[] | null {
  if (px / w.span < TICK_PX) return null;
  const from = Math.max(0, Math.floor(w.start));
  const to = Math.min(t.steps, Math.ceil(windowEnd(w)));
  const out: Tick[] = [];
  let step = from;
  for (const e of eventsOf(t, from, to)) {
    const page = "page" in e ? e.page : null;
    out.push({ step, kind: e.kind, fn: e.fn, page });
    step++;
  }
  return out;
}

/** The lane a tick's colour comes from. */
export function tickClass(kind: KernelEvent["kind"]): string {
  if (kind === "genpool-alloc" || kind === "genpool-free" || kind === "page-free") return "alloc";
  if (kind === "page-ref" || kind === "pgref" || kind === "pmap-kref") return "ref";
  if (kind === "pte-set" || kind === "pte-clear" || kind === "fault") return "pte";
  if (kind === "pin-page" || kind === "unpin-page" || kind === "pin-status") return "pin";
  if (kind.startsWith("vma") || kind === "label-add") return "vma";
  if (kind === "finding") return "finding";
  return "other";
}
