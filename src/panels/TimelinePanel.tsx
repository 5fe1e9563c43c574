/**
 * Timeline: the whole trace as a strip, one band per statement (labelled with its line where
 * there is room), a mark above for each statement that returned an errno, a signal or blocked,
 * and a diamond below for each finding. Click or drag to scrub; the slider role makes it usable
 * from the keyboard and by screen readers too.
 */

import { select } from "d3-selection";
import { useEffect, useMemo, useRef } from "react";
import type { Trace } from "../trace/trace.ts";
import { stepAtX, useScrub, useSize } from "./common.ts";

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
const STRIP_Y = 22;
const STRIP_H = 18;

export interface TimelinePanelProps {
  readonly trace: Trace;
  readonly traceVersion: number;
  readonly step: number;
  readonly onScrub: (step: number) => void;
}

export function TimelinePanel({ trace, traceVersion, step, onScrub }: TimelinePanelProps) {
  const [box, size] = useSize<HTMLDivElement>();
  const g = useRef<SVGGElement>(null);
  const cursor = useRef<SVGGElement>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: the trace changes with its version
  const view = useMemo(() => timelineView(trace), [traceVersion]);
  const W = size.width;
  const total = Math.max(1, view.total);
  const x = (s: number) => PAD + (s / total) * Math.max(1, W - 2 * PAD);

  // biome-ignore lint/correctness/useExhaustiveDependencies: x depends only on W and total
  useEffect(() => {
    if (!g.current || W === 0) return;
    const root = select(g.current);
    // bands narrower than a pixel are merged into their neighbour's pixel: skip them but keep the first
    let lastPx = -1;
    const bands = view.bands.filter((b) => {
      const px = Math.floor(x(b.first));
      if (px === lastPx) return false;
      lastPx = px;
      return true;
    });
    const bsel = root
      .selectAll<SVGGElement, null>("g.p2p-bands")
      .data([null])
      .join("g")
      .attr("class", "p2p-bands")
      .selectAll<SVGGElement, Band>("g.p2p-band")
      .data(bands, (b) => b.key)
      .join((enter) => {
        const e = enter.append("g").attr("class", "p2p-band");
        e.append("rect");
        e.append("text");
        e.append("title");
        return e;
      });
    bsel
      .select("rect")
      .attr("x", (b) => x(b.first))
      .attr("y", STRIP_Y)
      .attr("width", (b) => Math.max(1, x(b.end) - x(b.first)))
      .attr("height", STRIP_H)
      .attr("class", (_b, i) => (i % 2 ? "odd" : "even"));
    bsel
      .select("text")
      .attr("x", (b) => x(b.first) + 3)
      .attr("y", STRIP_Y + 13)
      .text((b) => (x(b.end) - x(b.first) >= 30 ? `L${b.line}` : ""));
    bsel.select("title").text((b) => `line ${b.line}: ${b.text} → ${b.result}`);

    const msel = root
      .selectAll<SVGGElement, Mark>("g.p2p-mark")
      .data(view.marks, (m) => m.key)
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
        m.kind === "finding"
          ? `M0,${STRIP_Y + STRIP_H + 2} l6,6 l-6,6 l-6,-6 Z`
          : `M-5,${STRIP_Y - 10} h10 l-5,8 Z`,
      )
      .attr("class", (m) => `m-${m.kind}`);
    // labels only where they do not run into the next mark of the same row
    const room = new Map<string, number>();
    const row = (m: Mark) => (m.kind === "finding" ? "below" : "above");
    const sorted = [...view.marks].sort((a, b) => a.step - b.step);
    sorted.forEach((m, i) => {
      const next = sorted.slice(i + 1).find((n) => row(n) === row(m));
      room.set(m.key, next ? x(next.step) - x(m.step) : W - x(m.step));
    });
    msel
      .select("text")
      .attr("x", 7)
      .attr("y", (m) => (m.kind === "finding" ? STRIP_Y + STRIP_H + 13 : STRIP_Y - 3))
      .text((m) => ((room.get(m.key) ?? 0) > m.label.length * 7 + 14 ? m.label : ""));
    msel.select("title").text((m) => m.title);
  }, [view, W]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: x depends only on W and total
  useEffect(() => {
    if (!cursor.current) return;
    const c = select(cursor.current);
    const cx = x(step + 0.5);
    c.selectAll<SVGLineElement, null>("line")
      .data([null])
      .join("line")
      .attr("x1", cx)
      .attr("x2", cx)
      .attr("y1", 6)
      .attr("y2", STRIP_Y + STRIP_H + 16);
    c.selectAll<SVGPathElement, null>("path")
      .data([null])
      .join("path")
      .attr("d", `M${cx - 5},4 h10 v5 l-5,5 l-5,-5 Z`);
  }, [step, W, total]);

  const scrub = useScrub(view.total, W, PAD, onScrub);

  return (
    <div
      className="timeline"
      ref={box}
      role="slider"
      tabIndex={-1}
      aria-label="trace timeline: click or drag to move through the steps"
      aria-valuemin={0}
      aria-valuemax={Math.max(0, view.total - 1)}
      aria-valuenow={step}
      data-testid="timeline"
      {...scrub}
    >
      <svg width={W} height={STRIP_Y + STRIP_H + 24} aria-hidden="true">
        <g ref={g} />
        <g ref={cursor} className="p2p-cursor" pointerEvents="none" />
      </svg>
    </div>
  );
}
