/**
 * The editor (CodeMirror, loaded lazily), the dimmed last good run, the resizable editor column,
 * phones (390x844), embed mode, a broken link, the findings' "more below" line, keyboard-only use
 * and axe-core (no serious or critical violation), all as a person sees them in Chromium.
 */

import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { describe, expect, inject, it } from "vitest";
import { encodeShareLink } from "../../src/share/codec.ts";
import { eventsOf } from "../../src/trace/trace.ts";
import { traceOf } from "./expected.ts";
import {
  currentStep,
  editorText,
  focusBody,
  openApp,
  openAt,
  presetText,
  ROOT,
  shot,
  withBrowser,
} from "./harness.ts";

withBrowser();

const AXE = readFileSync(join(ROOT, "node_modules/axe-core/axe.min.js"), "utf8");

interface Violation {
  id: string;
  impact: string;
  nodes: string[];
}

/** axe-core's serious and critical violations on the page as it is now. */
async function axeViolations(page: Page): Promise<Violation[]> {
  await page.addScriptTag({ content: AXE });
  return page.evaluate(async () => {
    // biome-ignore lint/suspicious/noExplicitAny: axe is injected as a global
    const axe = (window as any).axe;
    const r = await axe.run(document, { resultTypes: ["violations"] });
    return (
      r.violations as {
        id: string;
        impact: string;
        nodes: { target: string[]; failureSummary: string }[];
      }[]
    )
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => ({
        id: v.id,
        impact: v.impact,
        nodes: v.nodes.slice(0, 5).map((n) => `${n.target.join(" ")}: ${n.failureSummary}`),
      }));
  });
}

/** The completion popup's text once it shows, asking for it (Ctrl+Space) while it does not. */
async function completions(page: Page): Promise<string> {
  const popup = page.locator(".cm-tooltip-autocomplete");
  if ((await popup.count()) === 0) {
    await page.keyboard.press("Control+Space");
    await page.waitForTimeout(200);
  }
  return (await popup.count()) > 0 ? ((await popup.textContent()) ?? "") : "";
}

/** Waits until the panels that load on first use have arrived. */
async function settled(page: Page): Promise<void> {
  await expect
    .poll(() => page.evaluate(() => /Loading/.test(document.querySelector("main")?.textContent ?? "")), {
      timeout: 10000,
    })
    .toBe(false);
}

const TWO_ERRORS = `kernel upstream
device nvme0 1M
process fio
fio mmap buf nvme0 64K
fio touch nobuf 0
fio frobnicate
fio munmap buf
`;

const GOOD = `# sizes: 4K 64k 1G 2T 0x1000
kernel upstream
device nvme0 1M
process fio
fio mmap buf nvme0 64K
fio pin io1 buf 0 8K
`;

