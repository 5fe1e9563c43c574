/**
 * mm/memory.c: PTE insertion and zapping, the mmu_gather batch of page references, and the fault
 * path (handle_mm_fault). PTEs are handled as runs of consecutive pages, so zapping a 32 GiB mapping
 * is one loop.
 */
import { type Kernel, Outcome } from "../core.ts";
import type { LoopBodyInit } from "../events.ts";
import {
  isLeafKind,
  type Label,
  PTE_NORMAL,
  type PteKind,
  packPte,
  pteDev,
  ptePage,
  type Vma,
} from "../state.ts";
import { folioRefs, leafPages, zapLeafFn } from "./huge_memory.ts";
import { pageRefs } from "./memremap.ts";

/**
 * Page references gathered by a zap, put by tlb_finish_mmu() once the PTEs are gone. `folio`: the
 * pages of each large folio the range holds (a leaf's folio: one reference per folio).
 */
export type Batch = { dev: number; page: number; n: number; folio?: number }[];

/** A PTE event template for vpn -> page of dev (iteration i maps vpn + i -> page + i). */
export function pteBody(
  kind: "pte-set" | "pte-clear",
  fn: string,
  proc: number,
  vpn: number,
  dev: number,
  page: number,
  pte: PteKind,
): LoopBodyInit {
  return { kind, fn, proc, vpn, pte: packPte(dev, page, pte), rmap: pte === PTE_NORMAL ? 1 : 0 };
}

/**
 * zap_pte_range() over [start, end): clears each PTE; a normal PTE also drops its mapcount and
 * queues its page reference in the mmu_gather batch (put by releaseBatch). Devmap and pfnmap PTEs
 * are special: vm_normal_page() returns NULL, so no page is touched.
 */
export function zapRange(
  k: Kernel,
  p: number,
  start: number,
  end: number,
  fn: string,
  batch: Batch = [],
): Batch {
  const first = start / k.pageSize;
  for (const r of k.proc(p).ptes.runsIn(first, end / k.pageSize - first)) {
    if (isLeafKind(r.kind)) {
      // zap_pud_range / zap_pmd_range -> zap_huge_pud / zap_huge_pmd, per leaf: clear it,
      // folio_remove_rmap_pud/pmd, rss -2^O, and tlb_remove_page_size() queues the folio's put.
      const size = leafPages(k, r.kind);
      if (r.length % size !== 0 || r.vpn % size !== 0)
        throw new Error(`model: a zap of ${r.length} pages at vpn ${r.vpn} cuts a ${size}-page leaf`);
      k.loop(r.length / size, [
        {
          kind: "leaf-clear",
          fn: zapLeafFn(r.kind),
          proc: p,
          vpn: r.vpn,
          pte: packPte(r.dev, r.page, r.kind),
          pages: size,
        },
      ]);
      k.touch(r.dev, r.page, r.length);
      batch.push({ dev: r.dev, page: r.page, n: r.length, folio: size });
      continue;
    }
    k.loop(r.length, [pteBody("pte-clear", fn, p, r.vpn, r.dev, r.page, r.kind)]);
    k.touch(r.dev, r.page, r.length);
    if (r.kind === PTE_NORMAL) batch.push({ dev: r.dev, page: r.page, n: r.length });
  }
  return batch;
}

/** tlb_finish_mmu() -> folios_put_refs(): the gathered references are dropped after the zap. */
export function releaseBatch(k: Kernel, batch: Batch): void {
  for (const b of batch) {
    if (b.folio)
      folioRefs(k, b.dev, b.page, b.n / b.folio, b.folio, -1, 0, "tlb_finish_mmu", { fromUnmap: true });
    else pageRefs(k, b.dev, b.page, b.n, -1, "tlb_finish_mmu");
  }
}

/**
 * A CPU load (arch/x86/mm/fault.c do_user_addr_fault): no VMA is SIGSEGV; a present PTE needs no
 * fault; otherwise handle_mm_fault() runs the VMA's fault path.
 */
export function userLoad(k: Kernel, p: number, map: string, off: number): string {
  const label = k.label(p, map);
  const addr = label.start + off;
  const vma = k.findVma(p, addr);
  if (!vma) {
    k.note("do_user_addr_fault", `no VMA covers ${hex(addr)}: the load gets SIGSEGV`);
    return "SIGSEGV";
  }
  const pte = k.proc(p).ptes.get(Math.floor(addr / k.pageSize));
  if (pte !== undefined) {
    stalePteCheck(k, p, pte, "do_user_addr_fault", "reads");
    k.note("do_user_addr_fault", `the PTE for ${hex(addr)} is present: the load needs no fault`);
    return "ok";
  }
  handleMmFault(k, p, vma, addr, label);
  return "ok";
}

/**
 * handle_mm_fault() for an address with no PTE: the VMA's vm_ops->fault, or VM_FAULT_SIGBUS where
 * it has none. Throws Outcome("SIGBUS") where no page can be mapped.
 */
export function handleMmFault(k: Kernel, p: number, vma: Vma, addr: number, label: Label): void {
  k.emit({ kind: "fault", fn: "handle_mm_fault", proc: p, vpn: Math.floor(addr / k.pageSize) });
  const fault = k.driver.vmOps.fault;
  if (!fault) {
    k.note("do_fault", "the VMA's vm_ops has no ->fault: VM_FAULT_SIGBUS");
    throw new Outcome("SIGBUS");
  }
  fault(k, p, vma, addr, label);
}

/** A user access through a PTE whose device has been unbound reaches a BAR nobody owns any more. */
export function stalePteCheck(k: Kernel, p: number, pte: number, fn: string, verb: string, n = 1): void {
  const dev = pteDev(pte);
  const d = k.dev(dev);
  if (d.lifecycle !== "bound") {
    k.find(
      "stale-mapping",
      dev,
      ptePage(pte),
      n,
      fn,
      `${d.name} {pages}: ${k.proc(p).name} still ${verb} it after the driver was unbound, reaching a BAR the driver gave up`,
    );
  }
}

export function hex(n: number): string {
  return `0x${n.toString(16)}`;
}

export function hexOff(n: number): string {
  return n % 1024 === 0 && n > 0 ? `${n / 1024}K` : String(n);
}
