/**
 * Exports of the whole view (SVG, PNG: every panel, kernel code and findings included), the
 * animated GIF of a statement (decoded here: one frame per step), a step range with its progress
 * bar and Cancel, WebM where MediaRecorder can encode it, "Copy as text", and the kernel-code
 * panel's line and source link in the browser.
 */

import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GifReader } from "omggif";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { summarize } from "../../src/trace/summary.ts";
import { traceOf } from "./expected.ts";
import { currentStep, openApp, openAt, presetText, shot, withBrowser } from "./harness.ts";

withBrowser();

const PRESET = "unbind-live-pin.p2p";

async function download(page: Page, testId: string, timeout = 60_000): Promise<Buffer> {
  const dl = page.waitForEvent("download", { timeout });
  await page.getByTestId(testId).click();
  const d = await dl;
  const path = join(mkdtempSync(join(tmpdir(), "p2pviz-export-")), d.suggestedFilename());
  await d.saveAs(path);
  return readFileSync(path);
}

function pngSize(buf: Buffer): [number, number] {
  expect(buf.subarray(1, 4).toString("latin1")).toBe("PNG");
  return [buf.readUInt32BE(16), buf.readUInt32BE(20)];
}

describe("exports", () => {
  it("SVG and PNG hold every panel, kernel code and findings too; the PNG is twice the SVG", async () => {
    const app = await openApp();
    try {
      const text = presetText(PRESET);
      // L11 p touch a 0 -> SIGBUS, reached through handle_mm_fault and kernfs_vma_fault: the panel
      // keeps their excerpts laid out, hidden, and the export holds only the one shown
      await openAt(app.page, text, 264);
      for (let i = 0; i < 2; i++) await app.page.keyboard.press("ArrowRight");
      await expect.poll(() => currentStep(app.page)).toBe(266);
      await app.page.getByTestId("share").click();
      const svg = (await download(app.page, "export-svg")).toString("utf8");
      for (const title of ["BAR pool", "Address spaces", "Refcounts", "Kernel code", "Findings (0)"]) {
        expect(svg, title).toContain(`>${title}</text>`);
      }
      const current = (await app.page.getByTestId("code-line-current").textContent())?.trim() ?? "";
      expect(current).toContain("SIGBUS");
      expect(svg).toContain(current.replaceAll("&", "&amp;").replaceAll(">", "&gt;"));
      expect(svg).toContain(">do_user_addr_fault()");
      expect(svg).not.toContain("kernfs_vma_fault()");
      expect(svg).not.toContain("p2pmem has no .fault");
      const w = Number(/<svg[^>]* width="(\d+)"/.exec(svg)![1]);
      const h = Number(/<svg[^>]* height="(\d+)"/.exec(svg)![1]);
      expect(w).toBeGreaterThan(600);
      expect(h).toBeGreaterThan(800);
      const png = await download(app.page, "export-png");
      expect(pngSize(png)).toEqual([w * 2, h * 2]);
      expect(app.problems).toEqual([]);
    } finally {
      await app.close();
    }
  });

  it("the GIF of the current statement has one frame per step, and the step comes back", async () => {
    const app = await openApp();
    try {
      const text = presetText(PRESET);
      const trace = traceOf(text);
      const op = trace.ops.find((o) => o.line === 9)!; // p pin io a 0 8K
      const at = op.firstStep + 2;
      await openAt(app.page, text, at);
      await app.page.getByTestId("share").click();
      const gif = await download(app.page, "export-gif");
      const reader = new GifReader(new Uint8Array(gif));
      expect(reader.numFrames()).toBe(op.lastStep - op.firstStep + 1);
      expect(reader.width).toBeGreaterThan(600);
      expect(reader.frameInfo(0).delay).toBeGreaterThan(0);
      await expect
        .poll(() => app.page.getByTestId("share-status").textContent())
        .toMatch(/^Saved p2pviz-steps-/);
      expect(await currentStep(app.page)).toBe(at);
      expect(app.problems).toEqual([]);
    } finally {
      await app.close();
    }
  });

  it("a step range shows its progress and can be cancelled", async () => {
    const app = await openApp();
    try {
      await openAt(app.page, presetText(PRESET), 5);
      await app.page.getByTestId("share").click();
      await app.page.getByTestId("range-from").fill("0");
      await app.page.getByTestId("range-to").fill("200");
      await app.page.getByTestId("export-gif-range").click();
      const progress = app.page.getByTestId("export-progress");
      await expect.poll(() => progress.getAttribute("value"), { timeout: 30_000 }).not.toBe("0");
      expect(await progress.getAttribute("max")).toBe("201");
      await shot(app.page, "export-progress");
      await app.page.getByTestId("export-cancel").click();
      await expect
        .poll(() => app.page.getByTestId("share-status").textContent(), { timeout: 30_000 })
        .toBe("Recording cancelled.");
      await expect.poll(() => app.page.getByTestId("export-progress").count()).toBe(0);
      expect(await currentStep(app.page)).toBe(5);
      expect(app.problems).toEqual([]);
    } finally {
      await app.close();
    }
  });

  it("WebM, where this browser's MediaRecorder can encode it", async () => {
    const app = await openApp();
    try {
      await openAt(app.page, presetText(PRESET), 264);
      await app.page.getByTestId("share").click();
      const webm = app.page.getByTestId("export-webm");
      const supported = await app.page.evaluate(
        () =>
          typeof MediaRecorder !== "undefined" &&
          ["video/webm;codecs=vp9", "video/webm;codecs=vp8", "video/webm"].some((t) =>
            MediaRecorder.isTypeSupported(t),
          ),
      );
      await expect.poll(() => webm.isDisabled()).toBe(!supported);
      if (supported) {
        const video = await download(app.page, "export-webm");
        expect(video.readUInt32BE(0)).toBe(0x1a45dfa3); // EBML: a Matroska/WebM file
        expect(video.length).toBeGreaterThan(1000);
      }
      expect(app.problems).toEqual([]);
    } finally {
      await app.close();
    }
  });

  it("Copy as text copies the summary with the share link under it", async () => {
    const app = await openApp();
    try {
      await app.context.grantPermissions(["clipboard-read", "clipboard-write"]);
      const text = presetText(PRESET);
      await openAt(app.page, text, 40);
      await app.page.getByTestId("share").click();
      const url = await app.page.getByTestId("share-url").inputValue();
      await app.page.getByTestId("copy-text").click();
      await expect.poll(() => app.page.getByTestId("share-status").textContent()).toMatch(/^Copied the run/);
      const copied = await app.page.evaluate(() => navigator.clipboard.readText());
      expect(copied).toBe([...summarize(traceOf(text)), "", url].join("\n"));
      expect(copied).toContain("L10 unbind nvme0 -> blocked: nvme0 pages 0-1 1026->1024");
      for (const l of copied.split("\n").slice(0, -1)) expect(l.length).toBeLessThanOrEqual(72);
      expect(await app.page.getByTestId("copy-text-value").inputValue()).toBe(copied);
      expect(app.problems).toEqual([]);
    } finally {
      await app.close();
    }
  });
});

