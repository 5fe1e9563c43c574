/**
 * The huge-folio designs (../shared/kernel/huge.md): its 12 golden scenarios (§7), each named
 * after the kernel function behind its rule, with §7's counts, and the RFC's case (§6.4) at 32 GiB
 * and 8 x 32 GiB. Kernel functions are those of Linux 7.3.4 that huge.md names (mm/huge_memory.c
 * insert_pmd/insert_pud/zap_huge_pmd, mm/gup.c try_grab_folio/gup_put_folio, mm/memory.c
 * vma_needs_copy, mm/vma.c __split_vma/vms_gather_munmap_vmas, lib/genalloc.c
 * gen_pool_first_fit_align) and the proposals' own (p2pmem_may_split, p2pdma_folio_free).
 */
import { describe, expect, it } from "vitest";
import {
  isLeafKind,
  type KernelState,
  leakedPages,
  PTE_KIND_NAMES,
  ptePage,
  VM_MIXEDMAP,
  vmFlagNames,
} from "../../src/kernel/state.ts";
import { opCosts } from "../../src/trace/cost.ts";
import { compareTraces } from "../../src/trace/diff.ts";
import { finalRunsJson, toRunJson } from "../../src/trace/json.ts";
import { followPage, summarize } from "../../src/trace/summary.ts";
import { allEvents, type Trace } from "../../src/trace/trace.ts";
import { final, lines, result, results, run, stateAfterLine } from "./helpers.ts";

const PAGE = 4096;

/** The folio whose head is `head`: its head's counts, as the kernel reads them. */
function folio(s: KernelState, head: number, dev = 0) {
  const r = s.devices[dev]!.pageRuns.at(head);
  return {
    order: r.order,
    refcount: r.refcount,
    mapcount: r.mapcount,
    pincount: r.pincount,
    allocated: r.allocated,
  };
}

/** Entries of process p by kind: leaves counted as leaves, PTEs as PTEs. */
function entries(s: KernelState, p: number, leafPages: Record<string, number> = { pmd: 512, pud: 262144 }) {
  const out: Record<string, number> = {};
  for (const r of s.processes[p]!.ptes.all()) {
    const name = PTE_KIND_NAMES[r.kind];
    const n = isLeafKind(r.kind) ? r.length / leafPages[name]! : r.length;
    out[name] = (out[name] ?? 0) + n;
  }
  return out;
}

const available = (s: KernelState, dev = 0) => s.devices[dev]!.freePages * PAGE;
const pgref = (s: KernelState, dev = 0) => s.devices[dev]!.pgref;
const findingKinds = (t: Trace) => t.findings.map((f) => f.kind);
const costOf = (t: Trace, line: number) => opCosts(t)[t.ops.findIndex((o) => o.line === line)]!;

