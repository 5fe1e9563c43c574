/**
 * The app beyond single presets: layout at 1280x800, 1920x1080 and a narrow window, legible text,
 * large devices aggregated into cells, keys that must not fire while typing, speed keys, a page
 * selection, and reduced motion.
 */

import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { allEvents } from "../../src/trace/trace.ts";
import { firstError, poolSummaryAt, traceOf } from "./expected.ts";
import {
  cellLooks,
  currentStep,
  editorText,
  expectStep,
  focusBody,
  openApp,
  shot,
  withBrowser,
} from "./harness.ts";

withBrowser();

const PANELS = ["pool", "spaces", "refs", "code", "findings-panel", "time"];

const SCENARIO = `kernel upstream
device nvme0 1M
device nvme1 256K
process fio
fio mmap buf nvme0 64K
fio mmap tiny nvme1 16K
fio fork child
fio pin io1 buf 0 8K
fio munmap buf 16K 16K
child exit
`;

async function load(page: Page, text: string): Promise<void> {
  await page.getByTestId("editor").fill(text);
  await expect.poll(() => page.getByTestId("scenario-error").count()).toBe(0);
  await expect.poll(() => page.getByTestId("step").textContent()).toBe(`Step 0 / ${traceOf(text).steps}`);
  await focusBody(page);
}

async function boxes(page: Page) {
  return page.evaluate((names) => {
    return names.map((n) => {
      const r = document.querySelector(`section.${n}`)!.getBoundingClientRect();
      return { n, x: r.x, y: r.y, w: r.width, h: r.height };
    });
  }, PANELS);
}

function overlaps(a: { x: number; y: number; w: number; h: number }, b: typeof a): boolean {
  return a.x < b.x + b.w - 0.5 && b.x < a.x + a.w - 0.5 && a.y < b.y + b.h - 0.5 && b.y < a.y + a.h - 0.5;
}

