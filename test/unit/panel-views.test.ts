import { readdirSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { widestSummary } from "../../src/app/TraceParts.tsx";
import { largestDevicePages } from "../../src/app/TraceView.tsx";
import { pageLook } from "../../src/kernel/state.ts";
import {
  addressView,
  axisPos,
  axisSegments,
  LINK_BUDGET,
  laneBoxes,
  lanesDrawKey,
  leafCount,
  mergeLinks,
  stripsDrawKey,
} from "../../src/panels/AddressPanel.tsx";
import { codeView, KERNEL_CODE } from "../../src/panels/kernel-code.ts";
import { cellTitle, poolSummary, poolView, SVG_MAX_PAGES } from "../../src/panels/PoolPanel.tsx";
import {
  describeChange,
  firstRowBelow,
  refcountView,
  rowElements,
  SHEET_STEP,
  sheetHeight,
} from "../../src/panels/RefcountPanel.tsx";
import { stepAtX, timelineView } from "../../src/panels/TimelinePanel.tsx";
import { DESIGNS } from "../../src/scenario/ast.ts";
import { stateAt } from "../../src/trace/cursor.ts";
import { MODELLED_FUNCTIONS } from "../../src/trace/describe.ts";
import { allEvents, eventAt } from "../../src/trace/trace.ts";
import { final, run, stateAfterLine } from "./helpers.ts";

const lines = (...l: string[]) => `${l.join("\n")}\n`;

describe("poolView", () => {
  it("one cell per page, coloured by pageLook, the changed page flagged", () => {
    const t = run(lines("device d 1M", "process p", "p mmap a d 64K", "p pin io a 0 8K"));
    const step = t.ops[3]!.lastStep;
    const s = stateAt(t, step);
    const [dev] = poolView(s, allEvents(t)[step], 1000);
    expect(dev!.cells).toHaveLength(256);
    expect(dev!.pagesPerCell).toBe(1);
    expect(dev!.cells.map((c) => c.look)).toEqual(
      Array.from({ length: 256 }, (_, p) => pageLook(s.devices[0]!, p)),
    );
    expect(dev!.cells.slice(0, 3).map((c) => c.look)).toEqual(["pinned", "pinned", "mapped"]);
    expect(poolSummary(dev!)).toBe("d: 240 free / 256 pages");
    const gp = allEvents(t).findIndex((e) => e.kind === "genpool-alloc");
    const at = poolView(stateAt(t, gp), allEvents(t)[gp], 1000)[0]!;
    expect(at.cells.filter((c) => c.changed).map((c) => c.first)).toEqual([0]);
  });

  it("a large device gets 2^k pages per cell and shows the most alarming look in each", () => {
    const t = run(lines("device big 64M", "process p", "p mmap a big 8K", "p pin io a 4K 4K"));
    const s = final(t);
    const [dev] = poolView(s, undefined, 1000);
    expect(dev!.pages).toBe(16384);
    expect(dev!.pagesPerCell).toBe(32);
    expect(dev!.cells).toHaveLength(512);
    expect(dev!.cells[0]!.look).toBe("pinned");
    expect(dev!.cells[0]!.counts).toEqual({ mapped: 1, pinned: 1, free: 30 });
    expect(dev!.cells[1]!.look).toBe("free");
    expect(cellTitle(dev!.cells[0]!)).toBe("big pages 0–31: 30 free, 1 mapped, 1 pinned");
  });
});

describe("largestDevicePages (the pool's drawing, chosen once per trace)", () => {
  it("is the scenario's biggest device in pages, known at step 0 before the device exists", () => {
    const t = run(lines("device small 1M", "device big 64M", "process p", "p mmap a big 8K"));
    expect(largestDevicePages(t)).toBe(16384);
    expect(largestDevicePages(t)).toBeGreaterThan(SVG_MAX_PAGES);
    // at the first step the big device is not there yet: the state alone would pick the SVG grid
    expect(stateAt(t, 0).devices.every((d) => d.pages <= SVG_MAX_PAGES)).toBe(true);
    expect(largestDevicePages(run(lines("device d 1M", "process p")))).toBe(256);
    expect(largestDevicePages(run(lines("process p")))).toBe(0);
  });
});

describe("widestSummary (the room the pool summary keeps from the first step)", () => {
  it("is the summary of every device the scenario creates, all pages free, in their order", () => {
    const t = run(lines("device small 1M", "device big 64M", "process p", "p mmap a big 8K"));
    expect(widestSummary(t)).toBe("small: 256 free / 256 pages; big: 16384 free / 16384 pages");
    // at least as long as the summary at any step: no device has more free pages than pages
    for (let s = 0; s < t.steps; s++) {
      const now = stateAt(t, s)
        .devices.map((d) => poolSummary({ name: d.name, free: d.freePages, pages: d.pages }))
        .join("; ");
      expect(widestSummary(t).length).toBeGreaterThanOrEqual(now.length);
    }
    expect(widestSummary(run(lines("process p")))).toBe("");
  });
});

describe("addressView", () => {
  it("axisSegments merges overlaps and keeps addresses in order", () => {
    const segs = axisSegments([
      [0x1000, 0x3000],
      [0x2000, 0x4000],
      [0x100000, 0x101000],
    ]);
    expect(segs).toHaveLength(2);
    expect(segs[0]!.start).toBe(0x1000);
    expect(segs[0]!.end).toBe(0x4000);
    expect(axisPos(segs, 0x1000)).toBe(0);
    expect(axisPos(segs, 0x4000)).toBeLessThan(axisPos(segs, 0x100000));
    expect(axisPos(segs, 0x101000)).toBeCloseTo(1);
  });

  it("upstream: one run of 16 normal PTEs per process; a partial munmap leaves two VMAs", () => {
    const text = lines("device d 1M", "process p", "p mmap a d 64K", "p fork c", "p munmap a 16K 16K");
    const t = run(text);
    const v = addressView(stateAfterLine(t, 4), undefined);
    expect(v.lanes.map((l) => l.name)).toEqual(["p", "c"]);
    for (const l of v.lanes) {
      expect(l.runs).toHaveLength(1);
      expect(l.runs[0]).toMatchObject({ kind: "normal", count: 16, page: 0 });
    }
    const after = addressView(final(t), undefined);
    const p = after.lanes[0]!;
    expect(p.vmas.map((x) => x.pgoff)).toEqual([0, 8]);
    expect(p.vmas[0]!.u1).toBeLessThan(p.vmas[1]!.u0);
    expect(p.vmas[0]!.flags).toEqual(["SHARED", "MAYSHARE", "MIXEDMAP"]);
    expect(p.runs.map((r) => [r.page, r.count])).toEqual([
      [0, 4],
      [8, 8],
    ]);
    // the child still maps all 16 pages, so none went back to the pool
    expect(after.lanes[1]!.runs.map((r) => [r.page, r.count])).toEqual([[0, 16]]);
    expect(after.strips[0]!.runs.map((r) => [r.first, r.count, r.look])).toEqual([[0, 16, "mapped"]]);
  });

  it("seed draws devmap PTEs and remap pfnmap PTEs", () => {
    const text = lines("device d 1M", "process p", "p mmap a d 16K");
    expect(addressView(final(run(text, "seed")), undefined).lanes[0]!.runs.map((r) => r.kind)).toEqual([
      "devmap",
    ]);
    const remap = addressView(final(run(text, "remap")), undefined).lanes[0]!;
    expect(remap.runs.map((r) => r.kind)).toEqual(["pfnmap"]);
    expect(remap.vmas[0]!.flags).toContain("PFNMAP");
  });

  it("a failed mmap leaves a label with no VMA", () => {
    const t = run(lines("device d 1M", "process p", "p mmap a d 64K private"));
    const lane = addressView(final(t), undefined).lanes[0]!;
    expect(lane.vmas).toHaveLength(0);
    expect(lane.labels).toMatchObject([{ name: "a", empty: true }]);
  });
});

describe("refcountView", () => {
  it("groups live pages into rows and names the change at the step", () => {
    const t = run(lines("device d 1M", "process p", "p mmap a d 64K", "p pin io a 0 8K"));
    const v = refcountView(final(t), undefined);
    const pages = v.rows.filter((r) => r.kind === "pages");
    expect(pages.map((r) => [r.what, ...r.values])).toEqual([
      ["pages 0–1", "1025", "1", "1", "1"],
      ["pages 2–15", "1", "1", "1", "0"],
    ]);
    expect(v.rows.find((r) => r.kind === "pin")?.values[0]).toBe("held by p · d pages 0–1");
    const i = allEvents(t).findIndex((e) => e.kind === "page-ref" && e.delta === 1024);
    const at = refcountView(stateAt(t, i), allEvents(t)[i]);
    expect(at.change).toBe(`d page 0: refcount 1 → 1025 (+1024) in ${allEvents(t)[i]!.fn}()`);
    expect(at.rows.filter((r) => r.changed).map((r) => r.what)).toEqual(["page 0"]);
  });

  it("describeChange covers pgmap refs, PTEs and says nothing for notes", () => {
    const t = run(lines("device d 1M", "process p", "p mmap a d 8K"));
    const i = allEvents(t).findIndex((e) => e.kind === "pgref" && e.fn === "devm_memremap_pages");
    expect(describeChange(stateAt(t, i), allEvents(t)[i])).toBe(
      "d pgmap percpu_ref 0 → 257 in devm_memremap_pages()",
    );
    const j = allEvents(t).findIndex((e) => e.kind === "pte-set");
    expect(describeChange(stateAt(t, j), allEvents(t)[j])).toBe(
      `d page 0: PTE set, mapcount 0 → 1 in ${allEvents(t)[j]!.fn}()`,
    );
    const k = allEvents(t).findIndex((e) => e.kind === "result");
    expect(describeChange(stateAt(t, k), allEvents(t)[k])).toBeNull();
  });
});

describe("timelineView", () => {
  it("a band per statement, a mark per refusal and per finding", () => {
    const t = run(
      lines(
        "kernel seed",
        "device d 1M",
        "process p",
        "p mmap a d 16K",
        "p mmap b d 16K private",
        "p munmap a",
      ),
    );
    const v = timelineView(t);
    expect(v.bands).toHaveLength(t.ops.length);
    expect(v.marks.filter((m) => m.kind === "errno").map((m) => m.label)).toEqual(["EINVAL"]);
    expect(v.marks.filter((m) => m.kind === "finding").length).toBe(t.findings.length);
    expect(t.findings.length).toBeGreaterThan(0);
  });

  it("stepAtX maps pixels to steps and clamps", () => {
    expect(stepAtX(10, 1010, 10, 100)).toBe(0);
    expect(stepAtX(510, 1010, 10, 100)).toBe(50);
    expect(stepAtX(5000, 1010, 10, 100)).toBe(99);
    expect(stepAtX(-5, 1010, 10, 100)).toBe(0);
  });
});

describe("kernel code table", () => {
  it("has an excerpt for every modelled function, with highlighted lines inside it", () => {
    for (const fn of MODELLED_FUNCTIONS) {
      const ex = KERNEL_CODE[fn];
      expect(ex, fn).toBeDefined();
      expect(ex!.hl).toBeLessThan(ex!.lines.length);
      for (const i of Object.values(ex!.at ?? {})) expect(i, fn).toBeLessThan(ex!.lines.length);
    }
  });

  it("every function the engine emits for the presets, under every design, has an excerpt", () => {
    const dir = resolve(import.meta.dirname, "../../public/presets");
    const seen = new Set<string>();
    for (const f of readdirSync(dir).filter((x) => x.endsWith(".p2p"))) {
      const text = readFileSync(resolve(dir, f), "utf8");
      for (const d of DESIGNS) for (const e of allEvents(run(text, d))) seen.add(e.fn);
    }
    const missing = [...seen].filter((fn) => !KERNEL_CODE[fn]);
    expect(missing).toEqual([]);
    expect(seen.size).toBeGreaterThan(20);
  });

  it("codeView picks the per-kind line", () => {
    const base = { result: "ok", design: "upstream" as const, stmt: undefined, faulted: false };
    const ev = (fn: string, kind: string) => ({ ...base, event: { fn, kind, line: 1 } as never });
    expect(codeView(ev("insert_page", "page-ref")).hl).toBe(2);
    expect(codeView(ev("insert_page", "pte-set")).hl).toBe(5);
    expect(codeView(ev("nope", "note"))).toEqual({ fn: "nope", lines: [], hl: -1 });
  });
});

describe("address panel at scale (AddressPanel.tsx: mergeLinks, laneBoxes)", () => {
  // a process mapping 200 small regions alternately from two devices, then 12 children
  const many = ["kernel upstream", "device d0 64M", "device d1 64M", "process p"];
  for (let i = 0; i < 200; i++) many.push(`p mmap m${i} d${i % 2} ${4 * (1 + (i % 4))}K`);
  for (let i = 0; i < 200; i += 3) many.push(`p munmap m${i}`);
  for (let c = 0; c < 12; c++) many.push(`p fork c${c}`);
  const view = addressView(final(run(lines(...many))), undefined);
  const x = (u: number) => 92 + u * 800;

  it("merges a lane's PTE runs into at most LINK_BUDGET links, each run in exactly one, per device and kind", () => {
    const lane = view.lanes[0]!;
    expect(lane.runs.length).toBeGreaterThan(LINK_BUDGET);
    const links = mergeLinks(0, lane.runs, x);
    expect(links.length).toBeLessThanOrEqual(LINK_BUDGET);
    expect(links.reduce((n, l) => n + l.runs, 0)).toBe(lane.runs.length);
    expect(links.reduce((n, l) => n + l.ptes, 0)).toBe(lane.runs.reduce((n, r) => n + r.count, 0));
    for (const l of links) {
      const inside = lane.runs.filter((r) => r.vpn >= l.vpn && r.vpn < l.vpn + l.span && r.dev === l.dev);
      expect(inside.length).toBe(l.runs);
      for (const r of inside) {
        expect(r.kind).toBe(l.kind);
        expect(r.page).toBeGreaterThanOrEqual(l.page);
        expect(r.page + r.count).toBeLessThanOrEqual(l.pageEnd);
      }
    }
    // both devices keep their own links, and merged runs with gaps between their pages say so
    expect(new Set(links.map((l) => l.dev))).toEqual(new Set([0, 1]));
    expect(links.some((l) => l.runs > 1 && l.scattered)).toBe(true);
  });

  it("leaves every run its own link under the budget", () => {
    const small = addressView(
      final(run(lines("device d 1M", "process p", "p mmap a d 64K", "p munmap a 16K 16K"))),
      undefined,
    );
    const links = mergeLinks(0, small.lanes[0]!.runs, x);
    expect(links.map((l) => [l.page, l.ptes, l.runs, l.scattered])).toEqual([
      [0, 4, 1, false],
      [8, 8, 1, false],
    ]);
  });

  it("opens lanes while they fit, the event's process first and always; the user's choice wins", () => {
    const lanes = view.lanes;
    expect(lanes).toHaveLength(13);
    const all = laneBoxes(lanes, new Map(), null, 13 * 40);
    expect(all.boxes.every((b) => !b.folded)).toBe(true);
    expect(all.height).toBe(13 * 40);
    const tight = laneBoxes(lanes, new Map(), lanes[5]!.proc, 300);
    expect(tight.boxes[5]!.folded).toBe(false);
    expect(tight.height).toBeLessThanOrEqual(300);
    expect(tight.boxes.filter((b) => !b.folded).length).toBeGreaterThan(1);
    const none = laneBoxes(lanes, new Map(), lanes[7]!.proc, 0);
    expect(none.boxes.map((b) => !b.folded)).toEqual(lanes.map((_, i) => i === 7));
    const chosen = laneBoxes(
      lanes,
      new Map([
        [lanes[7]!.name, true],
        [lanes[2]!.name, false],
      ]),
      lanes[7]!.proc,
      0,
    );
    expect(chosen.boxes[7]!.folded).toBe(true);
    expect(chosen.boxes[2]!.folded).toBe(false);
    // boxes stack without overlap
    for (let i = 1; i < chosen.boxes.length; i++)
      expect(chosen.boxes[i]!.y).toBe(chosen.boxes[i - 1]!.y + chosen.boxes[i - 1]!.h);
  });
});

describe("sheetHeight (the refcount drawing's height)", () => {
  it("is the table's height rounded up to a whole step, so a row more or less leaves it alone", () => {
    expect(sheetHeight(0)).toBe(SHEET_STEP);
    expect(sheetHeight(84)).toBe(SHEET_STEP);
    expect(sheetHeight(104)).toBe(SHEET_STEP);
    expect(sheetHeight(SHEET_STEP)).toBe(SHEET_STEP);
    expect(sheetHeight(SHEET_STEP + 1)).toBe(2 * SHEET_STEP);
    for (const h of [20, 480, 1234, 99999]) expect(sheetHeight(h)).toBeGreaterThanOrEqual(h);
  });
});

describe("address panel layers (AddressPanel.tsx: lanesDrawKey, stripsDrawKey, leafCount)", () => {
  // 4 GiB mapped on a 32 GiB device: a million-page insert loop, then a partial munmap
  const t = run(lines("device d 32G", "process p", "p mmap a d 4G", "p munmap a 0 1G"));
  const x = (u: number) => 92 + u * 800;
  const drawn = (step: number) => {
    const v = addressView(stateAt(t, step), eventAt(t, step));
    const { boxes } = laneBoxes(v.lanes, new Map(), null, 400);
    return {
      lanes: lanesDrawKey(v, boxes, x, 800),
      strips: stripsDrawKey(v.strips, x, 300),
      rss: v.lanes[0]!.rss,
    };
  };

  it("a step inside the insert loop keeps the lanes' and strips' keys (nothing they draw moves a pixel)", () => {
    const mmap = t.ops[2]!;
    const mid = Math.floor((mmap.firstStep + mmap.lastStep) / 2);
    const steps = [0, 1, 2, 3, 4, 5].map((k) => drawn(mid + k));
    expect(new Set(steps.map((d) => d.rss)).size).toBeGreaterThan(1); // the loop is inserting pages
    for (const d of steps) {
      expect(d.lanes).toBe(steps[0]!.lanes);
      expect(d.strips).toBe(steps[0]!.strips);
    }
  });

  it("a change that shows gives new keys: the munmap splits the VMA and frees a quarter of the strip", () => {
    const mmap = t.ops[2]!;
    const before = drawn(mmap.lastStep);
    const after = drawn(t.steps - 1);
    expect(after.lanes).not.toBe(before.lanes);
    expect(after.strips).not.toBe(before.strips);
    // and the same state drawn wider is drawn again
    const v = addressView(stateAt(t, t.steps - 1), undefined);
    const { boxes } = laneBoxes(v.lanes, new Map(), null, 400);
    expect(lanesDrawKey(v, boxes, (u) => 92 + u * 900, 900)).not.toBe(lanesDrawKey(v, boxes, x, 800));
  });

  it("a ribbon keeps its key while a zap loop shrinks its run from the front (no fade out and in each step)", () => {
    // the munmap splits the VMA, then zaps its first 1 GiB page by page (then frees the pages)
    const mid = t.ops[3]!.firstStep + 100;
    const linksAt = (step: number) =>
      mergeLinks(0, addressView(stateAt(t, step), eventAt(t, step)).lanes[0]!.runs, x);
    const first = linksAt(mid);
    expect(first.map((l) => l.key)).toEqual(["0:0:normal:0"]);
    const later = linksAt(mid + 6);
    expect(later[0]!.vpn).toBeGreaterThan(first[0]!.vpn); // the run did shrink from its front
    expect(later.map((l) => l.key)).toEqual(first.map((l) => l.key));
  });

  it("leafCount counts a link's leaves from the pages it maps", () => {
    expect(leafCount({ kind: "pmd", ptes: 32 * 512 }, 4096)).toBe("leaves (32, one entry each)");
    expect(leafCount({ kind: "pud", ptes: 262144 }, 4096)).toBe("leaf (one entry)");
  });
});

describe("refcount rows' elements (rowElements)", () => {
  const at = (keys: string[]) => {
    const top = new Map(keys.map((k, i) => [k, 20 * (i + 1)]));
    return { rows: keys.map((key) => ({ key })), top: (k: string) => top.get(k)! };
  };
  it("a device's stretches are drawn in place: the rows of a kernel loop's step reuse their elements", () => {
    // inside vm_insert_page x 8,388,608 on d0: pages 0-4 mapped, page 5 just changed, 6- free
    const a = at(["d0", "d0p0", "d0p5", "d0p6", "m1"]);
    const first = rowElements(a.rows, a.top, { element: new Map(), top: new Map() });
    expect(Object.fromEntries(first.element)).toEqual({
      d0: "d0",
      d0p0: "d0p0",
      d0p5: "d0p5",
      d0p6: "d0p6",
      m1: "m1",
    });
    // the next step: page 6 changed, 7- free; every stretch element stays where it stood
    const b = at(["d0", "d0p0", "d0p6", "d0p7", "m1"]);
    const next = rowElements(b.rows, b.top, first);
    expect(Object.fromEntries(next.element)).toEqual({
      d0: "d0",
      d0p0: "d0p0",
      d0p6: "d0p5",
      d0p7: "d0p6",
      m1: "m1",
    });
    // one stretch more: the mapping's row keeps its element and moves down, a new element below
    const c = at(["d0", "d0p0", "d0p6", "d0p7", "d0p9", "m1"]);
    const more = rowElements(c.rows, c.top, next);
    expect(more.element.get("m1")).toBe("m1");
    expect(more.top.get("m1")).toBe(120);
    expect(more.element.get("d0p9")).toBe("d0p9");
    expect(new Set(more.element.values()).size).toBe(6);
    // a stretch of another device never takes a place of d0's, and no element serves two rows
    const d = at(["d1", "d1p0", "d0p6", "d0p7", "d0p9", "m1"]);
    const other = rowElements(d.rows, d.top, more);
    expect(other.element.get("d1p0")).toBe("d1p0");
    expect(other.element.get("d0p6")).toBe("d0p5");
    expect(new Set(other.element.values()).size).toBe(6);
  });
});

describe("refcount table window", () => {
  it("firstRowBelow finds the last row starting at or above a y, over rows of one and two lines", () => {
    // header 0-20, rows at 20, 40, 80 (a two-line folio row at 40), table bottom 100
    const tops = [20, 40, 80, 100];
    expect([-500, 0, 20, 39, 40, 79, 80, 99, 100, 5000].map((y) => firstRowBelow(tops, y))).toEqual([
      0, 0, 0, 0, 1, 1, 2, 2, 2, 2,
    ]);
    expect(firstRowBelow([20], 50)).toBe(0); // no rows
  });
});
