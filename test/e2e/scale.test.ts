/**
 * The views at scale (issue 10, item 3): a 4G device (1M pages) and eight 32G devices draw on a
 * grid whose cells aggregate pages, zoom down to single pages, show counts on hover, and keep the
 * current event's page visible; the timeline zooms from the whole trace to single events with
 * statement, kernel-call and per-page lanes; the address-space panel folds lanes and merges links.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { stateAt } from "../../src/trace/cursor.ts";
import { eventAt } from "../../src/trace/trace.ts";
import { traceOf } from "./expected.ts";
import { currentStep, focusBody, openApp, openAt, shot, withBrowser } from "./harness.ts";

withBrowser();

async function load(page: Page, text: string): Promise<void> {
  await page.getByTestId("editor").fill(text);
  await expect.poll(() => page.getByTestId("scenario-error").count()).toBe(0);
  await expect
    .poll(() => page.getByTestId("step").textContent(), { timeout: 15000 })
    .toBe(`Step 0 / ${traceOf(text).steps}`);
  await focusBody(page);
}

async function download(page: Page, testId: string): Promise<Buffer> {
  const dl = page.waitForEvent("download", { timeout: 60_000 });
  await page.getByTestId(testId).click();
  const d = await dl;
  const path = join(mkdtempSync(join(tmpdir(), "p2pviz-export-")), d.suggestedFilename());
  await d.saveAs(path);
  return readFileSync(path);
}

const grid = (page: Page) => page.getByTestId("pool-grid");

/**
 * Pixels of this colour on screen where the pool's grid is (what a person sees: the cells and the
 * marks drawn over them), from a screenshot decoded in the page.
 */
async function pixelsOf(
  page: Page,
  rgb: [number, number, number],
  /** the part of the grid's width to count in, as fractions */
  [from, to] = [0, 1],
): Promise<number> {
  const png = (await grid(page).screenshot()).toString("base64");
  return page.evaluate(
    async ({ png, want, from, to }) => {
      const img = new Image();
      img.src = `data:image/png;base64,${png}`;
      await img.decode();
      const x0 = Math.round(from * img.width);
      const w = Math.round(to * img.width) - x0;
      const ctx = new OffscreenCanvas(img.width, img.height).getContext("2d")!;
      ctx.drawImage(img, 0, 0);
      const { data } = ctx.getImageData(x0, 0, w, img.height);
      let n = 0;
      for (let i = 0; i < data.length; i += 4)
        if (data[i] === want[0] && data[i + 1] === want[1] && data[i + 2] === want[2] && data[i + 3] === 255)
          n++;
      return n;
    },
    { png, want: rgb, from, to },
  );
}

/** How many times the pool grid's columns have been drawn (PoolGrid.tsx poolDrawStats). */
const gridDrawings = (page: Page) =>
  page.evaluate(() => (window as unknown as { __p2pvizPool: { frames: number } }).__p2pvizPool.frames);

/** The current event's mark over the cells: its page and where its ring is. */
async function eventMark(page: Page): Promise<{ page: string; ring: string }> {
  const mark = page.getByTestId("pool-mark-event");
  const ring = mark.locator("rect[fill=none]");
  return {
    page: (await mark.getAttribute("data-page")) ?? "",
    ring: `${await ring.getAttribute("x")},${await ring.getAttribute("y")}`,
  };
}

/** Moves the pointer over cell `i` of the first device's grid (layout: TOP = 36 px). */
async function hoverCell(page: Page, i: number): Promise<string> {
  const box = (await grid(page).boundingBox())!;
  // the first device's column (the attributes list one value per device)
  const size = Number((await grid(page).getAttribute("data-cell-size"))!.split(",")[0]);
  const cols = Number((await grid(page).getAttribute("data-cols"))!.split(",")[0]);
  await page.mouse.move(
    box.x + (i % cols) * size + size / 2,
    box.y + 36 + Math.floor(i / cols) * size + size / 2,
  );
  await page.getByTestId("pool-tip").waitFor();
  return (await page.getByTestId("pool-tip").textContent()) ?? "";
}

