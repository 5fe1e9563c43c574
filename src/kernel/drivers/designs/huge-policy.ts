/**
 * The simulator's policy choices for the huge-folio p2pmem designs (../shared/kernel/huge.md), the
 * steps marked [P] there, each in one place so the UI and docs can name them, plus the two pure
 * decisions every later part of `huge` / `huge-v1` builds on:
 *
 * - the target folio order of an mmap (huge.md §3.3 step 3, §3.12) and the order of a `huge-v1`
 *   device's folios (§4 "Where A comes from");
 * - the aligned genpool search with fallback (§3.3 step 4), which models lib/genalloc.c
 *   gen_pool_first_fit_align() (Linux 7.3.4, bitmap_find_next_zero_area_off() with
 *   `align_mask = (align >> order) - 1`: the lowest free run whose first bit is a multiple of the
 *   alignment, counted from the chunk's start) and, for order 0, gen_pool_first_fit().
 *
 * Pure: reads a device's PageRuns, never changes state. Works on runs, so a 1 TiB pool costs its
 * number of ranges, not its pages.
 */
import type { PageRuns } from "../../runs.ts";

/** x86-64 with 4 KiB pages: PMD_ORDER (2 MiB) and PUD_ORDER (1 GiB) (include/linux/pgtable.h). */
export const PMD_ORDER_4K = 9;
export const PUD_ORDER_4K = 18;
/**
 * arm64 with a 64 KiB granule (`page 64K`): a PMD leaf maps 512 MiB (order 13); arm64 does not select
 * HAVE_ARCH_TRANSPARENT_HUGEPAGE_PUD in 7.3.4, so there are no PUD leaves (huge.md §3.12).
 */
export const PMD_ORDER_64K = 13;

/**
 * The [P] choices of huge.md, named. Each entry says what was chosen and which mail or source it
 * follows; none of them is in a posted patch except where `source` says v1.
 */
export const HUGE_POLICY = {
  /** §3.3 step 3: one order per mmap, from the length (Jason Gunthorpe, 1ee42f0311: "I'm 2M size aligned or 1G size aligned") */
  order:
    "length heuristic: PUD if len % 1 GiB == 0 (and PUD leaves exist), else PMD if len % PMD_SIZE == 0, else 0",
  /** §3.3 step 4: best effort, highest aligned first (Logan Gunthorpe, af6d0f97da) */
  fallback: "try O, then PMD_ORDER if O was PUD_ORDER, then 0 (unaligned first fit); ENOMEM only if all fail",
  /** §3.3 step 3 / §9 Q3: a mapping of n * S is n folios of one order, never a greedy mix (§3.13) */
  folios: "n = len / S folios of one order; no mix of orders in one VMA",
  /** §2 / §3.3 step 4: the BAR's physical start is taken as 1 GiB aligned */
  chunkAlignment: "the BAR start is 1 GiB aligned, so alignment inside the pool is physical alignment",
  /** §3.3 step 6a / §3.10: folios are formed by zone_device_folio_init() and reset at the next allocation */
  folioInit:
    "zone_device_folio_init() semantics at mmap (2^O struct pages rewritten); free writes only the head",
  /** §3.10: p2pdma_folio_free() frees the whole folio and puts 2^O pgmap refs */
  folioFree: "gen_pool_free of folio_size(folio); percpu_ref_put_many(folio_nr_pages(folio))",
  /** §4: huge-v1 derives the device alignment A from the BAR size, as pci_p2pdma_max_pagemap_align() would */
  v1Align: "A = PUD if SIZE % 1 GiB == 0, else PMD if SIZE % PMD_SIZE == 0, else PAGE",
} as const;

/** The PMD order for a page size (4 KiB: 9; 64 KiB: 13). */
export function pmdOrder(pageSize: number): number {
  return pageSize === 65536 ? PMD_ORDER_64K : PMD_ORDER_4K;
}

/** The PUD order for a page size, or 0 where PUD leaves do not exist (arm64 64K). */
export function pudOrder(pageSize: number): number {
  return pageSize === 65536 ? 0 : PUD_ORDER_4K;
}

/**
 * huge.md §3.3 step 3 (HUGE_POLICY.order): the folio order an mmap of `pages` pages asks for.
 * Works in pages, so every length up to 1 TiB stays an exact integer.
 */
export function hugeTargetOrder(pages: number, pageSize: number): number {
  const pud = pudOrder(pageSize);
  if (pud > 0 && pages > 0 && pages % 2 ** pud === 0) return pud;
  const pmd = pmdOrder(pageSize);
  if (pages > 0 && pages % 2 ** pmd === 0) return pmd;
  return 0;
}

/**
 * huge.md §4 (HUGE_POLICY.v1Align): the order of a `huge-v1` device's folios (log2(A / PAGE)),
 * fixed at probe from its size in pages.
 */
export function hugeV1Order(devicePages: number, pageSize: number): number {
  return hugeTargetOrder(devicePages, pageSize);
}

/** The orders §3.3 step 4 tries, from O downwards (HUGE_POLICY.fallback). */
export function fallbackOrders(order: number, pageSize: number): number[] {
  const out = [order];
  if (order === pudOrder(pageSize) && order > 0) out.push(pmdOrder(pageSize));
  if (order > 0) out.push(0);
  return out;
}

/**
 * gen_pool_first_fit_align() (lib/genalloc.c, 7.3.4): the lowest page `first` with `first %
 * alignPages == 0` such that [first, first + n) is free, or -1. `alignPages` 1 is
 * gen_pool_first_fit(). Alignment is relative to the chunk's start, page 0 (HUGE_POLICY.chunkAlignment).
 */
export function firstFitAlign(runs: PageRuns, n: number, alignPages: number): number {
  if (n <= 0 || n > runs.size) return -1;
  let start = -1; // first page of the current stretch of free pages
  for (const r of runs.runs()) {
    if (r.allocated) {
      start = -1;
      continue;
    }
    if (start < 0) start = r.start;
    const end = r.start + r.length;
    const cand = Math.ceil(start / alignPages) * alignPages;
    if (cand + n <= end) return cand;
  }
  return -1;
}

/** One aligned attempt of §3.3 step 4. */
export interface AllocTry {
  readonly order: number;
  /** the first page found, or -1 (a `genpool-miss`) */
  readonly first: number;
}

/** The outcome of §3.3 step 4: every attempt in order; the last one succeeded unless `first` < 0. */
export interface HugeAlloc {
  readonly tries: readonly AllocTry[];
  /** the order that was allocated, or -1 when every attempt failed (ENOMEM) */
  readonly order: number;
  readonly first: number;
}

/**
 * huge.md §3.3 step 4: try gen_pool_first_fit_align() at `PAGE << O'` for each O' of
 * fallbackOrders(order), and gen_pool_first_fit() for O' = 0; the first success wins.
 * A lower order than asked is a fallback (event `fallback`, finding `huge-fallback`).
 */
export function hugeAllocate(runs: PageRuns, n: number, order: number, pageSize: number): HugeAlloc {
  const tries: AllocTry[] = [];
  for (const o of fallbackOrders(order, pageSize)) {
    const first = firstFitAlign(runs, n, 2 ** o);
    tries.push({ order: o, first });
    if (first >= 0) return { tries, order: o, first };
  }
  return { tries, order: -1, first: -1 };
}
