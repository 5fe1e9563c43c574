/**
 * The views of large folios (issue 13 item 3), as view models without a browser: the pool's folio
 * blocks, the refcount panel's folio rows, the address panel's PMD/PUD links and the sentences for
 * folio events. Scenarios are huge.md §7's golden ones; each test is named after the kernel function
 * whose effect it shows.
 */
import { describe, expect, it } from "vitest";
import { addressView } from "../../src/panels/AddressPanel.tsx";
import { folioText, poolView } from "../../src/panels/PoolPanel.tsx";
import {
  cellSize,
  folioLabel,
  folioRect,
  foliosIn,
  hasFolios,
  poolCells,
  poolWindow,
  pow2AtMost,
} from "../../src/panels/pool-cells.ts";
import { describeChange, pageDetail, refcountView } from "../../src/panels/RefcountPanel.tsx";
import { stateAt } from "../../src/trace/cursor.ts";
import { eventsOf } from "../../src/trace/trace.ts";
import { lines, run, stateAfterLine } from "./helpers.ts";

const PMD = lines(
  "kernel huge",
  "device d 4M",
  "process p",
  "p mmap a d 2M",
  "p pin io a 0 8K",
  "p munmap a",
);
const PUD = lines(
  "kernel huge",
  "device d 4G",
  "process p",
  "p mmap a d 1G",
  "p mmap b d 3G",
  "p pin io a 4K 4K",
);

describe("pool: a large folio is one block", () => {
  it("zone_device_folio_init (golden 1, 7): the PMD folio of pages 0-511 with its head's refcount, entire mapcount and pincount", () => {
    const t = run(PMD);
    const s = stateAfterLine(t, 5); // after the pin
    const d = s.devices[0]!;
    expect(hasFolios(d)).toBe(true);
    expect(foliosIn(d, 0, d.pages, 1, 100)).toEqual([
      { head: 0, order: 9, pages: 512, refcount: 3, mapcount: 1, pincount: 2, look: 3 /* pinned */ },
    ]);
    const [view] = poolView(s, undefined, 4096);
    expect(view!.folios.map((f) => [f.head, f.order])).toEqual([[0, 9]]);
    expect(folioText(view!.folios[0]!, s.pageSize)).toBe(
      "folio pages 0–511 (order 9, 2 MiB): refcount 3, entire mapcount 1, pincount 2",
    );
    expect(folioLabel(view!.folios[0]!, 400)).toBe("order 9 · ref 3 · map 1 · pin 2");
    expect(folioLabel(view!.folios[0]!, 140)).toBe("O9 ref 3 map 1 pin 2");
    expect(folioLabel(view!.folios[0]!, 20)).toBe("O9");
    // munmap while pinned: the folio stays whole (pin-holds-folio), no longer mapped
    const after = stateAfterLine(t, 6).devices[0]!;
    expect(foliosIn(after, 0, after.pages, 1, 100)).toMatchObject([
      { head: 0, refcount: 2, mapcount: 0, pincount: 2 },
    ]);
    // an upstream mapping has no large folio
    const up = stateAfterLine(run(PMD.replace("kernel huge", "kernel upstream")), 5).devices[0]!;
    expect(hasFolios(up)).toBe(false);
    expect(foliosIn(up, 0, up.pages, 1, 100)).toEqual([]);
  });

  it("insert_pud (golden 9): four 1 GiB folios; cells of more pages than a folio show no block, zoomed in they do", () => {
    const s = stateAfterLine(run(PUD), 6);
    const d = s.devices[0]!;
    const all = foliosIn(d, 0, d.pages, 1, 100);
    expect(all.map((f) => [f.head, f.order, f.refcount, f.pincount])).toEqual([
      [0, 18, 2, 1],
      [262144, 18, 1, 0],
      [524288, 18, 1, 0],
      [786432, 18, 1, 0],
    ]);
    expect(foliosIn(d, 0, d.pages, 262144, 100)).toEqual([]); // a cell holds a whole folio: no block
    expect(foliosIn(d, 262144, 524288, 1, 100).map((f) => f.head)).toEqual([262144]);
    // a window inside a folio still shows it (its block fills the window)
    expect(foliosIn(d, 1000, 2000, 1, 100).map((f) => f.head)).toEqual([0]);
    expect(foliosIn(d, 1, d.pages, 1, 100).map((f) => f.head)).toEqual([0, 262144, 524288, 786432]);
    expect(foliosIn(d, 0, d.pages, 1, 2)).toHaveLength(2);
  });

  it("power-of-two columns make every aligned folio a rectangle of cells", () => {
    expect(pow2AtMost(100)).toBe(64);
    expect(pow2AtMost(1)).toBe(1);
    expect(pow2AtMost(0)).toBe(0);
    const { cols } = cellSize(1024, 600, 190, true);
    expect(cols & (cols - 1)).toBe(0);
    expect(cellSize(1024, 600, 190, true).size * Math.ceil(1024 / cols)).toBeLessThanOrEqual(190);
    // a 512-page folio in a 64-column grid of pages: 8 whole rows; a 16-page one: part of a row
    expect(folioRect({ head: 512, pages: 512 }, 0, 1, 64)).toEqual({ col: 0, row: 8, w: 64, h: 8 });
    expect(folioRect({ head: 48, pages: 16 }, 0, 1, 64)).toEqual({ col: 48, row: 0, w: 16, h: 1 });
    // 1 GiB folios at 1024 pages per cell in 64 columns: 256 cells, 4 rows each
    expect(folioRect({ head: 262144, pages: 262144 }, 0, 1024, 64)).toEqual({ col: 0, row: 4, w: 64, h: 4 });
    // zoomed in to pages 4096-8191 of a 1 GiB folio (64 columns, 64 rows): the block fills the window
    expect(folioRect({ head: 0, pages: 262144 }, 4096, 1, 64, 64)).toEqual({ col: 0, row: 0, w: 64, h: 64 });
    // the canvas window of a PUD device: its cells count the folio's pages
    const d = stateAfterLine(run(PUD), 5).devices[0]!;
    const g = poolCells(d, poolWindow(d.pages, 1024, 1, 0.5));
    expect(g.ppc).toBe(1024);
    expect(Array.from(g.counts).reduce((a, b) => a + b, 0)).toBe(d.pages);
  });
});

