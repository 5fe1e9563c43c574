/**
 * Compare mode end to end in Chromium (issue 6): open it from a share link in a fresh browser,
 * step both sides with the keyboard on the aligned cursor, jump between divergences with the
 * buttons and with [ and ], and check both columns' pool summaries, each side's own step, the
 * divergence sentence and the summary table against the engine run in node. Zero console errors.
 */

import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { Page } from "playwright-core";
import { describe, expect, inject, it } from "vitest";
import { encodeShareLink, type ShareState } from "../../src/share/codec.ts";
import { runShare } from "../../src/store/compare-run.ts";
import { alignedTotal, type Comparison, sideStep, statementAt, statementEnd } from "../../src/trace/diff.ts";
import { poolSummaryAt } from "./expected.ts";
import {
  choosePreset,
  currentStep,
  expectStep,
  focusBody,
  openApp,
  presetIndex,
  ROOT,
  shot,
  withBrowser,
} from "./harness.ts";

withBrowser();

const preset = (f: string) => readFileSync(resolve(ROOT, "public/presets", f), "utf8");

function comparisonOf(state: ShareState): Comparison {
  const r = runShare(state);
  if (!r.ok || !r.comparison) throw new Error("the state does not run as a comparison");
  return r.comparison;
}

function linkOf(state: ShareState): string {
  const r = encodeShareLink(state, { base: inject("baseUrl") });
  if (!r.ok) throw new Error(r.error.message);
  return r.url;
}

async function openLink(url: string, width = 1280, height = 800) {
  const app = await openApp({ width, height, reducedMotion: true });
  // openApp loads the bare app first; a link is opened in a fresh page of the same fresh context
  const page = await app.context.newPage();
  const problems = app.problems;
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warning") problems.push(`console.${m.type()}: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
  await app.page.close();
  await page.goto(url);
  await page.getByTestId("compare-view").waitFor();
  return { page, problems, close: () => app.context.close() };
}

const side = (page: Page, s: "a" | "b") => page.getByTestId(`compare-${s}`);
const text = async (page: Page, testId: string) => (await page.getByTestId(testId).textContent()) ?? "";

/** Both columns and the step display show aligned step `step` of comparison `c`. */
async function expectAt(page: Page, c: Comparison, step: number): Promise<void> {
  await expect.poll(() => text(page, "step"), { timeout: 5000 }).toBe(`Step ${step} / ${alignedTotal(c)}`);
  const a = sideStep(c, "a", step);
  const b = sideStep(c, "b", step);
  await expect
    .poll(() => side(page, "a").getByTestId("pool-summary").textContent())
    .toBe(poolSummaryAt(c.a, a));
  await expect
    .poll(() => side(page, "b").getByTestId("pool-summary").textContent())
    .toBe(poolSummaryAt(c.b, b));
  expect(await side(page, "a").getByTestId("side-step").textContent()).toMatch(
    new RegExp(`^step ${a} / ${c.a.steps}`),
  );
  expect(await side(page, "b").getByTestId("side-step").textContent()).toMatch(
    new RegExp(`^step ${b} / ${c.b.steps}`),
  );
  expect(await text(page, "side-steps")).toBe(`A ${a} · B ${b}`);
}

async function stepOf(page: Page): Promise<number> {
  const m = /^Step (\d+) \/ \d+$/.exec(await text(page, "step"));
  if (!m) throw new Error(`bad step text ${await text(page, "step")}`);
  return Number(m[1]);
}