describe("the scenario editor", () => {
  it("is CodeMirror: highlighting, completion, lint marks with their message, every error listed", async () => {
    const app = await openApp();
    const { page } = app;
    try {
      const editor = page.getByTestId("editor");
      expect(await editor.getAttribute("contenteditable")).toBe("true");
      await editor.fill(GOOD);
      await expect.poll(() => page.getByTestId("scenario-error").count()).toBe(0);

      // highlighting: keywords, names, comments and numbers with size suffixes each have a colour
      const colour = (text: string) =>
        page.evaluate((t) => {
          for (const s of document.querySelectorAll(".cm-line span")) {
            if (s.textContent === t && s.children.length === 0) return getComputedStyle(s).color;
          }
          return null;
        }, text);
      const keyword = await colour("mmap");
      const name = await colour("buf");
      const number = await colour("64K");
      expect(keyword).not.toBeNull();
      expect(name).not.toBeNull();
      expect(number).not.toBeNull();
      expect(new Set([keyword, name, number]).size).toBe(3);
      expect(await colour("kernel")).toBe(keyword);
      expect(await colour("8K")).toBe(number);
      const comment = page.locator(".cm-line span", { hasText: "# sizes: 4K 64k 1G 2T 0x1000" });
      expect(await comment.evaluate((e) => getComputedStyle(e).fontStyle)).toBe("italic");
      // and in a statement, 0x1000 and 2T are numbers too
      await editor.fill(`${GOOD}fio touch buf 0x1000\n`);
      await expect.poll(() => colour("0x1000")).toBe(number);

      // completion: keywords, and the names defined above the cursor
      await editor.press("Control+End");
      await page.keyboard.type("fio mm");
      await expect.poll(() => completions(page), { timeout: 10000 }).toContain("mmap");
      await shot(page.locator("aside.side"), "editor-completion");
      await page.keyboard.press("Tab");
      await page.keyboard.type(" two ");
      await expect.poll(() => completions(page), { timeout: 10000 }).toContain("nvme0");
      await page.keyboard.press("Tab");
      await page.keyboard.type(" 16K");
      await page.keyboard.press("Enter");
      await page.keyboard.type("unpin ");
      await expect.poll(() => completions(page), { timeout: 10000 }).toContain("io1");
      await page.keyboard.press("Tab");
      await page.keyboard.press("Enter");
      await expect
        .poll(() => editorText(page))
        .toBe(`${GOOD}fio touch buf 0x1000\nfio mmap two nvme0 16K\nunpin io1\n`);
      await expect.poll(() => page.getByTestId("scenario-error").count()).toBe(0);

      // two errors: both listed, both marked in the text; a mark's message shows on hover
      await editor.fill(TWO_ERRORS);
      await expect.poll(() => page.getByTestId("scenario-error").count()).toBe(2);
      const errors = await page.getByTestId("scenario-error").allTextContents();
      expect(errors[0]).toMatch(/^line 5:\d+: .*nobuf/);
      expect(errors[1]).toMatch(/^line 6:\d+: .*frobnicate/);
      await expect.poll(() => page.locator(".cm-lintRange-error").count()).toBe(2);
      await page.locator(".cm-lintRange-error").first().hover();
      const tip = page.locator(".cm-tooltip-lint");
      await expect
        .poll(() => tip.textContent(), { timeout: 5000 })
        .toContain(errors[0]!.replace(/^line \d+:\d+: /, ""));
      await shot(page.locator("aside.side"), "editor-lint-hover");
      // clicking an error puts the cursor on its line
      await page.getByTestId("scenario-error").nth(1).click();
      await expect.poll(() => page.locator(".cm-activeLine").textContent()).toBe("fio frobnicate");
      expect(app.problems).toEqual([]);
    } finally {
      await app.close();
    }
  });

  it("while the text has errors, shows the last good run dimmed and labelled, with no step marker on the new text", async () => {
    const app = await openApp();
    const { page } = app;
    try {
      const editor = page.getByTestId("editor");
      await editor.fill(GOOD);
      await expect.poll(() => page.getByTestId("scenario-error").count()).toBe(0);
      const total = traceOf(GOOD).steps;
      // the text runs 250 ms after the last keystroke: End before that lands in the previous run
      await expect.poll(() => page.getByTestId("step").textContent()).toMatch(new RegExp(`/ ${total}$`));
      await focusBody(page);
      await page.keyboard.press("End");
      await expect.poll(() => currentStep(page)).toBe(total - 1);
      await expect.poll(() => page.locator(".cm-step-line").textContent()).toBe("fio pin io1 buf 0 8K");
      expect(await page.getByTestId("stale-trace").count()).toBe(0);

      await editor.fill(TWO_ERRORS);
      await expect.poll(() => page.getByTestId("stale-trace").count()).toBe(1);
      expect(await page.getByTestId("stale-trace").textContent()).toMatch(
        /errors \(the first on line 5\).*last text that ran/,
      );
      expect(await page.locator("main.workspace.stale").count()).toBe(1);
      expect(
        Number(await page.locator(".trace-view").evaluate((e) => getComputedStyle(e).opacity)),
      ).toBeLessThan(0.7);
      // the old run's current line (6) is not marked on the new text
      expect(await page.locator(".cm-step-line").count()).toBe(0);
      expect(await page.locator(".cm-gutterElement.cur").count()).toBe(0);
      await shot(page, "stale-trace-1280");

      await editor.fill(GOOD);
      await expect.poll(() => page.getByTestId("stale-trace").count()).toBe(0);
      await expect.poll(() => page.locator(".cm-step-line").count()).toBe(1);
      expect(app.problems).toEqual([]);
    } finally {
      await app.close();
    }
  });

  it("soft-wraps long comments, and its column resizes by drag and by keyboard", async () => {
    const app = await openApp();
    const { page } = app;
    try {
      const long = `# ${"a long comment that goes on ".repeat(6)}\nkernel upstream\n`;
      await page.getByTestId("editor").fill(long);
      await expect.poll(() => page.getByTestId("step").textContent()).toBe(`Step 0 / ${traceOf(long).steps}`);
      const firstLine = page.locator(".cm-line").first();
      expect((await firstLine.boundingBox())!.height).toBeGreaterThan(40);
      expect(await page.locator(".cm-scroller").evaluate((e) => e.scrollWidth <= e.clientWidth)).toBe(true);

      const side = page.locator("aside.side");
      const w0 = (await side.boundingBox())!.width;
      const handle = page.getByTestId("side-resizer");
      const stepBefore = await page.getByTestId("step").textContent();
      await handle.focus();
      for (let i = 0; i < 3; i++) await page.keyboard.press("ArrowRight");
      await expect.poll(async () => Math.round((await side.boundingBox())!.width - w0)).toBe(48);
      expect(await page.getByTestId("step").textContent()).toBe(stepBefore); // the arrows did not step
      expect(Number(await handle.getAttribute("aria-valuenow"))).toBe(Math.round(w0) + 48);
      const box = (await handle.boundingBox())!;
      await page.mouse.move(box.x + box.width / 2, box.y + 200);
      await page.mouse.down();
      await page.mouse.move(box.x + box.width / 2 + 100, box.y + 200, { steps: 5 });
      await page.mouse.up();
      await expect.poll(async () => Math.round((await side.boundingBox())!.width - w0)).toBeGreaterThan(130);
      // the width is kept across reloads
      const w1 = Math.round((await side.boundingBox())!.width);
      await page.reload();
      await page.getByTestId("step").waitFor();
      await expect.poll(async () => Math.round((await side.boundingBox())!.width)).toBe(w1);
      expect(app.problems).toEqual([]);
    } finally {
      await app.close();
    }
  });
});

