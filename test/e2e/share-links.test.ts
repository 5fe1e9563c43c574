/**
 * Share links end to end (issue 5), in the built app in Chromium: links made by the CLI for every
 * preset, links copied with the Share button, the committed fixture links of every format version,
 * each opened in a fresh browser context; bad links; Back/Forward; the too-large refusal; exports.
 * Expected values come from the engine run in node (expected.ts).
 */

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type Browser, type BrowserContext, chromium, type Download, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Design } from "../../src/scenario/ast.ts";
import { encodeShareLink, type ShareState } from "../../src/share/codec.ts";
import { migrateStep } from "../../src/share/migrate-step.ts";
import { runCli } from "../unit/helpers.ts";
import { expectShowsComparison } from "./compare-expect.ts";
import { poolSummaryAt, traceOf } from "./expected.ts";
import { editorReady, editorText } from "./harness.ts";

const ROOT = join(import.meta.dirname, "../..");
const PRESETS = join(ROOT, "public/presets");
const presets = readdirSync(PRESETS)
  .filter((f) => f.endsWith(".p2p"))
  .sort();

let browser: Browser;
beforeAll(async () => {
  browser = await chromium.connect(inject("wsEndpoint"));
});
afterAll(async () => {
  await browser?.close();
});

interface Opened {
  page: Page;
  context: BrowserContext;
  problems: string[];
}

/** A fresh browser context (empty storage) showing `url`. */
async function open(url: string, permissions: string[] = []): Promise<Opened> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
  if (permissions.length) await context.grantPermissions(permissions, { origin: inject("baseUrl") });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warning") problems.push(`console.${m.type()}: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
  page.on("dialog", (d) => {
    problems.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  await page.goto(url);
  await page.getByTestId("step").waitFor();
  return { page, context, problems };
}

const cli = (args: string[]) => runCli(args);

/** The app shows `state`: its text in the editor, its step, and the pool at that step. */
async function expectShows(page: Page, s: ShareState): Promise<void> {
  if (s.compare) return expectShowsComparison(page, s); // a v2 compare link: compare mode, aligned step
  const trace = traceOf(s.text, s.design as Design | undefined);
  const total = trace.steps;
  // a <textarea> shows CR LF line ends as LF (HTML normalises its value); the scenario is the same
  // an embedded link (v3 embed=1) shows no editor and no toolbar
  const shown = s.embed ? "" : s.text.replace(/\r\n?/g, "\n");
  await expect.poll(() => editorText(page), { timeout: 5000 }).toBe(shown);
  if (s.embed) expect(await page.getByTestId("presets").count()).toBe(0);
  await expect
    .poll(() => page.getByTestId("step").textContent(), { timeout: 5000 })
    .toBe(`Step ${s.step} / ${total}`);
  await expect.poll(() => page.getByTestId("pool-summary").textContent()).toBe(poolSummaryAt(trace, s.step));
  expect(await page.getByTestId("scenario-error").count()).toBe(0);
  if (s.design) {
    await expect
      .poll(() => page.locator(`[data-design="${s.design}"]`).getAttribute("aria-pressed"))
      .toBe("true");
  }
}

/** The bytes of a download (the browser runs elsewhere, so read it as a stream). */
async function bytesOf(dl: Download): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of await dl.createReadStream()) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** Same scenario, a fresh context: the link must not depend on anything but itself. */
function fragmentOf(url: string): string {
  return url.slice(url.indexOf("#"));
}

describe("links made by `p2pviz link`", () => {
  it.each(presets)("%s opens at the chosen step in a fresh browser", async (file) => {
    const text = readFileSync(join(PRESETS, file), "utf8");
    const total = traceOf(text).steps;
    const step = Math.floor((total * 2) / 3);
    const r = await cli(["link", join(PRESETS, file), "--step", String(step), "--base", inject("baseUrl")]);
    expect(r.err).toBe("");
    const url = r.out.trim();
    expect(url.length).toBeLessThan(200);
    const app = await open(url);
    try {
      await expectShows(app.page, { text, step });
      // the URL keeps saying the same thing once the app has settled
      await app.page.waitForTimeout(500);
      expect(fragmentOf(app.page.url())).toBe(fragmentOf(url));
      expect(app.problems).toEqual([]);
    } finally {
      await app.context.close();
    }
  });
});

