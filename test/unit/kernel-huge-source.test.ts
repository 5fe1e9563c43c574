/**
 * The huge model checked against Linux 7.3.4's source (Debian linux-source-7.3 7.3.4-1~bpo13+1;
 * line numbers as in test/fixtures/linux-7.3.4-lines.json). One test per rule, named after the
 * 7.3.4 function and lines it follows. The golden scenarios of huge.md §7 are in kernel-huge.test.ts.
 */
import { describe, expect, it } from "vitest";
import type { KernelEvent } from "../../src/kernel/events.ts";
import { VM_MIXEDMAP, VM_PFNMAP } from "../../src/kernel/state.ts";
import { eventsOf, type Trace } from "../../src/trace/trace.ts";
import { final, lines, result, run, stateAfterLine } from "./helpers.ts";

/** The events of the statement on `line`. */
function eventsOfLine(t: Trace, line: number): KernelEvent[] {
  const op = t.ops.find((o) => o.line === line)!;
  return [...eventsOf(t, op.firstStep, op.lastStep + 1)];
}

const mmap = (size: string, ...more: string[]) =>
  lines("kernel huge", "device d 8M", "process p", `p mmap a d ${size}`, ...more);

describe("huge designs vs the 7.3.4 source", () => {
  it("zone_device_page_init (mm/memremap.c:481-529): the pgmap refs are taken before the head's refcount is set", () => {
    const ev = eventsOfLine(run(mmap("2M")), 4);
    const tryget = ev.findIndex((e) => e.fn === "percpu_ref_tryget_many");
    const init = ev.findIndex((e) => e.kind === "folio-init");
    expect(tryget).toBeGreaterThanOrEqual(0);
    expect(init).toBeGreaterThan(tryget);
    // WARN_ON_ONCE(!percpu_ref_tryget_many(&pgmap->ref, 1 << order)) takes all 2^order at once
    const e = ev[tryget]!;
    expect(e.kind === "pgref" && e.delta).toBe(512);
    // then insert_pmd's folio_get (1 -> 2) and the init reference's put (2 -> 1)
    const refs = ev.filter((x) => x.kind === "folio-ref").map((x) => (x.kind === "folio-ref" ? x.to : 0));
    expect(refs).toEqual([2, 1]);
  });

  it("vma_is_special_huge (mm/huge_memory.c:114-119): a VMA of PMD/PUD folios is neither VM_PFNMAP nor VM_MIXEDMAP, so zap_huge_pud (3049-3082) puts the folio", () => {
    for (const size of ["2M", "1G"]) {
      const t = run(lines("kernel huge", "device d 2G", "process p", `p mmap a d ${size}`, "p munmap a"));
      const vma = stateAfterLine(t, 4).processes[0]!.vmas[0]!;
      expect(vma.flags & (VM_PFNMAP | VM_MIXEDMAP), size).toBe(0);
      const zap = eventsOfLine(t, 5);
      expect(
        zap.some(
          (e) => e.kind === "leaf-clear" && e.fn === (size === "1G" ? "zap_huge_pud" : "zap_huge_pmd"),
        ),
      ).toBe(true);
      expect(zap.filter((e) => e.kind === "folio-free").length, size).toBe(1);
      expect(final(t).devices[0]!.freePages).toBe(final(t).devices[0]!.pages);
    }
  });

  it("free_zone_device_folio (mm/memremap.c:416-479): MEMORY_DEVICE_PCI_P2PDMA calls folio_free once per folio and puts no pgmap ref itself", () => {
    const t = run(mmap("4M", "p munmap a"));
    const ev = eventsOfLine(t, 5);
    const frees = ev.filter((e) => e.kind === "folio-free");
    expect(frees.map((e) => e.fn)).toEqual(["p2pdma_folio_free", "p2pdma_folio_free"]);
    // the pgmap refs come back from the driver's folio_free (huge.md §3.10 [P]: put_many(2^order));
    // 7.3.4's p2pdma_folio_free (drivers/pci/p2pdma.c:211-223) would put 1 and free PAGE_SIZE
    const puts = ev.filter((e) => e.kind === "pgref" && e.delta < 0);
    expect(puts.map((e) => [e.fn, e.kind === "pgref" ? e.delta : 0])).toEqual([
      ["percpu_ref_put_many", -512],
      ["percpu_ref_put_many", -512],
    ]);
    expect(final(t).devices[0]!.pgref).toBe(stateAfterLine(t, 3).devices[0]!.pgref);
  });

  it("vma_needs_copy (mm/memory.c:1563-1586): VM_COPY_ON_FORK has VM_MIXEDMAP, so an order-0 huge VMA is copied and a folio VMA is not", () => {
    // 12K is no multiple of 2M: order 0, vm_insert_page() sets VM_MIXEDMAP, copy_present_ptes shares
    const small = run(
      lines("kernel huge", "device d 8M", "process p", "p mmap a d 12K", "p fork c", "c touch a 0"),
    );
    expect(result(small, 6)).toBe("ok");
    expect(stateAfterLine(small, 5).processes[1]!.ptes.all().length).toBeGreaterThan(0);
    const big = run(
      lines("kernel huge", "device d 8M", "process p", "p mmap a d 2M", "p fork c", "c touch a 0"),
    );
    expect(stateAfterLine(big, 5).processes[1]!.ptes.all().length).toBe(0);
    expect(result(big, 6)).toBe("SIGBUS");
  });

  it("try_grab_folio (mm/gup.c:140-174) / gup_put_folio (102-115): folio_has_pincount() large folios take refs and _pincount, no GUP_PIN_COUNTING_BIAS", () => {
    const t = run(mmap("2M", "p pin io a 4K 12K", "unpin io"));
    const head = (line: number) => stateAfterLine(t, line).devices[0]!.pageRuns.at(0);
    expect([head(4).refcount, head(4).pincount]).toEqual([1, 0]);
    expect([head(5).refcount, head(5).pincount]).toEqual([4, 3]);
    expect([head(6).refcount, head(6).pincount]).toEqual([1, 0]);
  });
});
