/**
 * E2e helpers: one browser connection per test file, a fresh context per app, and a record of
 * every console error or warning, page error, failed request and HTTP error, which the tests
 * require to be empty.
 */

import { mkdirSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { type Browser, type BrowserContext, chromium, type Locator, type Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, expect, inject } from "vitest";
import { encodeShareLink } from "../../src/share/codec.ts";

export const ROOT = resolve(import.meta.dirname, "../..");
export const SHOTS = resolve(ROOT, "test-output/screenshots");

let browser: Browser | undefined;
/** apps opened by the running test: any console error or warning in them fails it */
const opened: AppPage[] = [];

/**
 * Connects to the shared browser for this file's tests and disconnects afterwards; after each
 * test, fails it if any app it opened logged a console error or warning, threw, or had a
 * request fail (even if the test forgot to look).
 */
export function withBrowser(): void {
  beforeAll(async () => {
    browser = await chromium.connect(inject("wsEndpoint"));
    mkdirSync(SHOTS, { recursive: true });
  });
  afterEach(() => {
    const problems = opened.flatMap((a) => a.problems);
    opened.length = 0;
    expect(problems, "console errors/warnings, page errors or failed requests").toEqual([]);
  });
  afterAll(async () => {
    await browser?.close();
    browser = undefined;
  });
}

export interface AppPage {
  readonly page: Page;
  readonly context: BrowserContext;
  /** console errors/warnings, page errors, failed requests: must stay empty */
  readonly problems: string[];
  close(): Promise<void>;
}

export interface OpenOptions {
  readonly width?: number;
  readonly height?: number;
  readonly reducedMotion?: boolean;
  /** a link fragment to open (with its '#') */
  readonly hash?: string;
  /** wait for CodeMirror to replace the stand-in textarea (default: yes, unless a hash is given) */
  readonly waitForEditor?: boolean;
}

export async function openApp(opts: OpenOptions = {}): Promise<AppPage> {
  if (!browser) throw new Error("call withBrowser() in the test file");
  const context = await browser.newContext({
    viewport: { width: opts.width ?? 1280, height: opts.height ?? 800 },
    reducedMotion: opts.reducedMotion ? "reduce" : "no-preference",
  });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warning") problems.push(`console.${m.type()}: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
  page.on("requestfailed", (r) =>
    problems.push(`request failed: ${r.url()} ${r.failure()?.errorText ?? ""}`),
  );
  page.on("response", (r) => {
    if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`);
  });
  const app: AppPage = { page, context, problems, close: () => context.close() };
  opened.push(app);
  await page.goto(`${inject("baseUrl")}${opts.hash ?? ""}`);
  await page.getByTestId("step").waitFor();
  if (opts.waitForEditor ?? opts.hash === undefined) await editorReady(page);
  return app;
}

/**
 * The scenario text the editor shows, as a person reads it: CodeMirror draws only the lines near its
 * viewport, so this scrolls the editor from top to bottom and reads each line beside its number in
 * the gutter (the textarea's value while CodeMirror loads), or "" when no editor is shown (a link
 * that could not be opened).
 */
export async function editorText(page: Page): Promise<string> {
  const ed = page.getByTestId("editor");
  if ((await ed.count()) === 0) return "";
  return ed.evaluate(async (el) => {
    if (el instanceof HTMLTextAreaElement) return el.value;
    const root = el.closest(".cm-editor");
    const scroller = root?.querySelector<HTMLElement>(".cm-scroller");
    if (!root || !scroller) throw new Error("no CodeMirror around the editor");
    const plain = (line: Element) => {
      const c = line.cloneNode(true) as HTMLElement;
      for (const p of c.querySelectorAll(".cm-placeholder")) p.remove();
      return c.textContent ?? "";
    };
    if (root.getClientRects().length === 0) {
      // hidden (compare mode keeps the editor out of sight): the lines it has drawn, in order
      if (el.querySelector(".cm-gap")) throw new Error("the hidden editor drew only part of this long text");
      return Array.from(el.querySelectorAll(":scope > .cm-line"), plain).join("\n");
    }
    const frame = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    const lines = new Map<number, string>();
    const read = () => {
      const numbers = Array.from(root.querySelectorAll<HTMLElement>(".cm-lineNumbers .cm-gutterElement"))
        .filter((g) => /^\d+$/.test(g.textContent ?? "") && g.style.visibility !== "hidden")
        .map((g) => ({ n: Number(g.textContent), top: Math.round(g.getBoundingClientRect().top) }));
      for (const line of el.querySelectorAll<HTMLElement>(":scope > .cm-line")) {
        const top = Math.round(line.getBoundingClientRect().top);
        const n = numbers.find((g) => Math.abs(g.top - top) <= 2)?.n;
        if (n !== undefined) lines.set(n, plain(line));
      }
    };
    const start = scroller.scrollTop;
    scroller.scrollTop = 0;
    await frame();
    read();
    while (scroller.scrollTop + scroller.clientHeight < scroller.scrollHeight - 1) {
      const before = scroller.scrollTop;
      scroller.scrollTop += Math.max(20, scroller.clientHeight - 40);
      await frame();
      read();
      if (scroller.scrollTop === before) break;
    }
    scroller.scrollTop = start;
    const count = Math.max(0, ...lines.keys());
    const out: string[] = [];
    for (let n = 1; n <= count; n++) {
      const text = lines.get(n);
      if (text === undefined) throw new Error(`could not read line ${n} of the editor`);
      out.push(text);
    }
    return out.join("\n");
  });
}

/** Waits until the lazily loaded CodeMirror editor has replaced the stand-in textarea. */
export async function editorReady(page: Page): Promise<void> {
  await page.locator('.editor[data-editor="codemirror"]').waitFor({ state: "attached", timeout: 15000 });
}

export async function stepText(page: Page): Promise<string> {
  return (await page.getByTestId("step").textContent()) ?? "";
}

/** Waits until the step hook reads `Step n / total`. */
export async function expectStep(page: Page, n: number, total: number): Promise<void> {
  await expect.poll(() => stepText(page), { timeout: 5000 }).toBe(`Step ${n} / ${total}`);
}

export async function currentStep(page: Page): Promise<number> {
  const m = /^Step (\d+) \/ (\d+)$/.exec(await stepText(page));
  if (!m) throw new Error(`bad step text: ${await stepText(page)}`);
  return Number(m[1]);
}

/** Opens `text` at `step` through a share link, as a person following one does, and waits for the step. */
export async function openAt(page: Page, text: string, step: number): Promise<void> {
  const r = encodeShareLink({ text, step }, { base: inject("baseUrl") });
  if (!r.ok) throw new Error(r.error.message);
  await page.goto(r.url);
  await expect.poll(() => currentStep(page), { timeout: 10_000 }).toBe(step);
}

export interface PresetEntry {
  readonly file: string;
  readonly title: string;
  readonly design: string;
  /** millions of steps: not walked step by step by the preset tests (test/unit/cli-run checks them) */
  readonly big?: boolean;
  /** a proposal (huge.md), not merged: no real-kernel recording */
  readonly proposal?: boolean;
}

/** The presets the served app lists (dist/ is what the browser sees), big ones included with `big`. */
export function presetIndex({ big = false } = {}): PresetEntry[] {
  const all = JSON.parse(readFileSync(resolve(ROOT, "dist/presets/index.json"), "utf8")) as PresetEntry[];
  // Proposal presets (huge.md designs) are walked by the views' own e2e tests (issue 13 item 3).
  return (big ? all : all.filter((p) => !p.big)).filter((p) => !p.proposal);
}

export function presetText(file: string): string {
  return readFileSync(resolve(ROOT, "dist/presets", file), "utf8");
}

export async function choosePreset(page: Page, file: string): Promise<void> {
  await page.getByTestId("presets").selectOption(`presets/${file}`);
  const text = presetText(file);
  await expect.poll(() => editorText(page), { timeout: 5000 }).toBe(text);
}

/** data-look of every cell of a device, in page order. */
export async function cellLooks(page: Page, dev: string): Promise<string[]> {
  return page.locator(`rect.p2p-cell[data-dev="${dev}"]`).evaluateAll((els) =>
    els
      .map((e) => [Number(e.getAttribute("data-page")), e.getAttribute("data-look") ?? ""] as const)
      .sort((a, b) => a[0] - b[0])
      .map(([, l]) => l),
  );
}

export async function shot(target: Locator | Page, name: string): Promise<string> {
  const path = resolve(SHOTS, `${name}.png`);
  await target.screenshot({ path, animations: "disabled" });
  return path;
}

/** Moves the focus away from form fields so the global keys apply. */
export async function focusBody(page: Page): Promise<void> {
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
}
