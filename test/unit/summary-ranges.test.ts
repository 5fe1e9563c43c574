/**
 * The summary (`p2pviz run --summary`, `--page`, the app's "Copy as text") works on a statement's
 * stored records, loops as ranges, so that its cost follows the scenario and not the page count.
 * These tests hold it to the plain definition, event by event: for random scenarios of every design,
 * what statementChanges() says about each page and folio is what walking every event says.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { PTE_KIND_NAMES, pteDev, pteKind, ptePage } from "../../src/kernel/state.ts";
import type { KernelVersion } from "../../src/scenario/ast.ts";
import { runText } from "../../src/trace/run.ts";
import { statementChanges, summarize, touchesPage } from "../../src/trace/summary.ts";
import { eventsOf, type OpRecord, type Trace } from "../../src/trace/trace.ts";
import { arbChoices, arbDesignVersion, scenarioFrom } from "./gen.ts";
import { run } from "./helpers.ts";

const RUNS = Number(process.env.P2PVIZ_FC_RUNS ?? 150);

interface PageChange {
  from: number;
  to: number;
  allocated: boolean;
  freed: boolean;
}
interface FolioChange {
  pages: number;
  from: number;
  to: number;
  pin: number;
  formed: boolean;
  freed: boolean;
}

/** By definition: every event of the statement, one at a time, per page and per folio head. */
function byEvent(t: Trace, op: OpRecord) {
  const pages = new Map<string, PageChange>();
  const folios = new Map<string, FolioChange>();
  const folioOrder: string[] = [];
  let ptesSet = 0;
  let ptesCleared = 0;
  const leaves = new Map<string, number>();
  for (const e of eventsOf(t, op.firstStep, op.lastStep + 1)) {
    if (e.kind === "page-ref" || e.kind === "genpool-alloc" || e.kind === "genpool-free") {
      const key = `${e.dev}:${e.page}`;
      let c = pages.get(key);
      if (!c) pages.set(key, (c = { from: Number.NaN, to: Number.NaN, allocated: false, freed: false }));
      if (e.kind === "page-ref") {
        if (Number.isNaN(c.from)) c.from = e.to - e.delta;
        c.to = e.to;
      } else if (e.kind === "genpool-alloc") c.allocated = true;
      else c.freed = true;
    } else if (e.kind === "folio-ref" || e.kind === "folio-free" || (e.kind === "folio-init" && e.ref > 0)) {
      const key = `${e.dev}:${e.page}:${e.pages}`;
      let c = folios.get(key);
      if (!c) {
        const from = e.kind === "folio-ref" ? e.to - e.delta : 0;
        folios.set(key, (c = { pages: e.pages, from, to: from, pin: 0, formed: false, freed: false }));
        folioOrder.push(key);
      }
      if (e.kind === "folio-init") [c.formed, c.to] = [true, e.ref];
      else if (e.kind === "folio-ref") [c.to, c.pin] = [e.to, c.pin + e.pin];
      else c.freed = true;
    } else if (e.kind === "pte-set") ptesSet++;
    else if (e.kind === "pte-clear") ptesCleared++;
    else if (e.kind === "leaf-set" || e.kind === "leaf-clear") {
      const key = `${e.kind}:${PTE_KIND_NAMES[pteKind(e.pte)].toUpperCase()}`;
      leaves.set(key, (leaves.get(key) ?? 0) + 1);
    }
  }
  return { pages, folios, folioOrder, ptesSet, ptesCleared, leaves };
}

/** The same, from the ranges statementChanges() returns. */
function byRange(t: Trace, op: OpRecord) {
  const c = statementChanges(t, op);
  const pages = new Map<string, PageChange>();
  for (const r of c.pages) {
    for (let p = r.start; p < r.end; p++) {
      const key = `${r.dev}:${p}`;
      expect(pages.has(key), `page ${key} in two ranges`).toBe(false);
      pages.set(key, { from: r.from, to: r.to, allocated: r.allocated, freed: r.freed });
    }
  }
  const folios = new Map<string, FolioChange>();
  const folioOrder: string[] = [];
  for (const r of c.folios) {
    for (let h = r.start; h < r.end; h += r.pages) {
      const key = `${r.dev}:${h}:${r.pages}`;
      folioOrder.push(key);
      folios.set(key, {
        pages: r.pages,
        from: r.from,
        to: r.to,
        pin: r.pin,
        formed: r.formed,
        freed: r.freed,
      });
    }
  }
  const leaves = new Map<string, number>();
  for (const [k, n] of c.leavesSet) leaves.set(`leaf-set:${k}`, n);
  for (const [k, n] of c.leavesCleared) leaves.set(`leaf-clear:${k}`, n);
  return { pages, folios, folioOrder, ptesSet: c.ptesSet, ptesCleared: c.ptesCleared, leaves };
}

