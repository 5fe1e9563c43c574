import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { pageLook } from "../../src/kernel/state.ts";
import { LOOK_BY_CODE, LOOK_CODE, LOOK_RANK } from "../../src/panels/common.ts";
import {
  cellCountsText,
  cellOf,
  maxZoom,
  NLOOK,
  poolCells,
  poolColumns,
  poolWindow,
} from "../../src/panels/pool-cells.ts";
import { stateAt } from "../../src/trace/cursor.ts";
import { final, run } from "./helpers.ts";

const lines = (...l: string[]) => `${l.join("\n")}\n`;

describe("poolWindow", () => {
  it("zoom 1 shows the whole device; each doubling halves the pages shown, down to one page per cell", () => {
    const pages = 8 * 1024 * 1024; // 32 GiB of 4 KiB pages
    const w1 = poolWindow(pages, 5000, 1, 0.5);
    expect(w1.first).toBe(0);
    expect(w1.ppc * w1.n).toBeGreaterThanOrEqual(pages);
    expect(w1.n).toBeLessThanOrEqual(5000);
    const top = maxZoom(pages, 5000);
    const wMax = poolWindow(pages, 5000, top, 0.5);
    expect(wMax.ppc).toBe(1);
    expect(wMax.first).toBeLessThanOrEqual(pages / 2);
    expect(wMax.first + wMax.n).toBeGreaterThan(pages / 2);
    expect(poolWindow(pages, 5000, top / 2, 0.5).ppc).toBe(2);
  });

  it("property: the window stays inside the device, aligned, and holds the centre page", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1 << 28 }),
        fc.integer({ min: 1, max: 20000 }),
        fc.integer({ min: 0, max: 30 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (pages, cap, z, center) => {
          const w = poolWindow(pages, cap, 2 ** z, center);
          expect(w.n).toBeLessThanOrEqual(cap);
          expect(w.first % w.ppc).toBe(0);
          expect(w.first).toBeGreaterThanOrEqual(0);
          expect(w.first).toBeLessThan(pages);
          expect(w.first + (w.n - 1) * w.ppc).toBeLessThan(pages);
          const mid = Math.min(pages - 1, Math.floor(center * pages));
          if (w.ppc * w.n >= Math.ceil(pages / 2 ** z)) expect(cellOf(w, mid)).toBeGreaterThanOrEqual(0);
        },
      ),
    );
  });
});

describe("poolCells (from PageRuns, pageLook per page)", () => {
  it("property: a cell's counts are the pageLook() of the pages inside it, and it shows the most alarming", () => {
    const t = run(
      lines(
        "device d 1M",
        "process p",
        "p mmap a d 64K",
        "p pin io a 8K 8K",
        "p mmap b d 32K",
        "p munmap a",
        "p fork q",
      ),
      "seed",
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: t.steps - 1 }),
        fc.integer({ min: 1, max: 300 }),
        fc.integer({ min: 0, max: 9 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (step, cap, z, center) => {
          const s = stateAt(t, step);
          const d = s.devices[0]!;
          const w = poolWindow(d.pages, cap, 2 ** z, center);
          const g = poolCells(d, w);
          for (let c = 0; c < g.n; c++) {
            const want = new Array(NLOOK).fill(0);
            for (let p = g.first + c * g.ppc; p < Math.min(d.pages, g.first + (c + 1) * g.ppc); p++)
              want[LOOK_CODE[pageLook(d, p)]]++;
            expect(Array.from(g.counts.subarray(c * NLOOK, (c + 1) * NLOOK))).toEqual(want);
            const shown = LOOK_BY_CODE[g.look[c]!]!;
            for (let code = 0; code < NLOOK; code++)
              if (want[code] > 0)
                expect(LOOK_RANK[shown]).toBeGreaterThanOrEqual(LOOK_RANK[LOOK_BY_CODE[code]!]);
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it("a 32 GiB device mapped whole: cells cost the runs and cells, not the 8M pages", () => {
    const t = run(lines("device npu0 32G", "process p", "p mmap a npu0 32G", "p pin io a 4K 4K"));
    const d = final(t).devices[0]!;
    expect(d.pages).toBe(8 * 1024 * 1024);
    const w = poolWindow(d.pages, 5000, 1, 0.5);
    const t0 = performance.now();
    const g = poolCells(d, w);
    const ms = performance.now() - t0;
    let total = 0;
    for (const k of g.counts) total += k;
    expect(total).toBe(d.pages);
    expect(LOOK_BY_CODE[g.look[0]!]).toBe("pinned"); // page 1 is pinned: the aggregate shows it
    expect(cellCountsText(g, 0)).toBe(`1 pinned, ${g.ppc - 1} mapped`);
    expect(LOOK_BY_CODE[g.look[1]!]).toBe("mapped");
    expect(ms).toBeLessThan(50);
  });
});

describe("poolColumns", () => {
  it("keeps 16 px gaps where columns of 40 px fit, narrows the gaps then the columns on a phone", () => {
    // eight devices in the pool panel at 1280x800 (about 600 px): as before, 16 px gaps
    expect(poolColumns(600, 8)).toEqual({ colWidth: (600 - 7 * 16) / 8, gap: 16 });
    // on a phone (360 px): the eight columns fit, none cut off
    const phone = poolColumns(360, 8);
    expect(phone.gap).toBeLessThan(16);
    expect(8 * phone.colWidth + 7 * phone.gap).toBeCloseTo(360);
    expect(phone.colWidth).toBeGreaterThanOrEqual(24);
    // too narrow even for that: 24 px columns and 4 px gaps (the panel clips the rest)
    expect(poolColumns(100, 8)).toEqual({ colWidth: 24, gap: 4 });
    expect(poolColumns(300, 1)).toEqual({ colWidth: 300, gap: 16 });
  });

  it("never overflows a width that 24 px columns with 4 px gaps fit in", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 16 }), fc.integer({ min: 0, max: 4000 }), (n, w) => {
        const { colWidth, gap } = poolColumns(w, n);
        if (24 * n + 4 * (n - 1) <= w) expect(n * colWidth + (n - 1) * gap).toBeLessThanOrEqual(w + 1e-9);
        expect(colWidth).toBeGreaterThanOrEqual(24);
        expect(gap).toBeGreaterThanOrEqual(4);
        expect(gap).toBeLessThanOrEqual(16);
      }),
    );
  });
});
