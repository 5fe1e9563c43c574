/**
 * The historical and alternative designs (seed, rfc-v1, fault, remap): ../shared/kernel/README.md §3
 * and golden scenarios 11-13. Each test names the kernel function behind the behaviour.
 */
import { describe, expect, it } from "vitest";
import { PTE_DEVMAP, PTE_PFNMAP, pteKind, ptePage, VM_IO, VM_PFNMAP } from "../../src/kernel/state.ts";
import { final, lines, refs, result, results, run, stateAfterLine } from "./helpers.ts";

const base = (design: string) => [`kernel ${design}`, "device d 1M", "process p"];

describe("seed design (LKML sketch)", () => {
  it("pci_alloc_p2pmem per page + vmf_insert_mixed: ref 1 per page, devmap PTEs, no mapcount (golden 13)", () => {
    const t = run(lines(...base("seed"), "p mmap a d 32K"));
    const s = final(t);
    expect(refs(s, 0, 0, 8)).toEqual(Array(8).fill(1));
    expect(Array.from(s.devices[0]!.pageRuns.field("mapcount", 0, 8))).toEqual(Array(8).fill(0));
    expect([...s.processes[0]!.ptes.values()].every((p) => pteKind(p) === PTE_DEVMAP)).toBe(true);
    expect(s.devices[0]!.pgref).toBe(257 + 8);
  });

  it("zap_pte_range: devmap PTEs drop no reference, so munmap leaks every page (golden 13)", () => {
    const t = run(lines(...base("seed"), "p mmap a d 32K", "p munmap a"));
    expect(final(t).devices[0]!.freePages * 4096).toBe(1015808);
    expect(t.findings).toHaveLength(1);
    expect(t.findings[0]).toMatchObject({ kind: "leak", device: "d", page: 0, pages: 8, line: 5 });
    // The same statements under upstream return all 8 pages.
    expect(
      final(run(lines(...base("seed"), "p mmap a d 32K", "p munmap a"), "upstream")).devices[0]!.freePages,
    ).toBe(256);
  });

  it("copy_present_pte copies devmap PTEs without references: the leak is reported when the last mapping goes", () => {
    const t = run(lines(...base("seed"), "p mmap a d 16K", "p fork c", "p exit", "c exit"));
    expect(t.findings.map((f) => [f.kind, f.line])).toEqual([["leak", 7]]);
  });

  it("memunmap_pages: leaked references mean the unbind can never finish, and user mappings stay", () => {
    const t = run(lines(...base("seed"), "p mmap a d 16K", "unbind d", "p touch a 0"));
    expect(result(t, 5)).toBe("blocked");
    expect(result(t, 6)).toBe("ok");
    expect(t.findings.map((f) => f.kind).sort()).toEqual(["stale-mapping", "stale-mapping", "unbind-hang"]);
  });

  it("pci_alloc_p2pmem: a page that cannot be allocated fails the mmap and gives back what it took", () => {
    const t = run(lines("kernel seed", "device d 16K", "process p", "p mmap a d 8K", "p mmap b d 16K"));
    expect(result(t, 5)).toBe("ENOMEM");
    const s = final(t);
    expect(s.devices[0]!.freePages).toBe(2);
    expect(s.processes[0]!.vmas).toHaveLength(1);
    expect(t.findings).toEqual([]);
  });
});

