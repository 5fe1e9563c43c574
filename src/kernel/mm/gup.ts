/**
 * mm/gup.c: pin_user_pages() as O_DIRECT uses it, and unpin_user_pages() (§2.8). Pages are grabbed
 * a run at a time: each run of present PTEs with one refcount is one loop.
 */
import { GUP_PIN_COUNTING_BIAS, type Kernel, Outcome } from "../core.ts";
import { exitAfterUnpin } from "../kernel/exit.ts";
import { PTE_NORMAL, pteDev, pteKind, ptePage, VM_IO, VM_PFNMAP } from "../state.ts";
import { grabFolios, unpinFolios } from "./huge_memory.ts";
import { handleMmFault, hex, stalePteCheck } from "./memory.ts";
import { pageRefs } from "./memremap.ts";

/**
 * pin_user_pages() as O_DIRECT does it (§2.8). All or nothing [P]: pages grabbed before a failure
 * are released, as an O_DIRECT caller does.
 */
export function pinUserPages(
  k: Kernel,
  p: number,
  name: string,
  map: string,
  off: number,
  len: number,
  longterm: boolean,
  nop2p: boolean,
): string {
  const pinIdx = k.state.pins.length;
  k.emit({ kind: "pin-create", fn: "pin_user_pages", pin: pinIdx, name, proc: p });
  k.pinByName.set(name, pinIdx);
  (k.pinsOf[p] ??= []).push(pinIdx);
  const rules = k.rules;
  if (longterm && !nop2p && rules.longtermP2p.fn === "is_valid_gup_args") {
    k.note(rules.longtermP2p.fn, rules.longtermP2p.why);
    failPin(k, pinIdx, rules.longtermP2p.errno);
  }
  const label = k.label(p, map);
  const end = label.start + off + len;
  let a = label.start + off;
  while (a < end) {
    const vma = k.findVma(p, a);
    if (!vma) {
      k.note("__get_user_pages", `no VMA covers ${hex(a)}: -EFAULT`);
      failPin(k, pinIdx, "EFAULT");
    }
    if (vma!.flags & (VM_IO | VM_PFNMAP)) {
      k.note("check_vma_flags", "VM_IO|VM_PFNMAP: GUP cannot pin raw pfns, -EFAULT");
      failPin(k, pinIdx, "EFAULT");
    }
    if (longterm && !nop2p) {
      // 6.2: check_vma_flags() refuses FOLL_LONGTERM|FOLL_PCI_P2PDMA with -EOPNOTSUPP.
      k.note(rules.longtermP2p.fn, rules.longtermP2p.why);
      failPin(k, pinIdx, rules.longtermP2p.errno);
    }
    if (longterm && rules.writableLongtermRefused && k.driver.dirtyTracked) {
      // A writable FOLL_LONGTERM pin of a file mapping that needs dirty tracking: kernfs_vm_ops
      // has .page_mkwrite (observed on 6.12: io_uring buffer registration of p2pmem -> EFAULT).
      k.note(
        "check_vma_flags",
        "writable FOLL_LONGTERM pin of a file mapping with ->page_mkwrite: writable_file_mapping_allowed() fails, -EFAULT",
      );
      failPin(k, pinIdx, "EFAULT");
    }
    const vpn = Math.floor(a / k.pageSize);
    let pte = k.proc(p).ptes.get(vpn);
    if (pte === undefined) {
      try {
        handleMmFault(k, p, vma!, a, label);
      } catch (e) {
        if (!(e instanceof Outcome)) throw e;
        k.note("faultin_page", `the fault answered ${e.result}: -EFAULT`);
        failPin(k, pinIdx, "EFAULT");
      }
      pte = k.proc(p).ptes.get(vpn)!;
    }
    const dev = pteDev(pte);
    if (pteKind(pte) !== PTE_NORMAL && k.dev(dev).pgrefDying) {
      // follow_page_pte: get_dev_pagemap() fails once the pgmap is dying.
      k.note("follow_page_pte", `get_dev_pagemap fails: ${k.dev(dev).name}'s pgmap is dying, -EFAULT`);
      failPin(k, pinIdx, "EFAULT");
    }
    if (nop2p) {
      k.note("try_grab_folio", "a P2PDMA page without FOLL_PCI_P2PDMA: try_grab_page returns -EREMOTEIO");
      failPin(k, pinIdx, "EREMOTEIO");
    }
    // The present PTEs from here that continue this one's run, within the VMA and the range.
    const runEnd = Math.min(end, vma!.end);
    const run = k.proc(p).ptes.runsIn(vpn, Math.ceil((runEnd - a) / k.pageSize))[0]!;
    stalePteCheck(k, p, pte, "try_grab_folio", "pins", run.length);
    const page = ptePage(pte);
    const order = k.dev(dev).pageRuns.get("order", page);
    if (order > 0) {
      // A large folio (a PMD/PUD leaf's): refs and _pincount, no bias (folio_has_pincount()).
      grabFolios(k, pinIdx, dev, page, run.length, 2 ** order);
    } else {
      pageRefs(k, dev, page, run.length, GUP_PIN_COUNTING_BIAS, "try_grab_folio", undefined, (start) => [
        { kind: "pin-page", fn: "try_grab_folio", pin: pinIdx, dev, page: start },
      ]);
    }
    a += run.length * k.pageSize;
  }
  return "ok";
}

