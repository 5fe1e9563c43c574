/**
 * Large folios, for the designs that map p2pmem as PMD/PUD leaves (../shared/kernel/huge.md):
 * mm/huge_memory.c (insert_pmd / insert_pud, zap_huge_pmd / zap_huge_pud), the folio reference
 * puts of mm/swap.c and mm/memremap.c (folio_put -> free_zone_device_folio -> ->folio_free), and
 * the large-folio side of mm/gup.c (try_grab_folio / gup_put_folio: refs and _pincount, no bias).
 *
 * A folio's refcount, mapcount and pincount are its head's, replicated on each of its pages
 * (runs.ts), so every operation here is one event per folio (a `pages` span), and n folios in a row
 * with the same counts are one loop: a 32 GiB mapping of 1 GiB folios costs its 32 folios, never
 * its 8,388,608 pages. Folios are naturally aligned in the pool (aligned allocation, huge.md §3.3).
 */
import type { FindingKind, Kernel } from "../core.ts";
import { pmdOrder, pudOrder } from "../drivers/designs/huge-policy.ts";
import { finishUnbind } from "../drivers/p2pdma.ts";
import { instantiate, type LoopBodyInit } from "../events.ts";
import { PTE_PUD, type PteKind } from "../state.ts";

/** Pages one leaf of `kind` maps: PMD 2^9 (4K) or 2^13 (64K), PUD 2^18 (include/linux/pgtable.h). */
export function leafPages(k: Kernel, kind: PteKind): number {
  return 2 ** (kind === PTE_PUD ? pudOrder(k.pageSize) : pmdOrder(k.pageSize));
}

/** The kernel function that zaps a leaf of `kind` (mm/huge_memory.c, 7.3.4). */
export function zapLeafFn(kind: PteKind): string {
  return kind === PTE_PUD ? "zap_huge_pud" : "zap_huge_pmd";
}

/**
 * Calls `fn(head, count, k)` over the folios of `size` pages that [page, page + n) touches, in
 * order: `count` whole folios each with `k` pages of the range (k = size), or one folio the range
 * covers only part of (count 1, k < size). Costs O(1) per call, not per folio.
 */
export function forFolioSpans(
  page: number,
  n: number,
  size: number,
  fn: (head: number, count: number, k: number) => void,
): void {
  const end = page + n;
  let at = page;
  while (at < end) {
    const head = Math.floor(at / size) * size;
    if (at > head || end < head + size) {
      const k = Math.min(end, head + size) - at;
      fn(head, 1, k);
      at += k;
      continue;
    }
    const count = Math.floor((end - head) / size);
    fn(head, count, size);
    at = head + count * size;
  }
}

/** What a folio put leaves behind that a finding explains, for `folioRefs`' caller. */
export interface FolioPutOptions {
  /** a put at munmap / exit / unbind: a folio kept alive only by pins is reported (pin-holds-folio) */
  readonly fromUnmap?: boolean;
}

/**
 * Reference changes of `delta` (and `pin` on _pincount) on `count` consecutive folios of `size`
 * pages from `head`: one `folio-ref` per folio, one loop per stretch of folios with the same counts.
 * A put that takes a folio to 0 frees the whole folio through free_zone_device_folio() ->
 * dev_pagemap_ops->folio_free (the driver's folioFree), and the put that drops the last pgmap
 * reference of an unbinding device completes the unbind at its own step.
 */