const RING: [number, number, number] = [0xd5, 0x5e, 0x00];
/** LOOK_STYLE.mapped.fill (src/panels/common.ts) */
const MAPPED: [number, number, number] = [0x00, 0x72, 0xb2];

describe("pool panel at scale", () => {
  it("a 1M-page device: overview cells with counts on hover, the current event's page ringed, zoom to one page and its refcount", async () => {
    const text = "device big 4G\nprocess p\np mmap a big 4G\np pin io a 40M 8K\n";
    const app = await openApp();
    const { page } = app;
    try {
      await load(page, text);
      // into the whole-device mmap: each step inserts one page
      for (let i = 0; i < 12; i++) await page.keyboard.press("ArrowRight");
      await expect.poll(() => page.getByTestId("step").textContent()).toMatch(/^Step 12 \//);
      await expect.poll(() => grid(page).getAttribute("data-pages-per-cell")).not.toBe("1");
      const per = Number(await grid(page).getAttribute("data-pages-per-cell"));
      const cells = Number(await grid(page).getAttribute("data-cells"));
      expect(per).toBeGreaterThan(1);
      expect(cells).toBeGreaterThan(100);
      expect(per * cells).toBeGreaterThanOrEqual(1048576);
      // the page this step touches is ringed even though its cell holds `per` pages
      await shot(page.locator("section.pool"), "scale-pool-overview-stepping");
      expect(await pixelsOf(page, RING)).toBeGreaterThan(8);

      await page.keyboard.press("End");
      await expect
        .poll(() => page.getByTestId("pool-summary").textContent())
        .toBe("big: 0 free / 1048576 pages");
      const first = await hoverCell(page, 0);
      expect(first).toBe(`big pages 0–${per - 1}: ${per} mapped`);
      // the pinned pages at 40M (pages 10240-10241) are counted in their cell
      const pinnedCell = Math.floor(10240 / per);
      expect(await hoverCell(page, pinnedCell)).toContain("2 pinned");
      await shot(page.locator("section.pool"), "scale-pool-overview");

      // zoom with the keys to single pages around the pinned page: click its cell, then + until 1 page per cell
      await grid(page).focus();
      await page.keyboard.press("0");
      for (let i = 0; i < 30 && (await grid(page).getAttribute("data-pages-per-cell")) !== "1"; i++) {
        const box = (await grid(page).boundingBox())!;
        const size = Number(await grid(page).getAttribute("data-cell-size"));
        const cols = Number(await grid(page).getAttribute("data-cols"));
        const firstPage = Number(await grid(page).getAttribute("data-first"));
        const p = Number(await grid(page).getAttribute("data-pages-per-cell"));
        const c = Math.floor((10240 - firstPage) / p);
        await page.mouse.move(
          box.x + (c % cols) * size + size / 2,
          box.y + 36 + Math.floor(c / cols) * size + size / 2,
        );
        await page.mouse.wheel(0, -100);
        await expect.poll(() => grid(page).getAttribute("data-pages-per-cell")).not.toBe(String(p));
      }
      expect(await grid(page).getAttribute("data-pages-per-cell")).toBe("1");
      const firstPage = Number(await grid(page).getAttribute("data-first"));
      const tip = await hoverCell(page, 10240 - firstPage);
      expect(tip).toBe("big page 10240: 1 pinned");
      // the model's own refcount for the page (FOLL_PIN adds GUP_PIN_COUNTING_BIAS, 1024: include/linux/mm.h)
      const t = traceOf(text);
      const want = stateAt(t, t.steps - 1).devices[0]!.pageRuns.at(10240);
      expect(want.refcount).toBeGreaterThan(1024);
      await page.mouse.down();
      await page.mouse.up();
      await expect
        .poll(() => page.getByTestId("page-detail").textContent())
        .toMatch(
          new RegExp(
            `^big page 10240 \\(pfn 0x[0-9a-f]+\\): pinned · ref ${want.refcount} · map 1 · ptes 1 · pins 1`,
          ),
        );
      await shot(page.locator("section.pool"), "scale-pool-single-page");
      // the keys zoom out again and did not step the trace
      const step = await page.getByTestId("step").textContent();
      await grid(page).focus();
      await page.keyboard.press("-");
      await expect.poll(() => grid(page).getAttribute("data-pages-per-cell")).toBe("2");
      expect(await page.getByTestId("step").textContent()).toBe(step);
      expect(app.problems).toEqual([]);
    } finally {
      await app.close();
    }
  });

  it("eight 32 GiB devices mapped whole, forked, pinned, partly unmapped: one column each, End and a step back within a blink, counts on hover", async () => {
    const out = ["kernel upstream"];
    for (let d = 0; d < 8; d++) out.push(`device npu${d} 32G`);
    out.push("process p");
    for (let d = 0; d < 8; d++) out.push(`p mmap m${d} npu${d} 32G`);
    out.push("p fork c");
    for (let d = 0; d < 8; d++) out.push(`c pin io${d} m${d} 1G 1G`);
    for (let d = 0; d < 8; d++) out.push(`p munmap m${d} 4G 8G`);
    const text = `${out.join("\n")}\n`;
    const t = traceOf(text);
    const app = await openApp({ width: 1600, height: 900 });
    const { page } = app;
    try {
      await load(page, text);
      await page.keyboard.press("End");
      await expect
        .poll(() => page.getByTestId("step").textContent())
        .toBe(`Step ${t.steps - 1} / ${t.steps}`);
      const label = (await grid(page).getAttribute("aria-label")) ?? "";
      for (let d = 0; d < 8; d++) expect(label).toContain(`npu${d}: 8388608 pages`);
      const per = Number((await grid(page).getAttribute("data-pages-per-cell"))!.split(",")[0]);
      // npu0's first cell: mapped by p and c (not pinned: the pin starts at 1G)
      const tip = await hoverCell(page, 0);
      expect(tip).toBe(`npu0 pages 0–${per - 1}: ${per} mapped`);
      await page.keyboard.press("ArrowLeft");
      await expect
        .poll(() => page.getByTestId("step").textContent())
        .toBe(`Step ${t.steps - 2} / ${t.steps}`);
      await shot(page.locator("section.pool"), "scale-pool-eight-32G");
      expect(app.problems).toEqual([]);
    } finally {
      await app.close();
    }
  });

  it("stepping through fork's copy loop moves the event's ring from cell to cell, and the cells are not redrawn", async () => {
    // copy_present_pte: each page's refcount and the child's PTE, a step each; no cell changes its look
    const text = "device d 64M\nprocess p\np mmap a d 64M\np fork c\n";
    const t = traceOf(text);
    const fork = t.ops.find((o) => o.line === 4)!;
    const app = await openApp();
    const { page } = app;
    try {
      await openAt(page, text, fork.firstStep + 2);
      await focusBody(page);
      const per = Number(await grid(page).getAttribute("data-pages-per-cell"));
      expect(per).toBeGreaterThan(1);
      const before = await eventMark(page);
      expect(before.page).toBe("0");
      const drawn = await gridDrawings(page);
      // two steps a page: past the first cell's last page
      for (let i = 0; i < 2 * per; i++) await page.keyboard.press("ArrowRight");
      await expect.poll(() => currentStep(page)).toBe(fork.firstStep + 2 + 2 * per);
      const after = await eventMark(page);
      expect(after.page).toBe(String(per));
      expect(after.ring).not.toBe(before.ring);
      expect(await pixelsOf(page, RING)).toBeGreaterThan(8);
      expect(await gridDrawings(page)).toBe(drawn);
      expect(app.problems).toEqual([]);
    } finally {
      await app.close();
    }
  });

  it("a step that changes one device's cells redraws its column and still shows the other device's", async () => {
    const text = "device a 64M\ndevice b 64M\nprocess p\np mmap x a 64M\np mmap y b 64M\n";
    const t = traceOf(text);
    const app = await openApp();
    const { page } = app;
    try {
      await openAt(page, text, t.steps - 1);
      await focusBody(page);
      const left = await pixelsOf(page, MAPPED, [0, 0.5]);
      const right = await pixelsOf(page, MAPPED, [0.5, 1]);
      expect(left).toBeGreaterThan(1000);
      expect(right).toBe(left);
      // back to the start of b's mmap (Shift+Left: the statement's first step): b's cells change, a's not
      const drawn = await gridDrawings(page);
      const mmapB = t.ops.find((o) => o.line === 5)!;
      await page.keyboard.press("Shift+ArrowLeft");
      await expect.poll(() => currentStep(page)).toBe(mmapB.firstStep);
      expect(await gridDrawings(page)).toBeGreaterThan(drawn);
      expect(await pixelsOf(page, MAPPED, [0.5, 1])).toBeLessThan(right);
      // a's column was not redrawn, and is still on screen as it was
      expect(await pixelsOf(page, MAPPED, [0, 0.5])).toBe(left);
      expect(app.problems).toEqual([]);
    } finally {
      await app.close();
    }
  });

  it("a device's first step draws its own column: the columns are laid out for the trace's devices, and stepping back takes the new one away", async () => {
    const text = "device a 64M\ndevice b 64M\ndevice c 64M\nprocess p\np mmap x a 64M\n";
    const t = traceOf(text);
    const addB = t.ops.find((o) => o.line === 2)!;
    const app = await openApp();
    const { page } = app;
    try {
      await openAt(page, text, addB.firstStep - 1);
      await focusBody(page);
      const columns = () =>
        page.evaluate(() =>
          Array.from(document.querySelectorAll('[data-testid="pool-grid"] > g:first-child > g')).map((g) => {
            const el = g as SVGGElement & { __seen?: boolean };
            const seen = el.__seen === true;
            el.__seen = true;
            return { dev: el.getAttribute("data-dev"), x: Math.round(el.getBBox().x), seen };
          }),
        );
      const before = await columns();
      expect(before.map((c) => [c.dev, c.seen])).toEqual([["0", false]]);
      // three devices in the trace: device a's column is a third of the pool already
      const width = Number((await grid(page).getAttribute("width"))!);
      await page.keyboard.press("ArrowRight");
      await expect.poll(() => currentStep(page)).toBe(addB.firstStep);
      const after = await columns();
      expect(after.map((c) => [c.dev, c.seen])).toEqual([
        ["0", true],
        ["1", false],
      ]);
      expect(after[1]!.x).toBeGreaterThan(width / 3 - 10);
      expect(after[1]!.x).toBeLessThan(width / 2 - 10);
      await page.keyboard.press("ArrowLeft");
      await expect.poll(() => currentStep(page)).toBe(addB.firstStep - 1);
      expect((await columns()).map((c) => [c.dev, c.seen])).toEqual([["0", true]]);
      expect(app.problems).toEqual([]);
    } finally {
      await app.close();
    }
  });

  it("the pool summary holds the room of all the trace's devices from the first step: the pool keeps its height as they appear", async () => {
    // eight devices with long names: their summary wraps to several lines in the pool's header
    const names = Array.from({ length: 8 }, (_, i) => `accelerator${i}`);
    const text = `${names.map((n) => `device ${n} 32G`).join("\n")}\n`;
    const t = traceOf(text);
    const app = await openApp();
    const { page } = app;
    try {
      await openAt(page, text, 0);
      await focusBody(page);
      const sizes = () =>
        page.evaluate(() => ({
          summary: document.querySelector(".pool .pool-summary")!.getBoundingClientRect().height,
          grid: document.querySelector('[data-testid="pool-grid"]')!.getBoundingClientRect().height,
        }));
      const first = await sizes();
      expect(await page.getByTestId("pool-summary").textContent()).toBe(
        "accelerator0: 8388608 free / 8388608 pages",
      );
      await page.keyboard.press("End");
      await expect.poll(() => currentStep(page)).toBe(t.steps - 1);
      expect(await page.getByTestId("pool-summary").textContent()).toBe(
        names.map((n) => `${n}: 8388608 free / 8388608 pages`).join("; "),
      );
      const last = await sizes();
      // the summary of eight devices takes more than one line, and it took it from the first step
      expect(last.summary).toBeGreaterThan(30);
      expect(last).toEqual(first);
      expect(app.problems).toEqual([]);
    } finally {
      await app.close();
    }
  });

  it("the SVG and PNG exports carry the pool's grid as drawn, its cells and the event's ring, under the BAR pool title", async () => {
    const text = "device big 4G\nprocess p\np mmap a big 64M\n";
    const app = await openApp();
    const { page } = app;
    try {
      await load(page, text);
      // back from the end to the last step that touches a page: its ring is drawn over the cells
      await page.keyboard.press("End");
      const mark = page.getByTestId("pool-mark-event");
      for (let i = 0; i < 10 && (await mark.count()) === 0; i++) {
        const at = await currentStep(page);
        await page.keyboard.press("ArrowLeft");
        await expect.poll(() => currentStep(page)).toBe(at - 1);
      }
      await mark.waitFor();
      await page.getByTestId("share").click();
      const svg = (await download(page, "export-svg")).toString("utf8");
      expect(svg).toContain(">BAR pool</text>");
      const at = svg.indexOf('data-testid="pool-grid"');
      expect(at).toBeGreaterThan(svg.indexOf(">BAR pool</text>"));
      const pool = svg.slice(at);
      // the mapped cells (LOOK_STYLE.mapped), the device's caption, and the ring after the cells (on top)
      expect(pool).toMatch(/<path [^>]*d="M[^"]+"[^>]*fill="#0072b2"/);
      expect(pool).toContain(">big · 1048576 pages");
      expect(pool.indexOf('stroke="#d55e00"')).toBeGreaterThan(pool.indexOf('fill="#0072b2"'));
      const png = await download(page, "export-png");
      expect(png.subarray(1, 4).toString("latin1")).toBe("PNG");
      expect(app.problems).toEqual([]);
    } finally {
      await app.close();
    }
  });
});

const timeline = (page: Page) => page.getByTestId("timeline");
const windowOf = async (page: Page) => ({
  start: Number(await timeline(page).getAttribute("data-win-start")),
  end: Number(await timeline(page).getAttribute("data-win-end")),
});

describe("timeline at scale", () => {
  it("eight 32 GiB NPUs: zooms from the whole trace to single per-page events with the wheel, statement over kernel call over tick, a click seeks, the reset shows the whole trace", async () => {
    const text = readFileSync(join(import.meta.dirname, "../../public/presets/big/eight-npus.p2p"), "utf8");
    const t = traceOf(text);
    const app = await openApp();
    const { page } = app;
    try {
      await load(page, text);
      expect(await windowOf(page)).toEqual({ start: 0, end: t.steps });
      await expect
        .poll(() => page.getByTestId("timeline-window").textContent())
        .toBe(`whole trace · ${t.steps.toLocaleString("en-US")} steps`);
      // the whole trace: a statement band per visible statement, the mmap loops as kernel-call spans
      expect(await timeline(page).locator("g.p2p-band").count()).toBeGreaterThan(5);
      expect(await timeline(page).locator("g.p2p-tick").count()).toBe(0);
      // wheel in at 40% of the strip, down to single events (each zoom halves the window)
      const box = (await timeline(page).boundingBox())!;
      const x = box.x + 10 + 0.4 * (box.width - 20);
      await page.mouse.move(x, box.y + 30);
      for (let i = 0; i < 30; i++) await page.mouse.wheel(0, -100);
      await expect
        .poll(async () => (await windowOf(page)).end - (await windowOf(page)).start)
        .toBeLessThanOrEqual(9);
      const w = await windowOf(page);
      // the step under the pointer stayed under it: ~40% into the trace
      expect(Math.abs(w.start / t.steps - 0.4)).toBeLessThan(0.01);
      // nested lanes: one statement, one kernel loop of millions of pages, a tick per event
      const bands = timeline(page).locator("g.p2p-band");
      expect(await bands.count()).toBe(1);
      const calls = timeline(page).locator("g.p2p-call");
      expect(await calls.count()).toBe(1);
      expect(await calls.first().getAttribute("data-loop")).toBe("true");
      expect(await calls.first().locator("title").textContent()).toMatch(/a kernel loop over [\d,]+ pages/);
      const ticks = timeline(page).locator("g.p2p-tick");
      expect(await ticks.count()).toBeGreaterThanOrEqual(7);
      // each tick names its event; a page number is written on it
      const first = Number(await ticks.first().getAttribute("data-step"));
      expect(first).toBeGreaterThanOrEqual(w.start);
      expect(await ticks.first().locator("title").textContent()).toMatch(
        new RegExp(`^step ${first.toLocaleString("en-US")}: `),
      );
      await shot(page.locator("section.time"), "scale-timeline-single-events");
      // a click on a tick seeks to that step; the window stays
      const tb = (await ticks.nth(3).boundingBox())!;
      const want = Number(await ticks.nth(3).getAttribute("data-step"));
      await page.mouse.click(tb.x + tb.width / 2, tb.y + tb.height / 2);
      await expect.poll(() => page.getByTestId("step").textContent()).toBe(`Step ${want} / ${t.steps}`);
      expect(await windowOf(page)).toEqual(w);
      // stepping past the right edge pages the window on: the cursor stays visible
      await focusBody(page);
      for (let i = 0; i < 10; i++) await page.keyboard.press("ArrowRight");
      await expect.poll(() => page.getByTestId("step").textContent()).toBe(`Step ${want + 10} / ${t.steps}`);
      const moved = await windowOf(page);
      expect(want + 10).toBeGreaterThanOrEqual(moved.start);
      expect(want + 10).toBeLessThan(moved.end);
      expect(await page.locator("g.p2p-cursor line").count()).toBe(1);
      // keys on the focused timeline: - zooms out around the cursor, 0 the whole trace
      await timeline(page).focus();
      await page.keyboard.press("-");
      await expect
        .poll(async () => (await windowOf(page)).end - (await windowOf(page)).start)
        .toBeGreaterThan(9);
      await page.keyboard.press("0");
      await expect.poll(() => windowOf(page)).toEqual({ start: 0, end: t.steps });
      // the speed did not change: the timeline took + and -
      await expect.poll(() => page.getByTestId("speed").textContent()).toBe("8/s");
      await page.getByTestId("timeline-zoom-in").click();
      await expect
        .poll(async () => (await windowOf(page)).end - (await windowOf(page)).start)
        .toBeLessThan(t.steps);
      await page.getByTestId("timeline-reset").click();
      await expect.poll(() => windowOf(page)).toEqual({ start: 0, end: t.steps });
      await shot(page.locator("section.time"), "scale-timeline-whole");
      expect(app.problems).toEqual([]);
    } finally {
      await app.close();
    }
  });
});

describe("refcount table at scale", () => {
  it("a munmap's free loop adds and takes away a row at each page: the sheet follows the rows, the drawing keeps its height", async () => {
    const text = "device d 32G\nprocess p\np mmap a d 4G\np munmap a 0 1G\n";
    const t = traceOf(text);
    const munmap = t.ops.find((o) => o.line === 4)!;
    const from = munmap.lastStep - 10;
    const app = await openApp();
    const { page } = app;
    try {
      await openAt(page, text, from);
      await focusBody(page);
      const sheet = page.locator("section.refs .refcount-sheet");
      const svg = sheet.locator("svg");
      const rows = page.locator("section.refs g.p2p-ref-row");
      const seen: { rows: number; sheet: number; svg: string | null; data: string | null }[] = [];
      for (let i = 0; i < 4; i++) {
        if (i > 0) await page.keyboard.press("ArrowRight");
        await expect.poll(() => currentStep(page)).toBe(from + i);
        seen.push({
          rows: await rows.count(),
          sheet: Math.round((await sheet.boundingBox())!.height),
          svg: await svg.getAttribute("height"),
          data: await svg.getAttribute("data-height"),
        });
      }
      expect(new Set(seen.map((s) => s.rows)).size).toBeGreaterThan(1);
      expect(new Set(seen.map((s) => s.sheet)).size).toBeGreaterThan(1);
      for (const s of seen) expect(String(s.sheet)).toBe(s.data);
      expect(new Set(seen.map((s) => s.svg)).size).toBe(1);
      expect(app.problems).toEqual([]);
    } finally {
      await app.close();
    }
  });
});

describe("address spaces at scale", () => {
  it("stepping through a 32 GiB insert loop: the event's ribbon is outlined at each PTE it sets, its title and the lane's rss count each page, and it stays one element", async () => {
    const text = "device d 32G\nprocess p\np mmap a d 32G\n";
    const t = traceOf(text);
    const mmap = t.ops.find((o) => o.line === 3)!;
    // a step that sets a PTE well inside the loop, and the step after it, which does not
    let at = Math.floor((mmap.firstStep + mmap.lastStep) / 2);
    while (eventAt(t, at)?.kind !== "pte-set") at++;
    expect(eventAt(t, at + 1)?.kind).not.toBe("pte-set");
    const app = await openApp();
    const { page } = app;
    try {
      await openAt(page, text, at);
      await focusBody(page);
      const ribbon = page.locator('path[data-pte-kind="normal"][data-proc="p"]');
      await expect.poll(() => ribbon.getAttribute("stroke-width")).toBe("2");
      const rss = stateAt(t, at).processes[0]!.rssFile;
      const sub = page.locator('g.p2p-lane[data-proc="p"] text.p2p-lane-sub');
      expect(await sub.textContent()).toBe(`rss ${rss}`);
      expect(await ribbon.locator("title").textContent()).toMatch(new RegExp(`^p: ${rss} normal PTEs `));
      await ribbon.evaluate((el) => {
        (el as Element & { __seen?: boolean }).__seen = true;
      });
      await page.keyboard.press("ArrowRight");
      await expect.poll(() => ribbon.getAttribute("stroke-width")).toBe("1");
      // on to the next PTE the loop sets: outlined again, one more page counted, the same element
      let next = at + 1;
      while (eventAt(t, next)?.kind !== "pte-set") next++;
      for (let s = at + 1; s < next; s++) await page.keyboard.press("ArrowRight");
      await expect.poll(() => currentStep(page)).toBe(next);
      await expect.poll(() => ribbon.getAttribute("stroke-width")).toBe("2");
      await expect.poll(() => sub.textContent()).toBe(`rss ${rss + 1}`);
      expect(await ribbon.locator("title").textContent()).toMatch(new RegExp(`^p: ${rss + 1} normal PTEs `));
      expect(await ribbon.count()).toBe(1);
      expect(await ribbon.evaluate((el) => (el as Element & { __seen?: boolean }).__seen)).toBe(true);
      expect(app.problems).toEqual([]);
    } finally {
      await app.close();
    }
  });

  it("25 processes with hundreds of VMAs: lanes that do not fit start folded but the event's, a toggle opens one, links merge, the axis zooms", async () => {
    const out = ["kernel upstream", "device nvme0 64M", "device nvme1 64M", "process p"];
    for (let i = 0; i < 200; i++) out.push(`p mmap m${i} nvme${i % 2} ${4 * (1 + (i % 4))}K`);
    for (let i = 0; i < 200; i += 3) out.push(`p munmap m${i}`);
    for (let c = 0; c < 24; c++) out.push(`p fork c${c}`);
    out.push("c3 munmap m1");
    const text = `${out.join("\n")}\n`;
    const t = traceOf(text);
    const app = await openApp();
    const { page } = app;
    try {
      await load(page, text);
      await page.keyboard.press("End");
      await expect
        .poll(() => page.getByTestId("step").textContent())
        .toBe(`Step ${t.steps - 1} / ${t.steps}`);
      const spaces = page.getByTestId("spaces");
      await expect.poll(() => page.getByTestId("spaces-count").textContent()).toContain("25 processes · ");
      // the last statement acts on c3: its lane is open, most others folded
      const lane = (name: string) => spaces.locator(`g.p2p-lane[data-proc="${name}"]`);
      await expect.poll(() => lane("c3").getAttribute("data-folded")).toBeNull();
      expect(await lane("c10").getAttribute("data-folded")).toBe("true");
      const folded = await spaces.locator('g.p2p-lane[data-folded="true"]').count();
      expect(folded).toBeGreaterThan(15);
      // links from open lanes only, merged: at most 32 per lane, some standing for several runs
      const links = spaces.locator("g.p2p-ribbons path");
      const procs = new Set(await links.evaluateAll((ps) => ps.map((p) => p.getAttribute("data-proc"))));
      expect(procs.has("c10")).toBe(false);
      expect(procs.has("c3")).toBe(true);
      const c3 = spaces.locator('g.p2p-ribbons path[data-proc="c3"]');
      expect(await c3.count()).toBeLessThanOrEqual(32);
      const runs = await c3.evaluateAll((ps) => ps.map((p) => Number(p.getAttribute("data-runs"))));
      expect(Math.max(...runs)).toBeGreaterThan(1);
      await shot(page.locator("section.spaces"), "scale-spaces-folded");
      // open c10 with its toggle: its lane opens and draws links
      await page.getByTestId("lane-toggle-c10").click();
      await expect.poll(() => lane("c10").getAttribute("data-folded")).toBeNull();
      await expect
        .poll(() => spaces.locator('g.p2p-ribbons path[data-proc="c10"]').count())
        .toBeGreaterThan(0);
      await expect.poll(() => page.getByTestId("lane-toggle-c10").getAttribute("aria-expanded")).toBe("true");
      // fold all, then open all
      await page.getByTestId("spaces-fold-all").click();
      await expect.poll(() => spaces.locator('g.p2p-lane[data-folded="true"]').count()).toBe(25);
      // the links of folded lanes fade out and go
      await expect.poll(() => links.count()).toBe(0);
      await page.getByTestId("spaces-open-all").click();
      await expect.poll(() => spaces.locator('g.p2p-lane[data-folded="true"]').count()).toBe(0);
      // zoom the address axis: the VMAs get wider on screen
      const vma = spaces.locator('g.p2p-lane[data-proc="p"] g.p2p-vma rect').first();
      const before = Number(await vma.getAttribute("width"));
      await page.getByTestId("spaces-zoom-in").click();
      await page.getByTestId("spaces-zoom-in").click();
      await expect.poll(async () => Number(await vma.getAttribute("width"))).toBeGreaterThan(before * 3);
      await expect.poll(() => spaces.getAttribute("data-zoom")).toBe("4");
      await page.getByTestId("spaces-zoom-reset").click();
      await expect.poll(() => spaces.getAttribute("data-zoom")).toBe("1");
      await shot(page.locator("section.spaces"), "scale-spaces-open");
      expect(app.problems).toEqual([]);
    } finally {
      await app.close();
    }
  });
});