describe("refcounts: folio rows", () => {
  it("try_grab_folio (golden 7): one folio row, refcount 3 · entire mapcount 1 · pincount 2; the pinned head 3, the tail 0", () => {
    const t = run(PMD);
    const v = refcountView(stateAfterLine(t, 5), undefined);
    const rows = v.rows.filter((r) => r.kind === "folio" || r.kind === "pages");
    expect(rows.map((r) => [r.kind, r.what, ...r.values])).toEqual([
      ["folio", "folio 0–511 · order 9 (2 MiB)", "refcount 3 · entire mapcount 1 · pincount 2"],
      ["pages", "page 0", "3", "1", "1", "1"],
      ["pages", "page 1", "0", "1", "1", "1"],
    ]);
    expect(rows[0]!.lines).toBe(2);
    expect(pageDetail(stateAfterLine(t, 5), 0, 7)).toContain(
      "tail: refcount 0): mapped · in folio 0–511 (order 9): refcount 3 · entire mapcount 1 · pincount 2",
    );
  });

  it("gup_put_folio: the unpin frees the whole folio, and its row goes", () => {
    const t = run(`${PMD}unpin io\n`);
    const v = refcountView(stateAt(t, t.steps - 1), undefined);
    expect(v.rows.filter((r) => r.kind === "folio")).toEqual([]);
  });

  it("folio events in words: zone_device_folio_init, insert_pmd, try_grab_folio, p2pdma_folio_free", () => {
    const t = run(`${PMD}unpin io\n`);
    const said: string[] = [];
    let step = 0;
    for (const e of eventsOf(t)) {
      if (["folio-init", "leaf-set", "folio-ref", "folio-free", "leaf-clear"].includes(e.kind)) {
        said.push(describeChange(stateAt(t, step), e) ?? "");
      }
      step++;
    }
    expect(said).toContain(
      "d pages 0–511 formed into one order-9 folio, refcount 0 → 1 in zone_device_folio_init()",
    );
    expect(said).toContain("d folio 0–511: PMD leaf set, entire mapcount 0 → 1 in insert_pmd()");
    expect(said).toContain("d folio 0–511: refcount 1 → 3, pincount 0 → 2 in try_grab_folio()");
    expect(said).toContain("d folio 0–511: PMD leaf cleared, entire mapcount 1 → 0 in zap_huge_pmd()");
    expect(said).toContain("d folio 0–511: refcount 2 → 0, pincount 2 → 0 in gup_put_folio()");
    expect(said[said.length - 1]).toBe(
      "d folio 0–511 (order 9) returned to the genpool whole in p2pdma_folio_free()",
    );
  });
});

describe("address spaces: PMD/PUD leaves", () => {
  it("insert_pud (golden 9): 1 + 3 PUD leaves are four links of 262,144 pages each, not one merged run", () => {
    const v = addressView(stateAfterLine(run(PUD), 5), undefined);
    const runs = v.lanes[0]!.runs;
    expect(runs.map((r) => [r.kind, r.count])).toEqual([
      ["pud", 262144],
      ["pud", 262144],
      ["pud", 262144],
      ["pud", 262144],
    ]);
    expect(new Set(runs.map((r) => r.page))).toEqual(new Set([0, 262144, 524288, 786432]));
  });

  it("insert_pmd: 511 PMD leaves of a 1022M mapping stay one link (more than 256 in a run)", () => {
    const s = stateAfterLine(run(lines("kernel huge", "device d 4G", "process p", "p mmap a d 1022M")), 4);
    const runs = addressView(s, undefined).lanes[0]!.runs;
    expect(runs).toHaveLength(1);
    expect(runs[0]!.kind).toBe("pmd");
    expect(runs[0]!.count).toBe(511 * 512);
  });
});
