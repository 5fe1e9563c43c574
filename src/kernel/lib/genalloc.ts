/**
 * lib/genalloc.c: the p2pmem pool of a device, one chunk with one bit per page (gen_pool_create
 * with PAGE_SHIFT granularity, §2.2). Works on runs of pages, so its cost follows the pool's ranges.
 */
import type { Kernel } from "../core.ts";
import type { LoopBodyInit } from "../events.ts";
import type { PageInfo } from "../runs.ts";

/**
 * gen_pool_first_fit() via bitmap_find_next_zero_area(): the lowest run of `n` free pages, or -1.
 * One chunk per device, so no run spans chunks.
 */
export function genPoolFirstFit(k: Kernel, dev: number, n: number): number {
  const d = k.dev(dev);
  if (n > d.freePages || n <= 0) return -1;
  return d.pageRuns.firstZeroStretch("allocated", n);
}

/** The free pages of a device from page 0 up, as [start, length] runs, until `n` pages are found. */
export function lowestFreePages(k: Kernel, dev: number, n: number): [number, number][] {
  const out: [number, number][] = [];
  let left = n;
  for (const r of k.dev(dev).pageRuns.runs()) {
    if (left === 0) break;
    if (r.allocated) continue;
    const take = Math.min(left, r.length);
    const last = out[out.length - 1];
    if (last && last[0] + last[1] === r.start) last[1] += take;
    else out.push([r.start, take]);
    left -= take;
  }
  return out;
}

/**
 * gen_pool_alloc_owner() sets the bits of [first, first + n) (one event per page). A page still in
 * an earlier pin's I/O is handed out again: a use-after-free the model reports.
 */
export function genPoolAllocBody(
  k: Kernel,
  dev: number,
  first: number,
  n: number,
  owner: number,
  fn: string,
): LoopBodyInit[] {
  const d = k.dev(dev);
  for (const r of d.pageRuns.runs(first, n)) {
    if (r.pins > 0) {
      k.find(
        "use-after-free",
        dev,
        r.start,
        r.length,
        fn,
        `${d.name} {pages}: handed out again while an earlier pin is still in flight, so that DMA can overwrite the new owner's data`,
      );
    }
  }
  return [{ kind: "genpool-alloc", fn, dev, page: first, owner }];
}

/** gen_pool_alloc_owner() of [first, first + n), recorded as one loop. */
export function genPoolAlloc(k: Kernel, dev: number, first: number, n: number, owner: number, fn: string) {
  k.loop(n, genPoolAllocBody(k, dev, first, n, owner, fn));
}

/**
 * gen_pool_free_owner() of the pages of one uniform run [page, page + n): clears their bits. The
 * kernel BUGs on a bit that is already clear; the model reports a double free and frees nothing.
 * A page still mapped or pinned goes back to the pool: a use-after-free finding. `r` is the run's
 * fields as the loop iteration will find them (after what it does first, e.g. an unpin).
 */
export function genPoolFreeBody(
  k: Kernel,
  dev: number,
  page: number,
  n: number,
  fn: string,
  r: PageInfo = k.dev(dev).pageRuns.at(page),
): LoopBodyInit[] {
  const d = k.dev(dev);
  if (!r.allocated) {
    k.find(
      "double-free",
      dev,
      page,
      n,
      fn,
      `${d.name} {pages}: freed twice, where gen_pool_free() would BUG on a clear bit`,
    );
    return [];
  }
  if (r.ptes > 0) {
    k.find(
      "use-after-free",
      dev,
      page,
      n,
      fn,
      `${d.name} {pages}: went back to the pool while still mapped, so the next owner shares memory with the old mapping`,
    );
  } else if (r.pins > 0) {
    k.find(
      "use-after-free",
      dev,
      page,
      n,
      fn,
      `${d.name} {pages}: went back to the pool while pinned for I/O (freed while pinned)`,
    );
  }
  k.leaked[dev]!.delete(page, n);
  return [{ kind: "genpool-free", fn, dev, page, owner: r.owner }];
}

/** gen_pool_free_owner() of [first, first + n), one loop per uniform run. */
export function genPoolFree(k: Kernel, dev: number, first: number, n: number, fn: string): void {
  for (const r of k.dev(dev).pageRuns.runs(first, n))
    k.loop(r.length, genPoolFreeBody(k, dev, r.start, r.length, fn));
}