/** The pages each event is about, by definition: [device, first page, end) per event. */
function pagesTouched(t: Trace, op: OpRecord): [number, number, number][] {
  const out: [number, number, number][] = [];
  for (const e of eventsOf(t, op.firstStep, op.lastStep + 1)) {
    let at: [number, number, number] | undefined;
    if (e.kind === "folio-init" || e.kind === "folio-ref" || e.kind === "folio-free")
      at = [e.dev, e.page, e.pages];
    else if (e.kind === "leaf-set" || e.kind === "leaf-clear") at = [pteDev(e.pte), ptePage(e.pte), e.pages];
    else if (e.kind === "pte-set" || e.kind === "pte-clear") at = [pteDev(e.pte), ptePage(e.pte), 1];
    else if ("dev" in e && "page" in e) at = [e.dev, e.page, 1];
    if (at) out.push([at[0], at[1], at[1] + at[2]]);
  }
  return out;
}

function check(text: string, version?: KernelVersion): void {
  const ran = runText(text, version ? { version } : {});
  if (!ran.ok) throw new Error(`generated an invalid scenario:\n${text}`);
  const r = ran.trace;
  for (const op of r.ops) {
    const want = byEvent(r, op);
    const got = byRange(r, op);
    expect(got, `line ${op.line}: ${op.text}`).toEqual(want);
    // touchesPage agrees with the events at the ends of what they touch, just outside, and elsewhere
    const touched = pagesTouched(r, op);
    const probes: [number, number][] = [];
    for (const [d, a, b] of touched.slice(0, 64)) probes.push([d, a], [d, b - 1], [d, b], [d, a - 1]);
    for (let d = 0; d < r.deviceNames.length; d++)
      for (const p of [0, 1, 7, 64, 511, 512, 4095]) probes.push([d, p]);
    for (const [d, p] of probes) {
      const want = touched.some(([td, a, b]) => td === d && p >= a && p < b);
      expect(touchesPage(r, op, d, p), `line ${op.line}, ${d}:${p}`).toBe(want);
    }
  }
}

describe("summary by ranges (statementChanges) = summary by events", () => {
  it("random scenarios of every design and version", () => {
    fc.assert(
      fc.property(arbDesignVersion, arbChoices, ([design, version], choices) => {
        check(scenarioFrom(design, choices), version);
      }),
      { numRuns: RUNS },
    );
  });

  it("random scenarios of the huge-folio designs (64K pages: PMD and PUD folios)", () => {
    fc.assert(
      fc.property(fc.constantFrom("huge" as const, "huge-v1" as const), arbChoices, (design, choices) => {
        check(scenarioFrom(design, choices, 65536));
      }),
      { numRuns: Math.ceil(RUNS / 5) },
    );
  }, 120_000);

  it("summarises eight 32 GiB mappings from their loops, not their 8M pages each", () => {
    const lines = ["kernel upstream"];
    for (let d = 0; d < 8; d++) lines.push(`device npu${d} 32G`);
    lines.push("process p");
    for (let d = 0; d < 8; d++) lines.push(`p mmap m${d} npu${d} 32G`);
    lines.push("p fork c", "c pin io m3 1G 1G", "p munmap m3 4G 8G", "c exit", "unpin io");
    const t = run(`${lines.join("\n")}\n`);
    expect(t.steps).toBeGreaterThan(200_000_000);
    const text = summarize(t).join("\n");
    expect(text).toContain(
      "L11 p mmap m0 npu0 32G: npu0 pages 0-8388607 allocated 0->1, 8388608\n    PTEs set",
    );
    expect(text).toContain("L20 c pin io m3 1G 1G: npu3 pages 262144-524287 2->1026");
    expect(text).toContain(
      "L21 p munmap m3 4G 8G: npu3 pages 1048576-3145727 2->1, 2097152 PTEs\n    cleared, none freed",
    );
    expect(text).toContain(
      "L23 unpin io: npu3 pages 0-262143,524288-1048575,3145728-8388607 2->1;\n    pages 262144-524287 1026->1; pages 1048576-3145727 1->0, freed; npu7",
    );
  });
});
