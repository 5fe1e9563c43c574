/**
 * Timeline: the trace as nested lanes over a window of steps that zooms from the whole trace down
 * to single events (timeline-window.ts): statements (labelled with their line where there is room)
 * over kernel calls (a kernel loop over N pages is one span, "vm_insert_page × N") over one tick per
 * per-page event once a step is a few pixels wide. A mark above for each statement that returned
 * an errno, a signal or blocked, and a diamond below for each finding. Only what is in the window is
 * drawn, at most a few spans per pixel, so a draw costs what is on screen, not the trace's length.
 *
 * Click or drag to seek. Wheel (or pinch) zooms at the pointer, a sideways or Shift wheel pans;
 * with the timeline focused, + and - zoom around the current step and 0 shows the whole trace
 * again, as do the buttons under it. The current step stays in the window: stepping or playing past
 * an edge pages the window on. The slider role makes it usable by screen readers too.
 */

import { select } from "d3-selection";
import { type KeyboardEvent, type PointerEvent, useEffect, useId, useMemo, useRef, useState } from "react";
import { formatCount } from "../trace/numbers.ts";
import type { Trace } from "../trace/trace.ts";
import { stepAtX, useSize } from "./common.ts";
import { keepAttr, roundPx } from "./d3-keep.ts";
import {
  type CallSpan,
  callSpans,
  keepVisible,
  panWindow,
  type StatementSpan,
  statementSpans,
  stepAtPx,
  type Tick,
  type TimeWindow,
  tickClass,
  ticks,
  wholeWindow,
  xOf,
  zoomWindow,
} from "./timeline-window.ts";

export interface Band {
  readonly key: string;
  readonly first: number;
  /** exclusive */
  readonly end: number;
  readonly line: number;
  readonly text: string;
  readonly result: string;
}

export interface Mark {
  readonly key: string;
  readonly step: number;
  readonly kind: "errno" | "signal" | "blocked" | "finding";
  readonly label: string;
  readonly title: string;
}

export interface TimelineView {
  readonly total: number;
  readonly bands: readonly Band[];
  readonly marks: readonly Mark[];
}

export function resultKind(result: string): Mark["kind"] | null {
  if (result === "ok") return null;
  if (result === "blocked") return "blocked";
  if (result.startsWith("SIG")) return "signal";
  return "errno";
}

export function timelineView(trace: Trace): TimelineView {
  const bands: Band[] = trace.ops.map((op, i) => ({
    key: `op${i}`,
    first: op.firstStep,
    end: op.lastStep + 1,
    line: op.line,
    text: op.text,
    result: op.result,
  }));
  const marks: Mark[] = [];
  trace.ops.forEach((op, i) => {
    const k = resultKind(op.result);
    if (k)
      marks.push({
        key: `r${i}`,
        step: op.lastStep,
        kind: k,
        label: op.result,
        title: `line ${op.line}: ${op.text} → ${op.result}`,
      });
  });
  trace.findings.forEach((f, i) => {
    marks.push({
      key: `f${i}`,
      step: f.step,
      kind: "finding",
      label: f.kind,
      title: `line ${f.line}: ${f.kind}: ${f.text}`,
    });
  });
  return { total: trace.steps, bands, marks };
}

export { stepAtX };

const PAD = 10;
const STRIP_Y = 14;
const STRIP_H = 16;
const CALL_Y = STRIP_Y + STRIP_H + 2;
const CALL_H = 15;
const TICK_Y = CALL_Y + CALL_H + 2;
const TICK_H = 15;
const FIND_Y = TICK_Y + TICK_H + 2;
const SVG_H = FIND_Y + 14;
/** zoom step of the wheel, the keys and the buttons */
const ZOOM = 2;

export interface TimelinePanelProps {
  readonly trace: Trace;
  readonly traceVersion: number;
  readonly step: number;
  readonly onScrub: (step: number) => void;
}

const fmt = (n: number) => formatCount(Math.round(n));

/** Marks sorted by step, then those in [from, to) at most one per pixel and row. */
function visibleMarks(sorted: readonly Mark[], w: TimeWindow, px: number): Mark[] {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]!.step + 1 > w.start) hi = mid;
    else lo = mid + 1;
  }
  const out: Mark[] = [];
  const last = { above: -Infinity, below: -Infinity };
  for (let i = lo; i < sorted.length && sorted[i]!.step < w.start + w.span; i++) {
    const m = sorted[i]!;
    const row = m.kind === "finding" ? "below" : "above";
    const x = Math.floor(xOf(w, px, m.step + 0.5));
    if (x === last[row]) continue;
    last[row] = x;
    out.push(m);
  }
  return out;
}

