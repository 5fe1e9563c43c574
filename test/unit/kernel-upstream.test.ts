/**
 * The upstream design (Linux 6.2+ p2pmem_alloc_mmap, 6.15+ refcounts): one test per kernel rule,
 * named after the function it models; expectations from ../shared/kernel/README.md §2 and §5.
 */
import { describe, expect, it } from "vitest";
import { GUP_PIN_COUNTING_BIAS } from "../../src/kernel/sim.ts";
import { VM_MAYSHARE, VM_MIXEDMAP, VM_SHARED } from "../../src/kernel/state.ts";
import { allEvents } from "../../src/trace/trace.ts";
import { final, lines, refs, result, results, run, stateAfterLine } from "./helpers.ts";

const BASE = ["kernel upstream", "device d 1M", "process p"];
const basic = lines(...BASE, "p mmap a d 64K");

describe("upstream design", () => {
  it("gen_pool_first_fit: mmap takes the lowest run of pages (pages 0-15)", () => {
    const s = final(run(basic));
    const d = s.devices[0]!;
    expect(Array.from(d.pageRuns.field("allocated", 0, 17))).toEqual([...Array(16).fill(1), 0]);
    expect(d.freePages).toBe(240); // available = 983040 bytes
  });

  it("vm_insert_page takes one page reference per PTE: each page ends at refcount 1, mapcount 1", () => {
    const s = final(run(basic));
    expect(refs(s, 0, 0, 16)).toEqual(Array(16).fill(1));
    expect(Array.from(s.devices[0]!.pageRuns.field("mapcount", 0, 16))).toEqual(Array(16).fill(1));
    expect(s.processes[0]!.rssFile).toBe(16);
    expect(s.processes[0]!.ptes.size).toBe(16);
  });

  it("vm_insert_page sets VM_MIXEDMAP on a VM_SHARED|VM_MAYSHARE VMA", () => {
    const v = final(run(basic)).processes[0]!.vmas[0]!;
    expect(v.flags).toBe(VM_SHARED | VM_MAYSHARE | VM_MIXEDMAP);
    expect(v.end - v.start).toBe(65536);
  });

  it("p2pmem_alloc_mmap takes one pgmap reference per mapped page (percpu_ref_get)", () => {
    const t = run(basic);
    const before = stateAfterLine(t, 3).devices[0]!.pgref;
    expect(before).toBe(1 + 256);
    expect(final(t).devices[0]!.pgref).toBe(before + 16);
  });

  it("p2pmem_alloc_mmap refuses MAP_PRIVATE, a non-zero offset and a pool that cannot fit, with no side effects", () => {
    const t = run(lines(...BASE, "p mmap a d 64K private", "p mmap b d 4K offset=4K", "p mmap c d 2M"));
    expect(results(t).slice(3)).toEqual(["EINVAL", "EINVAL", "ENOMEM"]);
    const d = final(t).devices[0]!;
    expect(d.freePages).toBe(256);
    expect(d.pgref).toBe(257);
    expect(final(t).processes[0]!.vmas).toEqual([]);
  });

  it("do_mmap rounds the length up to whole pages and refuses a zero length", () => {
    const t = run(lines(...BASE, "p mmap a d 5000", "p mmap b d 0"));
    expect(results(t).slice(3)).toEqual(["ok", "EINVAL"]);
    expect(final(t).devices[0]!.freePages).toBe(254);
  });

  it("free_zone_device_folio: munmap drops each page to 0 and p2pdma_page_free returns it to the pool", () => {
    const t = run(lines(...BASE, "p mmap a d 64K", "p munmap a"));
    const s = final(t);
    expect(s.devices[0]!.freePages).toBe(256);
    expect(refs(s, 0, 0, 16)).toEqual(Array(16).fill(0));
    expect(s.devices[0]!.pgref).toBe(257);
    expect(allEvents(t).filter((e) => e.kind === "page-free")).toHaveLength(16);
  });

  it("copy_present_pte: fork takes a page reference and a mapcount per normal PTE (golden 3)", () => {
    const t = run(lines(...BASE, "p mmap a d 64K", "p fork c", "p munmap a", "c exit"));
    expect(refs(stateAfterLine(t, 5), 0, 0, 16)).toEqual(Array(16).fill(2));
    expect(Array.from(stateAfterLine(t, 5).devices[0]!.pageRuns.field("mapcount", 0, 16))).toEqual(
      Array(16).fill(2),
    );
    expect(refs(stateAfterLine(t, 6), 0, 0, 16)).toEqual(Array(16).fill(1));
    expect(stateAfterLine(t, 6).devices[0]!.freePages).toBe(240);
    const s = final(t);
    expect(s.devices[0]!.freePages).toBe(256);
    expect(s.devices[0]!.pgref).toBe(257);
    expect(allEvents(t).filter((e) => e.kind === "page-free" && e.line === 7)).toHaveLength(16);
  });

  it("__split_vma: a partial munmap leaves two VMAs, re-bases the upper pgoff and frees exactly the hole (golden 4)", () => {
    const t = run(lines(...BASE, "p mmap a d 64K", "p munmap a 16K 16K", "p touch a 20K", "p touch a 40K"));
    const s = stateAfterLine(t, 5);
    const [lo, hi] = s.processes[0]!.vmas;
    const start = s.processes[0]!.labels.get("a")!.start;
    expect([lo!.start - start, lo!.end - start, lo!.pgoff]).toEqual([0, 16384, 0]);
    expect([hi!.start - start, hi!.end - start, hi!.pgoff]).toEqual([32768, 65536, 8]);
    expect(s.devices[0]!.freePages * 4096).toBe(1048576 - 65536 + 16384); // 999424
    expect(refs(s, 0, 4, 8)).toEqual([0, 0, 0, 0]);
    expect(result(t, 6)).toBe("SIGSEGV");
    expect(result(t, 7)).toBe("ok");
  });

  it("gen_pool_alloc_owner: a free total that is large enough does not help without a long enough run (golden 5)", () => {
    const t = run(
      lines(
        ...BASE,
        "p mmap x d 512K",
        "p mmap y d 512K",
        "p munmap x 256K 4K",
        "p munmap y",
        "p mmap z d 516K",
        "p mmap w d 512K",
      ),
    );
    expect(stateAfterLine(t, 7).devices[0]!.freePages * 4096).toBe(528384);
    expect(result(t, 8)).toBe("ENOMEM");
    expect(result(t, 9)).toBe("ok");
    const d = final(t).devices[0]!;
    expect(d.pageRuns.get("allocated", 64)).toBe(0);
    expect(Array.from(d.pageRuns.field("allocated", 128, 256)).every((b) => b === 1)).toBe(true);
  });

  it("try_grab_folio adds GUP_PIN_COUNTING_BIAS and keeps pinned pages allocated past munmap (golden 6)", () => {
    const t = run(lines(...BASE, "p mmap a d 64K", "p pin io a 0 8K", "p munmap a", "unpin io"));
    expect(refs(stateAfterLine(t, 5), 0, 0, 3)).toEqual([
      1 + GUP_PIN_COUNTING_BIAS,
      1 + GUP_PIN_COUNTING_BIAS,
      1,
    ]);
    const m = stateAfterLine(t, 6).devices[0]!;
    expect(refs(stateAfterLine(t, 6), 0, 0, 2)).toEqual([1024, 1024]);
    expect(m.freePages * 4096).toBe(1040384);
    expect(final(t).devices[0]!.freePages).toBe(256);
  });

  it("unpin_user_page: the last unpin frees the page through page_free", () => {
    const t = run(lines(...BASE, "p mmap a d 64K", "p pin io a 0 8K", "p munmap a", "unpin io"));
    const frees = allEvents(t).filter((e) => e.kind === "genpool-free" && e.line === 7);
    expect(frees.map((e) => (e.kind === "genpool-free" ? e.page : -1))).toEqual([0, 1]);
  });

  it("is_valid_gup_args refuses FOLL_LONGTERM with FOLL_PCI_P2PDMA (EINVAL); try_grab_page refuses a P2PDMA page without FOLL_PCI_P2PDMA (EREMOTEIO) (golden 7)", () => {
    const t = run(lines(...BASE, "p mmap a d 64K", "p pin x a 0 4K longterm", "p pin y a 0 4K nop2p"));
    expect([result(t, 5), result(t, 6)]).toEqual(["EINVAL", "EREMOTEIO"]);
    expect(refs(final(t), 0, 0, 1)).toEqual([1]);
  });

  it("check_vma_flags: a writable long-term pin of the allocate file fails writable_file_mapping_allowed (EFAULT, observed on 6.12)", () => {
    const t = run(lines(...BASE, "p mmap a d 64K", "p pin x a 0 4K longterm nop2p"));
    expect(result(t, 5)).toBe("EFAULT");
  });

  it("__get_user_pages: no VMA is EFAULT, and the pin is all or nothing", () => {
    const t = run(lines(...BASE, "p mmap a d 64K", "p munmap a 8K 4K", "p pin io a 0 16K"));
    expect(result(t, 6)).toBe("EFAULT");
    expect(refs(final(t), 0, 0, 2)).toEqual([1, 1]);
    expect(final(t).pins[0]!.status).toBe("failed");
  });

  it("kernfs_vma_fault: upstream has no fault handler, so a touch with no PTE is SIGBUS", () => {
    const t = run(lines(...BASE, "p mmap a d 64K", "unbind d", "p touch a 0"));
    expect(result(t, 6)).toBe("SIGBUS");
  });

  it("pci_p2pdma_unmap_mappings zaps the PTEs in every process and the unbind completes (golden 8)", () => {
    const t = run(
      lines(...BASE, "p mmap a d 64K", "p fork c", "unbind d", "p touch a 0", "p mmap b d 4K", "unbind d"),
    );
    expect(result(t, 6)).toBe("ok");
    const s = stateAfterLine(t, 6);
    expect(s.devices[0]!.lifecycle).toBe("unbound");
    expect(s.processes.every((p) => p.ptes.size === 0)).toBe(true);
    expect(s.processes.every((p) => p.vmas.length === 1)).toBe(true);
    expect(s.devices[0]!.freePages).toBe(256);
    expect([result(t, 7), result(t, 8), result(t, 9)]).toEqual(["SIGBUS", "ENODEV", "ENODEV"]);
    expect(t.findings).toEqual([]);
  });

  it("memunmap_pages waits while a pin holds pages, and the unpin completes the unbind (golden 9)", () => {
    const t = run(lines(...BASE, "p mmap a d 64K", "p pin io a 0 8K", "unbind d", "unpin io"));
    expect(result(t, 6)).toBe("blocked");
    const s = stateAfterLine(t, 6);
    expect(s.devices[0]!.lifecycle).toBe("unbinding");
    expect(refs(s, 0, 0, 2)).toEqual([1024, 1024]);
    expect(s.devices[0]!.pgref).toBe(2);
    expect(final(t).devices[0]!.lifecycle).toBe("unbound");
    expect(t.findings).toEqual([]);
  });

  it("p2pmem_alloc_mmap: the pool and refcounts hold no matter how many mappings come and go", () => {
    const t = run(lines(...BASE, "p mmap a d 64K", "p mmap b d 64K", "p munmap a", "p mmap c d 32K"));
    const d = final(t).devices[0]!;
    expect(d.freePages).toBe(256 - 16 - 8);
    expect(Array.from(d.pageRuns.field("allocated", 0, 8))).toEqual(Array(8).fill(1)); // c reuses a's hole
    expect(t.findings).toEqual([]);
  });

  it("language edge cases: a failed label gives SIGSEGV on touch, EFAULT on pin, ok on munmap; unpin of a failed pin is ok", () => {
    const t = run(
      lines(...BASE, "p mmap a d 64K private", "p touch a 0", "p pin io a 0 4K", "p munmap a", "unpin io"),
    );
    expect(results(t).slice(3)).toEqual(["EINVAL", "SIGSEGV", "EFAULT", "ok", "ok"]);
  });
});