describe("huge.md §7 golden scenarios (design huge, 7.3, x86-64, 4K)", () => {
  it("1. insert_pmd: a 2M mmap is one PMD folio, 512 struct pages initialised, no PTEs", () => {
    const t = run(lines("kernel huge", "device d 4M", "process p", "p mmap a d 2M", "p touch a 1M"));
    const base = 1 + 1024;
    const s = stateAfterLine(t, 4);
    expect(folio(s, 0)).toEqual({ order: 9, refcount: 1, mapcount: 1, pincount: 0, allocated: 1 });
    expect(entries(s, 0)).toEqual({ pmd: 1 });
    expect(pgref(s)).toBe(base + 512);
    expect(available(s)).toBe(2097152);
    expect(s.processes[0]!.rssFile).toBe(512);
    const vma = s.processes[0]!.vmas[0]!;
    expect(vmFlagNames(vma.flags)).toEqual(["VM_SHARED", "VM_MAYSHARE", "VM_DONTEXPAND"]);
    expect(vma.order).toBe(9);
    expect(vma.start % (2 * 2 ** 20)).toBe(0); // §3.2 [P]: V aligned to the folio size
    const c = costOf(t, 4);
    expect(c).toMatchObject({ installCalls: 1, pte: 0, pmd: 1, pud: 0, structPagesInit: 512, tablePages: 2 });
    expect(result(t, 5)).toBe("ok");
    expect(allEvents(t).some((e) => e.kind === "fault")).toBe(false);
    // upstream: 512 PTEs, 1 PTE table + 1 PMD table (+ the PUD table), each page at ref 1
    const u = run(lines("kernel upstream", "device d 4M", "process p", "p mmap a d 2M"));
    expect(costOf(u, 4)).toMatchObject({ pte: 512, pmd: 0, tablePages: 3 });
  });

  it("2. vm_insert_page: a 64K mmap is order 0, as upstream, plus VM_DONTEXPAND", () => {
    const t = run(lines("kernel huge", "device d 1M", "process p", "p mmap s d 64K"));
    const s = final(t);
    expect(entries(s, 0)).toEqual({ normal: 16 });
    expect(s.devices[0]!.pageRuns.field("refcount", 0, 17)).toEqual([...Array(16).fill(1), 0]);
    expect(s.devices[0]!.pageRuns.field("order", 0, 16)).toEqual(Array(16).fill(0));
    expect(vmFlagNames(s.processes[0]!.vmas[0]!.flags)).toEqual([
      "VM_SHARED",
      "VM_MAYSHARE",
      "VM_MIXEDMAP",
      "VM_DONTEXPAND",
    ]);
  });

  it("3. gen_pool_first_fit_align: the 2M folio takes the first 2M-aligned free run, 4K mmaps first fit", () => {
    const t = run(
      lines("kernel huge", "device d 4M", "process p", "p mmap s d 4K", "p mmap a d 2M", "p mmap b d 1M"),
    );
    const s = final(t);
    const firstPage = (label: string) => {
      const v = s.processes[0]!.vmas.find((x) => x.label === label)!;
      return s.processes[0]!.ptes.get(v.start / PAGE)! >>> 0;
    };
    const page = (label: string) => ptePage(firstPage(label));
    expect(page("s")).toBe(0);
    expect(page("a")).toBe(512);
    expect(page("b")).toBe(1);
    expect(folio(s, 512)).toMatchObject({ order: 9, refcount: 1 });
    const u = final(
      run(lines("kernel upstream", "device d 4M", "process p", "p mmap s d 4K", "p mmap a d 2M")),
    );
    const ua = u.processes[0]!.vmas.find((x) => x.label === "a")!;
    expect(ptePage(u.processes[0]!.ptes.get(ua.start / PAGE)!)).toBe(1);
  });

  it("4. gen_pool_first_fit_align fails, gen_pool_first_fit succeeds: fallback to 512 PTEs (huge-fallback)", () => {
    const t = run(
      lines(
        "kernel huge",
        "device d 4M",
        "process p",
        "p mmap a d 1M",
        "p mmap b d 1M",
        "p mmap c d 1M",
        "p mmap e d 1M",
        "p munmap b",
        "p munmap c",
        "p mmap f d 2M",
      ),
    );
    expect(available(stateAfterLine(t, 9))).toBe(2097152);
    const s = final(t);
    const f = s.processes[0]!.vmas.find((v) => v.label === "f")!;
    expect(f.flags & VM_MIXEDMAP).toBe(VM_MIXEDMAP);
    const runs = s.processes[0]!.ptes.runsIn(f.start / PAGE, 512);
    expect(runs.map((r) => [r.page, r.length, PTE_KIND_NAMES[r.kind]])).toEqual([[256, 512, "normal"]]);
    const fb = allEvents(t).filter((e) => e.kind === "fallback");
    expect(fb.map((e) => (e.kind === "fallback" ? [e.from, e.to] : []))).toEqual([[9, 0]]);
    expect(findingKinds(t)).toEqual(["huge-fallback"]);
    expect(t.findings[0]!.line).toBe(10);
    // 1 + the failed aligned try (huge.md §6.3)
    expect(costOf(t, 10).genpoolAllocs).toBe(2);
  });

  it("5. vma_needs_copy: a forked child gets the VMA without entries (fork-not-shared)", () => {
    const text = lines(
      "kernel huge",
      "device d 4M",
      "process p",
      "p mmap a d 2M",
      "p fork c",
      "c touch a 0",
      "c pin io a 0 4K",
      "p munmap a",
      "c exit",
    );
    const t = run(text);
    const afterFork = stateAfterLine(t, 5);
    expect(afterFork.processes[1]!.vmas.length).toBe(1);
    expect(entries(afterFork, 1)).toEqual({});
    expect(folio(afterFork, 0)).toMatchObject({ refcount: 1, mapcount: 1 });
    expect(results(t).slice(5)).toEqual(["SIGBUS", "EFAULT", "ok", "ok"]);
    expect(findingKinds(t)).toContain("fork-not-shared");
    expect(t.findings.find((f) => f.kind === "fork-not-shared")!.line).toBe(6);
    const s = stateAfterLine(t, 8);
    expect(available(s)).toBe(4194304);
    expect(pgref(s)).toBe(1 + 1024);
    // upstream: the child shares the pages and its touch works
    const u = run(text, "upstream");
    expect(result(u, 6)).toBe("ok");
    expect(available(stateAfterLine(u, 8))).toBe(4194304 - 2097152);
  });

  it("6. p2pmem_may_split: a partial munmap must be 2M aligned; aligned, it frees the folio in the hole", () => {
    const t = run(
      lines(
        "kernel huge",
        "device d 4M",
        "process p",
        "p mmap a d 4M",
        "p munmap a 4K 4K",
        "p munmap a 1M 3M",
        "p munmap a 2M 2M",
        "p touch a 3M",
        "p touch a 1M",
      ),
    );
    const s4 = stateAfterLine(t, 4);
    expect(entries(s4, 0)).toEqual({ pmd: 2 });
    expect(available(s4)).toBe(0);
    expect(pgref(s4)).toBe(1025 + 1024);
    expect(results(t).slice(4)).toEqual(["EINVAL", "EINVAL", "ok", "SIGSEGV", "ok"]);
    expect(stateAfterLine(t, 6).processes[0]!.vmas.length).toBe(1); // nothing changed
    const s7 = stateAfterLine(t, 7);
    expect(available(s7)).toBe(2097152);
    expect(pgref(s7)).toBe(1025 + 512);
    expect(folio(s7, 512)).toMatchObject({ allocated: 0, refcount: 0 });
    expect(folio(s7, 0)).toMatchObject({ allocated: 1, refcount: 1, mapcount: 1 });
  });

  it("6b. vms_gather_munmap_vmas: when the end split is refused, the start split stays (source, not huge.md §3.6)", () => {
    const t = run(lines("kernel huge", "device d 8M", "process p", "p mmap a d 8M", "p munmap a 2M 1M"));
    expect(result(t, 5)).toBe("EINVAL");
    const s = final(t);
    // split at V+2M (aligned, allowed), then refused at V+3M: two VMAs, every leaf still there
    expect(s.processes[0]!.vmas.length).toBe(2);
    expect(entries(s, 0)).toEqual({ pmd: 4 });
    expect(available(s)).toBe(0);
  });

  it("7. try_grab_folio on a large folio: refs and pincount +k, no bias; munmap returns nothing (pin-holds-folio)", () => {
    const text = lines(
      "kernel huge",
      "device d 4M",
      "process p",
      "p mmap a d 2M",
      "p pin io a 0 8K",
      "p munmap a",
      "unpin io",
    );
    const t = run(text);
    expect(folio(stateAfterLine(t, 5), 0)).toMatchObject({ refcount: 3, pincount: 2, mapcount: 1 });
    const s6 = stateAfterLine(t, 6);
    expect(folio(s6, 0)).toMatchObject({ refcount: 2, mapcount: 0, pincount: 2, allocated: 1 });
    expect(available(s6)).toBe(2097152);
    expect(findingKinds(t)).toEqual(["pin-holds-folio"]);
    const s7 = final(t);
    expect(folio(s7, 0)).toMatchObject({ refcount: 0, pincount: 0, allocated: 0, order: 0 });
    expect(available(s7)).toBe(4194304);
    expect(pgref(s7)).toBe(1025);
    // upstream: pages 0-1 at 1025, and munmap returns the 510 others
    const u = run(text, "upstream");
    expect(stateAfterLine(u, 5).devices[0]!.pageRuns.field("refcount", 0, 3)).toEqual([1025, 1025, 1]);
    expect(available(stateAfterLine(u, 6))).toBe(4194304 - 2 * PAGE);
  });

  it("8. memunmap_pages waits for a pinned folio; the unpin that frees it completes the unbind", () => {
    const t = run(
      lines(
        "kernel huge",
        "device d 4M",
        "process p",
        "p mmap a d 2M",
        "p pin io a 0 8K",
        "unbind d",
        "p touch a 0",
        "p mmap b d 4K",
        "unpin io",
      ),
    );
    expect(results(t).slice(5)).toEqual(["blocked", "SIGBUS", "ENODEV", "ok"]);
    const s6 = stateAfterLine(t, 6);
    expect(folio(s6, 0)).toMatchObject({ refcount: 2, mapcount: 0, pincount: 2 });
    expect(s6.devices[0]!.lifecycle).toBe("unbinding");
    expect(final(t).devices[0]!.lifecycle).toBe("unbound");
    expect(t.findings.find((f) => f.kind === "pin-holds-folio")!.text).toMatch(/unbind waits/);
  });

  it("9. insert_pud: a 1G mmap is one PUD leaf, 262,144 struct pages, no PMD or PTE tables", () => {
    const t = run(
      lines(
        "kernel huge",
        "device d 4G",
        "process p",
        "p mmap a d 1G",
        "p mmap b d 3G",
        "p pin io a 4K 4K",
        "p exit",
        "unpin io",
      ),
    );
    const base = 1 + 1048576;
    const s4 = stateAfterLine(t, 4);
    expect(folio(s4, 0)).toEqual({ order: 18, refcount: 1, mapcount: 1, pincount: 0, allocated: 1 });
    expect(entries(s4, 0)).toEqual({ pud: 1 });
    expect(available(s4)).toBe(3221225472);
    expect(pgref(s4)).toBe(base + 262144);
    expect(costOf(t, 4)).toMatchObject({ pud: 1, pmd: 0, pte: 0, structPagesInit: 262144, tablePages: 1 });
    const s5 = stateAfterLine(t, 5);
    expect(entries(s5, 0)).toEqual({ pud: 4 });
    expect(available(s5)).toBe(0);
    expect(folio(s5, 262144)).toMatchObject({ order: 18, refcount: 1 });
    expect(folio(stateAfterLine(t, 6), 0)).toMatchObject({ refcount: 2, pincount: 1 });
    // The model's exit waits for the process's own pin in flight (kernel/exit.ts: io_uring /
    // exit_aio); huge.md §7.9 frees b's folios at the exit. Here they go at the unpin.
    expect(results(t).slice(6)).toEqual(["blocked", "ok"]);
    expect(available(final(t))).toBe(4294967296);
    expect(pgref(final(t))).toBe(base);
    const u = run(lines("kernel upstream", "device d 4G", "process p", "p mmap a d 1G"));
    expect(costOf(u, 4)).toMatchObject({ pte: 262144, tablePages: 512 + 1 + 1 });
  });

  it("10. kernfs_vma_may_split after unbind: a partial munmap is ENODEV (split-after-unbind)", () => {
    const text = lines(
      "kernel huge",
      "device d 4M",
      "process p",
      "p mmap a d 4M",
      "unbind d",
      "p munmap a 2M 2M",
      "p munmap a",
    );
    const t = run(text);
    expect(results(t).slice(4)).toEqual(["ok", "ENODEV", "ok"]);
    expect(stateAfterLine(t, 5).devices[0]!.lifecycle).toBe("unbound");
    expect(findingKinds(t)).toEqual(["split-after-unbind"]);
    expect(results(run(text, "upstream")).slice(4)).toEqual(["ok", "ok", "ok"]);
  });

  it("11. page 64K: a PMD leaf maps 512M (order 13); 256M is order 0", () => {
    const t = run(
      lines("kernel huge", "page 64K", "device d 1G", "process p", "p mmap a d 512M", "p mmap b d 256M"),
    );
    const s = final(t);
    expect(folio(s, 0)).toMatchObject({ order: 13, refcount: 1, mapcount: 1 });
    expect(entries(s, 0, { pmd: 8192, pud: 0 })).toEqual({ pmd: 1, normal: 4096 });
  });

  it("12. huge-v1: pci_p2pdma_add_resource(align) fixes the folio size; unaligned mmaps get EINVAL", () => {
    const t = run(lines("kernel huge-v1", "device d 4M", "process p", "p mmap s d 64K", "p mmap a d 2M"));
    expect(pgref(stateAfterLine(t, 2))).toBe(1 + 2);
    expect(folio(stateAfterLine(t, 2), 512)).toMatchObject({ order: 9, refcount: 0, allocated: 0 });
    expect(results(t).slice(3)).toEqual(["EINVAL", "ok"]);
    expect(findingKinds(t)).toEqual(["unaligned-refused"]);
    const s = final(t);
    expect(entries(s, 0)).toEqual({ pmd: 1 });
    expect(pgref(s)).toBe(3 + 1);
    expect(costOf(t, 5)).toMatchObject({ structPagesInit: 1, pmd: 1, installCalls: 1 });
    const g = run(lines("kernel huge-v1", "device d 4G", "process p", "p mmap a d 2M", "p mmap b d 1G"));
    expect(results(g).slice(3)).toEqual(["EINVAL", "ok"]);
    expect(entries(final(g), 0)).toEqual({ pud: 1 });
    const m = run(lines("kernel huge-v1", "device d 1M", "process p", "p mmap s d 64K"));
    expect(entries(final(m), 0)).toEqual({ normal: 16 });
    expect(vmFlagNames(final(m).processes[0]!.vmas[0]!.flags)).toContain("VM_DONTEXPAND");
  });
});