describe("kernel-code panel", () => {
  it("lays out the next step's function in idle time after a jump: the step shows that page, not a new one", async () => {
    const app = await openApp();
    const { page } = app;
    try {
      const text = "kernel upstream\ndevice d 1M\nprocess p\np mmap a d 16K\n";
      const t = traceOf(text);
      // a step in vm_insert_page's loop whose next event is another function's
      const fns = [...eventsOf(t)].map((e) => e.fn);
      const at = fns.findIndex((fn, i) => fn === "insert_page" && fns[i + 1] === "percpu_ref_get");
      expect(at).toBeGreaterThan(0);
      await openAt(page, text, at);
      await focusBody(page);
      expect(await page.getByTestId("code-fn").textContent()).toBe("insert_page()");
      // once the main thread is idle, the next step's page is there, hidden
      const next = page.locator(".code-page-kept", {
        has: page.locator("code.code-fn", { hasText: "percpu_ref_get()" }),
      });
      await expect.poll(() => next.count()).toBe(1);
      expect(await next.getAttribute("aria-hidden")).toBe("true");
      await next.evaluate((e) => {
        (e as HTMLElement & { __ahead?: boolean }).__ahead = true;
      });
      await page.keyboard.press("ArrowRight");
      await expect.poll(() => currentStep(page)).toBe(at + 1);
      expect(await page.getByTestId("code-fn").textContent()).toBe("percpu_ref_get()");
      const shown = page.locator(".code-page:not(.code-page-kept)");
      expect(await shown.count()).toBe(1);
      expect(await shown.evaluate((e) => (e as HTMLElement & { __ahead?: boolean }).__ahead === true)).toBe(
        true,
      );
      expect(app.problems).toEqual([]);
    } finally {
      await app.close();
    }
  });
});