describe("the Share button", () => {
  it("copies a link that opens the same scenario, step, design and selected page elsewhere", async () => {
    const file = "unbind-live-pin.p2p";
    const text = readFileSync(join(PRESETS, file), "utf8");
    const a = await open(inject("baseUrl"), ["clipboard-read", "clipboard-write"]);
    try {
      const { page } = a;
      await page.getByTestId("presets").selectOption(`presets/${file}`);
      await expect.poll(() => editorText(page)).toBe(text);
      await page.locator('[data-design="seed"]').click();
      const trace = traceOf(text, "seed");
      const total = trace.steps;
      await expect.poll(() => page.getByTestId("step").textContent()).toBe(`Step 0 / ${total}`);
      await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
      for (let i = 0; i < 5; i++) await page.keyboard.press("Shift+ArrowRight");
      await page.keyboard.press("ArrowRight");
      const m = /^Step (\d+) \//.exec((await page.getByTestId("step").textContent()) ?? "");
      const step = Number(m![1]);
      expect(step).toBeGreaterThan(5);
      // select page 1 of nvme0 in the pool
      await page.locator('rect.p2p-cell[data-dev="nvme0"][data-page="1"]').click();

      await page.getByTestId("share").click();
      const url = await page.getByTestId("share-url").inputValue();
      expect(url.startsWith(`${inject("baseUrl")}#v=3&s=z`)).toBe(true);
      expect(url).toMatch(new RegExp(`&design=seed&page=nvme0:1&step=${step}$`));
      await expect.poll(() => page.getByTestId("share-status").textContent()).toMatch(/^Link copied/);
      expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(url);
      // and the address bar says the same, once the throttled write has run
      await expect.poll(() => page.url()).toBe(url);

      const b = await open(url);
      try {
        await expectShows(b.page, { text, step, design: "seed" });
        await expect
          .poll(() =>
            b.page.locator('rect.p2p-cell[data-dev="nvme0"][data-page="1"]').getAttribute("stroke-width"),
          )
          .toBe("2");
        expect(b.problems).toEqual([]);
      } finally {
        await b.context.close();
      }
      expect(a.problems).toEqual([]);
    } finally {
      await a.context.close();
    }
  });

  it("shows the link in a selectable field when the clipboard is refused", async () => {
    const a = await open(inject("baseUrl"));
    try {
      await a.page.evaluate(() => {
        Object.defineProperty(navigator, "clipboard", { value: undefined, configurable: true });
      });
      await a.page.getByTestId("share").click();
      await expect
        .poll(() => a.page.getByTestId("share-status").textContent())
        .toMatch(/Copy the link above/);
      const url = await a.page.getByTestId("share-url").inputValue();
      const selected = await a.page.evaluate(() => {
        const el = document.activeElement as HTMLInputElement;
        return el.value.slice(el.selectionStart ?? 0, el.selectionEnd ?? 0);
      });
      expect(selected).toBe(url);
    } finally {
      await a.context.close();
    }
  });
});

describe("committed fixture links", () => {
  const dir = join(ROOT, "src/share/fixtures");
  const fixtures = readdirSync(dir)
    .filter((f) => /^v\d+\.json$/.test(f))
    .flatMap((f) => {
      const data = JSON.parse(readFileSync(join(dir, f), "utf8")) as {
        version: number;
        links: { name: string; link: string; opens: ShareState }[];
      };
      return data.links.map((l) => ({ ...l, file: f, version: data.version }));
    });

  it.each(fixtures)("$file: $name", async ({ link, opens, version }) => {
    const app = await open(`${inject("baseUrl")}${fragmentOf(link)}`);
    try {
      // a link older than v3 opens at its step mapped to today's engine (step-migrations.json)
      await expectShows(app.page, { ...opens, step: migrateStep(opens, version) });
      expect(app.problems).toEqual([]);
    } finally {
      await app.context.close();
    }
  });
});

