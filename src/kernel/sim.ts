/**
 * The simulator: runs scenario statements through the kernel model. Each statement calls the
 * modelled kernel entry point (do_mmap, pin_user_pages, dup_mmap, ...); the design is a driver
 * object chosen once (drivers/designs), and the kernel version's rules are data (versions.ts).
 *
 * Nothing here mutates the state directly: the modelled functions record events and loops
 * (core.ts), and applying them changes the state, so a trace replayed from any checkpoint reaches
 * exactly the same states.
 */

import type { Design, KernelVersion, Stmt } from "../scenario/ast.ts";
import { Kernel, Outcome, type SimOptions } from "./core.ts";
import { DRIVERS } from "./drivers/designs/index.ts";
import { addResource, bind, pgmapRefs, unbind } from "./drivers/p2pdma.ts";
import { doExit } from "./kernel/exit.ts";
import { fork, newProcess } from "./kernel/fork.ts";
import { pinUserPages, unpinUserPages } from "./mm/gup.ts";
import { userLoad } from "./mm/memory.ts";
import { doMmap, madvise, munmap } from "./mm/mmap.ts";
import { folioInUse, isLeakedInfo } from "./state.ts";

export type { FindingKind, SimCheckpoint, SimFinding, SimOptions } from "./core.ts";
export { BAR_BASE, BAR_STRIDE, EventBudgetExceeded, GUP_PIN_COUNTING_BIAS, MMAP_TOP } from "./core.ts";

export class Simulator extends Kernel {
  constructor(design: Design, version: KernelVersion, pageSize: number, opts: SimOptions = {}) {
    super(design, version, pageSize, DRIVERS[design], opts);
  }

  /** Runs one statement; returns its result ("ok", an errno, a signal or "blocked"). */
  run(st: Stmt, line: number, opIndex: number): string {
    this.beginStatement(line);
    let result: string;
    try {
      result = this.statement(st);
    } catch (e) {
      if (!(e instanceof Outcome)) throw e;
      result = e.result;
    }
    this.endOfStatement();
    this.emit({ kind: "result", fn: resultFn(st), op: opIndex, result });
    return result;
  }

  private statement(st: Stmt): string {
    switch (st.op) {
      case "kernel":
      case "page":
        this.emit({ kind: "design", fn: "p2pviz", design: this.design, pageSize: this.pageSize });
        return "ok";
      case "device":
        addResource(this, st.dev, st.size / this.pageSize);
        return "ok";
      case "process":
        newProcess(this, st.proc);
        return "ok";
      case "mmap":
        return doMmap(
          this,
          this.procIndex(st.proc),
          st.map,
          this.devIndex(st.dev),
          st.len,
          st.private,
          st.offset ?? 0,
        );
      case "touch":
        return userLoad(this, this.procIndex(st.proc), st.map, st.off);
      case "pin":
        return pinUserPages(
          this,
          this.procIndex(st.proc),
          st.pin,
          st.map,
          st.off,
          st.len,
          st.longterm,
          st.nop2p,
        );
      case "unpin":
        return unpinUserPages(this, st.pin);
      case "fork":
        return fork(this, this.procIndex(st.proc), st.child);
      case "munmap":
        return munmap(this, this.procIndex(st.proc), st.map, st.off, st.len);
      case "exit":
        return doExit(this, this.procIndex(st.proc));
      case "unbind":
        return unbind(this, this.devIndex(st.dev));
      case "bind":
        return bind(this, this.devIndex(st.dev));
      case "madvise":
        return madvise(this, this.procIndex(st.proc), st.map, st.off, st.len, st.advice === "dontfork");
      case "inject": {
        const armed = this.injections.get(st.fn) ?? [];
        armed.push({ errno: st.errno, after: st.after ?? 0 });
        this.injections.set(st.fn, armed);
        this.note(
          "should_fail",
          `fault injection armed: after ${st.after ?? 0} more successful call${st.after === 1 ? "" : "s"}, the next ${st.fn}() fails with -${st.errno}`,
        );
        return "ok";
      }
    }
  }

  // ---------------------------------------------------------------- checks at the end of a statement

  /**
   * Leak check over the pages this statement touched: an allocated page that no PTE maps, no pin
   * holds and no live pmap owns can never go back to the pool. Then the pgmap reference balance,
   * and the pending findings, merged into runs of pages.
   */
  private endOfStatement(): void {
    const devices = this.state.devices;
    for (let dev = 0; dev < devices.length; dev++) {
      const d = devices[dev]!;
      const touched = this.touched[dev]!;
      for (let t = 0; t < touched.size; t++) {
        for (const r of d.pageRuns.runs(touched.startOf(t), touched.lengthOf(t))) {
          if (!isLeakedInfo(this.state, r)) continue;
          // A page of a large folio is held while any page of its folio is mapped or pinned: the
          // folio's refcount is one (folio_put frees all of it, mm/swap.c / mm/memremap.c).
          if (r.order > 0 && folioInUse(d.pageRuns, r.start, r.order)) continue;
          for (const [start, len] of this.leaked[dev]!.missing(r.start, r.length)) {
            this.leaked[dev]!.add(start, len);
            this.find(
              "leak",
              dev,
              start,
              len,
              this.driver.leakFn,
              `${d.name} {pages}: leaked, still allocated with refcount ${r.refcount} and no PTE, pin or owner left to free it`,
            );
          }
        }
      }
    }
    this.checkPgrefBalance();
    this.flushFindings();
  }

  /**
   * Model self-check: pgmap->ref must equal what holds it: the initial ref, the per-page base refs,
   * the driver's allocations and any reference a kernel bug leaked.
   */
  private checkPgrefBalance(): void {
    for (const d of this.state.devices) {
      if (d.lifecycle === "unbound") continue;
      const expected =
        (d.pgrefDying ? 0 : 1 + pgmapRefs(this, d.pages)) +
        this.driver.pgrefExtras(this, d.index) +
        this.leakedPgrefs[d.index]!;
      if (d.pgref !== expected) {
        this.find(
          "pgref-imbalance",
          d.index,
          0,
          1,
          "percpu_ref_put",
          `${d.name} {pages}: pgmap->ref is ${d.pgref} but the pages and allocations hold ${expected}`,
        );
      }
    }
  }
}

/** The kernel entry point a statement's result comes from. */
function resultFn(st: Stmt): string {
  switch (st.op) {
    case "kernel":
    case "page":
    case "inject":
      return "p2pviz";
    case "device":
    case "bind":
      return "pci_p2pdma_add_resource";
    case "process":
    case "fork":
      return "copy_process";
    case "mmap":
      return "do_mmap";
    case "touch":
      return "do_user_addr_fault";
    case "pin":
      return "pin_user_pages";
    case "unpin":
      return "unpin_user_pages";
    case "munmap":
      return "do_vmi_munmap";
    case "exit":
      return "do_exit";
    case "unbind":
      return "device_release_driver";
    case "madvise":
      return "do_madvise";
  }
}
