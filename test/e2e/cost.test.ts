/**
 * What a person sees of the huge.md §6.3 counters (src/trace/cost.ts), in Chromium: the cost tab
 * beside the findings (its totals on a preset, the current statement's row following the cursor,
 * a click on a row going to that statement) and compare mode's summary counters on the RFC's case
 * (one 32 GiB mapping, huge.md §6.4). Every figure expected here comes from the engine run in node.
 */

import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { Locator, Page } from "playwright-core";
import { describe, expect, inject, it } from "vitest";
import { encodeShareLink, type ShareState } from "../../src/share/codec.ts";
import { opIndexAt } from "../../src/store/selectors.ts";
import { COST_FIELDS, opCosts, sumCosts } from "../../src/trace/cost.ts";
import { formatCount } from "../../src/trace/numbers.ts";
import type { Trace } from "../../src/trace/trace.ts";
import { traceOf } from "./expected.ts";
import { currentStep, focusBody, openApp, ROOT, shot, withBrowser } from "./harness.ts";

withBrowser();

const preset = (f: string) => readFileSync(resolve(ROOT, "public/presets", f), "utf8");

function linkOf(state: ShareState): string {
  const r = encodeShareLink(state, { base: inject("baseUrl") });
  if (!r.ok) throw new Error(r.error.message);
  return r.url;
}

async function openAt(page: Page, state: ShareState): Promise<void> {
  await page.goto(linkOf(state));
  await expect.poll(() => currentStep(page), { timeout: 10_000 }).toBe(state.step);
}

/** The cells of a row of the cost table, by field (only the columns shown). */
async function rowCells(row: Locator): Promise<Record<string, string>> {
  return Object.fromEntries(
    await row
      .locator("td[data-field]")
      .evaluateAll((tds) => tds.map((td) => [td.getAttribute("data-field"), td.textContent])),
  );
}

/** The counters a row should show: the fields that are not 0 over the whole run. */
function expectedCells(trace: Trace, cost: Record<(typeof COST_FIELDS)[number], number>) {
  const total = sumCosts(opCosts(trace));
  return Object.fromEntries(COST_FIELDS.filter((f) => total[f] > 0).map((f) => [f, formatCount(cost[f])]));
}