describe("bad links", () => {
  const BAD: [string, RegExp][] = [
    ["#v=1&s=zAAAAAAAAAA&step=3", /damaged/],
    ["#v=7&s=tp+exit&step=0", /format version 7/],
    [
      "#v=1&s=tkernel+seed~device+d+64K~process+p~p+mmap+a+d+8K~&step=0&x=%3Cimg%20src=x%20onerror=alert(1)%3E",
      /is not the last field|does not know/,
    ],
    [
      "#v=1&s=tp+exit&panel=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E&step=0",
      /panel '<img src=x onerror=alert\(1\)>' is not a panel name/,
    ],
    ["#nonsense", /not a key=value field/],
  ];
  it.each(BAD)("%s shows its error and no scenario", async (fragment, message) => {
    // storage from an earlier visit must not come back in place of the link
    const app = await open(`${inject("baseUrl")}${fragment}`);
    try {
      const { page } = app;
      await expect.poll(() => page.getByTestId("scenario-error").textContent()).toMatch(message);
      expect(await editorText(page)).toBe("");
      expect(await page.getByTestId("pool-summary").count()).toBe(0);
      // the bad link stays in the address bar for the user to see
      await page.waitForTimeout(500);
      expect(fragmentOf(page.url())).toBe(fragment);
      expect(await page.evaluate(() => document.querySelectorAll("img").length)).toBe(0);
      expect(app.problems).toEqual([]);
    } finally {
      await app.context.close();
    }
  });

  it("does not fall back to the saved scenario of an earlier visit", async () => {
    const app = await open(inject("baseUrl"));
    try {
      const { page } = app;
      await editorReady(page);
      await page.getByTestId("editor").fill("kernel upstream\ndevice d 64K\nprocess p\np mmap a d 8K\n");
      await page.waitForTimeout(500);
      await page.goto(`${inject("baseUrl")}#v=1&s=zAAAAAAAAAA&step=3`);
      await page.reload();
      await expect.poll(() => page.getByTestId("scenario-error").textContent()).toMatch(/damaged/);
      expect(await editorText(page)).toBe("");
    } finally {
      await app.context.close();
    }
  });

  it("shows markup in a linked scenario as text and runs nothing", async () => {
    const text =
      '# <img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>\nkernel upstream\ndevice d 64K\n';
    const e = encodeShareLink({ text, step: 0 }, { base: inject("baseUrl") });
    if (!e.ok) throw new Error(e.error.message);
    const app = await open(e.url);
    try {
      await expectShows(app.page, { text, step: 0 });
      expect(
        await app.page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned),
      ).toBeUndefined();
      expect(
        await app.page.evaluate(() => document.querySelectorAll("img, script:not([type=module])").length),
      ).toBe(0);
    } finally {
      await app.context.close();
    }
  });

  it("says when a panel is unknown, and still shows the scenario at its step", async () => {
    const text = "kernel upstream\ndevice d 64K\nprocess p\np mmap a d 8K\n";
    const e = encodeShareLink({ text, step: 2, panel: "sidebar" }, { base: inject("baseUrl") });
    if (!e.ok) throw new Error(e.error.message);
    const app = await open(e.url);
    try {
      await expect
        .poll(() => app.page.getByTestId("scenario-error").textContent())
        .toMatch(/panel 'sidebar' that this p2pviz does not have/);
      await expect.poll(() => app.page.getByTestId("step").textContent()).toMatch(/^Step 2 \//);
      // stepping on answers the note
      await app.page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
      await app.page.keyboard.press("ArrowRight");
      await expect.poll(() => app.page.getByTestId("scenario-error").count()).toBe(0);
    } finally {
      await app.context.close();
    }
  });

  it("says when the step is past the end, and still shows the scenario", async () => {
    const text = "kernel upstream\ndevice d 64K\nprocess p\np mmap a d 8K\n";
    const total = traceOf(text).steps;
    const app = await open(`${inject("baseUrl")}#text=${encodeURIComponent(text)}&step=${total + 5}`);
    try {
      await expect
        .poll(() => app.page.getByTestId("scenario-error").textContent())
        .toBe(`The link asks for step ${total + 5}, but this scenario has steps 0 to ${total - 1}.`);
      await expect.poll(() => editorText(app.page)).toBe(text);
    } finally {
      await app.context.close();
    }
  });
});