/**
 * pin_user_pages() fails with `errno`: what was grabbed is released, newest range first, as the
 * O_DIRECT caller unpins what it got. (A function of its own, not a closure made at every pin.)
 */
function failPin(k: Kernel, pinIdx: number, errno: string): never {
  for (const r of k.state.pins[pinIdx]!.ranges.slice().reverse())
    unpinPages(k, pinIdx, r.dev, r.page, r.length);
  k.emit({ kind: "pin-status", fn: "pin_user_pages", pin: pinIdx, from: "held", to: "failed" });
  throw new Outcome(errno);
}

/** unpin_user_page() of [page, page + n): the pin bias comes off; a page that reaches 0 is freed. */
function unpinPages(k: Kernel, pin: number, dev: number, page: number, n: number): void {
  // Stretches of one folio order: base pages lose the bias, large folios refs and _pincount.
  const stretches: [number, number, number][] = [];
  for (const r of k.dev(dev).pageRuns.runs(page, n)) {
    const last = stretches[stretches.length - 1];
    if (last && last[2] === r.order) last[1] += r.length;
    else stretches.push([r.start, r.length, r.order]);
  }
  for (const [start, len, order] of stretches) {
    if (order > 0) {
      unpinFolios(k, pin, dev, start, len, 2 ** order);
      continue;
    }
    pageRefs(k, dev, start, len, -GUP_PIN_COUNTING_BIAS, "unpin_user_page", (s) => [
      { kind: "unpin-page", fn: "unpin_user_page", pin, dev, page: s },
    ]);
  }
}

/** unpin_user_pages(): drops GUP_PIN_COUNTING_BIAS per page; a page that reaches 0 is freed. */
export function unpinUserPages(k: Kernel, name: string): string {
  const pinIdx = k.pinByName.get(name)!;
  const pin = k.state.pins[pinIdx]!;
  if (pin.status === "failed") {
    k.note("unpin_user_pages", `pin ${name} failed, so it holds nothing to release`);
    return "ok";
  }
  if (pin.status === "released") {
    k.note("unpin_user_pages", `pin ${name} was already released`);
    return "ok";
  }
  for (const r of pin.ranges.slice()) unpinPages(k, pinIdx, r.dev, r.page, r.length);
  k.emit({ kind: "pin-status", fn: "unpin_user_pages", pin: pinIdx, from: "held", to: "released" });
  exitAfterUnpin(k, pin.proc);
  return "ok";
}