describe("the RFC's case (huge.md §6.4): one 32 GiB mapping, and eight", () => {
  const rfc = (design: string) =>
    run(lines(`kernel ${design}`, "device npu0 32G", "process p", "p mmap a npu0 32G", "p munmap a"));

  it("insert_pud: 32 installs against upstream's 8,388,608 vm_insert_page; 1 table page against 16,417", () => {
    const h = opCosts(rfc("huge"));
    const u = opCosts(rfc("upstream"));
    expect(u[3]).toMatchObject({ installCalls: 8388608, pte: 8388608, tablePages: 16384 + 32 + 1 });
    expect(h[3]).toMatchObject({
      installCalls: 32,
      pte: 0,
      pud: 32,
      tablePages: 1,
      structPagesInit: 8388608, // zone_device_folio_init: 2^18 per folio, no saving (§6.2)
      pgrefOps: 32,
      genpoolAllocs: 1,
    });
    expect(h[4]!.genpoolFrees).toBe(32);
    expect(u[4]!.genpoolFrees).toBe(8388608);
    const v1 = opCosts(rfc("huge-v1"));
    expect(v1[3]).toMatchObject({ installCalls: 32, pud: 32, structPagesInit: 32, pgrefOps: 32 });
  });

  it("eight 32 GiB devices mapped whole, pinned and unmapped run in milliseconds, as folios not pages", () => {
    const ls = ["kernel huge", "process p"];
    for (let i = 0; i < 8; i++)
      ls.push(`device n${i} 32G`, `p mmap m${i} n${i} 32G`, `p pin io${i} m${i} 4K 8K`);
    for (let i = 0; i < 8; i++) ls.push(`p munmap m${i}`, `unpin io${i}`);
    const t0 = performance.now();
    const t = run(lines(...ls));
    const ms = performance.now() - t0;
    expect(ms).toBeLessThan(2000);
    expect(t.records.length).toBeLessThan(2000);
    const s = final(t);
    for (const d of s.devices) expect(d.freePages).toBe(d.pages);
    expect(findingKinds(t).filter((k) => k === "pin-holds-folio").length).toBe(8);
    const total = opCosts(t).reduce((a, c) => a + c.pud, 0);
    expect(total).toBe(256);
  });
});