describe("rfc-v1 design", () => {
  it("pci_alloc_p2pmem: one contiguous allocation, one pgmap reference, page refcounts unchanged (5.10: at rest, 1)", () => {
    const s = final(run(lines(...base("rfc-v1"), "p mmap a d 16K")));
    // README §8: on the 5.10 kernels of the RFC, ZONE_DEVICE pages rest at refcount 1
    expect(refs(s, 0, 0, 4)).toEqual([1, 1, 1, 1]);
    expect(s.devices[0]!.pgref).toBe(258);
    expect(s.pmaps[0]).toMatchObject({ kref: 1, first: 0, pages: 4 });
  });

  it("vm_ops->close: a partial munmap frees nothing; the last close frees the whole allocation", () => {
    const t = run(lines(...base("rfc-v1"), "p mmap a d 16K", "p munmap a 4K 4K", "p munmap a"));
    expect(stateAfterLine(t, 5).devices[0]!.freePages).toBe(252);
    expect(stateAfterLine(t, 5).pmaps[0]!.kref).toBe(2); // split took a kref (open), the hole's close dropped one
    expect(final(t).devices[0]!.freePages).toBe(256);
    expect(t.findings).toEqual([]);
  });

  it("pci_free_p2pmem at the last close returns a pinned page to the pool: freed while pinned (golden 12)", () => {
    const t = run(lines(...base("rfc-v1"), "p mmap a d 16K", "p pin io a 0 4K", "p munmap a"));
    expect(refs(stateAfterLine(t, 5), 0, 0, 1)).toEqual([1025]); // 1 at rest + GUP_PIN_COUNTING_BIAS
    expect(final(t).devices[0]!.freePages).toBe(256);
    expect(t.findings).toHaveLength(1);
    expect(t.findings[0]).toMatchObject({ kind: "use-after-free", page: 0, pages: 1, line: 6 });
    expect(t.findings[0]!.text).toContain("pinned");
  });

  it("unpin_user_page: without a page_free hook the unpin has no pool effect", () => {
    const t = run(lines(...base("rfc-v1"), "p mmap a d 16K", "p pin io a 0 4K", "unpin io"));
    expect(final(t).devices[0]!.freePages).toBe(252);
    expect(refs(final(t), 0, 0, 1)).toEqual([1]); // try_grab_page then unpin: 1 -> 1025 -> 1
  });

  it("device_release_driver: nothing unmaps, so the unbind waits for the last close and the BAR stays mapped", () => {
    const t = run(lines(...base("rfc-v1"), "p mmap a d 16K", "unbind d", "p touch a 0", "p exit"));
    expect(result(t, 5)).toBe("blocked");
    expect(result(t, 6)).toBe("ok");
    expect(final(t).devices[0]!.lifecycle).toBe("unbound");
    expect(t.findings.map((f) => f.kind)).toEqual(["stale-mapping", "stale-mapping"]);
  });

  it("RFC v1 has no pgoff check: an offset mapping is accepted", () => {
    expect(result(run(lines(...base("rfc-v1"), "p mmap a d 4K offset=4K")), 4)).toBe("ok");
  });
});

describe("fault design (RFC v2-v6)", () => {
  it("pci_mmap_p2pmem allocates nothing at mmap", () => {
    const s = final(run(lines(...base("fault"), "p mmap a d 64K")));
    expect(s.devices[0]!.freePages).toBe(256);
    expect(s.processes[0]!.ptes.size).toBe(0);
  });

  it("pci_p2pdma_vma_fault: the first touch allocates the whole length and maps only the faulting page (golden 11)", () => {
    const t = run(lines(...base("fault"), "p mmap a d 64K", "p touch a 8K"));
    const s = final(t);
    expect(s.devices[0]!.freePages * 4096).toBe(983040);
    expect(refs(s, 0, 0, 16)).toEqual(Array(16).fill(1));
    const table = s.processes[0]!.ptes;
    const ptes = [...table.keys()].map((vpn) => [vpn, table.get(vpn)!] as const);
    expect(ptes).toHaveLength(1);
    expect(pteKind(ptes[0]![1])).toBe(PTE_DEVMAP);
    expect(ptePage(ptes[0]![1])).toBe(2);
  });

  it("pci_p2pdma_map_release: the last close puts every page after RCU and they return to the pool (golden 11)", () => {
    const t = run(lines(...base("fault"), "p mmap a d 64K", "p touch a 8K", "p fork c", "p exit", "c exit"));
    expect(stateAfterLine(t, 7).devices[0]!.freePages).toBe(240);
    expect(stateAfterLine(t, 7).pmaps[0]!.kref).toBe(1);
    expect(final(t).devices[0]!.freePages).toBe(256);
    expect(t.findings).toEqual([]);
  });

  it("pci_p2pdma_vma_fault: a failed allocation is SIGBUS, not ENOMEM", () => {
    const t = run(lines(...base("fault"), "p mmap a d 2M", "p touch a 0"));
    expect(results(t).slice(3)).toEqual(["ok", "SIGBUS"]);
  });

  it("pci_p2pdma_vma_fault indexes by (address - vm_start): after a front split the upper VMA aliases", () => {
    const t = run(lines(...base("fault"), "p mmap a d 16K", "p munmap a 0 4K", "p touch a 8K"));
    expect(result(t, 6)).toBe("ok");
    expect(t.findings).toHaveLength(1);
    expect(t.findings[0]).toMatchObject({ kind: "alias", page: 1 });
  });

  it("a pin keeps a page allocated past the last close; unpin frees it (no freed-while-pinned)", () => {
    const t = run(lines(...base("fault"), "p mmap a d 16K", "p pin io a 0 4K", "p munmap a", "unpin io"));
    expect(result(t, 5)).toBe("ok");
    expect(stateAfterLine(t, 6).devices[0]!.freePages).toBe(255);
    expect(final(t).devices[0]!.freePages).toBe(256);
    expect(t.findings).toEqual([]);
  });

  it("pci_p2pdma_unmap_mappings (v6): unbind clears the devmap PTEs and puts the pages; later touches are SIGBUS", () => {
    const t = run(lines(...base("fault"), "p mmap a d 16K", "p touch a 0", "unbind d", "p touch a 0"));
    expect(result(t, 6)).toBe("ok");
    expect(stateAfterLine(t, 6).devices[0]!.lifecycle).toBe("unbound");
    expect(result(t, 7)).toBe("SIGBUS");
    expect(t.findings).toEqual([]);
  });
});