describe("findings", () => {
  it("mark the one at the current step and those reached, as the steps go over them", async () => {
    const app = await openApp();
    const { page } = app;
    try {
      const text =
        "kernel seed\ndevice nvme0 1M\nprocess p\np mmap a nvme0 4K\np munmap a\np mmap b nvme0 4K\np munmap b\n";
      const t = traceOf(text);
      expect(t.findings.length).toBe(2);
      const [first, second] = t.findings as [(typeof t.findings)[0], (typeof t.findings)[0]];
      expect(second.step).toBeGreaterThan(first.step + 1);
      await openAt(page, text, first.step - 1);
      await focusBody(page);
      const items = page.getByTestId("findings").locator("li");
      // each finding: its class and whether its button is the current step's
      const marks = () =>
        items.evaluateAll((lis) =>
          lis.map(
            (li) =>
              `${li.className}${li.querySelector("button")!.getAttribute("aria-current") ? " current" : ""}`,
          ),
        );
      await expect.poll(marks).toEqual(["ahead", "ahead"]);
      await page.keyboard.press("ArrowRight");
      await expect.poll(marks).toEqual(["reached current", "ahead"]);
      await page.keyboard.press("ArrowRight");
      await expect.poll(marks).toEqual(["reached", "ahead"]);
      await page.keyboard.press("End");
      await expect.poll(marks).toEqual(["reached", "reached"]);
      await page.keyboard.press("Home");
      await expect.poll(marks).toEqual(["ahead", "ahead"]);
      // a click on a finding jumps to its step
      await items.nth(1).locator("button").click();
      await expect.poll(() => currentStep(page)).toBe(second.step);
      await expect.poll(marks).toEqual(["reached", "reached current"]);
      expect(app.problems).toEqual([]);
    } finally {
      await app.close();
    }
  });

  it("say how many more are below when the list scrolls", async () => {
    const app = await openApp();
    const { page } = app;
    try {
      const lines = ["kernel seed", "device nvme0 1M", "process p"];
      for (let i = 0; i < 8; i++) lines.push(`p mmap m${i} nvme0 4K`, `p munmap m${i}`);
      const text = `${lines.join("\n")}\n`;
      const n = traceOf(text).findings.length;
      expect(n).toBeGreaterThanOrEqual(8);
      await page.getByTestId("editor").fill(text);
      await expect.poll(() => page.getByTestId("findings").locator("li").count()).toBe(n);
      const more = page.getByTestId("findings-more");
      await expect.poll(() => more.textContent()).toMatch(/^\d+ more findings below/);
      const below = Number(/^(\d+)/.exec((await more.textContent()) ?? "")![1]);
      expect(below).toBeGreaterThan(0);
      expect(below).toBeLessThan(n);
      await shot(page.locator("section.findings-panel"), "findings-more");
      await page.getByTestId("findings").evaluate((e) => e.scrollTo(0, e.scrollHeight));
      await expect.poll(() => more.count()).toBe(0);
      expect(app.problems).toEqual([]);
    } finally {
      await app.close();
    }
  });
});

describe("a share link that cannot be opened", () => {
  it("says what is wrong, shows no empty editor and no 'fix the scenario', and offers a way on", async () => {
    const app = await openApp({ hash: "#v=1&s=zAAAAAAAAAA&step=3" });
    const { page } = app;
    try {
      await expect.poll(() => page.getByTestId("broken-link").count()).toBe(1);
      expect(await page.getByTestId("scenario-error").textContent()).toMatch(
        /^This link cannot be opened: .*damaged/,
      );
      expect(await page.getByTestId("editor").count()).toBe(0);
      const body = (await page.locator("body").textContent()) ?? "";
      expect(body).not.toContain("Fix the scenario");
      expect(await page.getByTestId("no-scenario").textContent()).toMatch(/could not be opened/);
      await shot(page, "broken-link-1280");
      expect(await axeViolations(page)).toEqual([]);
      await page.getByRole("button", { name: "Write a new scenario" }).click();
      await expect.poll(() => page.getByTestId("editor").count()).toBe(1);
      expect(await editorText(page)).toBe("");
      expect(app.problems).toEqual([]);
    } finally {
      await app.close();
    }
  });
});

