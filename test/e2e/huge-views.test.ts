/**
 * The huge-folio designs (issue 13, huge.md) as a person sees them in Chromium: stepping through a
 * PUD mmap and a pinned 1 GiB folio (the pool grid's folio blocks, the refcount panel's folio row,
 * one PUD link, the change sentence of every step against the engine run in node), a fork that does
 * not share its PMD leaf, a pinned PMD folio drawn as one block that munmap cannot free, and the
 * proposal badge in place of "checked against Linux", and the refcount table of the RFC's 256 folios
 * (only the rows in sight drawn, scrolling to the last, all of them for an export). No console error.
 */

import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { Page } from "playwright-core";
import { describe, expect, inject, it } from "vitest";
import { foliosIn } from "../../src/panels/pool-cells.ts";
import { describeChange } from "../../src/panels/RefcountPanel.tsx";
import { encodeShareLink, type ShareState } from "../../src/share/codec.ts";
import { stateAt } from "../../src/trace/cursor.ts";
import { describeEvent } from "../../src/trace/describe.ts";
import { eventAt, type Trace } from "../../src/trace/trace.ts";
import { poolSummaryAt, traceOf } from "./expected.ts";
import {
  choosePreset,
  currentStep,
  focusBody,
  openApp,
  presetText,
  ROOT,
  shot,
  withBrowser,
} from "./harness.ts";

withBrowser();

function linkOf(state: ShareState): string {
  const r = encodeShareLink(state, { base: inject("baseUrl") });
  if (!r.ok) throw new Error(r.error.message);
  return r.url;
}

async function goTo(page: Page, state: ShareState): Promise<void> {
  await page.goto(linkOf(state));
  await expect.poll(() => currentStep(page), { timeout: 15_000 }).toBe(state.step);
}

const opOn = (t: Trace, line: number) => {
  const op = t.ops.find((o) => o.line === line);
  if (!op) throw new Error(`no statement on line ${line}`);
  return op;
};

/** The refcount panel's folio rows, as text. */
const folioRows = (page: Page) =>
  page.locator('g.p2p-ref-row[data-row="folio"]').evaluateAll((gs) => gs.map((g) => g.textContent ?? ""));

/** The change sentence the refcount panel shows. */
const change = async (page: Page) => (await page.getByTestId("refcount-change").textContent()) ?? "";

