/**
 * Issue 7 in the app: a recorded preset run as upstream shows "checked against Linux 7.3.4", and
 * the kernel-code panel shows what the real kernel returned for the current statement next to the
 * model's result. Another design, or an edit, takes the badge away.
 */
import { describe, expect, it } from "vitest";
import { traceOf } from "./expected.ts";
import { choosePreset, focusBody, openApp, presetText, shot, withBrowser } from "./harness.ts";

withBrowser();

describe("real-kernel badge", () => {
  it("shows for a recorded upstream preset, with the kernel's result per statement", async () => {
    const app = await openApp();
    const { page } = app;
    try {
      await choosePreset(page, "refusals.p2p");
      const badge = page.getByTestId("real-badge");
      await expect.poll(() => badge.textContent()).toBe("checked against Linux 7.3.4");
      // go to the end of line 6 (`p mmap priv nvme0 64K private`): EINVAL on both sides
      const trace = traceOf(presetText("refusals.p2p"));
      const op = trace.ops.find((o) => o.line === 6)!;
      await focusBody(page);
      for (let i = 0; i < op.lastStep; i++) await page.keyboard.press("ArrowRight");
      await expect
        .poll(() => page.getByTestId("real-result").textContent())
        .toBe("Linux 7.3.4 (QEMU): EINVAL · model: EINVAL");
      await shot(page.locator("section.code"), "real-result-code");
      // another design is not what the kernel implements: no badge
      await page.locator('[data-design="seed"]').click();
      await expect.poll(() => badge.count()).toBe(0);
      await page.locator('[data-design="upstream"]').click();
      await expect.poll(() => badge.count()).toBe(1);
      // an edited scenario was not recorded: no badge
      await page.getByTestId("editor").fill(`${presetText("refusals.p2p")}p exit\n`);
      await expect.poll(() => badge.count()).toBe(0);
      expect(app.problems).toEqual([]);
    } finally {
      await app.close();
    }
  });
});