function embedLink(file: string, embed: { from?: number; to?: number }, step: number, design?: "seed") {
  const r = encodeShareLink({
    text: presetText(file),
    step,
    ...(design && { design: "upstream", compare: { design } }),
    embed,
  });
  if (!r.ok) throw new Error(r.error.message);
  return `#${r.fragment}`;
}

describe("embed mode", () => {
  it("shows the panels and the stepping controls only, and loops a step range when playing", async () => {
    const file = "upstream-basic.p2p";
    const total = traceOf(presetText(file)).steps;
    const hash = embedLink(file, { from: 10, to: 40 }, 10);
    expect(hash).toMatch(/&embed=1&from=10&to=40&step=10$/);
    const app = await openApp({ hash });
    const { page } = app;
    try {
      await expect.poll(() => page.getByTestId("step").textContent()).toBe(`Step 10 / ${total}`);
      for (const id of ["editor", "presets", "share", "design-switch", "compare-toggle"]) {
        expect(await page.getByTestId(id).count(), id).toBe(0);
      }
      expect(await page.locator("section.panel.pool").isVisible()).toBe(true);
      await settled(page);
      await shot(page, "embed-1280");
      expect(await axeViolations(page)).toEqual([]);

      await focusBody(page);
      for (let i = 0; i < 3; i++) await page.keyboard.press("+"); // 64 steps a second
      await page.getByTestId("play").click();
      const seen: number[] = [];
      await expect
        .poll(
          async () => {
            seen.push(await currentStep(page));
            return seen.some((s, i) => i > 0 && s < seen[i - 1]!);
          },
          { timeout: 15000, interval: 100 },
        )
        .toBe(true);
      expect(Math.min(...seen)).toBeGreaterThanOrEqual(10);
      expect(Math.max(...seen)).toBeLessThanOrEqual(40);
      expect(await page.getByTestId("play").getAttribute("aria-pressed")).toBe("true");
      await page.getByTestId("play").click();
      // the address bar keeps the embed fields while it follows the step
      await expect.poll(() => page.evaluate(() => location.hash)).toMatch(/&embed=1&from=10&to=40&step=\d+$/);
      expect(app.problems).toEqual([]);
    } finally {
      await app.close();
    }
  });

  it("works in an iframe, for a comparison too", async () => {
    const app = await openApp({ hash: embedLink("seed-leak.p2p", {}, 40, "seed") });
    const { page } = app;
    try {
      await expect.poll(() => page.getByTestId("compare-view").count()).toBe(1);
      expect(await page.getByTestId("editor").count()).toBe(0);
      expect(await page.getByTestId("compare-a").isVisible()).toBe(true);
      await settled(page);
      expect(await axeViolations(page)).toEqual([]);
      const src = page.url();
      await page.setContent(
        `<!doctype html><link rel="icon" href="data:,"><title>post</title><h1>A post</h1><iframe src="${src}" title="p2pviz" width="960" height="600"></iframe>`,
      );
      const frame = page.frameLocator("iframe");
      await expect
        .poll(() => frame.getByTestId("step").textContent(), { timeout: 10000 })
        .toMatch(/^Step 40 \/ \d+$/);
      await frame.getByRole("button", { name: "next step" }).click();
      await expect.poll(() => frame.getByTestId("step").textContent()).toMatch(/^Step 41 \/ \d+$/);
      await shot(page, "embed-iframe");
      expect(app.problems).toEqual([]);
    } finally {
      await app.close();
    }
  });
});

