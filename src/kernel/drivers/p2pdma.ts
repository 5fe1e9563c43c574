/**
 * drivers/pci/p2pdma.c and the driver core around it: a provider's probe (pci_p2pdma_add_resource),
 * its unbind (device_release_driver running the devres actions in reverse, §2.10) and a later bind.
 * What happens to user mappings at unbind is the design's (P2pDriver.unbindMappings).
 */
import { BAR_BASE, BAR_STRIDE, GUP_PIN_COUNTING_BIAS, type Kernel } from "../core.ts";
import { type Batch, releaseBatch, zapRange } from "../mm/memory.ts";
import { pgref, pgrefPut } from "../mm/memremap.ts";
import { RangeSet } from "../runs.ts";

/**
 * pci_p2pdma_add_resource(): devm_memremap_pages() creates the struct pages (at the version's free
 * refcount) and takes one pgmap reference per page (mm/memremap.c), then gen_pool_add_owner() adds
 * the whole BAR range as one chunk (§2.1).
 */
export function addResource(k: Kernel, name: string, pages: number): void {
  const dev = k.state.devices.length;
  k.emit({
    kind: "device-add",
    fn: "pci_p2pdma_add_resource",
    dev,
    name,
    pages,
    barStart: BAR_BASE + dev * BAR_STRIDE,
    freeRefcount: k.rules.freeRefcount,
  });
  k.devByName.set(name, dev);
  k.touched.push(new RangeSet());
  k.leaked.push(new RangeSet());
  k.leakedPgrefs.push(0);
  // percpu_ref_init() starts at 1; memremap_pages() adds one per page (per folio with a vmemmap_shift).
  pgref(k, dev, 1 + pgmapRefs(k, pages), "devm_memremap_pages");
  k.driver.probe?.(k, dev);
  k.emit({ kind: "genpool-add", fn: "gen_pool_add_owner", dev });
}

/** The pgmap references memremap_pages() takes for the pages: npages >> vmemmap_shift. */
export function pgmapRefs(k: Kernel, pages: number): number {
  return k.driver.pgmapRefs?.(k, pages) ?? pages;
}

/**
 * `bind DEV` (v2): the driver probes again after an unbind that has finished: a fresh pgmap with
 * fresh struct pages and an empty pool of the same size. EBUSY while bound or still unbinding.
 */
export function bind(k: Kernel, dev: number): string {
  const d = k.dev(dev);
  if (d.lifecycle !== "unbound") {
    k.note(
      "bind_store",
      d.lifecycle === "bound"
        ? `${d.name} already has its driver bound: -EBUSY`
        : `${d.name} is still unbinding (memunmap_pages waits): -EBUSY`,
    );
    return "EBUSY";
  }
  k.emit({
    kind: "device-rebind",
    fn: "pci_p2pdma_add_resource",
    dev,
    freeRefcount: k.rules.freeRefcount,
    before: {
      pageRuns: d.pageRuns.clone(),
      freePages: d.freePages,
      pgref: d.pgref,
      pgrefDying: d.pgrefDying,
      lifecycle: d.lifecycle,
      generation: d.generation,
    },
  });
  k.leaked[dev] = new RangeSet();
  k.leakedPgrefs[dev] = 0;
  pgref(k, dev, 1 + pgmapRefs(k, d.pages), "devm_memremap_pages");
  k.driver.probe?.(k, dev);
  k.emit({ kind: "genpool-add", fn: "gen_pool_add_owner", dev });
  return "ok";
}

/**
 * device_release_driver(): the devres actions in reverse order of registration: the design's unmap
 * of user mappings (pci_p2pdma_unmap_mappings upstream), then memunmap_pages(), which kills the
 * percpu_ref, drops the per-page base references and waits for pgmap->ref to reach zero.
 */
export function unbind(k: Kernel, dev: number): string {
  const d = k.dev(dev);
  if (d.lifecycle !== "bound") {
    k.note("unbind_store", `${d.name} has no driver bound: -ENODEV`);
    return "ENODEV";
  }
  k.emit({ kind: "device-state", fn: "device_release_driver", dev, from: "bound", to: "unbinding" });
  k.driver.unbindMappings(k, dev);
  k.emit({ kind: "pgref-kill", fn: "percpu_ref_kill", dev });
  pgref(k, dev, -1, "percpu_ref_kill");
  pgrefPut(k, dev, pgmapRefs(k, d.pages), "memunmap_pages");
  // The puts above may have completed the unbind already (finishUnbind).
  if (k.dev(dev).lifecycle === "unbound") return "ok";
  const left = k.dev(dev).pgref;
  k.note(
    "memunmap_pages",
    `wait_for_completion(&pgmap->done) blocks: ${left} pgmap reference${left === 1 ? "" : "s"} of ${d.name} still held`,
  );
  checkUnbindHang(k, dev);
  return "blocked";
}