describe("JSON (p2pviz-run/1 and /2): leaves, folios, vmemmap", () => {
  const text = lines("kernel huge", "device d 4M", "process p", "p mmap a d 4M", "p pin io a 4K 8K");

  it("finalJson: a leaf is one ptes entry {offset, device, page, kind, pages}; folios list heads with their counts", () => {
    const t = run(text);
    const j = toRunJson(t);
    expect(j.final.processes[0]!.vmas[0]!.ptes).toEqual([
      { offset: 0, device: "d", page: 0, kind: "pmd", pages: 512 },
      { offset: 2 * 2 ** 20, device: "d", page: 512, kind: "pmd", pages: 512 },
    ]);
    expect(j.final.devices[0]!.folios).toEqual([
      { head: 0, order: 9, refcount: 3, mapcount: 1, pincount: 2 },
      { head: 512, order: 9, refcount: 1, mapcount: 1, pincount: 0 },
    ]);
    // tails hold no count of their own (the head has it)
    expect(j.final.devices[0]!.allocated.slice(0, 3).map((a) => a.refcount)).toEqual([3, 0, 0]);
    expect(j.final.devices[0]!.vmemmapBytes).toBe(1024 * 64);
  });

  it("finalRunsJson: the same leaves, and heads apart from their tails", () => {
    const f = finalRunsJson(run(text), final(run(text)));
    expect(f.processes[0]!.vmas[0]!.ptes.map((p) => [p.kind, p.page, p.pages])).toEqual([
      ["pmd", 0, 512],
      ["pmd", 512, 512],
    ]);
    expect(f.devices[0]!.folios.length).toBe(2);
    expect(
      f.devices[0]!.allocated.filter((a) => a.refcount > 0).map((a) => [a.page, a.pages, a.refcount]),
    ).toEqual([
      [0, 1, 3],
      [512, 1, 1],
    ]);
  });

  it("huge-v1: a deduplicated compound vmemmap, 8 KiB per folio plus its page tables (huge.md §6.3)", () => {
    const j = toRunJson(run(lines("kernel huge-v1", "device d 4M")));
    expect(j.final.devices[0]!.vmemmapBytes).toBe(2 * 8192 + 1024 / 8);
    expect(j.final.devices[0]!.folios).toEqual([]);
  });
});

