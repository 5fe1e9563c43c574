/**
 * Kernel versions (../shared/kernel/README.md §6 and §8): each design runs with the conventions of
 * its kernel. One test per version rule, named after the kernel function, citing the commit.
 */
import { describe, expect, it } from "vitest";
import type { KernelVersion, Stmt } from "../../src/scenario/ast.ts";
import { parseScenario } from "../../src/scenario/parse.ts";
import { runScenario, runText } from "../../src/trace/run.ts";
import { allEvents, type Trace } from "../../src/trace/trace.ts";
import { final, lines, refs, result, stateAfterLine } from "./helpers.ts";

const BASE = ["kernel upstream", "device d 1M", "process p"];

function at(version: KernelVersion, text: string): Trace {
  const r = runText(text, { version });
  if (!r.ok) throw new Error(JSON.stringify(r.diagnostics));
  return r.trace;
}

/** Runs `text` with `extra` statements (v2 AST) inserted before line `before` (1-based). */
function withStmts(version: KernelVersion, text: string, before: number, extra: Stmt[]): Trace {
  const r = parseScenario(text);
  if (!r.ok) throw new Error(JSON.stringify(r.diagnostics));
  const statements = [...r.scenario.statements];
  const spans = [...r.spans];
  const i = spans.findIndex((s) => s.line >= before);
  statements.splice(i, 0, ...extra);
  spans.splice(i, 0, ...extra.map(() => ({ line: before - 0.5, col: 1, endCol: 1 })));
  return runScenario({ statements }, spans, { version });
}

const fns = (t: Trace, line: number) =>
  allEvents(t)
    .filter((e) => e.line === line)
    .map((e) => e.fn);

describe("kernel versions", () => {
  it("__init_zone_device_page: free pages rest at 1 before 6.15 and at 0 from b7e282378773 on", () => {
    for (const [v, rest] of [
      ["6.2", 1],
      ["6.5", 1],
      ["6.12", 1],
      ["6.15", 0],
      ["7.3", 0],
    ] as const) {
      const s = final(at(v, lines(...BASE)));
      expect(refs(s, 0, 0, 4), v).toEqual([rest, rest, rest, rest]);
    }
  });

  it("p2pmem_alloc_mmap: set_page_count(page, 1) before vm_insert_page from 6.15 on (b7e282378773), not before", () => {
    const text = lines(...BASE, "p mmap a d 8K");
    expect(fns(at("6.12", text), 4).filter((f) => f === "set_page_count")).toEqual([]);
    expect(fns(at("7.3", text), 4).filter((f) => f === "set_page_count")).toHaveLength(2);
    // either way each mapped page ends at refcount 1, mapcount 1 (vm_insert_page 1->2, put_page 2->1 on 6.12)
    for (const v of ["6.12", "7.3"] as const) {
      expect(refs(final(at(v, text)), 0, 0, 3), v).toEqual([1, 1, v === "6.12" ? 1 : 0]);
    }
    const ins = allEvents(at("6.12", text)).filter((e) => e.kind === "page-ref" && e.line === 4);
    expect(ins.map((e) => (e.kind === "page-ref" ? `${e.fn}:${e.to}` : ""))).toEqual([
      "insert_page:2",
      "put_page:1",
      "insert_page:2",
      "put_page:1",
    ]);
  });

  it("free_zone_device_page: before 6.15 a freed page's count is reset to 1 after ->page_free", () => {
    // 6.5-6.11: free_zone_device_page(); 6.12.117 names it free_zone_device_folio() (mm/memremap.c:459)
    // and still does folio_set_count(folio, 1) after ->page_free
    for (const [v, fn] of [
      ["6.5", "free_zone_device_page"],
      ["6.12", "free_zone_device_folio"],
    ] as const) {
      const t = at(v, lines(...BASE, "p mmap a d 64K", "p munmap a"));
      const s = final(t);
      expect(s.devices[0]!.freePages, v).toBe(256);
      expect(refs(s, 0, 0, 16), v).toEqual(Array(16).fill(1));
      const resets = allEvents(t).filter((e) => e.kind === "page-ref" && e.fn === fn && e.delta === 1);
      expect(resets, v).toHaveLength(16);
    }
  });

  it("p2pdma_folio_free: 6.19 renamed ->page_free (3a5a06554566); 6.15 still calls p2pdma_page_free", () => {
    const text = lines(...BASE, "p mmap a d 4K", "p munmap a");
    expect(fns(at("7.3", text), 5)).toContain("p2pdma_folio_free");
    expect(fns(at("6.15", text), 5)).toContain("p2pdma_page_free");
    expect(fns(at("6.15", text), 5)).not.toContain("p2pdma_folio_free");
  });

  it("check_vma_flags: on 6.2 FOLL_LONGTERM|FOLL_PCI_P2PDMA is EOPNOTSUPP; is_valid_gup_args makes it EINVAL from 6.3 (d64e2dbc33a1)", () => {
    const text = lines(...BASE, "p mmap a d 64K", "p pin io a 0 4K longterm");
    expect(result(at("6.2", text), 5)).toBe("EOPNOTSUPP");
    for (const v of ["6.5", "6.12", "6.15", "7.3"] as const) expect(result(at(v, text), 5), v).toBe("EINVAL");
  });

  it("writable_file_mapping_allowed: a writable long-term pin of p2pmem is EFAULT from 6.5 on, EREMOTEIO before", () => {
    const text = lines(...BASE, "p mmap a d 64K", "p pin io a 0 4K longterm nop2p");
    expect(result(at("6.2", text), 5)).toBe("EREMOTEIO");
    for (const v of ["6.5", "6.12", "6.15", "7.3"] as const) expect(result(at(v, text), 5), v).toBe("EFAULT");
  });

  it("try_grab_page: on 5.10 a pin of an rfc-v1 devmap page goes 1 -> 1025 -> 1", () => {
    const t = at(
      "5.10",
      lines("kernel rfc-v1", "device d 1M", "process p", "p mmap a d 16K", "p pin io a 0 4K", "unpin io"),
    );
    expect(refs(stateAfterLine(t, 4), 0, 0, 1)).toEqual([1]);
    expect(refs(stateAfterLine(t, 5), 0, 0, 1)).toEqual([1025]);
    expect(refs(final(t), 0, 0, 1)).toEqual([1]);
  });
});

