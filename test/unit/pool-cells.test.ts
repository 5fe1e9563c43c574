import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { pageLook } from "../../src/kernel/state.ts";
import { LOOK_BY_CODE, LOOK_CODE, LOOK_RANK } from "../../src/panels/common.ts";
import {
  cellCountsText,
  cellOf,
  maxZoom,
  NLOOK,
  PoolCellCache,
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

describe("PoolCellCache (the pool grid's cells, reused across steps)", () => {
  const eight = lines(
    "device a 1G",
    "device b 1G",
    "process p",
    "p mmap m a 1G",
    "p mmap n b 64M",
    "p fork c",
    "p munmap m 0 512M",
    "c exit",
  );

  it("property: over any walk of steps and windows, the cache gives exactly poolCells()", () => {
    const t = run(eight);
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            step: fc.integer({ min: 0, max: t.steps - 1 }),
            near: fc.boolean(),
            z: fc.integer({ min: 0, max: 12 }),
            center: fc.double({ min: 0, max: 1, noNaN: true }),
          }),
          { minLength: 1, maxLength: 12 },
        ),
        (walk) => {
          const cache = new PoolCellCache();
          let last = 0;
          for (const { step, near, z, center } of walk) {
            // half the moves are single steps, as a person stepping through a loop
            const at = near ? Math.min(t.steps - 1, last + 1) : step;
            last = at;
            const s = stateAt(t, at);
            for (const d of s.devices) {
              const w = poolWindow(d.pages, 400, 2 ** z, center);
              const got = cache.cells(d, w);
              const want = poolCells(d, w);
              expect({ ...got, look: Array.from(got.look), counts: Array.from(got.counts) }).toEqual({
                ...want,
                look: Array.from(want.look),
                counts: Array.from(want.counts),
              });
            }
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it("inside a kernel loop, rebuilds only the device whose page looks changed", () => {
    const t = run(eight);
    const cache = new PoolCellCache();
    // a step inside `p mmap m a 1G`: the pages of a change, b's do not
    const op = t.ops.find((o) => o.text === "p mmap m a 1G")!;
    const mid = Math.floor((op.firstStep + op.lastStep) / 2);
    const before = stateAt(t, mid);
    const w = (pages: number) => poolWindow(pages, 400, 1, 0.5);
    const a0 = cache.cells(before.devices[0]!, w(before.devices[0]!.pages));
    const b0 = cache.cells(before.devices[1]!, w(before.devices[1]!.pages));
    const after = stateAt(t, mid + 1);
    expect(cache.cells(after.devices[1]!, w(after.devices[1]!.pages))).toBe(b0);
    // the same step, asked again: the same grid
    const a1 = cache.cells(after.devices[0]!, w(after.devices[0]!.pages));
    expect(cache.cells(after.devices[0]!, w(after.devices[0]!.pages))).toBe(a1);
    // a zoom is another window: a new grid
    expect(cache.cells(after.devices[1]!, poolWindow(after.devices[1]!.pages, 400, 4, 0.5))).not.toBe(b0);
    expect(a0.n).toBe(a1.n);
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