describe("huge designs in the app", () => {
  it("pin-holds-1g-folio.p2p: a PUD mmap step by step, then one pinned page holding the 1 GiB folio through munmap and unbind", async () => {
    const file = "huge/pin-holds-1g-folio.p2p";
    const text = presetText(file);
    const t = traceOf(text);
    const app = await openApp({ reducedMotion: true });
    const { page } = app;
    try {
      await choosePreset(page, file);
      // a proposal: no "checked against Linux" badge, the proposal's own, linked to the review
      await expect
        .poll(() => page.getByTestId("proposal-badge").textContent())
        .toBe("proposal, not merged; modelled from the review");
      expect(await page.getByTestId("proposal-evidence").getAttribute("href")).toMatch(
        /^https:\/\/lore\.kernel\.org\/linux-pci\//,
      );
      expect(await page.getByTestId("real-badge").count()).toBe(0);

      // the last steps of the mmap, one by one: what each changed, said as the engine says it
      const mmap = opOn(t, 7);
      const from = mmap.lastStep - 6;
      await goTo(page, { text, step: from });
      await focusBody(page);
      const grid = page.getByTestId("pool-grid");
      let sawLeaf = false;
      for (let step = from; step <= mmap.lastStep; step++) {
        if (step > from) await page.keyboard.press("ArrowRight");
        await expect.poll(() => currentStep(page)).toBe(step);
        const ev = eventAt(t, step);
        const want = describeChange(stateAt(t, step), ev) ?? "No counter changes at this step.";
        await expect.poll(() => change(page)).toBe(want);
        if (ev?.kind === "leaf-set") sawLeaf = true;
      }
      expect(sawLeaf).toBe(true);
      // after the mmap: one order-18 folio, ref 1, entire mapcount 1, one PUD link, 1 GiB allocated
      await expect.poll(() => grid.getAttribute("data-folios")).toBe("0:18:1:1:0");
      expect(await folioRows(page)).toEqual([
        "folio 0–262143 · order 18 (1 GiB)refcount 1 · entire mapcount 1 · pincount 0",
      ]);
      expect(await page.locator('path[data-pte-kind="pud"]').count()).toBe(1);
      expect(await page.locator("path[data-pte-kind]").count()).toBe(1);
      // its tooltip counts one entry (it said "leaves (NaN, ...)": the count was read from a field
      // that links do not have)
      expect(await page.locator('path[data-pte-kind="pud"] > title').textContent()).toMatch(
        /^app: PUD leaf \(one entry\) 0x[0-9a-f]+ → npu0 pages 0–262143$/,
      );
      await shot(page, "huge-pud-mmap");

      // the pin of one 4 KiB page: the folio's refcount and pincount, not the page's bias
      await page.keyboard.press("Shift+ArrowRight");
      await page.keyboard.press("Shift+ArrowRight");
      await expect.poll(() => currentStep(page)).toBe(opOn(t, 9).firstStep);
      await page.keyboard.press("ArrowLeft"); // the pin's last step
      await expect.poll(() => grid.getAttribute("data-folios")).toBe("0:18:2:1:1");
      expect(await folioRows(page)).toEqual([
        "folio 0–262143 · order 18 (1 GiB)refcount 2 · entire mapcount 1 · pincount 1",
      ]);
      // the pinned page below its folio: the tail's own refcount is 0, as in the kernel
      await expect
        .poll(() =>
          page
            .locator('g.p2p-ref-row[data-row="pages"] text')
            .evaluateAll((ts) => ts.map((x) => x.textContent)),
        )
        .toEqual(["page 1", "0", "1", "1", "1", ""]); // ref 0, map 1, ptes 1 (the leaf), pins 1

      // zoomed in at the folio's start (the wheel), the block splits into its pages inside the
      // folio's outline, down to one page per cell
      const box = (await grid.boundingBox())!;
      await page.mouse.move(box.x + 20, box.y + 50);
      for (let i = 0; i < 20 && (await grid.getAttribute("data-pages-per-cell")) !== "1"; i++) {
        await page.mouse.wheel(0, -100);
        await page.waitForTimeout(50);
      }
      await expect.poll(() => grid.getAttribute("data-pages-per-cell")).toBe("1");
      expect(await grid.getAttribute("data-first")).toBe("0");
      expect(await grid.getAttribute("data-folios")).toBe("0:18:2:1:1");
      await page.mouse.move(box.x + box.width - 4, box.y + box.height - 4);
      await shot(page.locator("section.panel.pool"), "huge-pud-folio-zoomed-to-pages");

      // munmap: the leaf goes, the folio stays whole (refcount 1 = the pin)
      await goTo(page, { text, step: opOn(t, 9).lastStep });
      await expect.poll(() => grid.getAttribute("data-folios")).toBe("0:18:1:0:1");
      expect(await page.locator("path[data-pte-kind]").count()).toBe(0);
      expect(await page.getByTestId("pool-summary").textContent()).toBe("npu0: 786432 free / 1048576 pages");
      await shot(page, "huge-pud-pinned-after-munmap");

      // unbind blocks on the folio; the unpin frees it whole
      await goTo(page, { text, step: opOn(t, 10).lastStep });
      expect(await page.getByTestId("narration").textContent()).toContain("→ blocked");
      await goTo(page, { text, step: t.steps - 1 });
      await expect.poll(() => folioRows(page)).toEqual([]);
      expect(await grid.getAttribute("data-folios")).toBe("");
    } finally {
      await app.close();
    }
  });

  it("fork-not-shared.p2p: the child gets the VMA without the PMD leaf; its touch is SIGBUS; the folio goes with the parent's munmap", async () => {
    const file = "huge/fork-not-shared.p2p";
    const text = presetText(file);
    const t = traceOf(text);
    const app = await openApp({ reducedMotion: true });
    const { page } = app;
    try {
      await goTo(page, { text, step: opOn(t, 7).lastStep });
      const block = page.locator('g.p2p-folio[data-head="0"]');
      await expect.poll(() => block.getAttribute("data-order")).toBe("9");
      expect(await block.locator("text").textContent()).toBe("order 9 · ref 1 · map 1 · pin 0");

      // fork: the child has the VMA, no link; the folio keeps ref 1, mapcount 1
      await goTo(page, { text, step: opOn(t, 8).lastStep });
      await expect.poll(() => page.locator('g.p2p-lane[data-proc="c"]').count()).toBe(1);
      expect(await page.locator('path[data-pte-kind="pmd"][data-proc="p"]').count()).toBe(1);
      expect(await page.locator('path[data-proc="c"]').count()).toBe(0);
      expect(await page.locator('g.p2p-vma[data-vma="a"]').count()).toBe(2);
      expect(await block.locator("text").textContent()).toBe("order 9 · ref 1 · map 1 · pin 0");
      await shot(page, "huge-fork-not-shared");

      // the child's touch: SIGBUS, and the finding says why
      await goTo(page, { text, step: opOn(t, 9).lastStep });
      expect(await page.getByTestId("narration").textContent()).toContain("→ SIGBUS");
      // one finding for the touch (line 9), one for the pin that gets EFAULT (line 10)
      const findings = page.locator("ol.findings li").filter({ hasText: "fork-not-shared" });
      expect(await findings.count()).toBe(2);
      const finding = findings.filter({ hasText: "line 9 ·" });
      expect(await finding.count()).toBe(1);
      expect(await finding.getAttribute("class")).toBe("reached");

      // the parent's munmap frees the folio: the child never held it
      await goTo(page, { text, step: opOn(t, 11).lastStep });
      await expect.poll(() => page.locator("g.p2p-folio").count()).toBe(0);
      expect(await page.getByTestId("pool-summary").textContent()).toBe("d: 1024 free / 1024 pages");
    } finally {
      await app.close();
    }
  });

  it("golden 7, a pinned PMD folio: one block with its counts, kept whole by munmap, freed by the unpin; its cost at the mmap", async () => {
    const text = [
      "kernel huge",
      "device d 4M",
      "process p",
      "p mmap a d 2M",
      "p pin io a 0 8K",
      "p munmap a",
      "unpin io",
    ].join("\n");
    const t = traceOf(text);
    const app = await openApp({ reducedMotion: true });
    const { page } = app;
    try {
      const label = page.locator('g.p2p-folio[data-head="0"] text');
      await goTo(page, { text, step: opOn(t, 5).lastStep });
      await expect.poll(() => label.textContent()).toBe("order 9 · ref 3 · map 1 · pin 2");
      // the block covers pages 0-511 and only them: one rectangle over 512 cells
      const block = (await page.locator('g.p2p-folio[data-head="0"] rect.p2p-folio-block').boundingBox())!;
      const first = (await page.locator('rect.p2p-cell[data-page="0"]').boundingBox())!;
      const last = (await page.locator('rect.p2p-cell[data-page="511"]').boundingBox())!;
      const next = (await page.locator('rect.p2p-cell[data-page="512"]').boundingBox())!;
      expect(Math.abs(block.x - first.x)).toBeLessThan(2);
      expect(Math.abs(block.y - first.y)).toBeLessThan(2);
      expect(Math.abs(block.x + block.width - (last.x + last.width))).toBeLessThan(3);
      expect(Math.abs(block.y + block.height - (last.y + last.height))).toBeLessThan(3);
      expect(next.y).toBeGreaterThanOrEqual(block.y + block.height - 1);
      await shot(page.locator("section.panel.pool"), "huge-pmd-pinned-folio-pool");

      await goTo(page, { text, step: opOn(t, 6).lastStep });
      await expect.poll(() => label.textContent()).toBe("order 9 · ref 2 · map 0 · pin 2");
      expect(await page.getByTestId("pool-summary").textContent()).toBe("d: 512 free / 1024 pages");
      expect(await page.locator("ol.findings li").filter({ hasText: "pin-holds-folio" }).count()).toBe(1);

      await goTo(page, { text, step: opOn(t, 7).lastStep });
      await expect.poll(() => page.locator("g.p2p-folio").count()).toBe(0);
      expect(await page.getByTestId("pool-summary").textContent()).toBe("d: 1024 free / 1024 pages");

      // the cost of the mmap: one insert_pmd, one PMD leaf, 512 struct pages formed into the folio
      await goTo(page, { text, step: opOn(t, 4).lastStep });
      await page.getByTestId("tab-cost").click();
      const row = page.locator('[data-testid="cost-table"] tbody tr[aria-current="step"]');
      await expect.poll(() => row.getAttribute("data-line")).toBe("4");
      const cell = (f: string) => row.locator(`td[data-field="${f}"]`).textContent();
      expect(await cell("installCalls")).toBe("1");
      expect(await cell("pmd")).toBe("1");
      expect(await cell("structPagesInit")).toBe("512");
      expect(await page.getByTestId("cost-note").textContent()).toContain("PTEs");
    } finally {
      await app.close();
    }
  });
});

