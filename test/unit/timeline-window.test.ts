/**
 * The zooming timeline's data (src/panels/timeline-window.ts): statements over kernel calls over
 * per-page ticks, for any window, drawn per pixel. Checked against the events themselves (eventsOf)
 * on small traces, and for cost on the big presets (spans bounded by the pixels, not the steps).
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  callSpans,
  clampWindow,
  keepVisible,
  MIN_SPAN,
  panWindow,
  statementSpans,
  stepAtPx,
  TICK_PX,
  ticks,
  wholeWindow,
  xOf,
  zoomWindow,
} from "../../src/panels/timeline-window.ts";
import { eventsOf, type Trace } from "../../src/trace/trace.ts";
import { run } from "./helpers.ts";

const lines = (...l: string[]) => `${l.join("\n")}\n`;
const preset = (name: string) =>
  run(readFileSync(resolve(import.meta.dirname, "../../public/presets", name), "utf8"));

/** Spans cover their window in order, without overlap, each inside one statement. */
function checkTiling(
  t: Trace,
  spans: readonly { first: number; end: number; op?: number; count: number }[],
  from: number,
  to: number,
) {
  for (let i = 1; i < spans.length; i++) expect(spans[i]!.first).toBeGreaterThanOrEqual(spans[i - 1]!.end);
  if (spans.length > 0) {
    expect(spans[0]!.first).toBeLessThanOrEqual(Math.max(0, Math.floor(from)));
    expect(spans[spans.length - 1]!.end).toBeGreaterThanOrEqual(Math.min(t.steps, Math.ceil(to)));
  }
  for (const s of spans) {
    // a span standing for several statements (one crowded pixel) belongs to none of them
    if (s.op === undefined || s.op < 0 || s.count > 1) continue;
    const op = t.ops[s.op]!;
    expect(s.first).toBeGreaterThanOrEqual(op.firstStep);
    expect(s.end).toBeLessThanOrEqual(op.lastStep + 1);
  }
}

describe("timeline window (zoom, pan, keep the cursor visible)", () => {
  it("zooms at a step keeping it under the same pixel, down to MIN_SPAN steps, and back to the whole", () => {
    const total = 1_000_000;
    let w = wholeWindow(total);
    const at = 123_456;
    const before = xOf(w, 1000, at);
    for (let i = 0; i < 40; i++) w = zoomWindow(w, 2, at, total);
    expect(w.span).toBe(MIN_SPAN);
    expect(at).toBeGreaterThanOrEqual(w.start);
    expect(at).toBeLessThan(w.start + w.span);
    w = zoomWindow(wholeWindow(total), 2, at, total);
    expect(xOf(w, 1000, at)).toBeCloseTo(before, 6);
    for (let i = 0; i < 40; i++) w = zoomWindow(w, 0.5, at, total);
    expect(w).toEqual(wholeWindow(total));
  });

  it("pans within the trace and clamps at its ends", () => {
    const w = { start: 100, span: 50 };
    expect(panWindow(w, 0.5, 1000)).toEqual({ start: 125, span: 50 });
    expect(panWindow(w, -10, 1000)).toEqual({ start: 0, span: 50 });
    expect(panWindow(w, 100, 1000)).toEqual({ start: 950, span: 50 });
    expect(clampWindow({ start: -5, span: 2 }, 4)).toEqual({ start: 0, span: 4 });
  });

  it("keeps the cursor's step in the window: paging on past an edge, centring after a far jump", () => {
    const w = { start: 100, span: 100 };
    expect(keepVisible(w, 150, 10_000)).toBe(w);
    const next = keepVisible(w, 200, 10_000);
    expect(next.span).toBe(100);
    expect(200).toBeGreaterThanOrEqual(next.start);
    expect(200).toBeLessThan(next.start + next.span);
    expect(next.start).toBeGreaterThan(180); // paged on, the step near the left
    const far = keepVisible(w, 5000, 10_000);
    expect(far.start + far.span / 2).toBeCloseTo(5000.5, 6);
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1e9 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (total, a, b, c) => {
          const span = Math.max(1, b * total);
          const win = clampWindow({ start: a * total, span }, total);
          const step = Math.min(total - 1, Math.floor(c * total));
          const k = keepVisible(win, step, total);
          return (
            step >= k.start && step < k.start + k.span && k.start >= 0 && k.start + k.span <= total + 1e-6
          );
        },
      ),
    );
  });

  it("maps a pixel back to the step drawn there", () => {
    const w = { start: 1000, span: 100 };
    expect(stepAtPx(w, 1000, 0, 5000)).toBe(1000);
    expect(stepAtPx(w, 1000, 505, 5000)).toBe(1050);
    expect(stepAtPx(w, 1000, -50, 5000)).toBe(995);
    expect(stepAtPx(w, 1000, 1e9, 5000)).toBe(4999);
  });
});

