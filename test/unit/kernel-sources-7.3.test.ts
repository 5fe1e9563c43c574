/**
 * The kernel-code panel's 7.3.4 line ranges (kernel-sources.ts, the huge designs' mm functions)
 * exist in Debian's linux-source-7.3 7.3.4-1~bpo13+1: each is checked against
 * test/fixtures/linux-7.3.4-lines.json, which scripts/kernel-lines-7.3.mjs extracted from that
 * tarball (sha256 and line count of each file, the first and last line of each cited definition).
 * No network, no tarball needed.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { hasRange, KERNEL_SOURCES, LINES_7_3, rangeVersion } from "../../src/panels/kernel-sources.ts";

interface Def {
  from: number;
  to: number;
  first: string;
  last: string;
}
const FIX = JSON.parse(
  readFileSync(resolve(import.meta.dirname, "../fixtures/linux-7.3.4-lines.json"), "utf8"),
) as { source: string; files: Record<string, { sha256: string; lines: number; defs: Record<string, Def> }> };

const ranged73 = Object.entries(KERNEL_SOURCES).flatMap(([fn, s]) =>
  hasRange(s) && rangeVersion(s) === LINES_7_3 ? [[fn, s] as const] : [],
);

describe("kernel-sources: every 7.3.4 range is a definition in linux-source-7.3 7.3.4", () => {
  it("the fixture was read from the Debian 7.3.4 source package", () => {
    expect(FIX.source).toMatch(/^linux-source-7\.3 7\.3\.4-1~bpo13\+1/);
    for (const f of Object.values(FIX.files)) expect(f.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it("the huge path's mm functions have 7.3.4 ranges, not notes", () => {
    for (const fn of [
      "zone_device_folio_init",
      "insert_pmd",
      "insert_pud",
      "zap_huge_pmd",
      "zap_huge_pud",
      "gup_put_folio",
      "gen_pool_first_fit_align",
      "copy_huge_pmd",
      "copy_page_range",
      "p2pdma_folio_free",
    ]) {
      const s = KERNEL_SOURCES[fn]!;
      expect(hasRange(s) && rangeVersion(s), fn).toBe(LINES_7_3);
    }
    expect(ranged73.length).toBe(16);
  });

  for (const [fn, s] of ranged73) {
    const sym = s.symbol ?? fn;
    it(`${fn}: ${s.file}:${s.from}-${s.to} is ${sym}() from its first line to its closing brace`, () => {
      const f = FIX.files[s.file];
      expect(f, `${s.file} is in the fixture`).toBeDefined();
      expect(s.to).toBeLessThanOrEqual(f!.lines);
      const d = f!.defs[sym];
      expect(d, `${sym} was read in ${s.file}`).toBeDefined();
      expect([s.from, s.to]).toEqual([d!.from, d!.to]);
      // the definition's first line (or the line after a return type on its own line) names it
      expect(d!.first.includes(`${sym}(`) || d!.first.match(/^[a-z_ ]+$/)).toBeTruthy();
      expect(d!.last).toBe("}");
    });
  }

  it("the proposal's p2pdma side is named as proposed, without 7.3.4 line numbers", () => {
    for (const fn of ["vm_insert_folio_pmd", "vm_insert_folio_pud", "kernfs_vma_may_split"]) {
      const s = KERNEL_SOURCES[fn]!;
      expect(hasRange(s), fn).toBe(false);
      if (!hasRange(s)) expect(s.note).toMatch(/proposed in the review, not in 7\.3\.4 \(huge\.md §\d/);
    }
  });

  it("the 6.12.117 ranges keep their version", () => {
    const s = KERNEL_SOURCES.p2pmem_alloc_mmap!;
    expect(hasRange(s) && rangeVersion(s)).toBe("6.12.117");
  });
});