interface IndexEntry {
  readonly file: string;
  readonly title: string;
  readonly proposal?: boolean;
  readonly big?: boolean;
}

/** The proposal presets the served app lists (test/e2e/presets.test.ts walks the others). */
function proposalPresets(): IndexEntry[] {
  const all = JSON.parse(readFileSync(resolve(ROOT, "dist/presets/index.json"), "utf8")) as IndexEntry[];
  return all.filter((p) => p.proposal);
}

/** The folio blocks the app should draw at `step`: head:order:refcount:mapcount:pincount per device. */
function foliosAt(t: Trace, step: number): string[] {
  return stateAt(t, step).devices.map((d) =>
    foliosIn(d, 0, d.pages, 1, 1 << 20)
      .map((f) => `${f.head}:${f.order}:${f.refcount}:${f.mapcount}:${f.pincount}`)
      .join(" "),
  );
}

describe("the refcount table at the RFC's size", () => {
  it("rfc-eight-npus.p2p: 256 folio rows, only those in sight in the DOM; scrolling brings the last; an export's draw-all puts them all in", async () => {
    const text = presetText("huge/rfc-eight-npus.p2p");
    const t = traceOf(text);
    const app = await openApp({ reducedMotion: true });
    const { page } = app;
    try {
      await goTo(page, { text, step: opOn(t, 20).lastStep }); // after the eighth mmap
      const rows = page.locator('g.p2p-ref-row[data-row="folio"]');
      await expect.poll(() => rows.first().textContent()).toMatch(/^folio 0–262143 · order 18 \(1 GiB\)/);
      const inSight = await rows.count();
      expect(inSight).toBeGreaterThan(0);
      expect(inSight).toBeLessThan(256);
      // the last device's last folio, at the bottom of the table
      const last = "folio 8126464–8388607 · order 18 (1 GiB)refcount 1 · entire mapcount 1 · pincount 0";
      // (every device's last folio reads the same: the last row drawn is npu7's only at the bottom)
      expect(await rows.last().textContent()).not.toBe(last);
      const scroller = page.locator("section.refs .panel-scroll");
      await scroller.evaluate((e) => e.scrollTo(0, e.scrollHeight));
      await expect.poll(() => rows.last().textContent()).toBe(last);
      // and it is on screen, inside the scrolled panel
      const sb = (await scroller.boundingBox())!;
      const rb = (await rows.last().boundingBox())!;
      expect(rb.y).toBeGreaterThanOrEqual(sb.y - 1);
      expect(rb.y + rb.height).toBeLessThanOrEqual(sb.y + sb.height + 1);
      // what share/export-view.ts sends before it copies the view, in the same task: every row is
      // drawn (counted in that task too, as the export copies them; a later render may draw only
      // the rows in sight again)
      const drawnAll = await page.evaluate(() => {
        window.dispatchEvent(new Event("p2pviz:draw-all"));
        return document.querySelectorAll('section.refs g.p2p-ref-row[data-row="folio"]').length;
      });
      expect(drawnAll).toBe(256);
    } finally {
      await app.close();
    }
  });
});

