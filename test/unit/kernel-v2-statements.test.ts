/**
 * Language v2 statements and edge cases, run end to end from text (../shared/scenario-language.md,
 * "Version 2"): one test per kernel rule, named after the function that decides it.
 */
import { describe, expect, it } from "vitest";
import { allEvents } from "../../src/trace/trace.ts";
import { final, lines, refs, result, results, run, stateAfterLine } from "./helpers.ts";

const BASE = ["kernel upstream", "device d 1M", "process p"];

describe("language v2 statements", () => {
  it("pci_p2pdma_add_resource: bind after a finished unbind gives a fresh pgmap and an empty pool; EBUSY while bound or unbinding", () => {
    const t = run(
      lines(
        ...BASE,
        "p mmap a d 64K",
        "bind d",
        "p pin io a 0 4K",
        "unbind d",
        "bind d",
        "unpin io",
        "bind d",
        "p mmap b d 8K",
      ),
    );
    expect(results(t).slice(3)).toEqual(["ok", "EBUSY", "ok", "blocked", "EBUSY", "ok", "ok", "ok"]);
    const s = stateAfterLine(t, 10);
    expect(s.devices[0]!.lifecycle).toBe("bound");
    expect(s.devices[0]!.freePages).toBe(256);
    expect(s.devices[0]!.pgref).toBe(257);
    expect(final(t).devices[0]!.freePages).toBe(254);
    // the old mapping of the first binding stays without PTEs: a touch is SIGBUS
    expect(result(run(lines(...BASE, "p mmap a d 8K", "unbind d", "bind d", "p touch a 0")), 7)).toBe(
      "SIGBUS",
    );
  });

  it("madvise_update_vma: MADV_DONTFORK splits the VMA and sets VM_DONTCOPY; dup_mmap skips that range", () => {
    const t = run(
      lines(
        ...BASE,
        "p mmap a d 64K",
        "p madvise a 16K 16K dontfork",
        "p fork c",
        "c touch a 0",
        "c touch a 20K",
      ),
    );
    expect(results(t).slice(3)).toEqual(["ok", "ok", "ok", "ok", "SIGSEGV"]);
    const s = stateAfterLine(t, 6);
    expect(s.processes[0]!.vmas).toHaveLength(3);
    expect(s.processes[1]!.vmas).toHaveLength(2);
    // copy_present_pte took a reference only on the 12 copied pages
    expect(refs(s, 0, 0, 16)).toEqual([2, 2, 2, 2, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2]);
  });

  it("madvise_update_vma: MADV_DOFORK clears VM_DONTCOPY again, so a later fork copies the range", () => {
    const t = run(lines(...BASE, "p mmap a d 16K", "p madvise a dontfork", "p madvise a dofork", "p fork c"));
    expect(refs(final(t), 0, 0, 4)).toEqual([2, 2, 2, 2]);
  });

  it("madvise_walk_vmas: a range past the end of the label, or of a failed mmap, is ENOMEM", () => {
    const t = run(
      lines(
        ...BASE,
        "p mmap a d 16K",
        "p madvise a 8K 16K dontfork",
        "p mmap b d 2M",
        "p madvise b dontfork",
      ),
    );
    expect(results(t).slice(3)).toEqual(["ok", "ENOMEM", "ENOMEM", "ENOMEM"]);
  });

  it("do_vmi_munmap: an unaligned start is EINVAL, a length is rounded up, zero is EINVAL", () => {
    const t = run(
      lines(...BASE, "p mmap a d 64K", "p munmap a 100 4K", "p munmap a 0 5000", "p munmap a 0 0"),
    );
    expect(results(t).slice(3)).toEqual(["ok", "EINVAL", "ok", "EINVAL"]);
    expect(stateAfterLine(t, 6).devices[0]!.freePages).toBe(242); // 5000 bytes -> 2 pages
  });

  it("do_vmi_munmap: a range past the end of the label unmaps what lies in it and returns 0", () => {
    const t = run(lines(...BASE, "p mmap a d 16K", "p munmap a 8K 1M"));
    expect(result(t, 5)).toBe("ok");
    expect(final(t).devices[0]!.freePages).toBe(254);
  });

  it("do_user_addr_fault and __get_user_pages: past the end of a label is SIGSEGV for a touch and EFAULT for a pin", () => {
    const t = run(lines(...BASE, "p mmap a d 16K", "p touch a 16K", "p pin io a 12K 8K"));
    expect(results(t).slice(4)).toEqual(["SIGSEGV", "EFAULT"]);
    expect(refs(final(t), 0, 0, 4)).toEqual([1, 1, 1, 1]); // the page grabbed first was released
  });

  it("ksys_mmap_pgoff: an unaligned offset and a zero length are EINVAL before any address is chosen", () => {
    const t = run(lines(...BASE, "p mmap a d 8K offset=100", "p mmap b d 0"));
    expect(results(t).slice(3)).toEqual(["EINVAL", "EINVAL"]);
    const fns = allEvents(t)
      .filter((e) => e.line >= 4 && e.kind === "label-add")
      .map((e) => e.fn);
    expect(fns).toEqual(["do_mmap", "do_mmap"]);
  });

  it("should_fail: `inject vm_insert_page ENOMEM after 5` fails the sixth insert; 7.3 cleans up (golden 10)", () => {
    const t = run(lines(...BASE, "inject vm_insert_page ENOMEM after 5", "p mmap a d 64K", "unbind d"));
    expect(results(t).slice(3)).toEqual(["ok", "ENOMEM", "ok"]);
    expect(stateAfterLine(t, 5).devices[0]!.freePages).toBe(256);
    expect(t.findings).toEqual([]);
  });

  it("should_fail: the same injection on 6.2 leaks a pgmap reference and the unbind hangs (kernel upstream 6.2)", () => {
    const t = run(
      lines(
        "kernel upstream 6.2",
        "device d 1M",
        "process p",
        "inject vm_insert_page ENOMEM after 5",
        "p mmap a d 64K",
        "unbind d",
      ),
    );
    expect(results(t).slice(3)).toEqual(["ok", "ENOMEM", "blocked"]);
    expect(t.findings.map((f) => f.kind)).toEqual(["pgref-leak", "unbind-hang"]);
    expect(t.version).toBe("6.2");
  });

  it("gen_pool_alloc: an injected allocation failure is ENOMEM with nothing taken", () => {
    const t = run(lines(...BASE, "inject gen_pool_alloc ENOMEM", "p mmap a d 64K", "p mmap b d 64K"));
    expect(results(t).slice(4)).toEqual(["ENOMEM", "ok"]);
    expect(final(t).devices[0]!.freePages).toBe(240);
  });

  it("vmf_insert_mixed: rfc-v1 frees the whole allocation and returns EFAULT when an insert fails", () => {
    const t = run(
      lines(
        "kernel rfc-v1",
        "device d 1M",
        "process p",
        "inject vmf_insert_mixed ENOMEM after 2",
        "p mmap a d 16K",
      ),
    );
    expect(result(t, 5)).toBe("EFAULT");
    expect(final(t).devices[0]!.freePages).toBe(256);
    expect(final(t).processes[0]!.vmas).toEqual([]);
  });

  it("pci_p2pdma_add_resource: a PCI-address device name and a 32G device run like any other", () => {
    const t = run(
      lines(
        "kernel upstream",
        "device 0000:01:00.0 32G",
        "process p",
        "p mmap a 0000:01:00.0 32G",
        "p munmap a 16G 4K",
      ),
    );
    expect(results(t).slice(3)).toEqual(["ok", "ok"]);
    expect(final(t).devices[0]!.freePages).toBe(1);
    expect(t.records.length).toBeLessThan(200); // 8M pages, a few loops
  });
});