describe("mail summary and --page on large folios", () => {
  const text = lines(
    "kernel huge",
    "device d 4M",
    "process p",
    "p mmap a d 2M",
    "p pin io a 0 8K",
    "p munmap a",
    "unpin io",
  );

  it("summarize: a folio's refs, pincount and leaves per statement; munmap frees nothing while pinned", () => {
    // wrapped at 72 columns: compare with the line breaks as spaces
    const out = summarize(run(text)).join(" ").replace(/\s+/g, " ");
    expect(out).toContain("d 2M folio at page 0 formed, ref 0->1, 1 PMD leaf set");
    expect(out).toContain("L5 p pin io a 0 8K: d 2M folio at page 0 ref 1->3, pincount +2");
    expect(out).toContain("L6 p munmap a: d 2M folio at page 0 ref 3->2, 1 PMD leaf cleared, none freed");
    expect(out).toContain("L7 unpin io: d 2M folio at page 0 ref 2->0, pincount -2, freed whole");
  });

  it("followPage: an unpinned tail page follows its folio (gup_put_folio frees it with the head)", () => {
    const r = followPage(run(text), "d", 100);
    if (!r.ok) throw new Error(r.message);
    const out = r.lines.join(" ").replace(/\s+/g, " ");
    expect(out).toContain("L6 p munmap a: ref 3->2, map 1->0, allocated, in a 2M folio (head 0, pincount 2)");
    expect(out).toContain("L7 unpin io: ref 2->0, map 0, free");
  });
});