export function folioRefs(
  k: Kernel,
  dev: number,
  head: number,
  count: number,
  size: number,
  delta: number,
  pin: number,
  fn: string,
  opts: FolioPutOptions = {},
): void {
  const d = k.dev(dev);
  const end = head + count * size;
  k.touch(dev, head, count * size);
  let h = head;
  while (h < end) {
    const r = d.pageRuns.runAt(h);
    // Whole folios the run covers from h share every count; a run that ends inside its first folio
    // (some pages pinned, others not) still holds the folio's counts at its head.
    const m = Math.max(1, Math.floor((Math.min(end, r.start + r.length) - h) / size));
    const to = r.refcount + delta;
    const body: LoopBodyInit[] = [{ kind: "folio-ref", fn, dev, page: h, pages: size, delta, pin, to }];
    if (to < 0) {
      k.find(
        "refcount-underflow",
        dev,
        h,
        m * size,
        fn,
        `${d.name} {pages}: folio refcount went below zero (${to})`,
      );
    }
    const frees = to === 0 && delta < 0;
    if (!frees && opts.fromUnmap && r.pincount + pin > 0 && to > 0 && r.mapcount === 0) {
      pinHoldsFolio(k, dev, h, m, size, r.pincount + pin, fn);
    }
    if (!frees || !k.driver.folioFree) {
      k.loop(m, body);
      h += m * size;
      continue;
    }
    body.push(...k.driver.folioFree(k, dev, h, size, { ...r, refcount: 0, pincount: r.pincount + pin }));
    // The put that drops the last pgmap reference ends a pending unbind (memunmap_pages' wait).
    const per = -body.reduce((s, b) => s + (b.kind === "pgref" ? b.delta : 0), 0);
    const left = d.pgref;
    if (d.lifecycle === "unbinding" && per > 0 && left > 0 && left % per === 0 && left / per <= m) {
      const j = left / per;
      k.loop(j, body);
      finishUnbind(k, dev);
      if (j < m)
        k.loop(
          m - j,
          body.map((b) => instantiate(b, j)),
        );
    } else {
      k.loop(m, body);
    }
    h += m * size;
  }
}

/** Finding pin-holds-folio (huge.md §3.7, §8): unmapped, yet the whole folio stays for its pins. */
function pinHoldsFolio(
  k: Kernel,
  dev: number,
  head: number,
  m: number,
  size: number,
  pins: number,
  fn: string,
): void {
  const d = k.dev(dev);
  const kind: FindingKind = "pin-holds-folio";
  const bytes = size * k.pageSize;
  const what = bytes >= 2 ** 30 ? `${bytes / 2 ** 30} GiB` : `${bytes / 2 ** 20} MiB`;
  const blocks = d.lifecycle === "unbinding" ? " and the unbind waits for it" : "";
  k.find(
    kind,
    dev,
    head,
    m * size,
    fn,
    `${d.name} {pages}: no longer mapped, but ${pins} pinned page${pins === 1 ? "" : "s"} keep${pins === 1 ? "s" : ""} the whole ${what} folio allocated until the unpin${blocks} (a pin holds its folio, not its page; upstream would free the unpinned pages)`,
  );
}

/**
 * try_grab_folio() / try_grab_folio_fast() for a pin of [page, page + n) of large folios of `size`
 * pages (mm/gup.c, 7.3.4): per folio, refcount +k and _pincount +k for its k pages in the range
 * (folio_has_pincount(): no GUP_PIN_COUNTING_BIAS), then the pin records its pages.
 */
export function grabFolios(
  k: Kernel,
  pinIdx: number,
  dev: number,
  page: number,
  n: number,
  size: number,
): void {
  forFolioSpans(page, n, size, (head, count, kk) =>
    folioRefs(k, dev, head, count, size, kk, kk, "try_grab_folio"),
  );
  // gup_fast_pmd_leaf() / gup_fast_pud_leaf(): record_subpages() hands out the k pages.
  k.loop(n, [{ kind: "pin-page", fn: "record_subpages", pin: pinIdx, dev, page }]);
}

/**
 * unpin_user_pages() over [page, page + n) of large folios: the pin lets go of its pages, then
 * gup_folio_next() groups them by folio and gup_put_folio(folio, nr, FOLL_PIN) drops nr from
 * _pincount and the refcount; a folio that reaches 0 is freed whole.
 */
export function unpinFolios(k: Kernel, pinIdx: number, dev: number, page: number, n: number, size: number) {
  k.loop(n, [{ kind: "unpin-page", fn: "unpin_user_pages", pin: pinIdx, dev, page }]);
  forFolioSpans(page, n, size, (head, count, kk) =>
    folioRefs(k, dev, head, count, size, -kk, -kk, "gup_put_folio"),
  );
}