describe("compare mode", () => {
  it("seed-leak.p2p, upstream vs seed: opens from a link at the munmap, steps, jumps, explains", async () => {
    const state0: ShareState = {
      text: preset("seed-leak.p2p"),
      step: 0,
      design: "upstream",
      compare: { design: "seed" },
    };
    const c = comparisonOf(state0);
    expect(c.divergences).toHaveLength(1);
    const munmap = statementEnd(c, c.divergences[0]!.index);
    const app = await openLink(linkOf({ ...state0, step: munmap }));
    const { page } = app;
    try {
      // the link opens compare mode at the end of the munmap: both sides show its whole effect
      await expectAt(page, c, munmap);
      expect(await side(page, "a").getByTestId("pool-summary").textContent()).toBe(
        "nvme0: 256 free / 256 pages",
      );
      expect(await side(page, "b").getByTestId("pool-summary").textContent()).toBe(
        "nvme0: 248 free / 256 pages",
      );
      expect(await text(page, "divergence-text")).toBe(
        "After `fio munmap buf`: upstream returned 8 pages to the pool, found nothing wrong; seed returned no pages to the pool, found leak (8 pages).",
      );
      expect(await side(page, "a").getAttribute("data-design")).toBe("upstream");
      expect(await side(page, "b").getAttribute("data-design")).toBe("seed");
      expect(await page.getByTestId("compare-toggle").getAttribute("aria-pressed")).toBe("true");
      expect(await page.getByTestId("divergence-mark").count()).toBe(1);
      expect(await page.getByTestId("divergence-mark").getAttribute("data-line")).toBe("10");
      await shot(page, "compare-seed-leak-munmap-1280");

      // the summary table: one row per design
      const rows = page.getByTestId("compare-summary").locator("tbody tr");
      expect(await rows.count()).toBe(2);
      const cells = async (i: number) =>
        Object.fromEntries(
          await rows
            .nth(i)
            .locator("td")
            .evaluateAll((tds) => tds.map((td) => [td.getAttribute("data-col"), td.textContent])),
        );
      expect(await cells(0)).toEqual({
        peak: "8",
        leaked: "0",
        freed: "0",
        errnos: "none",
        ptes: "normal",
        pins: "none tried",
        // the counters of huge.md §6.3 over the run: 8 vm_insert_page, each after set_page_count
        installs: "8",
        pte: "8",
        pmd: "0",
        pud: "0",
        tables: "3",
        structpages: "8",
        vmemmap: "16 KiB",
      });
      expect(await cells(1)).toEqual({
        peak: "8",
        leaked: "8",
        freed: "0",
        errnos: "none",
        ptes: "devmap",
        pins: "none tried",
        installs: "8", // vmf_insert_mixed per page
        pte: "8",
        pmd: "0",
        pud: "0",
        tables: "3",
        structpages: "0",
        vmemmap: "16 KiB",
      });
      // leaked, PTE kinds, struct pages initialised
      expect(await rows.nth(1).locator("td.differs").count()).toBe(3);

      // keyboard on the aligned cursor: Home, Right x3, Shift+Right, End, Left
      await focusBody(page);
      await page.keyboard.press("Home");
      await expectAt(page, c, 0);
      for (let i = 0; i < 3; i++) await page.keyboard.press("ArrowRight");
      await expectAt(page, c, 3);
      await page.keyboard.press("Shift+ArrowRight");
      const next = c.starts[statementAt(c, 3) + 1]!;
      await expectAt(page, c, next);
      await page.keyboard.press("Shift+ArrowLeft");
      await expectAt(page, c, c.starts[statementAt(c, 3)]!);
      await page.keyboard.press("End");
      const last = alignedTotal(c) - 1;
      await expectAt(page, c, last);
      await page.keyboard.press("ArrowLeft");
      await expectAt(page, c, last - 1);

      // [ and ] jump to the end of the previous/next divergent statement
      await page.keyboard.press("Home");
      await expectAt(page, c, 0);
      // before the divergence, the sentence is still there, marked as later in the run
      expect(await text(page, "divergence-where")).toBe("line 10, later in the run:");
      await page.keyboard.press("]");
      await expectAt(page, c, munmap);
      expect(await text(page, "divergence-where")).toBe("line 10:");
      await page.keyboard.press("]"); // nothing further: stays
      await expectAt(page, c, munmap);
      expect(await page.getByTestId("next-divergence").isDisabled()).toBe(true);
      await page.keyboard.press("Home");
      await page.getByTestId("next-divergence").click();
      await expectAt(page, c, munmap);

      // Space plays the aligned cursor; it stops at the end
      await page.keyboard.press("Home");
      await page.keyboard.press("+");
      await page.keyboard.press("+");
      await page.keyboard.press("+");
      await page.keyboard.press("+");
      await page.keyboard.press("+");
      await page.keyboard.press(" ");
      await expect.poll(() => stepOf(page), { timeout: 15000 }).toBe(last);
      await expect.poll(() => page.getByTestId("play").getAttribute("aria-pressed")).toBe("false");
      await expectAt(page, c, last);

      // the address bar follows: a v2 link with side B and the aligned step
      await page.keyboard.press("[");
      await expectAt(page, c, munmap);
      await expect
        .poll(() => page.evaluate(() => location.hash), { timeout: 3000 })
        .toMatch(new RegExp(`^#v=3&s=z[\\w-]+&design=upstream&vs=seed&step=${munmap}$`));

      // a single-view link pasted into the address bar leaves compare mode; Back returns to it
      const single = encodeShareLink({ text: state0.text, step: 3 });
      if (!single.ok) throw new Error(single.error.message);
      await page.evaluate((h) => {
        location.hash = h;
      }, single.fragment);
      await expect.poll(() => page.getByTestId("compare-toggle").getAttribute("aria-pressed")).toBe("false");
      await expectStep(page, 3, c.b.steps); // seed-leak.p2p's own design is seed
      await page.goBack();
      await expect.poll(() => page.getByTestId("compare-toggle").getAttribute("aria-pressed")).toBe("true");
      await expectAt(page, c, munmap);
      expect(app.problems).toEqual([]);
    } finally {
      await app.close();
    }
  });

  it("fault-first-touch.p2p, fault vs upstream: the shorter side waits, two divergences, 1920 wide", async () => {
    const state0: ShareState = {
      text: preset("fault-first-touch.p2p"),
      step: 0,
      compare: { design: "upstream" },
    };
    const c = comparisonOf(state0);
    expect(c.divergences.map((d) => d.line)).toEqual([6, 7]);
    const app = await openLink(linkOf(state0), 1920, 1080);
    const { page } = app;
    try {
      await expectAt(page, c, 0);
      await focusBody(page);
      await page.keyboard.press("]");
      const first = statementEnd(c, c.divergences[0]!.index);
      await expectAt(page, c, first);
      expect(await text(page, "divergence-text")).toBe(c.divergences[0]!.explanation);
      expect(await text(page, "divergence-count")).toBe("1 of 2 divergences");
      // inside the mmap statement upstream allocates page by page while fault has nothing to do
      const mid = c.starts[c.divergences[0]!.index]! + 20;
      await page.keyboard.press("Home");
      await page.keyboard.press("Shift+ArrowRight");
      // find the mmap statement by stepping statements; then step into it
      while ((await stepOf(page)) < c.starts[c.divergences[0]!.index]!)
        await page.keyboard.press("Shift+ArrowRight");
      for (let i = 0; i < 20; i++) await page.keyboard.press("ArrowRight");
      await expectAt(page, c, mid);
      expect(await side(page, "a").getByTestId("side-step").textContent()).toContain(
        "waits for the other side",
      );
      expect(await side(page, "b").getByTestId("side-step").textContent()).not.toContain("waits");
      await page.keyboard.press("]");
      await expectAt(page, c, first);
      await page.keyboard.press("]");
      const second = statementEnd(c, c.divergences[1]!.index);
      await expectAt(page, c, second);
      expect(await text(page, "divergence-text")).toBe(
        "After `p touch a 8K`: fault took 16 pages from the pool; upstream took no pages.",
      );
      expect(await text(page, "divergence-count")).toBe("2 of 2 divergences");
      await page.getByTestId("prev-divergence").click();
      await expectAt(page, c, first);
      await shot(page, "compare-fault-vs-upstream-1920");
      // nothing scrolls at 1920x1080 either
      const overflow = await page.evaluate(() => [
        document.documentElement.scrollHeight - window.innerHeight,
        document.documentElement.scrollWidth - window.innerWidth,
      ]);
      expect(overflow).toEqual([0, 0]);
      expect(app.problems).toEqual([]);
    } finally {
      await app.close();
    }
  });

  it("from the single view: Compare, side B pickers, rfc-v1 vs upstream at 1280, editor, back", async () => {
    const app = await openApp({ reducedMotion: true });
    const { page } = app;
    try {
      const file = "rfc-v1-freed-while-pinned.p2p";
      const scenario = preset(file);
      await choosePreset(page, file);
      await shot(page, "single-view-with-compare-button-1280");
      await focusBody(page);
      for (let i = 0; i < 4; i++) await page.keyboard.press("Shift+ArrowRight");
      const single = await currentStep(page);

      await page.getByTestId("compare-toggle").click();
      await page.getByTestId("compare-view").waitFor();
      // side B defaults to another design than A's: rfc-v1 -> upstream; the cursor keeps its statement
      const c = comparisonOf({ text: scenario, step: 0, compare: { design: "upstream" } });
      expect(await page.getByTestId("design-b").inputValue()).toBe("upstream");
      const entered = await stepOf(page);
      expect(sideStep(c, "a", entered)).toBe(single);
      await expectAt(page, c, entered);

      // every divergence in turn, with its sentence
      await page.keyboard.press("Home");
      for (const d of c.divergences) {
        await page.keyboard.press("]");
        await expectAt(page, c, statementEnd(c, d.index));
        expect(await text(page, "divergence-text")).toBe(d.explanation);
        if (d.line === 12) await shot(page, "compare-rfc-v1-vs-upstream-1280");
      }
      expect(c.divergences[0]!.explanation).toBe(
        "After `fio munmap buf`: rfc-v1 returned 4 pages to the pool, found use-after-free (1 page); upstream returned 3 pages to the pool, found nothing wrong.",
      );
      // the freed-while-pinned page is drawn as such on side A only
      const looks = (s: "a" | "b") =>
        side(page, s).locator('rect.p2p-cell[data-look="freed-in-use"]').count();
      await page.keyboard.press("Home");
      await page.keyboard.press("]");
      expect([await looks("a"), await looks("b")]).toEqual([1, 0]);
      const rows = page.getByTestId("compare-summary").locator("tbody tr");
      // distinct pages: page 0 is freed while pinned, then handed out again, and counts once
      expect(await rows.nth(0).locator('td[data-col="freed"]').textContent()).toBe("1");
      expect(await rows.nth(1).locator('td[data-col="freed"]').textContent()).toBe("0");
      const overflow = await page.evaluate(() => [
        document.documentElement.scrollHeight - window.innerHeight,
        document.documentElement.scrollWidth - window.innerWidth,
      ]);
      expect(overflow).toEqual([0, 0]);

      // another design for side B: compared again at the same statement
      const at = await stepOf(page);
      await page.getByTestId("design-b").selectOption("fault");
      await expect.poll(() => side(page, "b").getAttribute("data-design")).toBe("fault");
      const cf = comparisonOf({ text: scenario, step: 0, compare: { design: "fault" } });
      const now = await stepOf(page);
      expect(statementAt(cf, now)).toBe(statementAt(c, at));
      await expectAt(page, cf, now);

      // side B runs another preset's text
      await page.getByTestId("scenario-b").selectOption("presets/seed-leak.p2p");
      const cs = comparisonOf({
        text: scenario,
        step: 0,
        compare: { design: "fault", text: preset("seed-leak.p2p") },
      });
      await expect.poll(() => text(page, "step")).toMatch(new RegExp(` / ${alignedTotal(cs)}$`));
      await expectAt(page, cs, await stepOf(page));
      await page.getByTestId("scenario-b").selectOption("");
      await expect.poll(() => text(page, "step")).toMatch(new RegExp(` / ${alignedTotal(cf)}$`));

      // side B's own text, written by hand: first with a mistake, then without the final unpin
      await page.getByTestId("scenario-b").selectOption("edit");
      const area = page.getByTestId("side-b-textarea");
      expect(await area.inputValue()).toBe(scenario);
      await shot(page, "compare-side-b-text-1280");
      await area.fill(`${scenario}fio mmap\n`);
      await page.getByTestId("side-b-apply").click();
      await expect
        .poll(() => page.getByTestId("side-b-error").textContent())
        .toMatch(/^Side B's scenario does not run: line 14:10: /);
      expect(await page.getByTestId("compare-a").count()).toBe(0);
      const noUnpin = scenario.replace("unpin io\n", "");
      await page.getByTestId("scenario-b").selectOption("edit");
      await page.getByTestId("side-b-textarea").fill(noUnpin);
      await page.getByTestId("side-b-apply").click();
      const cn = comparisonOf({ text: scenario, step: 0, compare: { design: "fault", text: noUnpin } });
      await expect.poll(() => text(page, "step")).toMatch(new RegExp(` / ${alignedTotal(cn)}$`));
      await expectAt(page, cn, await stepOf(page));
      expect(await page.getByTestId("scenario-b").inputValue()).toBe("custom");
      expect(await page.getByTestId("side-b-text").count()).toBe(0);
      await page.getByTestId("scenario-b").selectOption("");
      await expect.poll(() => text(page, "step")).toMatch(new RegExp(` / ${alignedTotal(cf)}$`));

      // the editor can be shown beside the columns, and edits side A
      expect(await page.getByTestId("editor").isVisible()).toBe(false);
      await page.getByTestId("editor-toggle").click();
      expect(await page.getByTestId("editor").isVisible()).toBe(true);
      await shot(page, "compare-with-editor-1280");
      await page.getByTestId("editor-toggle").click();

      // back to the single view, at the step side A was showing
      await focusBody(page);
      await page.keyboard.press("Home");
      await expectAt(page, cf, 0);
      await page.keyboard.press("]");
      const aligned = statementEnd(cf, cf.divergences[0]!.index);
      await expectAt(page, cf, aligned);
      const own = sideStep(cf, "a", aligned);
      await page.getByTestId("compare-toggle").click();
      await page.getByTestId("editor").waitFor();
      await expectStep(page, own, c.a.steps);
      expect(await page.getByTestId("pool-summary").count()).toBe(1);
      expect(await page.getByTestId("pool-summary").textContent()).toBe(poolSummaryAt(c.a, own));
      expect(app.problems).toEqual([]);
    } finally {
      await app.close();
    }
  });

  it("in a laptop's short window (1366x650) keeps each panel readable and scrolls the comparison", async () => {
    const state: ShareState = { text: preset("seed-leak.p2p"), step: 20, compare: { design: "seed" } };
    const app = await openLink(linkOf(state), 1366, 650);
    const { page } = app;
    try {
      const heights = () =>
        page.evaluate(() =>
          [...document.querySelectorAll<HTMLElement>('[data-testid="compare-a"] .panel')].map((p) =>
            Math.round(p.getBoundingClientRect().height),
          ),
        );
      // pool, address spaces, refcounts, kernel code, findings: none squeezed to its heading (crushed
      // into the window, the lower panels had about 80 px, their table and excerpt cut to a line)
      await expect.poll(heights).toHaveLength(5);
      const [pool, spaces, refs0, code, findings] = await heights();
      expect(Math.min(pool!, spaces!, refs0!, code!)).toBeGreaterThanOrEqual(110);
      expect(findings).toBeGreaterThanOrEqual(70);
      const view = page.getByTestId("compare-view");
      const refs = page.locator('[data-testid="compare-a"] .panel.refs');
      await refs.scrollIntoViewIfNeeded();
      expect(await view.evaluate((v) => v.scrollTop)).toBeGreaterThan(0);
      // the header and its transport stay where they were
      expect((await page.getByTestId("step").boundingBox())!.y).toBeLessThan(40);
      await shot(page, "compare-short-window-scrolled");
    } finally {
      await app.close();
    }
  });

  it("eight devices: each column's pool summary keeps to two lines and scrolls, and the pool keeps room for its cells", async () => {
    const state: ShareState = {
      text: preset("huge/rfc-eight-npus.p2p"),
      design: "huge",
      version: "7.3",
      step: 0,
      compare: { design: "upstream" },
    };
    const c = comparisonOf(state);
    const app = await openLink(linkOf(state));
    const { page } = app;
    try {
      await page.keyboard.press("End");
      await expectAt(page, c, alignedTotal(c) - 1);
      const col = side(page, "a");
      const summary = col.locator(".pool-summary");
      const box = await summary.evaluate((p) => ({
        // in lines of text: a line is about 1.2 of the font's size
        lines: p.clientHeight / (1.2 * Number.parseFloat(getComputedStyle(p).fontSize)),
        scrolls: p.scrollHeight > p.clientHeight,
        tab: p.getAttribute("tabindex"),
      }));
      expect(box.lines).toBeLessThanOrEqual(2.2);
      expect(box).toMatchObject({ scrolls: true, tab: "0" });
      // all eight devices are still in the summary, for those who scroll it or read it aloud
      expect((await col.getByTestId("pool-summary").textContent())!.split("; ")).toHaveLength(8);
      // the pool under it keeps room for its columns' cells (it had none with four lines above it)
      const grid = await col.getByTestId("pool-grid").boundingBox();
      expect(grid!.height).toBeGreaterThanOrEqual(24);
      expect(app.problems).toEqual([]);
    } finally {
      await app.close();
    }
  });

  it("a comparison link whose aligned step is past the end says so, in the editor it shows", async () => {
    const state: ShareState = { text: preset("seed-leak.p2p"), step: 0, compare: { design: "upstream" } };
    const total = alignedTotal(comparisonOf(state));
    const app = await openLink(linkOf({ ...state, step: total + 5 }));
    const { page } = app;
    try {
      await expect
        .poll(() => page.getByTestId("scenario-error").textContent(), { timeout: 5000 })
        .toBe(`The link asks for step ${total + 5}, but this scenario has steps 0 to ${total - 1}.`);
      expect(await page.getByTestId("editor").isVisible()).toBe(true);
      expect(await page.getByTestId("editor-toggle").getAttribute("aria-pressed")).toBe("true");
      // the view is at the last step rather than some other place, and the bad link stays put
      expect(await text(page, "step")).toBe(`Step ${total - 1} / ${total}`);
      expect(await page.evaluate(() => location.hash)).toContain(`step=${total + 5}`);
      expect(app.problems).toEqual([]);
    } finally {
      await app.close();
    }
  });

  describe.each(presetIndex())("preset $file in compare mode", ({ file, design }) => {
    it("every divergence in turn: both pools, the sentence, no scrolling at 1280x800", async () => {
      const other = design === "upstream" ? "seed" : "upstream";
      const state: ShareState = { text: preset(file), step: 0, compare: { design: other } };
      const c = comparisonOf(state);
      const app = await openLink(linkOf(state));
      const { page } = app;
      try {
        await expectAt(page, c, 0);
        await focusBody(page);
        for (const [i, d] of c.divergences.entries()) {
          await page.keyboard.press("]");
          await expectAt(page, c, statementEnd(c, d.index));
          expect(await text(page, "divergence-text")).toBe(d.explanation);
          expect(await text(page, "divergence-count")).toBe(
            `${i + 1} of ${c.divergences.length} divergence${c.divergences.length === 1 ? "" : "s"}`,
          );
          if (i === 0) await shot(page, `compare-${file.replace(/\.p2p$/, "")}-${design}-vs-${other}-1280`);
        }
        if (c.divergences.length === 0) {
          expect(await text(page, "divergence-text")).toContain("No divergence");
        }
        const overflow = await page.evaluate(() => [
          document.documentElement.scrollHeight - window.innerHeight,
          document.documentElement.scrollWidth - window.innerWidth,
        ]);
        expect(overflow).toEqual([0, 0]);
        expect(app.problems).toEqual([]);
      } finally {
        await app.close();
      }
    });
  });
});
