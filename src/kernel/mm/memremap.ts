/**
 * mm/memremap.c and the ZONE_DEVICE page lifetime: the pgmap's percpu_ref, page reference puts,
 * and free_zone_device_folio(), which hands a page whose count reached zero back to the driver's
 * dev_pagemap_ops (§2.4).
 */
import type { Kernel } from "../core.ts";
import { finishUnbind } from "../drivers/p2pdma.ts";
import { instantiate, type LoopBodyInit } from "../events.ts";
import { genPoolFreeBody } from "../lib/genalloc.ts";
import type { PageInfo } from "../runs.ts";

/** A change of pgmap->ref (percpu_ref get/put), with the count after it. */
export function pgref(k: Kernel, dev: number, delta: number, fn: string): void {
  k.emit({ kind: "pgref", fn, dev, delta, to: k.dev(dev).pgref + delta });
}

/** percpu_ref_put(&pgmap->ref): during an unbind, the last put lets memunmap_pages() go on. */
export function pgrefPut(k: Kernel, dev: number, n: number, fn: string): void {
  pgref(k, dev, -n, fn);
  const d = k.dev(dev);
  if (d.lifecycle === "unbinding" && d.pgref === 0) finishUnbind(k, dev);
}

/**
 * Reference changes of `delta` on every page of [page, page + n), one loop per run of pages with
 * the same refcount. `before(start)` adds events each iteration does first (unpin-page, pte-set...).
 * A put that takes a page to zero frees it through free_zone_device_folio() when the driver has a
 * ->page_free (§2.4); a count below zero is a model self-check finding.
 */
export function pageRefs(
  k: Kernel,
  dev: number,
  page: number,
  n: number,
  delta: number,
  fn: string,
  before?: (start: number) => LoopBodyInit[],
  after?: (start: number) => LoopBodyInit[],
): void {
  const d = k.dev(dev);
  k.touch(dev, page, n);
  for (const r of d.pageRuns.runs(page, n)) {
    const to = r.refcount + delta;
    const body: LoopBodyInit[] = before ? before(r.start) : [];
    let unpins = 0;
    for (const b of body) if (b.kind === "unpin-page") unpins++;
    body.push({ kind: "page-ref", fn, dev, page: r.start, delta, to });
    if (after) for (const b of after(r.start)) body.push(b);
    if (to < 0) {
      k.find(
        "refcount-underflow",
        dev,
        r.start,
        r.length,
        fn,
        `${d.name} {pages}: refcount went below zero (${to})`,
      );
    }
    const frees = to === 0 && delta < 0 && k.driver.pageFree !== undefined;
    if (!frees) {
      k.loop(r.length, body);
      continue;
    }
    // What the iteration finds when the page is freed: its own earlier events applied.
    const pins = r.pins - unpins;
    body.push(...freeZoneDeviceFolioBody(k, dev, r.start, r.length, { ...r, refcount: to, pins }));
    // The put that drops the last pgmap reference ends a pending unbind: that iteration is the last
    // of its loop, so the unbind completes at its own step.
    const left = d.pgref;
    if (d.lifecycle === "unbinding" && left > 0 && left <= r.length) {
      k.loop(left, body);
      finishUnbind(k, dev);
      if (left < r.length)
        k.loop(
          r.length - left,
          body.map((b) => instantiate(b, left)),
        );
    } else {
      k.loop(r.length, body);
    }
  }
}

/**
 * free_zone_device_folio() (free_zone_device_page() before 6.15) for the pages of one run whose
 * count reached zero: the driver's ->page_free (for p2pdma: gen_pool_free_owner() of the page and
 * percpu_ref_put()), then, before 6.15, the count is reset to 1, where free pages rest.
 */
function freeZoneDeviceFolioBody(
  k: Kernel,
  dev: number,
  page: number,
  n: number,
  info: PageInfo,
): LoopBodyInit[] {
  const body: LoopBodyInit[] = [{ kind: "page-free", fn: k.rules.freeZoneDevice, dev, page }];
  body.push(...k.driver.pageFree!(k, dev, page, n, info));
  if (k.rules.resetCountAfterFree) {
    body.push({ kind: "page-ref", fn: k.rules.freeZoneDevice, dev, page, delta: 1, to: 1 });
  }
  return body;
}

/** The p2pdma ->page_free body for a run: gen_pool_free_owner() of each page, percpu_ref_put(). */
export function p2pdmaPageFreeBody(
  k: Kernel,
  dev: number,
  page: number,
  n: number,
  info: PageInfo,
): LoopBodyInit[] {
  const fn = k.rules.pageFreeFn;
  const d = k.dev(dev);
  const body = genPoolFreeBody(k, dev, page, n, fn, info);
  body.push({ kind: "pgref", fn, dev, delta: -1, to: d.pgref - 1 });
  return body;
}