export function TimelinePanel({ trace, traceVersion, step, onScrub }: TimelinePanelProps) {
  const [box, size] = useSize<HTMLDivElement>();
  const clipId = `p2p-tl-clip${useId().replace(/:/g, "")}`;
  const g = useRef<SVGGElement>(null);
  const cursor = useRef<SVGGElement>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: the trace changes with its version
  const view = useMemo(() => timelineView(trace), [traceVersion]);
  const sortedMarks = useMemo(() => [...view.marks].sort((a, b) => a.step - b.step), [view]);
  const W = size.width;
  const total = Math.max(1, view.total);
  const px = Math.max(1, W - 2 * PAD);

  // the window, reset with each new trace, moved so that the current step stays in it when the
  // step moves (the wheel may zoom or pan away from the cursor: an arrow at the edge then shows
  // which way it is)
  const [state, setState] = useState<{ version: number; win: TimeWindow }>(() => ({
    version: traceVersion,
    win: wholeWindow(total),
  }));
  const seen = useRef(step);
  let win = state.version === traceVersion ? state.win : wholeWindow(total);
  if (state.version !== traceVersion || seen.current !== step) {
    seen.current = step;
    const kept = keepVisible(win, Math.min(step, total - 1), total);
    // a step inside the window changes nothing here: no second render
    if (kept !== win || state.version !== traceVersion) {
      win = kept;
      setState({ version: traceVersion, win });
    }
  }
  const setWin = (f: (w: TimeWindow) => TimeWindow) =>
    setState((s) => ({
      version: traceVersion,
      win: f(s.version === traceVersion ? s.win : wholeWindow(total)),
    }));
  const whole = win.start <= 0 && win.span >= total;
  const x = (s: number) => PAD + xOf(win, px, s);

  // biome-ignore lint/correctness/useExhaustiveDependencies: x depends only on the window and W
  useEffect(() => {
    if (!g.current || W === 0) return;
    const root = select(g.current);
    const layer = (cls: string) =>
      root.selectChildren<SVGGElement, null>(`g.${cls}`).data([null]).join("g").attr("class", cls);
    // spans that reach far outside the window are cut at its edges: an SVG rect millions of pixels
    // wide is not drawn at all
    const cx = (s: number) => Math.max(PAD - 8, Math.min(PAD + px + 8, x(s)));
    const wide = (a: number, b: number) => Math.max(1, cx(b) - cx(a));

    // statements
    const bands = statementSpans(trace, win, px);
    const bsel = layer("p2p-bands")
      .selectAll<SVGGElement, StatementSpan>("g.p2p-band")
      .data(bands, (b) => b.key)
      .join((enter) => {
        const e = enter.append("g").attr("class", "p2p-band");
        e.append("rect");
        e.append("text");
        e.append("title");
        return e;
      })
      .attr("data-line", (b) => (b.count === 1 ? b.line : null));
    bsel
      .select("rect")
      .attr("x", (b) => cx(b.first))
      .attr("y", STRIP_Y)
      .attr("width", (b) => wide(b.first, b.end))
      .attr("height", STRIP_H)
      .attr("class", (b) => (b.count > 1 ? "dense" : b.op % 2 ? "odd" : "even"));
    bsel
      .select("text")
      .attr("x", (b) => Math.max(x(b.first), PAD) + 3)
      .attr("y", STRIP_Y + 12)
      .text((b) => {
        const room = Math.min(x(b.end), PAD + px) - Math.max(x(b.first), PAD);
        return room >= b.label.length * 7 + 8 ? b.label : "";
      });
    bsel.select("title").text((b) => b.title);

    // kernel calls
    const calls = callSpans(trace, win, px);
    const csel = layer("p2p-calls")
      .selectAll<SVGGElement, CallSpan>("g.p2p-call")
      .data(calls, (c) => c.key)
      .join((enter) => {
        const e = enter.append("g").attr("class", "p2p-call");
        e.append("rect");
        e.append("text");
        e.append("title");
        return e;
      })
      .attr("data-loop", (c) => (c.loop ? "true" : null));
    csel
      .select("rect")
      .attr("x", (c) => cx(c.first))
      .attr("y", CALL_Y)
      .attr("width", (c) => wide(c.first, c.end))
      .attr("height", CALL_H)
      .attr("class", (c) => (c.count > 1 ? "dense" : c.loop ? "loop" : "call"));
    csel
      .select("text")
      .attr("x", (c) => Math.max(x(c.first), PAD) + 2)
      .attr("y", CALL_Y + 11.5)
      .text((c) => {
        const room = Math.min(x(c.end), PAD + px) - Math.max(x(c.first), PAD) - 4;
        if (c.count > 1 || room < 24) return "";
        const n = Math.floor(room / 6.8);
        return c.label.length <= n ? c.label : `${c.label.slice(0, n - 1)}…`;
      });
    csel.select("title").text((c) => c.title);

    // per-page events, once they are wide enough
    const tk = ticks(trace, win, px) ?? [];
    const step1 = px / win.span;
    const tsel = layer("p2p-ticks")
      .selectAll<SVGGElement, Tick>("g.p2p-tick")
      .data(tk, (t) => String(t.step))
      .join((enter) => {
        const e = enter.append("g").attr("class", "p2p-tick");
        e.append("rect");
        e.append("text");
        e.append("title");
        return e;
      })
      .attr("data-step", (t) => t.step);
    tsel
      .select("rect")
      .attr("x", (t) => x(t.step) + (step1 > 6 ? 1 : 0))
      .attr("y", TICK_Y)
      .attr("width", Math.max(1, step1 - (step1 > 6 ? 2 : 1)))
      .attr("height", TICK_H)
      .attr("class", (t) => `t-${tickClass(t.kind)}`);
    tsel
      .select("text")
      .attr("x", (t) => x(t.step) + 2)
      .attr("y", TICK_Y + 11.5)
      .text((t) => (t.page !== null && step1 >= 7 * String(t.page).length + 4 ? String(t.page) : ""));
    tsel
      .select("title")
      .text((t) => `step ${fmt(t.step)}: ${t.fn}${t.page !== null ? ` page ${t.page}` : ""} (${t.kind})`);
    layer("p2p-tick-hint")
      .selectAll<SVGTextElement, string>("text")
      .data(tk.length === 0 && trace.steps > 0 ? ["zoom in to see each per-page event"] : [])
      .join("text")
      .attr("x", PAD + 2)
      .attr("y", TICK_Y + 11.5)
      .text((t) => t);

    // marks
    const msel = layer("p2p-marks")
      .selectAll<SVGGElement, Mark>("g.p2p-mark")
      .data(visibleMarks(sortedMarks, win, px), (m) => m.key)
      .join((enter) => {
        const e = enter.append("g").attr("class", "p2p-mark");
        e.append("path");
        e.append("text");
        e.append("title");
        return e;
      })
      .attr("data-mark", (m) => m.kind)
      .attr("transform", (m) => `translate(${x(m.step + 0.5)},0)`);
    msel
      .select("path")
      .attr("d", (m) =>
        m.kind === "finding" ? `M0,${FIND_Y} l6,6 l-6,6 l-6,-6 Z` : `M-5,${STRIP_Y - 10} h10 l-5,8 Z`,
      )
      .attr("class", (m) => `m-${m.kind}`);
    // labels only where they do not run into the next mark of the same row
    const shown = msel.data();
    const room = new Map<string, number>();
    const row = (m: Mark) => (m.kind === "finding" ? "below" : "above");
    shown.forEach((m, i) => {
      let next: Mark | undefined;
      for (let j = i + 1; j < shown.length && !next; j++) if (row(shown[j]!) === row(m)) next = shown[j];
      room.set(m.key, next ? x(next.step) - x(m.step) : PAD + px - x(m.step));
    });
    msel
      .select("text")
      .attr("x", 7)
      .attr("y", (m) => (m.kind === "finding" ? FIND_Y + 11 : STRIP_Y - 3))
      .text((m) => ((room.get(m.key) ?? 0) > m.label.length * 7 + 14 ? m.label : ""));
    msel.select("title").text((m) => m.title);
  }, [view, W, win.start, win.span, trace]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: x depends only on the window and W
  useEffect(() => {
    if (!cursor.current) return;
    const c = select(cursor.current);
    const inside = step >= win.start && step < win.start + win.span;
    // to a hundredth of a pixel: in a trace of millions of steps a step moves the cursor by less,
    // and the browser lays out and paints the panel again for every attribute written
    const cx = roundPx(x(step + 0.5));
    c.call(keepAttr, "data-off", inside ? null : step < win.start ? "left" : "right");
    c.selectAll<SVGPathElement, null>("path.p2p-cursor-off")
      .data(inside ? [] : [null])
      .join("path")
      .call(keepAttr, "class", "p2p-cursor-off")
      .call(
        keepAttr,
        "d",
        step < win.start ? `M1,${STRIP_Y + 8} l7,-7 v14 Z` : `M${W - 1},${STRIP_Y + 8} l-7,-7 v14 Z`,
      );
    c.selectAll<SVGLineElement, null>("line")
      .data(inside ? [null] : [])
      .join("line")
      .call(keepAttr, "x1", cx)
      .call(keepAttr, "x2", cx)
      .call(keepAttr, "y1", 2)
      .call(keepAttr, "y2", SVG_H - 2);
    c.selectAll<SVGPathElement, null>("path.p2p-cursor-head")
      .data(inside ? [null] : [])
      .join("path")
      .call(keepAttr, "class", "p2p-cursor-head")
      .call(keepAttr, "d", `M${roundPx(cx - 5)},0 h10 v2 l-5,5 l-5,-5 Z`);
  }, [step, W, total, win.start, win.span]);

  // wheel: zoom at the pointer, pan sideways; a native listener, because React's wheel listener is
  // passive and the page must not scroll (or the browser zoom on a pinch) while the timeline zooms
  const wheel = useRef<(e: WheelEvent) => void>(() => {});
  wheel.current = (e: WheelEvent) => {
    e.preventDefault();
    const r = (e.currentTarget as HTMLElement).getBoundingClientRect();
    const sideways = e.shiftKey || Math.abs(e.deltaX) > Math.abs(e.deltaY);
    if (sideways) {
      const d = Math.abs(e.deltaX) > Math.abs(e.deltaY) ? e.deltaX : e.deltaY;
      setWin((w) => panWindow(w, Math.sign(d) * 0.25, total));
      return;
    }
    const at = win.start + ((e.clientX - r.left - PAD) / px) * win.span;
    setWin((w) => zoomWindow(w, e.deltaY < 0 ? ZOOM : 1 / ZOOM, at, total));
  };
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const on = (e: WheelEvent) => wheel.current(e);
    el.addEventListener("wheel", on, { passive: false });
    return () => el.removeEventListener("wheel", on);
  }, [box]);

  const scrubbing = useRef(false);
  const seek = (e: PointerEvent<HTMLElement>) => {
    const r = e.currentTarget.getBoundingClientRect();
    onScrub(stepAtPx(win, px, e.clientX - r.left - PAD, view.total));
  };
  const zoomAround = (f: number) => setWin((w) => zoomWindow(w, f, step + 0.5, total));
  const reset = () => setWin(() => wholeWindow(total));
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    let done = true;
    if (e.key === "+" || e.key === "=") zoomAround(ZOOM);
    else if (e.key === "-" || e.key === "_") zoomAround(1 / ZOOM);
    else if (e.key === "0") reset();
    else done = false;
    if (done) {
      e.preventDefault();
      e.stopPropagation(); // + and - are the speed keys elsewhere
    }
  };
  const end = Math.min(view.total, win.start + win.span);

  return (
    <div className="timeline-wrap">
      <div
        className="timeline"
        ref={box}
        role="slider"
        tabIndex={0}
        aria-label="trace timeline: click or drag to move through the steps; wheel, + and - zoom, 0 shows the whole trace"
        aria-valuemin={0}
        aria-valuemax={Math.max(0, view.total - 1)}
        aria-valuenow={step}
        data-testid="timeline"
        data-win-start={Math.floor(win.start)}
        data-win-end={Math.ceil(end)}
        onKeyDown={onKeyDown}
        onPointerDown={(e) => {
          scrubbing.current = true;
          e.currentTarget.setPointerCapture(e.pointerId);
          seek(e);
        }}
        onPointerMove={(e) => {
          if (scrubbing.current) seek(e);
        }}
        onPointerUp={(e) => {
          scrubbing.current = false;
          e.currentTarget.releasePointerCapture(e.pointerId);
        }}
        onPointerCancel={() => {
          scrubbing.current = false;
        }}
      >
        <svg width={W} height={SVG_H} aria-hidden="true">
          <defs>
            <clipPath id={clipId}>
              <rect x={PAD - 6} y={0} width={Math.max(0, px + 12)} height={SVG_H} />
            </clipPath>
          </defs>
          <g ref={g} clipPath={`url(#${clipId})`} />
          <g ref={cursor} className="p2p-cursor" pointerEvents="none" />
        </svg>
      </div>
      <div className="timeline-tools">
        <span className="timeline-range" data-testid="timeline-window">
          {whole
            ? `whole trace · ${fmt(view.total)} steps`
            : `steps ${fmt(win.start)}–${fmt(end)} of ${fmt(view.total)}`}
        </span>
        <button
          type="button"
          aria-label="zoom the timeline out"
          data-testid="timeline-zoom-out"
          disabled={whole}
          onClick={() => zoomAround(1 / ZOOM)}
        >
          −
        </button>
        <button
          type="button"
          aria-label="zoom the timeline in"
          data-testid="timeline-zoom-in"
          disabled={win.span <= Math.min(total, 8)}
          onClick={() => zoomAround(ZOOM)}
        >
          +
        </button>
        <button type="button" data-testid="timeline-reset" disabled={whole} onClick={reset}>
          whole trace
        </button>
      </div>
    </div>
  );
}