describe("a failed vm_insert_page() (inject, language v2)", () => {
  const text = lines(...BASE, "p mmap a d 64K", "unbind d");
  const inject: Stmt = { op: "inject", fn: "vm_insert_page", errno: "ENOMEM", after: 5 };

  it("p2pmem_alloc_mmap: fixed kernels free pages 5-15, reset page 5 and put the pgmap ref; the unwind frees 0-4 (7.3, 6.12)", () => {
    for (const v of ["7.3", "6.12"] as const) {
      const t = withStmts(v, text, 4, [inject]);
      const mmap = t.ops.find((o) => o.line === 4)!;
      expect(mmap.result, v).toBe("ENOMEM");
      expect(mmap.free.d, v).toBe(256);
      const s = stateAfterLine(t, 4);
      expect(s.devices[0]!.pgref, v).toBe(257);
      const rest = v === "7.3" ? 0 : 1;
      expect(refs(s, 0, 0, 16), v).toEqual(Array(16).fill(rest));
      expect(t.findings, v).toEqual([]);
      expect(result(t, 5), v).toBe("ok"); // the unbind completes
    }
  });

  it("p2pmem_alloc_mmap: before 6220694c52a5 the failed insert leaks a pgmap reference, so a later unbind hangs (6.2, 6.5)", () => {
    for (const v of ["6.2", "6.5"] as const) {
      const t = withStmts(v, text, 4, [inject]);
      expect(t.ops.find((o) => o.line === 4)!.free.d, v).toBe(256);
      expect(stateAfterLine(t, 4).devices[0]!.pgref, v).toBe(258);
      expect(
        t.findings.map((f) => f.kind),
        v,
      ).toEqual(["pgref-leak", "unbind-hang"]);
      expect(result(t, 5), v).toBe("blocked");
    }
  });

  it("p2pmem_alloc_mmap: on 6.15-6.19.3 the failed page also stays at refcount 1 while free (before 83014d82a110)", () => {
    const t = withStmts("6.15", text, 4, [inject]);
    const s = stateAfterLine(t, 4);
    expect(refs(s, 0, 4, 7)).toEqual([0, 1, 0]);
    expect(s.devices[0]!.pageRuns.get("allocated", 5)).toBe(0);
    expect(t.findings.map((f) => f.kind)).toEqual(["pgref-leak", "stale-refcount", "unbind-hang"]);
  });

  it("should_fail: 'after N' lets N calls succeed, then one fails, once", () => {
    const t = withStmts("7.3", lines(...BASE, "p mmap a d 8K", "p mmap b d 8K"), 4, [
      { op: "inject", fn: "vm_insert_page", errno: "EBUSY", after: 3 },
    ]);
    expect(t.ops.filter((o) => o.line >= 4).map((o) => o.result)).toEqual(["ok", "EBUSY"]);
    expect(final(t).devices[0]!.freePages).toBe(254);
  });
});