/**
 * pci_p2pdma_unmap_mappings() (upstream, §2.10 step 1): the allocate file is removed and drained;
 * unmap_mapping_range() zaps its PTEs in every process. VMAs stay; pages go back as their
 * references drop.
 */
export function pciP2pdmaUnmapMappings(k: Kernel, dev: number): void {
  k.note(
    "sysfs_remove_file_from_group",
    `p2pmem/allocate of ${k.dev(dev).name} is removed and its open files drained`,
  );
  const batch: Batch = [];
  for (const proc of k.state.processes) {
    if (!proc.alive) continue;
    for (const v of proc.vmas)
      if (v.dev === dev) zapRange(k, proc.index, v.start, v.end, "unmap_mapping_range", batch);
  }
  releaseBatch(k, batch);
}

/** Designs without an unmap step leave user mappings of the BAR in place (§3.0, §3.1, §3.4). */
export function reportStaleMappings(k: Kernel, dev: number): void {
  const d = k.dev(dev);
  k.note("device_release_driver", `nothing in this design unmaps user mappings of ${d.name}`);
  for (const proc of k.state.processes) {
    if (!proc.alive) continue;
    for (const v of proc.vmas) {
      if (v.dev !== dev) continue;
      const first = v.start / k.pageSize;
      for (const r of proc.ptes.runsIn(first, v.end / k.pageSize - first)) {
        k.find(
          "stale-mapping",
          dev,
          r.page,
          r.length,
          "device_release_driver",
          `${d.name} {pages}: still mapped by ${proc.name} '${v.label}' after unbind, so user space keeps reaching the BAR`,
        );
      }
    }
  }
}

/**
 * Can the wait ever end? Each remaining pgmap reference must be held by something a statement can
 * drop: a page whose refcount is more than its PTEs, pins and pmap account for holds a reference
 * nothing will ever put (the seed design's leak), and a reference leaked by a failed
 * vm_insert_page() (before 6220694c52a5) is never put at all: the unbind hangs for good.
 */
function checkUnbindHang(k: Kernel, dev: number): void {
  const d = k.dev(dev);
  if (k.leakedPgrefs[dev]! > 0) {
    k.find(
      "unbind-hang",
      dev,
      0,
      d.pages,
      "memunmap_pages",
      `${d.name}: a pgmap reference leaked by a failed vm_insert_page() is never put, so pgmap->ref never reaches zero and the unbind can never finish`,
    );
  }
  if (k.driver.pageFree === undefined) return; // pmap designs: the wait ends when the last VMA closes
  for (const r of d.pageRuns.runs()) {
    if (!r.allocated) continue;
    const pmapHold = r.owner >= 0 && k.state.pmaps[r.owner]!.first >= 0 ? 1 : 0;
    // A large folio's pins count once each in its refcount and _pincount (no bias, mm/gup.c).
    const accounted =
      r.order > 0 ? r.mapcount + r.pincount : r.mapcount + GUP_PIN_COUNTING_BIAS * r.pins + pmapHold;
    if (r.refcount > accounted) {
      k.find(
        "unbind-hang",
        dev,
        r.start,
        r.length,
        "memunmap_pages",
        `${d.name} {pages}: hold a reference that nothing will ever put, so pgmap->ref never reaches zero and the unbind can never finish`,
      );
    }
  }
}

/** The wait in memunmap_pages() is over: pci_p2pdma_release() and gen_pool_destroy() run. */
export function finishUnbind(k: Kernel, dev: number): void {
  const d = k.dev(dev);
  k.note(
    "memunmap_pages",
    `the last pgmap reference of ${d.name} is gone: wait_for_completion returns, struct pages are removed`,
  );
  k.note("pci_p2pdma_release", "pdev->p2pdma = NULL; synchronize_rcu(); gen_pool_destroy()");
  for (const r of d.pageRuns.runs()) {
    if (r.allocated) {
      k.find(
        "leak",
        dev,
        r.start,
        r.length,
        "gen_pool_destroy",
        `${d.name} {pages}: still allocated at gen_pool_destroy(), where the kernel would BUG`,
      );
    }
  }
  k.emit({ kind: "device-state", fn: "pci_p2pdma_release", dev, from: "unbinding", to: "unbound" });
}
