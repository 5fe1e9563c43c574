/**
 * huge.md §6.3 counters, computed from trace records for the designs this version simulates
 * (src/trace/cost.ts). The upstream figures are the RFC's case of huge.md §6.4 (one 32 GiB mapping,
 * x86-64, 4 KiB pages), produced by running it, not by formula.
 */
import { describe, expect, it } from "vitest";
import { COST_FIELDS, opCosts, sumCosts, zeroCost } from "../../src/trace/cost.ts";
import { lines, run } from "./helpers.ts";

const RFC = lines(
  "kernel upstream",
  "device npu0 32G",
  "process p",
  "p mmap a npu0 32G",
  "p fork c",
  "p munmap a",
  "c exit",
);

describe("cost counters (huge.md §6.3) from records", () => {
  it("p2pmem_alloc_mmap at 32 GiB: 8,388,608 vm_insert_page calls, 16,384 PTE + 32 PMD + 1 PUD table pages (§6.4)", () => {
    const t = run(RFC);
    const c = opCosts(t);
    const mmap = c[3]!;
    expect(mmap).toEqual({
      ...zeroCost(),
      installCalls: 8388608,
      pte: 8388608,
      tablePages: 16384 + 32 + 1,
      structPagesInit: 8388608, // 6.15+: set_page_count(page, 1) before each vm_insert_page
      pgrefOps: 8388608, // one percpu_ref_get per page; the tryget_live/put bracket is not counted
      genpoolAllocs: 1,
    });
  });

  it("copy_present_pte: fork copies 8,388,608 PTEs into the child's own 16,417 table pages", () => {
    const fork = opCosts(run(RFC))[4]!;
    expect(fork.entriesCopied).toBe(8388608);
    expect(fork.installCalls).toBe(0);
    expect(fork.tablePages).toBe(16417);
  });

  it("p2pdma_folio_free: the last unmap frees each page with its own gen_pool_free and pgmap put", () => {
    const c = opCosts(run(RFC));
    expect(c[5]!).toEqual(zeroCost()); // the parent's munmap: the child still maps every page
    expect(c[6]!.genpoolFrees).toBe(8388608);
    expect(c[6]!.pgrefOps).toBe(8388608);
  });

  it("pci_alloc_p2pmem per page (seed): 16 gen_pool_alloc calls for 64K, no frees at munmap (the leak)", () => {
    const c = opCosts(run(lines("kernel seed", "device d 1M", "process p", "p mmap a d 64K", "p munmap a")));
    expect(c[3]!.genpoolAllocs).toBe(16);
    expect(c[3]!.installCalls).toBe(16);
    expect(c[3]!.tablePages).toBe(3);
    expect(c[4]!.genpoolFrees).toBe(0);
  });

  it("__pte_alloc: a second mapping in an already populated PTE table allocates no table page", () => {
    const c = opCosts(
      run(lines("kernel upstream", "device d 1M", "process p", "p mmap a d 8K", "p mmap b d 8K")),
    );
    expect(c[3]!.tablePages).toBe(3);
    expect(c[4]!.tablePages).toBe(0); // top-down addresses: b sits just below a, in the same 2 MiB
  });

  it("vm_insert_page failure path: gen_pool_free of the rest is one call (a loop of genpool-free only)", () => {
    const c = opCosts(
      run(
        lines(
          "kernel upstream",
          "device d 1M",
          "process p",
          "inject vm_insert_page ENOMEM after 4",
          "p mmap a d 64K",
        ),
      ),
    );
    const mmap = c[c.length - 1]!;
    expect(mmap.installCalls).toBe(4);
    // the error path frees pages 4..15 in one call; the unmap of pages 0..3 frees each page
    expect(mmap.genpoolFrees).toBe(1 + 4);
  });

  it("costs O(records): the 32 GiB run's counters take well under a second", () => {
    const t = run(RFC);
    const t0 = performance.now();
    const total = sumCosts(opCosts(t));
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(total.installCalls).toBe(8388608);
    expect(COST_FIELDS.length).toBe(10);
  });
});

describe("run JSON carries the counters (p2pviz-run/1 and /2)", () => {
  const text = lines("kernel upstream", "device d 1M", "process p", "p mmap a d 64K", "p munmap a");

  it("ops[].cost and final.devices[].vmemmapBytes in format 1 (toRunJson)", async () => {
    const { toRunJson } = await import("../../src/trace/json.ts");
    const j = toRunJson(run(text));
    expect(j.ops[3]!.cost).toMatchObject({ installCalls: 16, pte: 16, tablePages: 3, genpoolAllocs: 1 });
    expect(j.ops[4]!.cost).toMatchObject({ genpoolFrees: 16, pgrefOps: 16 });
    expect(j.final.devices[0]!.vmemmapBytes).toBe(256 * 64); // 1M of 4K pages, 64 B each
  });

  it("the same in format 2 and in streamed format 1 (writeRunJson)", async () => {
    const { writeRunJson } = await import("../../src/trace/json.ts");
    for (const runs of [true, false]) {
      let s = "";
      writeRunJson(run(text), (x) => (s += x), { runs });
      const j = JSON.parse(s);
      expect(j.format).toBe(runs ? "p2pviz-run/2" : "p2pviz-run/1");
      expect(j.ops[3].cost.installCalls).toBe(16);
      expect(j.final.devices[0].vmemmapBytes).toBe(16384);
    }
  });
});
