/**
 * Nothing typed is lost: a reload right after an edit shows the edit, even though the share link in
 * the address bar is written a little later than the keystroke. A link opened from elsewhere still
 * wins over the saved scenario.
 *
 * The reload is made slow on purpose (the page is served URL_MAX_WAIT_MS * 2 late), so the old
 * page's pending link write always lands while the new page is on its way: what made this test
 * fail once under load, now on every run, and what a person pressing F5 on a slow host gets.
 */
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { encodeShareLink } from "../../src/share/codec.ts";
import { URL_MAX_WAIT_MS } from "../../src/store/url-sync.ts";
import { editorText, focusBody, openApp, withBrowser } from "./harness.ts";

withBrowser();

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The pool summary at the last step (the editor reruns shortly after typing: press End each time). */
async function summaryAtEnd(page: Page): Promise<string | null> {
  await focusBody(page);
  await page.keyboard.press("End");
  return page.getByTestId("pool-summary").textContent();
}

describe("reload", () => {
  it("keeps an edit made just before the reload", async () => {
    const app = await openApp();
    const { page } = app;
    try {
      const editor = page.getByTestId("editor");
      await editor.fill("kernel upstream\ndevice nvme0 1M\nprocess p\np mmap a nvme0 64K\n");
      await expect.poll(() => summaryAtEnd(page)).toContain("nvme0: 240 free / 256 pages");
      // let the link catch up with this text, then type and reload at once
      await expect.poll(() => page.evaluate(() => location.hash.length)).toBeGreaterThan(1);
      await page.waitForTimeout(600);
      // the reloaded page arrives late, after the old page's pending link write (see above)
      await page.route(
        (u) => u.pathname === new URL(page.url()).pathname,
        async (route) => {
          if (route.request().isNavigationRequest()) await sleep(URL_MAX_WAIT_MS * 2);
          await route.continue();
        },
      );
      await editor.press("End");
      await editor.type("p munmap a\n");
      await page.reload();
      await page.getByTestId("step").waitFor();
      await expect.poll(() => editorText(page)).toContain("p munmap a");
      await expect.poll(() => summaryAtEnd(page)).toContain("nvme0: 256 free / 256 pages");
      expect(app.problems).toEqual([]);
    } finally {
      await app.close();
    }
  });

  it("a link opened in a fresh tab still wins over the saved scenario", async () => {
    const app = await openApp();
    const { page } = app;
    try {
      await page.getByTestId("editor").fill("device nvme0 1M\nprocess p\n");
      const r = encodeShareLink(
        { text: "device d 256K\nprocess q\nq mmap a d 16K\n", step: 3 },
        { base: "http://x/" },
      );
      if (!r.ok) throw new Error("encode");
      const fresh = await app.context.newPage();
      await fresh.goto(`${new URL(page.url()).origin}${new URL(page.url()).pathname}#${r.fragment}`);
      await fresh.getByTestId("step").waitFor();
      await expect.poll(() => editorText(fresh)).toBe("device d 256K\nprocess q\nq mmap a d 16K\n");
      await fresh.close();
      expect(app.problems).toEqual([]);
    } finally {
      await app.close();
    }
  });
});
