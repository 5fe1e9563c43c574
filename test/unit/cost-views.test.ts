/**
 * What the cost panel and compare mode's summary show (huge.md §6.3, §6.4): running totals per
 * statement, the whole run's counters in the summary of `p2pviz diff` and of compare mode, and the
 * numbers as a person reads them. The counters themselves are tested in cost.test.ts.
 */
import { describe, expect, it } from "vitest";
import { COST_COLUMNS, SUMMARY_COLUMNS } from "../../src/app/compare/CompareSummary.tsx";
import { formatComparison } from "../../src/cli/cmd-diff.ts";
import { costTable } from "../../src/panels/CostPanel.tsx";
import { COST_FIELDS, opCosts, sumCosts } from "../../src/trace/cost.ts";
import { compareTraces } from "../../src/trace/diff.ts";
import { formatBytes, formatCount } from "../../src/trace/numbers.ts";
import { runCost } from "../../src/trace/run-cost.ts";
import { lines, run } from "./helpers.ts";

const RFC = lines("device npu0 32G", "process p", "p mmap a npu0 32G", "p fork c", "p munmap a", "c exit");

describe("formatCount / formatBytes", () => {
  it("thousands separators; bytes in the largest binary unit reached", () => {
    expect(formatCount(8388608)).toBe("8,388,608");
    expect(formatCount(32)).toBe("32");
    expect(formatCount(0)).toBe("0");
    expect(formatBytes(512 * 2 ** 20)).toBe("512 MiB");
    expect(formatBytes(16384)).toBe("16 KiB");
    expect(formatBytes(1536)).toBe("1.5 KiB");
    expect(formatBytes(1310720)).toBe("1.25 MiB"); // huge-v1 at 32 GiB: 256 KiB + 1 MiB (huge.md §6.4)
    expect(formatBytes(1000)).toBe("1,000 bytes");
    expect(formatBytes(0)).toBe("0 bytes");
    expect(formatBytes(256 * 2 ** 30)).toBe("256 GiB");
    expect(formatBytes(2 * 2 ** 40)).toBe("2 TiB");
  });
});

describe("costTable (the cost panel's rows)", () => {
  it("p2pmem_alloc_mmap then copy_present_pte: running totals add each statement's counters", () => {
    const t = run(RFC, "upstream");
    const { per, upTo, total } = costTable(t);
    expect(per).toEqual(opCosts(t));
    expect(total).toEqual(sumCosts(per));
    for (let i = 0; i < per.length; i++) {
      expect(upTo[i]).toEqual(sumCosts(per.slice(0, i + 1)));
    }
    const mmap = t.ops.findIndex((o) => o.text.includes("mmap"));
    expect(upTo[mmap]!.installCalls).toBe(8388608);
    expect(upTo[mmap]!.entriesCopied).toBe(0);
    expect(upTo[mmap + 1]!.entriesCopied).toBe(8388608); // p fork c
    expect(total.pte).toBe(2 * 8388608);
    expect(costTable(t)).toBe(costTable(t)); // computed once per trace
  });
});

describe("compare summary counters (huge.md §6.4)", () => {
  it("upstream vs seed on one 32 GiB mapping: installs, PTEs, table pages, struct pages and vmemmap of each side", () => {
    const c = compareTraces(run(RFC, "upstream"), run(RFC, "seed"));
    const row = (i: 0 | 1) =>
      Object.fromEntries(COST_COLUMNS.map((col) => [col.key, col.cell(runCost(i === 0 ? c.a : c.b))]));
    expect(row(0)).toEqual({
      installs: "8,388,608",
      pte: "16,777,216", // the mmap's 8,388,608 and the fork's copies
      pmd: "0",
      pud: "0",
      tables: formatCount(2 * (16384 + 32 + 1)),
      structpages: "8,388,608", // set_page_count before each vm_insert_page (6.15+)
      vmemmap: "512 MiB",
    });
    // seed: vmf_insert_mixed of devmap PTEs, no set_page_count, and fork copies no devmap PTE
    expect(row(1).installs).toBe("8,388,608");
    expect(row(1).structpages).toBe("0");
    expect(row(1).vmemmap).toBe("512 MiB");
    expect(runCost(c.a).cost).toEqual(sumCosts(opCosts(c.a)));
    expect(runCost(c.a)).toBe(runCost(c.a)); // once per trace
    expect(runCost(c.b).vmemmapBytes).toBe(64 * 8388608);
    // the outcome columns are still there, before the counters
    expect(SUMMARY_COLUMNS.map((x) => x.key)).toEqual(["peak", "leaked", "freed", "errnos", "ptes", "pins"]);
  });

  it("the RFC's case, upstream vs huge vs huge-v1: 8,388,608 installs against 32 PUD leaves, 16,417 table pages against 1 (§6.4)", () => {
    const mmapOnly = lines("device npu0 32G", "process p", "p mmap a npu0 32G");
    const up = run(mmapOnly, "upstream");
    const c = compareTraces(up, run(mmapOnly, "huge"));
    const v1 = compareTraces(up, run(mmapOnly, "huge-v1"));
    const row = (cmp: typeof c, i: 0 | 1) =>
      Object.fromEntries(COST_COLUMNS.map((col) => [col.key, col.cell(runCost(i === 0 ? cmp.a : cmp.b))]));
    expect(row(c, 0)).toEqual({
      installs: "8,388,608",
      pte: "8,388,608",
      pmd: "0",
      pud: "0",
      tables: "16,417",
      structpages: "8,388,608",
      vmemmap: "512 MiB",
    });
    // insert_pud() once per 1 GiB folio; zone_device_folio_init() still writes every struct page
    expect(row(c, 1)).toEqual({
      installs: "32",
      pte: "0",
      pmd: "0",
      pud: "32",
      tables: "1",
      structpages: "8,388,608",
      vmemmap: "512 MiB",
    });
    // huge-v1: set_page_count on 32 heads; a deduplicated vmemmap: 256 KiB of data + 1 MiB of tables
    expect(row(v1, 1)).toMatchObject({ installs: "32", pud: "32", structpages: "32", vmemmap: "1.25 MiB" });
    expect(c.summary[1].pteKinds).toEqual(["pud"]);
  });

  it("p2pdma_folio_free: a freed folio's pages count as returned to the pool in the divergence and the peak", () => {
    const text = lines("device d 4M", "process p", "p mmap a d 2M", "p munmap a", "p mmap b d 4M");
    const c = compareTraces(run(text, "upstream"), run(text, "huge"));
    expect(c.b.ops[3]!.text).toBe("p munmap a");
    expect(c.divergences.find((d) => d.index === 3)).toBeUndefined(); // both return 512 pages
    expect(c.summary[1].peakAllocated).toBe(1024); // 512 freed before the 4M mapping took 1024
  });

  it("p2pviz diff prints the same counters under its summary", () => {
    const c = compareTraces(run(RFC, "upstream"), run(RFC, "seed"));
    const out = formatComparison(c);
    expect(out).toMatch(/^install calls +8,388,608 +8,388,608$/m);
    expect(out).toMatch(/^struct pages initialised +8,388,608 +0$/m);
    expect(out).toMatch(/^vmemmap bytes +536,870,912 +536,870,912$/m);
    for (const f of COST_FIELDS) expect(runCost(c.a).cost[f]).toBeGreaterThanOrEqual(0);
  });
});