describe("compare (diff.ts) on large folios", () => {
  it("compareTraces: a folio freed whole counts its pages, a held folio is not a leak, leaves are a PTE kind", () => {
    const text = lines(
      "kernel huge",
      "device d 4M",
      "process p",
      "p mmap a d 2M",
      "p pin io a 0 4K",
      "p munmap a",
      "unpin io",
    );
    const c = compareTraces(run(text), run(text, "upstream"));
    expect(c.divergences.map((d) => [d.line, d.a.freed, d.b.freed])).toEqual([
      [6, 0, 511],
      [7, 512, 1],
    ]);
    expect(c.summary[0].pteKinds).toEqual(["pmd"]);
    expect(c.summary[0].leakedAtEnd).toBe(0);
    expect(c.summary[0].peakAllocated).toBe(512);
    // held by its pin after munmap: not leaked (one refcount for the whole folio)
    const mid = stateAfterLine(run(text), 6);
    expect(leakedPages(mid, mid.devices[0]!)).toBe(0);
  });
});

describe("more rules of huge.md §3 and §4", () => {
  it("gen_pool_first_fit_align: no free 1G-aligned run, a 2M-aligned one: fallback 18 -> 9, 512 PMD folios", () => {
    const t = run(lines("kernel huge", "device d 1026M", "process p", "p mmap s d 4K", "p mmap a d 1G"));
    const fb = allEvents(t).filter((e) => e.kind === "fallback");
    expect(fb.map((e) => (e.kind === "fallback" ? [e.from, e.to] : []))).toEqual([[18, 9]]);
    const s = final(t);
    expect(entries(s, 0)).toEqual({ normal: 1, pmd: 512 });
    expect(folio(s, 512)).toMatchObject({ order: 9, refcount: 1 });
    expect(findingKinds(t)).toEqual(["huge-fallback"]);
    expect(costOf(t, 5).genpoolAllocs).toBe(2);
    // nothing fits at all: ENOMEM after every order, no side effects
    const n = run(lines("kernel huge", "device d 4M", "process p", "p mmap s d 4K", "p mmap a d 4M"));
    expect(result(n, 5)).toBe("ENOMEM");
    expect(costOf(n, 5).genpoolAllocs).toBe(2); // the aligned try and the first fit; no alloc
    expect(available(final(n))).toBe(4194304 - PAGE);
  });

  it("__split_vma asks may_split for madvise too: an unaligned MADV_DONTFORK range is EINVAL", () => {
    const t = run(
      lines(
        "kernel huge",
        "device d 4M",
        "process p",
        "p mmap a d 4M",
        "p madvise a 4K 4K dontfork",
        "p madvise a 2M 2M dontfork",
      ),
    );
    expect(results(t).slice(4)).toEqual(["EINVAL", "ok"]);
    expect(final(t).processes[0]!.vmas.length).toBe(2);
  });

  it("huge-v1 memmap_init_compound at every probe: after unbind and bind the device has its folios again", () => {
    const t = run(lines("kernel huge-v1", "device d 4M", "process p", "unbind d", "bind d", "p mmap a d 2M"));
    expect(results(t).slice(3)).toEqual(["ok", "ok", "ok"]);
    const s = final(t);
    expect(folio(s, 512)).toMatchObject({ order: 9, allocated: 0 });
    expect(pgref(s)).toBe(1 + 2 + 1);
  });
});

describe("fault injection (language v2) on the huge designs", () => {
  it("should_fail: inject gen_pool_alloc after 1 lets the first huge mmap through and fails the second", () => {
    for (const design of ["huge", "huge-v1"]) {
      const t = run(
        lines(
          `kernel ${design}`,
          "device d 8M",
          "process p",
          "inject gen_pool_alloc ENOMEM after 1",
          "p mmap a d 2M",
          "p mmap b d 2M",
        ),
      );
      expect(results(t).slice(4), design).toEqual(["ok", "ENOMEM"]);
      expect(available(final(t)), design).toBe(8 * 2 ** 20 - 2 * 2 ** 20);
    }
  });
});
