/**
 * The order choice and aligned genpool search of the proposed `huge` design (../shared/kernel/huge.md
 * §3.3 steps 3-4, §3.12, §4), modelled on lib/genalloc.c gen_pool_first_fit_align() of Linux 7.3.4.
 * The fragmented pools of goldens 3, 4 and 9 are made by running their order-0 statements under
 * `upstream`: a length that is not a multiple of 2 MiB is order 0 under `huge`, whose allocation is
 * then upstream's gen_pool_first_fit() (§3.3 step 4, O' = 0), so the pool states are the same.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  fallbackOrders,
  firstFitAlign,
  HUGE_POLICY,
  hugeAllocate,
  hugeTargetOrder,
  hugeV1Order,
  PMD_ORDER_4K,
  PMD_ORDER_64K,
  PUD_ORDER_4K,
} from "../../src/kernel/drivers/designs/huge-policy.ts";
import { PageRuns } from "../../src/kernel/runs.ts";
import { final, lines, run } from "./helpers.ts";

const K4 = 4096;
const K64 = 65536;
const M = (n: number) => (n * 1024 * 1024) / K4; // MiB in 4K pages
const G = (n: number) => (n * 1024 * 1024 * 1024) / K4;

describe("huge: folio order per mmap (huge.md §3.3 step 3, HUGE_POLICY.order)", () => {
  it("p2pmem_alloc_mmap order heuristic: 2M -> PMD (9), 1G and 32G -> PUD (18), 64K and 1M -> 0", () => {
    expect(hugeTargetOrder(M(2), K4)).toBe(PMD_ORDER_4K);
    expect(hugeTargetOrder(M(4), K4)).toBe(PMD_ORDER_4K);
    expect(hugeTargetOrder(M(3 * 1024 + 2), K4)).toBe(PMD_ORDER_4K); // 3G + 2M: not a GiB multiple
    expect(hugeTargetOrder(G(1), K4)).toBe(PUD_ORDER_4K);
    expect(hugeTargetOrder(G(32), K4)).toBe(PUD_ORDER_4K);
    expect(hugeTargetOrder(16, K4)).toBe(0); // 64K (golden 2)
    expect(hugeTargetOrder(M(1), K4)).toBe(0); // 1M (golden 3)
    expect(hugeTargetOrder(0, K4)).toBe(0);
  });

  it("has_transparent_pud_hugepage is false on arm64 64K: 512M -> order 13, 1G -> 13, 256M -> 0 (golden 11)", () => {
    expect(hugeTargetOrder((512 * 1024 * 1024) / K64, K64)).toBe(PMD_ORDER_64K);
    expect(hugeTargetOrder((1024 * 1024 * 1024) / K64, K64)).toBe(PMD_ORDER_64K);
    expect(hugeTargetOrder((256 * 1024 * 1024) / K64, K64)).toBe(0);
  });

  it("pci_p2pdma_max_pagemap_align (huge-v1, §4): 4M device -> A = 2M, 4G -> 1G, 1M -> PAGE (golden 12)", () => {
    expect(hugeV1Order(M(4), K4)).toBe(PMD_ORDER_4K);
    expect(hugeV1Order(G(4), K4)).toBe(PUD_ORDER_4K);
    expect(hugeV1Order(M(1), K4)).toBe(0);
  });

  it("fallback orders: PUD -> PMD -> 0, PMD -> 0, 0 alone; 64K PMD -> 0", () => {
    expect(fallbackOrders(PUD_ORDER_4K, K4)).toEqual([18, 9, 0]);
    expect(fallbackOrders(PMD_ORDER_4K, K4)).toEqual([9, 0]);
    expect(fallbackOrders(0, K4)).toEqual([0]);
    expect(fallbackOrders(PMD_ORDER_64K, K64)).toEqual([13, 0]);
  });

  it("names every [P] choice in HUGE_POLICY", () => {
    for (const k of ["order", "fallback", "folios", "chunkAlignment", "folioInit", "folioFree", "v1Align"]) {
      expect(HUGE_POLICY[k as keyof typeof HUGE_POLICY].length).toBeGreaterThan(10);
    }
  });
});

describe("huge: aligned allocation (huge.md §3.3 step 4)", () => {
  it("gen_pool_first_fit_align: after a 4K mmap at page 0, a 2M mmap takes pages 512-1023, not 1-512 (golden 3)", () => {
    const d = final(run(lines("kernel upstream", "device d 4M", "process p", "p mmap s d 4K"))).devices[0]!;
    const a = hugeAllocate(d.pageRuns, M(2), hugeTargetOrder(M(2), K4), K4);
    expect(a).toEqual({ tries: [{ order: 9, first: 512 }], order: 9, first: 512 });
    // upstream's gen_pool_first_fit() would take 1-512
    expect(firstFitAlign(d.pageRuns, M(2), 1)).toBe(1);
  });

  it("gen_pool_first_fit_align misses, gen_pool_first_fit takes pages 256-767 (golden 4: fallback 9 -> 0)", () => {
    const text = lines(
      "kernel upstream",
      "device d 4M",
      "process p",
      "p mmap a d 1M",
      "p mmap b d 1M",
      "p mmap c d 1M",
      "p mmap e d 1M",
      "p munmap b",
      "p munmap c",
    );
    const d = final(run(text)).devices[0]!;
    expect(d.freePages * K4).toBe(2097152);
    const a = hugeAllocate(d.pageRuns, M(2), hugeTargetOrder(M(2), K4), K4);
    expect(a.tries).toEqual([
      { order: 9, first: -1 },
      { order: 0, first: 256 },
    ]);
    expect(a.order).toBe(0);
    expect(a.first).toBe(256);
  });

  it("gen_pool_first_fit_align: a 1G PUD folio at page 0, then 3G at page 262144 (golden 9)", () => {
    const runs = new PageRuns(G(4));
    expect(hugeAllocate(runs, G(1), PUD_ORDER_4K, K4).first).toBe(0);
    runs.set("allocated", 0, G(1), 1);
    const b = hugeAllocate(runs, G(3), hugeTargetOrder(G(3), K4), K4);
    expect(b).toEqual({ tries: [{ order: 18, first: 262144 }], order: 18, first: 262144 });
  });

  it("falls back PUD -> PMD when only 2M alignment is free, and fails (ENOMEM) with no free run at all", () => {
    const runs = new PageRuns(G(1) + M(2));
    runs.set("allocated", 0, 512, 1); // pages 0-511 busy: no 1G-aligned run of 1G in 1G+2M
    const a = hugeAllocate(runs, G(1), PUD_ORDER_4K, K4);
    expect(a.tries.map((t) => t.order)).toEqual([18, 9]);
    expect(a.order).toBe(9);
    expect(a.first).toBe(512);
    runs.set("allocated", 0, G(1) + M(2), 1);
    expect(hugeAllocate(runs, 1, 0, K4)).toEqual({ tries: [{ order: 0, first: -1 }], order: -1, first: -1 });
  });

  it("32 GiB: the search costs the pool's runs, not its 8,388,608 pages", () => {
    const runs = new PageRuns(G(32));
    const t0 = performance.now();
    const a = hugeAllocate(runs, G(32), hugeTargetOrder(G(32), K4), K4);
    expect(performance.now() - t0).toBeLessThan(50);
    expect(a).toEqual({ tries: [{ order: 18, first: 0 }], order: 18, first: 0 });
  });

  it("property: a found range is aligned, free, in bounds and the lowest such", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 1, max: 64 })), {
          maxLength: 8,
        }),
        fc.integer({ min: 1, max: 96 }),
        fc.constantFrom(1, 2, 8, 32),
        (busy, n, align) => {
          const size = 256;
          const runs = new PageRuns(size);
          const used = new Array<boolean>(size).fill(false);
          for (const [s, l] of busy) {
            const len = Math.min(l, size - s);
            runs.set("allocated", s, len, 1);
            for (let i = s; i < s + len; i++) used[i] = true;
          }
          const ok = (f: number) => f + n <= size && used.slice(f, f + n).every((u) => !u);
          let expected = -1;
          for (let f = 0; f + n <= size; f += align) {
            if (ok(f)) {
              expected = f;
              break;
            }
          }
          expect(firstFitAlign(runs, n, align)).toBe(expected);
        },
      ),
    );
  });
});