describe("layout", () => {
  for (const [w, h] of [
    [1280, 800],
    [1920, 1080],
  ] as const) {
    it(`${w}x${h}: every panel on screen, none overlapping, no page scroll`, async () => {
      const app = await openApp({ width: w, height: h });
      try {
        await load(app.page, SCENARIO);
        await app.page.keyboard.press("End");
        const scroll = await app.page.evaluate(() => [
          document.documentElement.scrollWidth,
          document.documentElement.scrollHeight,
        ]);
        expect(scroll).toEqual([w, h]);
        const bs = await boxes(app.page);
        for (const b of bs) {
          expect(b.w, b.n).toBeGreaterThan(150);
          expect(b.h, b.n).toBeGreaterThan(60);
          expect(b.x + b.w, b.n).toBeLessThanOrEqual(w);
          expect(b.y + b.h, b.n).toBeLessThanOrEqual(h);
        }
        for (const a of bs)
          for (const b of bs) if (a !== b) expect(overlaps(a, b), `${a.n} vs ${b.n}`).toBe(false);
        await app.page.waitForTimeout(400);
        await shot(app.page, `layout-${w}x${h}`);
        expect(app.problems).toEqual([]);
      } finally {
        await app.close();
      }
    });
  }

  it("narrow (420 wide): panels stack in one column, nothing wider than the window", async () => {
    const app = await openApp({ width: 420, height: 900 });
    try {
      await load(app.page, SCENARIO);
      const bs = await boxes(app.page);
      for (const b of bs) expect(b.x + b.w, b.n).toBeLessThanOrEqual(420);
      const ys = bs.map((b) => b.y);
      expect([...ys].sort((a, b) => a - b)).toEqual(ys);
      for (let i = 1; i < bs.length; i++) expect(overlaps(bs[i - 1]!, bs[i]!)).toBe(false);
      expect(await app.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(420);
      await shot(app.page, "layout-narrow");
      expect(app.problems).toEqual([]);
    } finally {
      await app.close();
    }
  });

  it("all visible text is at least 12px", async () => {
    const app = await openApp();
    try {
      await load(app.page, SCENARIO);
      await app.page.keyboard.press("End");
      const small = await app.page.evaluate(() => {
        const out: string[] = [];
        const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
        for (let n = walker.nextNode(); n; n = walker.nextNode()) {
          const el = n.parentElement;
          if (!el || !n.textContent?.trim()) continue;
          const r = el.getBoundingClientRect();
          if (r.width === 0 || r.height === 0) continue;
          const size = Number.parseFloat(getComputedStyle(el).fontSize);
          if (size < 12) out.push(`${size}px: ${n.textContent.trim().slice(0, 30)}`);
        }
        return out;
      });
      expect(small).toEqual([]);
    } finally {
      await app.close();
    }
  });
});

describe("pool", () => {
  it("two devices side by side: cell counts, summary and looks of specific pages", async () => {
    const app = await openApp();
    const { page } = app;
    try {
      await load(page, SCENARIO);
      const trace = traceOf(SCENARIO);
      await page.keyboard.press("End");
      const last = trace.steps - 1;
      await expect
        .poll(() => page.getByTestId("pool-summary").textContent())
        .toBe(poolSummaryAt(trace, last));
      expect(await page.locator('rect.p2p-cell[data-dev="nvme0"]').count()).toBe(256);
      expect(await page.locator('rect.p2p-cell[data-dev="nvme1"]').count()).toBe(64);
      const looks = await cellLooks(page, "nvme0");
      // pins on pages 0-1 outlive everything; fio still maps 2-3 and 8-15; 4-7 were unmapped and freed
      expect(looks.slice(0, 16)).toEqual([
        "pinned",
        "pinned",
        "mapped",
        "mapped",
        "free",
        "free",
        "free",
        "free",
        ...Array(8).fill("mapped"),
      ]);
      expect((await cellLooks(page, "nvme1")).slice(0, 5)).toEqual([
        "mapped",
        "mapped",
        "mapped",
        "mapped",
        "free",
      ]);
      // the two grids sit side by side
      const a = await page.locator('rect.p2p-cell[data-dev="nvme0"][data-page="0"]').boundingBox();
      const b = await page.locator('rect.p2p-cell[data-dev="nvme1"][data-page="0"]').boundingBox();
      expect(Math.abs(a!.y - b!.y)).toBeLessThan(2);
      expect(b!.x).toBeGreaterThan(a!.x + 100);
      // clicking a cell selects it
      await page.locator('rect.p2p-cell[data-dev="nvme0"][data-page="3"]').click();
      await expect
        .poll(() =>
          page.locator('rect.p2p-cell[data-dev="nvme0"][data-page="3"]').getAttribute("stroke-width"),
        )
        .toBe("2");
      await expect
        .poll(() => page.getByTestId("page-detail").textContent())
        .toMatch(/^nvme0 page 3 \(pfn 0x[0-9a-f]+\): mapped · ref 1 · map 1 · ptes 1 · pins 0$/);
      expect(app.problems).toEqual([]);
    } finally {
      await app.close();
    }
  });

  it("a 4G device aggregates pages into cells and still shows the mapped ones", async () => {
    const text = "device big 4G\nprocess p\np mmap a big 64K\n";
    const app = await openApp();
    const { page } = app;
    try {
      await load(page, text);
      await page.keyboard.press("End");
      await expect
        .poll(() => page.getByTestId("pool-summary").textContent())
        .toBe("big: 1048560 free / 1048576 pages");
      // a device this big is drawn as a grid (PoolGrid.tsx): cells aggregate pages
      const grid = page.getByTestId("pool-grid");
      const n = Number(await grid.getAttribute("data-cells"));
      expect(n).toBeGreaterThan(100);
      expect(n).toBeLessThan(20000);
      const per = Number(await grid.getAttribute("data-pages-per-cell"));
      expect(per).toBeGreaterThan(1);
      expect(per * n).toBeGreaterThanOrEqual(1048576);
      expect(await grid.getAttribute("aria-label")).toContain(`big: 1048576 pages, ${per} per cell`);
      // the first cell holds the 16 mapped pages, the second none: counts on hover
      const box = (await grid.boundingBox())!;
      const size = Number(await grid.getAttribute("data-cell-size"));
      await page.mouse.move(box.x + size / 2, box.y + 36 + size / 2);
      await expect
        .poll(() => page.getByTestId("pool-tip").textContent())
        .toBe(`big pages 0–${per - 1}: 16 mapped, ${per - 16} free`);
      await page.mouse.move(box.x + size * 1.5, box.y + 36 + size / 2);
      await expect
        .poll(() => page.getByTestId("pool-tip").textContent())
        .toBe(`big pages ${per}–${2 * per - 1}: ${per} free`);
      await shot(page.locator("section.pool"), "pool-4G-aggregated");
      expect(app.problems).toEqual([]);
    } finally {
      await app.close();
    }
  });
});

describe("keys and editing", () => {
  it("keys typed in the editor edit text and never step or play", async () => {
    const app = await openApp();
    const { page } = app;
    try {
      await load(page, SCENARIO);
      const total = traceOf(SCENARIO).steps;
      await page.keyboard.press("ArrowRight");
      await page.keyboard.press("ArrowRight");
      await expectStep(page, 2, total);
      const editor = page.getByTestId("editor");
      await editor.focus();
      await page.keyboard.press("Control+Home");
      for (const k of ["ArrowRight", "ArrowLeft", "Shift+ArrowRight", "End", "Home", " ", "-", "+"]) {
        await page.keyboard.press(k);
      }
      await expectStep(page, 2, total);
      expect(await page.getByTestId("play").getAttribute("aria-pressed")).toBe("false");
      expect(await page.getByTestId("speed").textContent()).toBe("8/s");
      // the edit (a leading space, -, +) breaks the first line: a located error, the last run kept
      await expect.poll(() => page.getByTestId("scenario-error").count()).toBe(1);
      expect(await page.getByTestId("scenario-error").textContent()).toBe(firstError(await editorText(page)));
      expect(await page.getByTestId("pool-summary").textContent()).toBe(poolSummaryAt(traceOf(SCENARIO), 2));
      expect(app.problems).toEqual([]);
    } finally {
      await app.close();
    }
  });

  it("an unknown device is reported at its line and column", async () => {
    const app = await openApp();
    const { page } = app;
    try {
      await load(page, SCENARIO);
      const bad = `${SCENARIO}fio mmap x nvme9 4K\n`;
      await page.getByTestId("editor").fill(bad);
      await expect.poll(() => page.getByTestId("scenario-error").textContent()).toBe(firstError(bad));
      expect(await page.getByTestId("scenario-error").textContent()).toMatch(/^line 11:\d+: .*nvme9/);
      await expect.poll(() => page.locator(".cm-lineNumbers .cm-gutterElement.err").textContent()).toBe("11");
      expect(
        await page
          .locator(".cm-lineNumbers .cm-gutterElement.err")
          .evaluate((e) => getComputedStyle(e).backgroundColor),
      ).toBe("rgb(251, 213, 210)");
      await shot(page.locator("aside.side"), "editor-error");
      expect(app.problems).toEqual([]);
    } finally {
      await app.close();
    }
  });

  it("-/+ change the speed; Space on a focused button toggles play once", async () => {
    const app = await openApp();
    const { page } = app;
    try {
      await load(page, SCENARIO);
      await page.keyboard.press("-");
      expect(await page.getByTestId("speed").textContent()).toBe("4/s");
      await page.keyboard.press("+");
      await page.keyboard.press("+");
      expect(await page.getByTestId("speed").textContent()).toBe("16/s");
      await page.getByRole("button", { name: "next step" }).focus();
      await page.keyboard.press(" ");
      await expect.poll(() => page.getByTestId("play").getAttribute("aria-pressed")).toBe("true");
      await page.waitForTimeout(250);
      await page.keyboard.press(" ");
      await expect.poll(() => page.getByTestId("play").getAttribute("aria-pressed")).toBe("false");
      const s = await currentStep(page);
      expect(s).toBeGreaterThan(0);
      expect(app.problems).toEqual([]);
    } finally {
      await app.close();
    }
  });

  it("the narration is an aria-live region that follows the cursor", async () => {
    const app = await openApp({ reducedMotion: true });
    const { page } = app;
    try {
      await load(page, SCENARIO);
      const narration = page.getByTestId("narration");
      expect(await narration.getAttribute("aria-live")).toBe("polite");
      const before = await narration.textContent();
      await page.keyboard.press("Shift+ArrowRight");
      await expect.poll(() => narration.textContent()).not.toBe(before);
      expect(await narration.textContent()).toMatch(/^line \d+: /);
      expect(app.problems).toEqual([]);
    } finally {
      await app.close();
    }
  });

  it("playing at full speed runs to the last step and stops there", async () => {
    const app = await openApp();
    const { page } = app;
    try {
      await load(page, SCENARIO);
      const total = traceOf(SCENARIO).steps;
      for (let i = 0; i < 10; i++) await page.keyboard.press("+");
      expect(await page.getByTestId("speed").textContent()).toBe("512/s");
      await page.getByTestId("play").click();
      await expect.poll(() => stepText(page), { timeout: 10_000 }).toBe(`Step ${total - 1} / ${total}`);
      await expect.poll(() => page.getByTestId("play").getAttribute("aria-pressed")).toBe("false");
      expect(app.problems).toEqual([]);
    } finally {
      await app.close();
    }
  });

  it("with reduced motion, the changed page's ring sits on its cell at once", async () => {
    {
      const app = await openApp({ reducedMotion: true });
      const { page } = app;
      try {
        await load(page, SCENARIO);
        const t = traceOf(SCENARIO);
        const alloc = allEvents(t).findIndex((e) => e.kind === "genpool-alloc");
        await page.keyboard.press("Home");
        for (let i = 0; i < alloc; i++) await page.keyboard.press("ArrowRight");
        await expectStep(page, alloc, t.steps);
        const widths = await page.evaluate(() => {
          const ring = document.querySelector("rect.p2p-ring")!;
          const cell = document.querySelector('rect.p2p-cell[data-dev="nvme0"][data-page="0"]')!;
          return [Number(ring.getAttribute("width")), Number(cell.getAttribute("width"))];
        });
        // the ring ends 3px wider than the cell (with motion it starts 9px wider and shrinks onto it)
        expect(widths[0]).toBe(widths[1]! + 3);
        expect(app.problems).toEqual([]);
      } finally {
        await app.close();
      }
    }
  });
});

async function stepText(page: Page): Promise<string> {
  return (await page.getByTestId("step").textContent()) ?? "";
}