describe("every proposal preset", () => {
  it("has proposal presets to walk", () => {
    expect(proposalPresets().length).toBeGreaterThanOrEqual(5);
  });

  for (const p of proposalPresets()) {
    it(`${p.file}: the proposal badge; statement by statement, the pool, the narration and the folio blocks agree with the engine`, async () => {
      const text = presetText(p.file);
      const t = traceOf(text);
      const app = await openApp({ reducedMotion: true });
      const { page } = app;
      try {
        await choosePreset(page, p.file);
        await expect.poll(() => page.getByTestId("proposal-badge").count()).toBe(1);
        expect(await page.getByTestId("real-badge").count()).toBe(0);
        await focusBody(page);
        await page.keyboard.press("Home");
        await expect.poll(() => currentStep(page)).toBe(0);
        for (const op of t.ops) {
          if (op.firstStep > 0) await page.keyboard.press("Shift+ArrowRight");
          await expect.poll(() => currentStep(page)).toBe(op.firstStep);
          await expect
            .poll(() => page.getByTestId("pool-summary").textContent())
            .toBe(poolSummaryAt(t, op.firstStep));
          // (narrationAt expands every event: not for presets of millions of steps)
          const ev = eventAt(t, op.firstStep);
          if (ev) expect(await page.getByTestId("narration").textContent()).toContain(describeEvent(t, ev));
          const want = foliosAt(t, op.firstStep);
          // the pool is SVG while every device has at most 4096 pages (PoolPanel.tsx SVG_MAX_PAGES)
          if (stateAt(t, op.firstStep).devices.every((d) => d.pages <= 4096)) {
            const got = await page
              .locator("g.p2p-dev")
              .evaluateAll((devs) =>
                devs.map((d) =>
                  Array.from(d.querySelectorAll("g.p2p-folio"), (f) =>
                    ["head", "order", "refcount", "mapcount", "pincount"]
                      .map((k) => f.getAttribute(`data-${k}`))
                      .join(":"),
                  ).join(" "),
                ),
              );
            expect(got, `line ${op.line}`).toEqual(want);
          } else {
            // at the whole-device zoom the grid draws the folios larger than a cell
            const cells = await page.getByTestId("pool-grid").getAttribute("data-pages-per-cell");
            const ppc = (cells ?? "").split(",").map(Number);
            const blocks = stateAt(t, op.firstStep).devices.map((d, i) =>
              foliosIn(d, 0, d.pages, ppc[i] === 1 ? 1 : ppc[i]!, 4096)
                .map((f) => `${f.head}:${f.order}:${f.refcount}:${f.mapcount}:${f.pincount}`)
                .join(" "),
            );
            expect(await page.getByTestId("pool-grid").getAttribute("data-folios"), `line ${op.line}`).toBe(
              blocks.join(","),
            );
          }
        }
      } finally {
        await app.close();
      }
    });
  }
});

