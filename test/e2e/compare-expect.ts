/**
 * What the app must show for a comparison link (format v2): compare mode at the aligned step, each
 * column's pool at the step its side shows there. Used by compare-mode.test.ts and by the share
 * e2e test for the committed v2 fixtures.
 */

import type { Page } from "playwright-core";
import { expect } from "vitest";
import type { ShareState } from "../../src/share/codec.ts";
import { runShare } from "../../src/store/compare-run.ts";
import { alignedTotal, sideStep } from "../../src/trace/diff.ts";
import { poolSummaryAt } from "./expected.ts";
import { editorText } from "./harness.ts";

export async function expectShowsComparison(page: Page, s: ShareState): Promise<void> {
  const run = runShare(s);
  if (!run.ok || !run.comparison) throw new Error("the link's state does not run as a comparison");
  const c = run.comparison;
  // an embedded link (v3 embed=1) shows no editor
  const shown = s.embed ? "" : s.text.replace(/\r\n?/g, "\n");
  await expect.poll(() => editorText(page), { timeout: 5000 }).toBe(shown);
  await expect
    .poll(() => page.getByTestId("step").textContent(), { timeout: 5000 })
    .toBe(`Step ${s.step} / ${alignedTotal(c)}`);
  for (const side of ["a", "b"] as const) {
    const col = page.getByTestId(`compare-${side}`);
    const trace = side === "a" ? c.a : c.b;
    await expect.poll(() => col.getAttribute("data-design")).toBe(trace.design);
    await expect
      .poll(() => col.getByTestId("pool-summary").textContent())
      .toBe(poolSummaryAt(trace, sideStep(c, side, s.step)));
  }
  expect(await page.getByTestId("scenario-error").count()).toBe(0);
  if (s.embed) expect(await page.getByTestId("compare-view").isVisible()).toBe(true);
  else expect(await page.getByTestId("compare-toggle").getAttribute("aria-pressed")).toBe("true");
}
