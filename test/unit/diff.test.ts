/**
 * Comparing designs: for every preset and every pair of designs the divergences are consistent, and
 * the key differences of the LKML debate come out where the kernel reference puts them, each test
 * naming the kernel functions behind the difference.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { DESIGNS } from "../../src/scenario/ast.ts";
import { alignedTotal, compareTraces, sideStep, statementAt, statementEnd } from "../../src/trace/diff.ts";
import { run, runCli } from "./helpers.ts";

// big presets (millions of steps) are left to cli-run and the bench
const presets = (
  JSON.parse(readFileSync("public/presets/index.json", "utf8")) as { file: string; big?: boolean }[]
)
  .filter((p) => !p.big)
  .map((p) => p.file);
const text = (f: string) => readFileSync(`public/presets/${f}`, "utf8");

function diff(file: string, a: string, b: string) {
  return compareTraces(run(text(file), a as never), run(text(file), b as never));
}

describe("compareTraces", () => {
  for (const file of presets) {
    it(`${file}: every pair of designs diverges exactly where their statement effects differ`, () => {
      const traces = Object.fromEntries(DESIGNS.map((d) => [d, run(text(file), d)]));
      for (const a of DESIGNS) {
        for (const b of DESIGNS) {
          const c = compareTraces(traces[a]!, traces[b]!);
          if (a === b) expect(c.divergences).toEqual([]);
          const back = compareTraces(traces[b]!, traces[a]!);
          expect(back.divergences.map((d) => d.line)).toEqual(c.divergences.map((d) => d.line));
          for (const d of c.divergences) {
            const oa = traces[a]!.ops[d.index]!;
            const ob = traces[b]!.ops[d.index]!;
            expect(d.a.result).toBe(oa.result);
            expect(d.b.result).toBe(ob.result);
            expect(d.explanation).toContain(`After \`${oa.text}\``);
          }
          for (const op of traces[a]!.ops) {
            if (!c.divergences.some((d) => d.index === op.index)) {
              expect(traces[b]!.ops[op.index]!.result).toBe(op.result);
            }
          }
        }
      }
    });
  }

  it("zap_pte_range vs free_zone_device_folio: upstream returns the pages at munmap, seed leaks them", () => {
    const c = diff("seed-leak.p2p", "upstream", "seed");
    expect(c.divergences).toHaveLength(1);
    const d = c.divergences[0]!;
    expect([d.line, d.aspects]).toEqual([10, ["freed", "findings"]]);
    expect(d.explanation).toBe(
      "After `fio munmap buf`: upstream returned 8 pages to the pool, found nothing wrong; seed returned no pages to the pool, found leak (8 pages).",
    );
    expect(c.summary[1]).toMatchObject({ leakedAtEnd: 8, pteKinds: ["devmap"] });
    expect(c.summary[0]).toMatchObject({ leakedAtEnd: 0, pteKinds: ["normal"] });
  });

  it("pci_free_p2pmem at the last close vs unpin_user_page: rfc-v1 frees the pinned page, upstream waits for the unpin", () => {
    const c = diff("rfc-v1-freed-while-pinned.p2p", "upstream", "rfc-v1");
    expect(c.divergences.map((d) => [d.line, d.aspects])).toEqual([
      [10, ["freed", "findings"]],
      [12, ["findings"]],
      [13, ["freed"]],
    ]);
    // page 0 is reported twice (freed while pinned, then handed out again) but is one page
    expect(c.summary[1].freedWhileInUse).toBe(1);
  });

  it("p2pmem_alloc_mmap vs pci_p2pdma_vma_fault: upstream allocates at mmap, fault at the first touch", () => {
    const c = diff("fault-first-touch.p2p", "upstream", "fault");
    expect(c.divergences.map((d) => [d.line, d.aspects, d.a.allocated, d.b.allocated])).toEqual([
      [6, ["allocated"], 16, 0],
      [7, ["allocated"], 0, 16],
    ]);
  });

  it("check_vma_flags: the O_DIRECT pin that upstream allows, remap refuses with EFAULT", () => {
    const c = diff("remap-mmio-style.p2p", "upstream", "remap");
    const pin = c.divergences.find((d) => d.line === 8)!;
    expect([pin.a.result, pin.b.result]).toEqual(["ok", "EFAULT"]);
    expect(c.summary.map((s) => s.pins)).toEqual([
      { attempted: 1, ok: 1 },
      { attempted: 1, ok: 0 },
    ]);
  });

  it("pci_p2pdma_unmap_mappings vs no unmap at all: after unbind upstream gives SIGBUS, rfc-v1 still reaches the BAR", () => {
    const c = diff("unbind-live-pin.p2p", "upstream", "rfc-v1");
    const touch = c.divergences.find((d) => d.line === 11)!;
    expect([touch.a.result, touch.b.result]).toEqual(["SIGBUS", "ok"]);
    expect(touch.b.findings.map((f) => f.kind)).toEqual(["stale-mapping"]);
  });

  it("aligns by statement: the shorter side waits at the end of its statement", () => {
    const c = diff("fault-first-touch.p2p", "upstream", "fault");
    const i = 5; // `p mmap a nvme0 64K`: upstream needs ~100 events, fault a handful
    const start = c.starts[i]!;
    const end = statementEnd(c, i);
    const a = c.a.ops[i]!;
    const b = c.b.ops[i]!;
    expect(end - start + 1).toBe(Math.max(a.lastStep - a.firstStep, b.lastStep - b.firstStep) + 1);
    expect(sideStep(c, "a", end)).toBe(a.lastStep);
    expect(sideStep(c, "b", end)).toBe(b.lastStep);
    expect(sideStep(c, "b", start + 1)).toBe(b.firstStep + 1);
    expect(statementAt(c, end)).toBe(i);
    expect(statementAt(c, end + 1)).toBe(i + 1);
    expect(alignedTotal(c)).toBe(c.starts[c.statements]!);
  });
});

describe("p2pviz diff", () => {
  const cli = (args: string[]) => runCli(args);

  it("prints the divergences and the summary table", async () => {
    const r = await cli(["diff", "public/presets/seed-leak.p2p", "--kernel", "upstream", "--vs", "seed"]);
    expect(r.code).toBe(0);
    expect(r.out).toContain("upstream vs seed: 1 of 5 statements diverge");
    expect(r.out).toMatch(/pages leaked at the end +0 +8/);
  });

  it("prints JSON and refuses bad usage", async () => {
    const r = await cli(["diff", "public/presets/seed-leak.p2p", "--vs", "rfc-v1", "--json"]);
    const j = JSON.parse(r.out);
    expect(j.format).toBe("p2pviz-diff/1");
    expect([j.a, j.b]).toEqual(["seed", "rfc-v1"]);
    expect((await cli(["diff", "public/presets/seed-leak.p2p"])).code).toBe(2);
    expect((await cli(["diff", "public/presets/seed-leak.p2p", "--vs", "mmio"])).err).toContain(
      "unknown design 'mmio'",
    );
    expect((await cli(["diff", "--help"])).out).toContain("Usage: p2pviz diff FILE --kernel A --vs B");
  });
});