describe("kernel-code panel in the browser", () => {
  it("a touch after the unbind stands on the SIGBUS line, with the file, lines and version", async () => {
    const app = await openApp();
    try {
      const text = presetText(PRESET);
      const op = traceOf(text).ops.find((o) => o.line === 11)!; // p touch a 0 -> SIGBUS
      await openAt(app.page, text, op.lastStep);
      const page = app.page;
      expect(await page.getByTestId("code-fn").textContent()).toBe("do_user_addr_fault()");
      expect(await page.getByTestId("code-line-current").textContent()).toBe(
        "if fault & VM_FAULT_SIGBUS: do_sigbus() -> SIGBUS",
      );
      const link = page.getByTestId("code-src-link");
      expect(await link.textContent()).toBe("arch/x86/mm/fault.c:1208–1450");
      expect(await link.getAttribute("href")).toBe(
        "https://elixir.bootlin.com/linux/v6.12.117/source/arch/x86/mm/fault.c#L1208",
      );
      expect(await page.getByTestId("code-src").textContent()).toContain("simulating Linux 7.3.4");
      await expect.poll(() => page.getByTestId("code-line-current").isVisible()).toBe(true);
      await shot(page.locator("section.code"), "kernel-code-sigbus");
      // the touch through a present PTE, before the unbind, needs no fault
      await openAt(page, `${text}\np touch a 4K\n`, traceOf(`${text}\np touch a 4K\n`).steps - 1);
      expect(await page.getByTestId("code-line-current").textContent()).toContain("SIGBUS"); // unbound: still SIGBUS
      const fresh = "kernel upstream\ndevice nvme0 1M\nprocess p\np mmap a nvme0 8K\np touch a 0\n";
      await openAt(page, fresh, traceOf(fresh).steps - 1);
      expect(await page.getByTestId("code-line-current").textContent()).toBe(
        "# the PTE is present: the MMU completes the load, no fault",
      );
      expect(app.problems).toEqual([]);
    } finally {
      await app.close();
    }
  });
});
