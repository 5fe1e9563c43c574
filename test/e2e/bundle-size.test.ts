/**
 * The initial JavaScript (the entry script of dist/index.html and every chunk it imports
 * statically) stays under 110 KB gzip: CodeMirror, compare mode, export, the link codec and the
 * less-used panels load on first use. Measured on the dist/ the e2e tests serve (built just before).
 */

import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { LIMIT_KB, measure } from "../../scripts/bundle-size.mjs";
import { ROOT } from "./harness.ts";

describe("bundle size", () => {
  it(`the initial JavaScript is at most ${LIMIT_KB} KB gzip, and CodeMirror is not part of it`, () => {
    const r = measure(join(ROOT, "dist"));
    expect(r.initial.length).toBeGreaterThan(0);
    expect(r.initialGzip).toBeLessThanOrEqual(LIMIT_KB * 1000);
    const lazyNames = r.lazy.map((c) => c.file).join(" ");
    for (const name of ["CodeEditor", "CompareView", "export-view", "ShareDialog", "url-sync"]) {
      expect(lazyNames).toContain(name);
    }
    for (const c of r.initial) expect(c.file).not.toMatch(/CodeEditor|CompareView|export-view/);
  });
});