describe("phones and narrow screens (390x844)", () => {
  it("keep the transport on screen, scroll tables inside themselves, stack compare mode, never scroll sideways", async () => {
    const app = await openApp({ width: 390, height: 844 });
    const { page } = app;
    try {
      await page.getByTestId("presets").selectOption("presets/seed-unbind-hang.p2p");
      await expect.poll(() => editorText(page)).toBe(presetText("seed-unbind-hang.p2p"));
      await settled(page);
      const width = () => page.evaluate(() => document.documentElement.scrollWidth);
      expect(await width()).toBeLessThanOrEqual(390);
      await shot(page, "phone-top");
      expect(await axeViolations(page)).toEqual([]);

      // scrolled to the bottom, the step and its buttons are still on screen, and work
      await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
      await expect.poll(() => page.evaluate(() => window.scrollY)).toBeGreaterThan(800);
      const step = (await page.getByTestId("step").boundingBox())!;
      expect(step.y).toBeGreaterThanOrEqual(0);
      expect(step.y + step.height).toBeLessThanOrEqual(844);
      const next = page.getByRole("button", { name: "next step" });
      const nb = (await next.boundingBox())!;
      expect(nb.y).toBeGreaterThanOrEqual(0);
      const before = await currentStep(page);
      await next.click();
      await expect.poll(() => currentStep(page)).toBe(before + 1);
      await shot(page, "phone-scrolled");

      // the refcount table scrolls inside its panel, which stays within the screen
      const refs = page.locator("section.refs");
      const rb = (await refs.boundingBox())!;
      expect(rb.x + rb.width).toBeLessThanOrEqual(390);
      const scroller = refs.locator(".panel-scroll");
      expect(["auto", "scroll"]).toContain(await scroller.evaluate((e) => getComputedStyle(e).overflowX));
      expect(await width()).toBeLessThanOrEqual(390);

      // compare mode stacks its two columns
      await page.evaluate(() => window.scrollTo(0, 0));
      await page.getByTestId("compare-toggle").click();
      await page.getByTestId("compare-view").waitFor();
      await settled(page);
      const a = (await page.getByTestId("compare-a").boundingBox())!;
      const b = (await page.getByTestId("compare-b").boundingBox())!;
      expect(b.y).toBeGreaterThanOrEqual(a.y + a.height - 1);
      expect(b.x + b.width).toBeLessThanOrEqual(390);
      expect(await width()).toBeLessThanOrEqual(390);
      await shot(page, "phone-compare");
      expect(await axeViolations(page)).toEqual([]);
      await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
      const cs = (await page.getByTestId("step").boundingBox())!;
      expect(cs.y).toBeGreaterThanOrEqual(0);
      expect(cs.y + cs.height).toBeLessThanOrEqual(844);
      expect(app.problems).toEqual([]);
    } finally {
      await app.close();
    }
  });
});

