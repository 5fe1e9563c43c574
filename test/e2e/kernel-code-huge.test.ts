/**
 * The kernel-code panel on the huge designs' path, in Chromium: a PUD mmap stands on insert_pud()
 * with its 7.3.4 file and lines (Debian linux-source-7.3 7.3.4, test/fixtures/linux-7.3.4-lines.json)
 * and a link to 7.3.4; the proposal's own function says it is not in 7.3.4.
 */
import type { Page } from "playwright-core";
import { describe, expect, inject, it } from "vitest";
import type { KernelEvent } from "../../src/kernel/events.ts";
import { encodeShareLink } from "../../src/share/codec.ts";
import { eventsOf } from "../../src/trace/trace.ts";
import { traceOf } from "./expected.ts";
import { currentStep, openApp, shot, withBrowser } from "./harness.ts";

withBrowser();

async function openAt(page: Page, text: string, step: number): Promise<void> {
  const r = encodeShareLink({ text, step }, { base: inject("baseUrl") });
  if (!r.ok) throw new Error(r.error.message);
  await page.goto(r.url);
  await expect.poll(() => currentStep(page), { timeout: 10_000 }).toBe(step);
}

/** The first step whose event matches. */
function stepOf(text: string, match: (e: KernelEvent) => boolean): number {
  let i = 0;
  for (const e of eventsOf(traceOf(text))) {
    if (match(e)) return i;
    i++;
  }
  throw new Error("no such step");
}

describe("kernel-code panel: huge path with 7.3.4 lines", () => {
  it("a 1G mmap's PUD leaf stands on insert_pud, mm/huge_memory.c:1759-1804 in Linux 7.3.4", async () => {
    const app = await openApp();
    try {
      const page = app.page;
      const text = "kernel huge\ndevice d 2G\nprocess p\np mmap a d 1G\n";
      await openAt(
        page,
        text,
        stepOf(text, (e) => e.kind === "leaf-set"),
      );
      expect(await page.getByTestId("code-fn").textContent()).toBe("insert_pud()");
      expect(await page.getByTestId("code-line-current").textContent()).toContain("set_pud_at");
      const link = page.getByTestId("code-src-link");
      expect(await link.textContent()).toBe("mm/huge_memory.c:1759–1804");
      expect(await link.getAttribute("href")).toBe(
        "https://elixir.bootlin.com/linux/v7.3.4/source/mm/huge_memory.c#L1759",
      );
      expect(await page.getByTestId("code-version").textContent()).toBe("(Linux 7.3.4");
      // the run simulates 7.3.4 too: no second version named
      expect(await page.getByTestId("code-src").textContent()).not.toContain("simulating");
      await shot(page.locator("section.code"), "kernel-code-insert-pud-7.3.4");
      // huge-v1's own insert helper is the series', not 7.3.4's
      const v1 = "kernel huge-v1\ndevice d 2G\nprocess p\np mmap a d 1G\n";
      await openAt(
        page,
        v1,
        stepOf(v1, (e) => e.fn === "vm_insert_folio_pud"),
      );
      expect(await page.getByTestId("code-src").textContent()).toContain(
        "proposed in the review, not in 7.3.4",
      );
      expect(await page.getByTestId("code-src-link").count()).toBe(0);
    } finally {
      await app.close();
    }
  });
});