describe("compare: the RFC's case (huge.md §6.4)", () => {
  it("one 32 GiB mapping, upstream vs huge: 8,388,608 installs against 32, 16,417 table pages against 1", async () => {
    const text = ["device npu0 32G", "process p", "p mmap a npu0 32G"].join("\n");
    const app = await openApp({ reducedMotion: true });
    const { page } = app;
    try {
      await page.goto(linkOf({ text, step: 0, design: "upstream", compare: { design: "huge" } }));
      await page.getByTestId("compare-view").waitFor();
      const rows = page.getByTestId("compare-summary").locator("tbody tr");
      await expect.poll(() => rows.count(), { timeout: 30_000 }).toBe(2);
      const cells = (i: number) =>
        rows
          .nth(i)
          .locator("td[data-col]")
          .evaluateAll((tds) =>
            Object.fromEntries(tds.map((td) => [td.getAttribute("data-col"), td.textContent])),
          );
      expect(await cells(0)).toMatchObject({
        installs: "8,388,608",
        pte: "8,388,608",
        pmd: "0",
        pud: "0",
        tables: "16,417",
        structpages: "8,388,608",
        vmemmap: "512 MiB",
        ptes: "normal",
      });
      expect(await cells(1)).toMatchObject({
        installs: "32",
        pte: "0",
        pmd: "0",
        pud: "32",
        tables: "1",
        structpages: "8,388,608",
        vmemmap: "512 MiB",
        ptes: "pud",
      });
      // side B is a proposal: its column says so
      expect(await page.getByTestId("compare-b").getByTestId("proposal-badge").count()).toBe(1);
      expect(await page.getByTestId("compare-a").getByTestId("proposal-badge").count()).toBe(0);
      await page.keyboard.press("End");
      await shot(page, "compare-rfc-32g-upstream-huge");
    } finally {
      await app.close();
    }
  });
});
