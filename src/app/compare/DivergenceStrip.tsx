/**
 * The aligned timeline of compare mode: one band per statement (as long as the longer side needs),
 * a red mark over every statement where the two sides differ in outcome, and the aligned cursor.
 * Click or drag to move the aligned cursor. React owns the <svg>; D3 owns the <g>s' children.
 */

import { select } from "d3-selection";
import { useEffect, useMemo, useRef } from "react";
import { useScrub, useSize } from "../../panels/common.ts";
import { alignedTotal, type Comparison, statementEnd } from "../../trace/diff.ts";

const PAD = 10;
const BAND_Y = 16;
const BAND_H = 18;
const HEIGHT = BAND_Y + BAND_H + 6;

export interface StripBand {
  readonly key: string;
  readonly index: number;
  readonly first: number;
  /** exclusive */
  readonly end: number;
  readonly line: number;
  readonly text: string;
  readonly diverges: boolean;
}

export interface StripMark {
  readonly key: string;
  readonly index: number;
  readonly line: number;
  readonly first: number;
  readonly end: number;
  readonly aspects: string;
  readonly title: string;
}

export interface StripView {
  readonly total: number;
  readonly bands: readonly StripBand[];
  readonly marks: readonly StripMark[];
}

/** The strip's view model: pure, from the comparison alone. */
export function stripView(c: Comparison): StripView {
  const divergent = new Set(c.divergences.map((d) => d.index));
  const bands: StripBand[] = [];
  for (let i = 0; i < c.statements; i++) {
    const op = c.a.ops[i] ?? c.b.ops[i];
    bands.push({
      key: `s${i}`,
      index: i,
      first: c.starts[i]!,
      end: c.starts[i + 1]!,
      line: op?.line ?? 0,
      text: op?.text ?? "",
      diverges: divergent.has(i),
    });
  }
  const marks: StripMark[] = c.divergences.map((d) => ({
    key: `d${d.index}`,
    index: d.index,
    line: d.line,
    first: c.starts[d.index]!,
    end: statementEnd(c, d.index) + 1,
    aspects: d.aspects.join(", "),
    title: `line ${d.line}: ${d.explanation}`,
  }));
  return { total: alignedTotal(c), bands, marks };
}

export interface DivergenceStripProps {
  readonly comparison: Comparison;
  readonly version: number;
  readonly step: number;
  readonly onScrub: (step: number) => void;
}

export function DivergenceStrip({ comparison, version, step, onScrub }: DivergenceStripProps) {
  const [box, size] = useSize<HTMLDivElement>();
  const g = useRef<SVGGElement>(null);
  const cursor = useRef<SVGGElement>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: the comparison changes with its version
  const view = useMemo(() => stripView(comparison), [version]);
  const W = size.width;
  const total = Math.max(1, view.total);
  const x = (s: number) => PAD + (s / total) * Math.max(1, W - 2 * PAD);

  // biome-ignore lint/correctness/useExhaustiveDependencies: x depends only on W and total
  useEffect(() => {
    if (!g.current || W === 0) return;
    const root = select(g.current);
    const bands = root
      .selectAll<SVGGElement, null>("g.cmp-bands")
      .data([null])
      .join("g")
      .attr("class", "cmp-bands")
      .selectAll<SVGGElement, StripBand>("g.cmp-band")
      .data(view.bands, (b) => b.key)
      .join((enter) => {
        const e = enter.append("g").attr("class", "cmp-band");
        e.append("rect");
        e.append("text");
        e.append("title");
        return e;
      })
      .attr("data-line", (b) => b.line);
    bands
      .select("rect")
      .attr("x", (b) => x(b.first))
      .attr("y", BAND_Y)
      .attr("width", (b) => Math.max(1, x(b.end) - x(b.first)))
      .attr("height", BAND_H)
      .attr("class", (b) => (b.diverges ? "diverges" : b.index % 2 ? "odd" : "even"));
    bands
      .select("text")
      .attr("x", (b) => x(b.first) + 3)
      .attr("y", BAND_Y + 13)
      .text((b) => (x(b.end) - x(b.first) >= 30 ? `L${b.line}` : ""));
    bands.select("title").text((b) => `line ${b.line}: ${b.text}${b.diverges ? " (the sides differ)" : ""}`);

    const marks = root
      .selectAll<SVGGElement, StripMark>("g.cmp-mark")
      .data(view.marks, (m) => m.key)
      .join((enter) => {
        const e = enter.append("g").attr("class", "cmp-mark");
        e.append("path");
        e.append("title");
        return e;
      })
      .attr("data-testid", "divergence-mark")
      .attr("data-line", (m) => m.line)
      .attr("data-aspects", (m) => m.aspects);
    // a downward triangle above the band's end, where the jump lands
    marks.select("path").attr("d", (m) => {
      const cx = Math.max(x(m.first) + 3, x(m.end) - 3);
      return `M${cx - 6},2 h12 l-6,${BAND_Y - 4} Z`;
    });
    marks.select("title").text((m) => m.title);
  }, [view, W]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: x depends only on W and total
  useEffect(() => {
    if (!cursor.current) return;
    const cx = x(step + 0.5);
    select(cursor.current)
      .selectAll<SVGLineElement, null>("line")
      .data([null])
      .join("line")
      .attr("x1", cx)
      .attr("x2", cx)
      .attr("y1", BAND_Y - 4)
      .attr("y2", BAND_Y + BAND_H + 4);
  }, [step, W, total]);

  const scrub = useScrub(view.total, W, PAD, onScrub);

  return (
    <div
      className="divergence-strip"
      ref={box}
      role="slider"
      tabIndex={-1}
      aria-label="aligned timeline: statements, divergences marked; click or drag to move"
      aria-valuemin={0}
      aria-valuemax={Math.max(0, view.total - 1)}
      aria-valuenow={step}
      data-testid="divergence-strip"
      {...scrub}
    >
      <svg width={W} height={HEIGHT} aria-hidden="true">
        <g ref={g} />
        <g ref={cursor} className="cmp-cursor" pointerEvents="none" />
      </svg>
    </div>
  );
}