describe("cost tab", () => {
  it("fork-keeps-pages.p2p: the whole run's counters, the current statement following the cursor, a row click goes to its statement", async () => {
    const text = preset("fork-keeps-pages.p2p");
    const trace = traceOf(text);
    const costs = opCosts(trace);
    const fork = trace.ops.findIndex((o) => o.text.includes("fork"));
    const mmap = fork - 1;
    const app = await openApp({ reducedMotion: true });
    const { page } = app;
    try {
      await openAt(page, { text, step: trace.ops[mmap]!.lastStep });
      const width = async (sel: string) => (await page.locator(sel).boundingBox())!.width;
      // beside the kernel code, the findings tab is as narrow as the refcounts
      expect(await width("section.findings-panel")).toBe(await width("section.refs"));
      await page.getByTestId("tab-cost").click();
      const panel = page.getByTestId("cost-panel");
      await panel.waitFor();
      expect(await page.locator("#h-findings").textContent()).toBe("Cost");
      // the cost tab's columns need the room: it takes the whole row, under the address spaces
      await expect
        .poll(() => width("section.findings-panel"))
        .toBeGreaterThan((await width("section.spaces")) + (await width("section.refs")));
      expect(await page.getByTestId("tab-cost").getAttribute("aria-selected")).toBe("true");

      // the whole run: the sum of every statement's counters, with thousands separators
      const total = sumCosts(costs);
      expect(await rowCells(page.getByTestId("cost-total"))).toEqual(expectedCells(trace, total));
      // 16 vm_insert_page at the mmap, 16 copy_present_pte at the fork
      expect(
        await page.getByTestId("cost-total").locator('td[data-field="installCalls"]').textContent(),
      ).toBe("16");
      expect(
        await page.getByTestId("cost-total").locator('td[data-field="entriesCopied"]').textContent(),
      ).toBe("16");
      // counters that stay 0 get no column, and the line under the table says so
      expect(await page.getByTestId("cost-note").textContent()).toBe(
        "0 throughout: PMDs, PUDs. vmemmap: nvme0 16 KiB.",
      );

      // the current statement is the mmap: its row is highlighted, the running total is up to it
      const current = page.locator('[data-testid="cost-table"] tbody tr[aria-current="step"]');
      expect(await current.getAttribute("data-line")).toBe(String(trace.ops[mmap]!.line));
      expect(await rowCells(current)).toEqual(expectedCells(trace, costs[mmap]!));
      const here = page.getByTestId("cost-here");
      expect(await here.locator("th").textContent()).toBe(`up to line ${trace.ops[mmap]!.line}`);
      expect(await rowCells(here)).toEqual(expectedCells(trace, sumCosts(costs.slice(0, mmap + 1))));
      await shot(page.locator("section.findings-panel"), "cost-tab-fork-keeps-pages");

      // one step on: the fork's row is highlighted and the running total takes its copies
      await focusBody(page);
      await page.keyboard.press("ArrowRight");
      await expect.poll(() => current.getAttribute("data-line")).toBe(String(trace.ops[fork]!.line));
      expect(opIndexAt(trace, await currentStep(page))).toBe(fork);
      await expect
        .poll(() => here.locator('td[data-field="entriesCopied"]').textContent())
        .toBe(formatCount(costs[fork]!.entriesCopied));

      // a click on the last statement's row goes to its first step
      const last = trace.ops.length - 1;
      await page.locator(`[data-testid="cost-table"] tbody tr[data-line="${trace.ops[last]!.line}"]`).click();
      await expect.poll(() => currentStep(page)).toBe(trace.ops[last]!.firstStep);
      await expect.poll(() => current.getAttribute("data-line")).toBe(String(trace.ops[last]!.line));
      expect(await rowCells(here)).toEqual(expectedCells(trace, total));

      // back to the findings tab
      await page.getByTestId("tab-findings").click();
      expect(await page.locator("#h-findings").textContent()).toBe(`Findings (${trace.findings.length})`);
      await expect.poll(() => width("section.findings-panel")).toBe(await width("section.refs"));
      expect(await page.getByTestId("cost-panel").count()).toBe(0);
    } finally {
      await app.close();
    }
  });

  it("a 1,002-statement scenario: only the rows in view are drawn, and the current one is among them", async () => {
    const body = Array.from({ length: 500 }, (_, i) => `p mmap m${i} d 4K\np munmap m${i}`);
    const text = `${["device d 1M", "process p", ...body].join("\n")}\n`;
    const trace = traceOf(text);
    const app = await openApp({ reducedMotion: true });
    const { page } = app;
    try {
      await page.getByTestId("editor").fill(text);
      await expect
        .poll(() => page.getByTestId("step").textContent(), { timeout: 15000 })
        .toBe(`Step 0 / ${trace.steps}`);
      await page.getByTestId("tab-cost").click();
      await page.getByTestId("cost-panel").waitFor();
      const current = page.locator('[data-testid="cost-table"] tbody tr[aria-current="step"]');
      const inView = async () => {
        const row = (await current.boundingBox())!;
        const head = (await page.locator('[data-testid="cost-table"] thead').boundingBox())!;
        const foot = (await page.locator('[data-testid="cost-table"] tfoot').boundingBox())!;
        // between the sticky head and the sticky totals, not hidden under them
        return row.y >= head.y + head.height - 1 && row.y + row.height <= foot.y + 1;
      };
      await focusBody(page);
      for (const [key, op] of [
        ["End", trace.ops[trace.ops.length - 1]!],
        ["Home", trace.ops[0]!],
      ] as const) {
        await page.keyboard.press(key);
        await expect.poll(() => current.getAttribute("data-line")).toBe(String(op.line));
        expect(await inView()).toBe(true);
        const drawn = await page.locator('[data-testid="cost-table"] tbody tr[data-line]').count();
        expect(drawn).toBeGreaterThan(3);
        expect(drawn).toBeLessThan(100);
      }
      expect(
        await page.getByTestId("cost-total").locator('td[data-field="installCalls"]').textContent(),
      ).toBe("500");
    } finally {
      await app.close();
    }
  });
});

describe("compare summary counters (huge.md §6.4)", () => {
  it("one 32 GiB mapping, upstream vs seed: 8,388,608 installs each, the struct pages and table pages of each side", async () => {
    const text = ["device npu0 32G", "process p", "p mmap a npu0 32G", "p munmap a"].join("\n");
    const app = await openApp({ reducedMotion: true });
    const { page } = app;
    try {
      await page.goto(linkOf({ text, step: 0, design: "upstream", compare: { design: "seed" } }));
      await page.getByTestId("compare-view").waitFor();
      const rows = page.getByTestId("compare-summary").locator("tbody tr");
      await expect.poll(() => rows.count(), { timeout: 20_000 }).toBe(2);
      const cell = (i: number, col: string) => rows.nth(i).locator(`td[data-col="${col}"]`).textContent();
      expect(await cell(0, "installs")).toBe("8,388,608");
      expect(await cell(1, "installs")).toBe("8,388,608");
      expect(await cell(0, "pte")).toBe("8,388,608");
      expect(await cell(0, "pmd")).toBe("0");
      expect(await cell(0, "pud")).toBe("0");
      expect(await cell(0, "tables")).toBe("16,417"); // 16,384 PTE + 32 PMD + 1 PUD table pages
      expect(await cell(0, "structpages")).toBe("8,388,608"); // set_page_count before vm_insert_page
      expect(await cell(1, "structpages")).toBe("0");
      expect(await cell(0, "vmemmap")).toBe("512 MiB");
      expect(await cell(1, "vmemmap")).toBe("512 MiB");
      expect(await rows.nth(1).locator('td[data-col="structpages"]').getAttribute("class")).toContain(
        "differs",
      );
      await shot(page.getByTestId("compare-summary"), "compare-summary-32g-upstream-seed");
    } finally {
      await app.close();
    }
  });
});