describe("accessibility", () => {
  it("axe-core finds no serious or critical violation in the single and the compare view", async () => {
    const app = await openApp();
    const { page } = app;
    try {
      await page.getByTestId("presets").selectOption("presets/seed-unbind-hang.p2p");
      await expect.poll(() => editorText(page)).toBe(presetText("seed-unbind-hang.p2p"));
      await settled(page);
      await focusBody(page);
      await page.keyboard.press("End");
      expect(await axeViolations(page)).toEqual([]);
      await page.getByTestId("compare-toggle").click();
      await page.getByTestId("compare-view").waitFor();
      await settled(page);
      await shot(page, "compare-1280");
      expect(await axeViolations(page)).toEqual([]);
      expect(app.problems).toEqual([]);
    } finally {
      await app.close();
    }
  });

  it("Tab reaches every control, in order, and the keyboard alone steps and plays", async () => {
    const app = await openApp();
    const { page } = app;
    try {
      await page.getByTestId("presets").selectOption("presets/seed-unbind-hang.p2p");
      await expect.poll(() => editorText(page)).toBe(presetText("seed-unbind-hang.p2p"));
      await settled(page);
      // every visible control, numbered in document order
      const controls = await page.evaluate(() => {
        const sel =
          'button:not([disabled]), select:not([disabled]), input:not([disabled]), textarea, a[href], [contenteditable="true"], [tabindex]:not([tabindex="-1"])';
        const list: string[] = [];
        document.querySelectorAll<HTMLElement>(sel).forEach((e, i) => {
          if (e.getClientRects().length === 0 || getComputedStyle(e).visibility === "hidden") return;
          e.dataset.walk = String(i);
          list.push(
            `${i}:${e.getAttribute("aria-label") ?? e.getAttribute("data-testid") ?? e.textContent?.trim().slice(0, 30)}`,
          );
        });
        return list;
      });
      expect(controls.length).toBeGreaterThan(20);
      await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
      const reached: string[] = [];
      for (let i = 0; i < controls.length * 2 + 10; i++) {
        await page.keyboard.press("Tab");
        const w = await page.evaluate(
          () => (document.activeElement as HTMLElement | null)?.dataset.walk ?? null,
        );
        if (w !== null && !reached.includes(w)) reached.push(w);
        if (reached.length === controls.length) break;
      }
      const missed = controls.filter((c) => !reached.includes(c.split(":")[0]!));
      expect(missed).toEqual([]);
      // the order follows the page: header, editor column, panels
      const order = reached.map(Number);
      expect(order.slice(0, 5)).toEqual([...order.slice(0, 5)].sort((x, y) => x - y));

      // step with the keyboard alone: Tab to "next step", Enter; Space plays and pauses
      await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
      let label: string | null = null;
      for (let i = 0; i < 40 && label !== "next step"; i++) {
        await page.keyboard.press("Tab");
        label = await page.evaluate(() => document.activeElement?.getAttribute("aria-label") ?? null);
      }
      expect(label).toBe("next step");
      const s0 = await currentStep(page);
      await page.keyboard.press("Enter");
      await expect.poll(() => currentStep(page)).toBe(s0 + 1);
      await page.keyboard.press("Enter");
      await expect.poll(() => currentStep(page)).toBe(s0 + 2);
      await page.keyboard.press("ArrowRight");
      await expect.poll(() => currentStep(page)).toBe(s0 + 3);
      await page.keyboard.press(" ");
      await expect.poll(() => page.getByTestId("play").getAttribute("aria-pressed")).toBe("true");
      await page.keyboard.press(" ");
      await expect.poll(() => page.getByTestId("play").getAttribute("aria-pressed")).toBe("false");
      expect(app.problems).toEqual([]);
    } finally {
      await app.close();
    }
  });
});

describe("the kernel-code excerpt", () => {
  it("keeps three lines and the current one in sight in a short window", async () => {
    // 1280x560: gen_pool_alloc_owner()'s current line is its 7th, below the excerpt's first lines
    const app = await openApp({ width: 1280, height: 560, waitForEditor: false });
    try {
      const page = app.page;
      const text = presetText("refusals.p2p");
      const step = 15;
      const link = encodeShareLink({ text, step }, { base: inject("baseUrl") });
      if (!link.ok) throw new Error(link.error.message);
      await page.goto(link.url);
      await expect.poll(() => currentStep(page), { timeout: 10_000 }).toBe(step);
      expect(await page.getByTestId("code-fn").textContent()).toBe("gen_pool_alloc_owner()");
      // the real kernel's result arrives after the first frame and takes room from the excerpt
      await page.getByTestId("real-result").waitFor();
      const sight = () =>
        page.evaluate(() => {
          const li = document.querySelector<HTMLElement>('[data-testid="code-line-current"]');
          const ol = li?.closest("ol");
          const panel = ol?.closest("section");
          if (!li || !ol || !panel) return "no excerpt";
          const [l, b, p] = [li, ol, panel].map((e) => e.getBoundingClientRect()) as [
            DOMRect,
            DOMRect,
            DOMRect,
          ];
          if (b.height < 3 * 17 - 1 || b.bottom > p.bottom + 1) return `excerpt ${b.height}px, clipped`;
          if (ol.scrollTop === 0) return "not scrolled";
          return l.top >= b.top - 1 && l.bottom <= b.bottom + 1 ? "in sight" : "out of sight";
        });
      await expect.poll(sight, { timeout: 5_000 }).toBe("in sight");
      // the source line is cut to one line there, and says the whole of it in its title
      const src = page.getByTestId("code-src");
      expect((await src.boundingBox())!.height).toBeLessThan(20);
      expect(await src.getAttribute("title")).toBe(
        "lib/genalloc.c:277–325 (Linux 6.12.117, as gen_pool_alloc_algo_owner()) · simulating Linux 7.3.4",
      );
      await shot(page.locator("section.code"), "kernel-code-short-window");
    } finally {
      await app.close();
    }
  });
});