describe("timeline lanes: statements over kernel calls over per-page events", () => {
  const t = run(
    lines(
      "kernel upstream",
      "device d 1M",
      "process p",
      "p mmap a d 64K",
      "p fork c",
      "p touch a 0",
      "p munmap a",
      "c exit",
    ),
  );

  it("a statement span per statement, nested spans of kernel calls inside, covering the whole trace", () => {
    const w = wholeWindow(t.steps);
    const px = 100_000; // every step wide: nothing merged
    const st = statementSpans(t, w, px);
    expect(st.map((s) => s.line)).toEqual(t.ops.map((o) => o.line));
    const calls = callSpans(t, w, px);
    checkTiling(t, calls, 0, t.steps);
    // each call span is one function: every event in it names that function (or its loop's body)
    for (const c of calls) {
      const fns = new Set([...eventsOf(t, c.first, c.end)].map((e) => e.fn));
      if (c.loop) expect(c.label.split(" × ")[0]!.split(" + ").sort()).toEqual([...fns].sort());
      else expect([...fns]).toEqual([c.label]);
    }
    // the mmap's insert loop (upstream p2pmem_alloc_mmap -> vm_insert_page per page) is one span
    expect(calls.some((c) => c.loop && c.label.includes("insert_page"))).toBe(true);
  });

  it("per-page ticks only when a step is TICK_PX wide, one per step, with the event's function and page", () => {
    const px = 800;
    expect(ticks(t, wholeWindow(t.steps), px)).toBeNull();
    const w = { start: 20, span: px / TICK_PX };
    const tk = ticks(t, w, px)!;
    const evs = [...eventsOf(t, 20, 20 + px / TICK_PX)];
    expect(tk.map((k) => k.step)).toEqual(evs.map((_, i) => 20 + i));
    expect(tk.map((k) => k.fn)).toEqual(evs.map((e) => e.fn));
    expect(tk.map((k) => k.page)).toEqual(evs.map((e) => ("page" in e ? e.page : null)));
  });

  it("at any window, the spans tile it and stay inside their statement", () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.integer({ min: 50, max: 2000 }),
        (a, b, px) => {
          const w = clampWindow({ start: a * t.steps, span: Math.max(1, b * t.steps) }, t.steps);
          checkTiling(t, callSpans(t, w, px), w.start, w.start + w.span);
          checkTiling(t, statementSpans(t, w, px), w.start, w.start + w.span);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("costs the pixels, not the steps: the eight 32 GiB NPUs and the 1 TiB device, whole and zoomed", () => {
    for (const name of ["big/eight-npus.p2p", "big/tib-device.p2p", "big/million-pages.p2p"]) {
      const big = preset(name);
      expect(big.steps).toBeGreaterThan(9_000_000);
      for (const w of [
        wholeWindow(big.steps),
        { start: big.steps / 3, span: big.steps / 1000 },
        { start: big.steps / 2, span: 100 },
      ]) {
        const px = 1000;
        const calls = callSpans(big, w, px);
        const st = statementSpans(big, w, px);
        expect(calls.length).toBeLessThanOrEqual(2 * px + 2);
        expect(st.length).toBeLessThanOrEqual(2 * px + 2);
        checkTiling(big, calls, w.start, w.start + w.span);
        checkTiling(big, st, w.start, w.start + w.span);
      }
      // zoomed to 100 steps inside a loop of millions: each step a tick with the page it touches
      const mid = ticks(big, { start: Math.floor(big.steps / 2), span: 100 }, 1000)!;
      expect(mid).toHaveLength(100);
    }
  });

  it("a trace of many small statements: a dense span per crowded pixel, still bounded by the pixels", () => {
    const many = ["kernel upstream", "device d 1M", "process p"];
    for (let i = 0; i < 1500; i++) many.push(`p mmap m${i} d 4K`, `p munmap m${i}`);
    const tr = run(lines(...many));
    const w = wholeWindow(tr.steps);
    const st = statementSpans(tr, w, 300);
    const calls = callSpans(tr, w, 300);
    expect(st.length).toBeLessThanOrEqual(600);
    expect(calls.length).toBeLessThanOrEqual(900);
    expect(st.some((s) => s.count > 1)).toBe(true);
    expect(st.reduce((n, s) => n + s.count, 0)).toBe(tr.ops.length);
    checkTiling(tr, calls, 0, tr.steps);
  });
});