describe("history", () => {
  it("replaces the entry while stepping, adds one per scenario, and Back/Forward reopen them", async () => {
    const first = readFileSync(join(PRESETS, "upstream-basic.p2p"), "utf8");
    const second = readFileSync(join(PRESETS, "seed-leak.p2p"), "utf8");
    const r = await cli([
      "link",
      join(PRESETS, "upstream-basic.p2p"),
      "--step",
      "7",
      "--base",
      inject("baseUrl"),
    ]);
    const app = await open(r.out.trim());
    try {
      const { page } = app;
      await expectShows(page, { text: first, step: 7 });
      const len0 = await page.evaluate(() => history.length);
      await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
      for (let i = 0; i < 4; i++) await page.keyboard.press("ArrowRight");
      await expect.poll(() => page.url()).toMatch(/&step=11$/);
      expect(await page.evaluate(() => history.length)).toBe(len0);

      await page.getByTestId("presets").selectOption("presets/seed-leak.p2p");
      await expectShows(page, { text: second, step: 0 });
      await expect.poll(() => page.url()).toMatch(/&step=0$/);
      await page.keyboard.press("ArrowRight");
      await expect.poll(() => page.url()).toMatch(/&step=1$/);
      expect(await page.evaluate(() => history.length)).toBe(len0 + 1);

      await page.goBack();
      await expectShows(page, { text: first, step: 11 });
      await page.goForward();
      await expectShows(page, { text: second, step: 1 });
      expect(app.problems).toEqual([]);
    } finally {
      await app.context.close();
    }
  });
});

describe("too large and export", () => {
  it("refuses a link over 8,000 characters and offers the .p2p download", async () => {
    let seed = 3;
    const lines = ["kernel upstream", "device d 64K", "process p", "p mmap a d 8K"];
    for (let i = 0; i < 130; i++) {
      let c = "# ";
      for (let k = 0; k < 70; k++) {
        seed = (seed * 1103515245 + 12345) % 2 ** 31;
        c += String.fromCharCode(0x21 + (seed % 90));
      }
      lines.push(c);
    }
    const big = `${lines.join("\n")}\n`;
    const app = await open(inject("baseUrl"));
    try {
      const { page } = app;
      await editorReady(page);
      await page.getByTestId("editor").fill(big);
      await page.getByTestId("share").click();
      await expect
        .poll(() => page.getByTestId("share-too-large").textContent())
        .toMatch(/over the 8000-character limit/);
      expect(await page.getByTestId("share-url").count()).toBe(0);
      // the address bar does not keep a link to an older scenario
      await expect.poll(() => new URL(page.url()).hash).toBe("");
      const [dl] = await Promise.all([
        page.waitForEvent("download"),
        page.getByTestId("download-p2p").click(),
      ]);
      expect(dl.suggestedFilename()).toMatch(/\.p2p$/);
      expect((await bytesOf(dl)).toString("utf8")).toBe(big);
    } finally {
      await app.context.close();
    }
  });

  it("exports the current view as SVG and PNG", async () => {
    const r = await cli([
      "link",
      join(PRESETS, "fork-keeps-pages.p2p"),
      "--step",
      "120",
      "--base",
      inject("baseUrl"),
    ]);
    const app = await open(r.out.trim());
    try {
      const { page } = app;
      await expect.poll(() => page.getByTestId("step").textContent()).toMatch(/^Step 120 \//);
      await page.getByTestId("share").click();
      const [svgDl] = await Promise.all([
        page.waitForEvent("download"),
        page.getByTestId("export-svg").click(),
      ]);
      expect(svgDl.suggestedFilename()).toBe("p2pviz-step-120.svg");
      const svg = (await bytesOf(svgDl)).toString("utf8");
      expect(svg.startsWith("<svg")).toBe(true);
      expect(svg).toContain("Step 120 / ");
      expect(svg).toContain("p2p-look-"); // the page-look patterns travel with the file
      expect(svg.match(/data-dev="nvme0"/g)?.length ?? 0).toBeGreaterThanOrEqual(256);
      const [pngDl] = await Promise.all([
        page.waitForEvent("download"),
        page.getByTestId("export-png").click(),
      ]);
      expect(pngDl.suggestedFilename()).toBe("p2pviz-step-120.png");
      const png = await bytesOf(pngDl);
      expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
      expect(png.readUInt32BE(16)).toBeGreaterThan(800); // width in pixels (2x)
      expect(app.problems).toEqual([]);
    } finally {
      await app.context.close();
    }
  });
});