describe("remap design (MMIO-style)", () => {
  it("remap_pfn_range: VM_IO|VM_PFNMAP and pfnmap PTEs that take no page reference", () => {
    const s = final(run(lines(...base("remap"), "p mmap a d 16K")));
    const v = s.processes[0]!.vmas[0]!;
    expect(v.flags & (VM_IO | VM_PFNMAP)).toBe(VM_IO | VM_PFNMAP);
    expect([...s.processes[0]!.ptes.values()].every((p) => pteKind(p) === PTE_PFNMAP)).toBe(true);
    expect(refs(s, 0, 0, 4)).toEqual([0, 0, 0, 0]);
  });

  it("check_vma_flags refuses VM_IO|VM_PFNMAP: O_DIRECT pins fail with EFAULT (golden 12)", () => {
    const t = run(lines(...base("remap"), "p mmap a d 16K", "p pin io a 0 4K", "p pin x a 0 4K longterm"));
    expect([result(t, 5), result(t, 6)]).toEqual(["EFAULT", "EINVAL"]);
  });

  it("vm_ops->close: fork shares the allocation; it is freed only when the last VMA closes", () => {
    const t = run(lines(...base("remap"), "p mmap a d 16K", "p fork c", "p exit", "c exit"));
    expect(stateAfterLine(t, 6).devices[0]!.freePages).toBe(252);
    expect(final(t).devices[0]!.freePages).toBe(256);
  });
});

describe("every design", () => {
  for (const design of ["upstream", "seed", "rfc-v1", "fault", "remap"]) {
    it(`${design}: unbind of an unbound device is ENODEV and mmap after unbind is ENODEV`, () => {
      const t = run(lines(...base(design), "unbind d", "unbind d", "p mmap a d 4K"));
      expect(results(t).slice(3)).toEqual(["ok", "ENODEV", "ENODEV"]);
    });
  }
});

// Rules the mutation run (npm run mutate, test/mutation) found no test for.
describe("rules the mutation run found untested", () => {
  it.each(["fault", "remap"])(
    "pci_mmap_p2pmem (%s design): vm_pgoff != 0 is -EINVAL before anything is allocated or mapped",
    (design) => {
      // README §3.3/§3.4: both designs refuse a non-zero pgoff like p2pmem_alloc_mmap (drivers/pci/p2pdma.c, v6.12)
      const t = run(lines(...base(design), "p mmap a d 8K offset=4K", "p mmap b d 8K"));
      expect(results(t).slice(3)).toEqual(["EINVAL", "ok"]);
      const s = stateAfterLine(t, 4);
      expect(s.processes[0]!.vmas).toEqual([]);
      expect(s.devices[0]!.freePages).toBe(256);
      expect(s.pmaps).toEqual([]);
      expect(t.findings).toEqual([]);
    },
  );

  it.each(["seed", "rfc-v1"])(
    "follow_page_pte (%s design): get_dev_pagemap fails on a dying pgmap, so a pin through a stale devmap PTE is -EFAULT",
    (design) => {
      // mm/gup.c follow_page_pte (v5.10-v6.12): `if (!page && pte_devmap(pte) && (flags & (FOLL_GET | FOLL_PIN)))
      // { *pgmap = get_dev_pagemap(pte_pfn(pte), *pgmap); if (*pgmap) page = pte_page(pte); else goto no_page; }`
      const t = run(lines(...base(design), "p mmap a d 16K", "p touch a 0", "unbind d", "p pin x a 0 4K"));
      expect(result(t, 6)).toBe("blocked");
      expect(result(t, 7)).toBe("EFAULT");
      const before = stateAfterLine(t, 6);
      const after = stateAfterLine(t, 7);
      expect(refs(after, 0, 0, 4)).toEqual(refs(before, 0, 0, 4));
      expect(after.devices[0]!.pgref).toBe(before.devices[0]!.pgref);
      expect(after.pins.every((p) => p.ranges.length === 0)).toBe(true);
      expect([...t.records].some((r) => r.kind === "note" && r.fn === "follow_page_pte")).toBe(true);
    },
  );
});
