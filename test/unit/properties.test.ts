/**
 * Property tests over random scenarios for every design (fast-check): the kernel invariants hold
 * wherever no finding was recorded, runs are deterministic, any step rebuilt by the cursor equals a
 * replay from the start, and parse(print(ast)) is the identity.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { FindingKind } from "../../src/kernel/core.ts";
import { applyEvent } from "../../src/kernel/events.ts";
import type { PageField } from "../../src/kernel/runs.ts";
import { GUP_PIN_COUNTING_BIAS } from "../../src/kernel/sim.ts";
import {
  emptyState,
  isLeafKind,
  type KernelState,
  PTE_NORMAL,
  pteDev,
  pteKind,
  ptePage,
} from "../../src/kernel/state.ts";
import { VERSIONS } from "../../src/kernel/versions.ts";
import type { KernelVersion } from "../../src/scenario/ast.ts";
import { parseScenario } from "../../src/scenario/parse.ts";
import { printScenario } from "../../src/scenario/print.ts";
import { TraceCursor } from "../../src/trace/cursor.ts";
import { runText } from "../../src/trace/run.ts";
import type { Trace } from "../../src/trace/trace.ts";
import { allEvents } from "../../src/trace/trace.ts";
import { arbChoices, arbDesign, arbDesignVersion, scenarioFrom } from "./gen.ts";

const RUNS = Number(process.env.P2PVIZ_FC_RUNS ?? 150);

function traceOf(text: string, version?: KernelVersion): Trace {
  const r = runText(text, version ? { version } : {});
  if (!r.ok) throw new Error(`generated an invalid scenario:\n${text}\n${JSON.stringify(r.diagnostics)}`);
  return r.trace;
}

type Violation =
  | "negative refcount"
  | "pte count drift"
  | "mapcount != normal PTEs"
  | "free page in use"
  | "refcount not accounted by PTEs and pins"
  | "pool free + allocated != total"
  | "folio partly allocated"
  | "pincount > refcount";

/** Invariant violations in a state, from scratch: [device, page, what]. */
function violations(s: KernelState): [string, number, Violation][] {
  const out: [string, number, Violation][] = [];
  const ptes = s.devices.map((d) => new Int32Array(d.pages));
  const normal = s.devices.map((d) => new Int32Array(d.pages));
  for (const p of s.processes) {
    for (const pte of p.ptes.values()) {
      ptes[pteDev(pte)]![ptePage(pte)]!++;
      // a normal PTE counts in the page's mapcount, a PMD/PUD leaf in its folio's entire mapcount
      if (pteKind(pte) === PTE_NORMAL || isLeafKind(pteKind(pte))) normal[pteDev(pte)]![ptePage(pte)]!++;
    }
  }
  const rest = VERSIONS[s.version].freeRefcount;
  for (const d of s.devices) {
    let allocated = 0;
    const f = (name: PageField) => d.pageRuns.field(name, 0, d.pages);
    const [alloc, refcount, mapcount, dptes, pins, order, pincount] = [
      f("allocated"),
      f("refcount"),
      f("mapcount"),
      f("ptes"),
      f("pins"),
      f("order"),
      f("pincount"),
    ];
    for (let i = 0; i < d.pages; i++) {
      allocated += alloc[i]!;
      if (refcount[i]! < 0) out.push([d.name, i, "negative refcount"]);
      if (ptes[d.index]![i] !== dptes[i]) out.push([d.name, i, "pte count drift"]);
      if (normal[d.index]![i] !== mapcount[i]) out.push([d.name, i, "mapcount != normal PTEs"]);
      if (!alloc[i] && d.lifecycle !== "unbound" && (refcount[i] !== rest || dptes[i]! > 0)) {
        out.push([d.name, i, "free page in use"]);
      }
      // a large folio: its pages are allocated together, and each pin counts once in refcount
      // and _pincount (mm/gup.c try_grab_folio, folio_has_pincount)
      const size = 2 ** order[i]!;
      if (order[i]! > 0 && alloc[i] !== alloc[Math.floor(i / size) * size])
        out.push([d.name, i, "folio partly allocated"]);
      if (pincount[i]! > refcount[i]!) out.push([d.name, i, "pincount > refcount"]);
      const pinRefs = order[i]! > 0 ? pincount[i]! : GUP_PIN_COUNTING_BIAS * pins[i]!;
      if (
        (s.design === "upstream" || s.design === "huge" || s.design === "huge-v1") &&
        alloc[i] &&
        d.lifecycle !== "unbound" &&
        refcount[i] !== mapcount[i]! + pinRefs
      ) {
        out.push([d.name, i, "refcount not accounted by PTEs and pins"]);
      }
    }
    if (d.freePages !== d.pages - allocated) out.push([d.name, -1, "pool free + allocated != total"]);
  }
  return out;
}

/**
 * The invariant violations each kind of finding explains on the pages it names: a finding excuses
 * those and nothing else (bookkeeping drift, a PTE count or mapcount that disagrees with the page
 * tables, is never excused).
 */
const EXPLAINS: Record<FindingKind, readonly Violation[]> = {
  // freed while mapped or pinned: the free page is still in use
  "use-after-free": ["free page in use"],
  "double-free": [],
  leak: [],
  "unbind-hang": [],
  "stale-mapping": [],
  alias: [],
  "pgref-leak": [],
  "stale-refcount": [],
  "refcount-underflow": ["negative refcount"],
  "pgref-imbalance": [],
  // huge.md §8: design consequences, never an inconsistency of the model
  "fork-not-shared": [],
  "pin-holds-folio": [],
  "huge-fallback": [],
  "split-after-unbind": [],
  "unaligned-refused": [],
};

describe("properties over random scenarios", () => {
  it("invariants hold after every statement except on pages a finding names, for the violations it explains", () => {
    fc.assert(
      fc.property(arbDesignVersion, arbChoices, ([design, version], choices) => {
        const t = traceOf(scenarioFrom(design, choices), version);
        const cursor = new TraceCursor(t);
        for (const op of t.ops) {
          const s = cursor.seek(op.lastStep);
          const flagged = t.findings.filter((f) => f.step <= op.lastStep);
          for (const [dev, page, what] of violations(s)) {
            const covered = flagged.some(
              (f) =>
                f.device === dev &&
                page >= f.page &&
                page < f.page + f.pages &&
                EXPLAINS[f.kind].includes(what),
            );
            if (!covered) throw new Error(`line ${op.line} (${op.text}): ${dev} page ${page}: ${what}`);
          }
        }
        expect(
          t.findings.filter((f) => f.kind === "pgref-imbalance" || f.kind === "refcount-underflow"),
        ).toEqual([]);
        if (design === "upstream") expect(t.findings).toEqual([]);
      }),
      { numRuns: RUNS },
    );
  });

  it("huge designs with 64K pages (PMD folios of 8192 pages): the same invariants", () => {
    fc.assert(
      fc.property(fc.constantFrom("huge" as const, "huge-v1" as const), arbChoices, (design, choices) => {
        const t = traceOf(scenarioFrom(design, choices, 65536));
        const cursor = new TraceCursor(t);
        for (const op of t.ops) {
          const flagged = t.findings.filter((f) => f.step <= op.lastStep);
          for (const [dev, page, what] of violations(cursor.seek(op.lastStep))) {
            const covered = flagged.some(
              (f) =>
                f.device === dev &&
                page >= f.page &&
                page < f.page + f.pages &&
                EXPLAINS[f.kind].includes(what),
            );
            if (!covered) throw new Error(`line ${op.line} (${op.text}): ${dev} page ${page}: ${what}`);
          }
        }
      }),
      // each state is checked page by page (32,768 pages a device): a few runs keep the suite fast
      { numRuns: 6 },
    );
  });

  it("the same scenario always yields the same trace", () => {
    fc.assert(
      fc.property(arbDesign, arbChoices, (design, choices) => {
        const text = scenarioFrom(design, choices);
        const a = traceOf(text);
        const b = traceOf(text);
        expect(JSON.stringify([allEvents(b), b.ops, b.findings])).toBe(
          JSON.stringify([allEvents(a), a.ops, a.findings]),
        );
      }),
      { numRuns: 40 },
    );
  });

  it("the cursor reaches every step, in any order, exactly as a replay from the start", () => {
    fc.assert(
      fc.property(
        arbDesignVersion,
        arbChoices,
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 12 }),
        ([design, version], choices, where) => {
          const r = runText(scenarioFrom(design, choices), { checkpointEvery: 7, version });
          if (!r.ok) throw new Error("invalid");
          const t = r.trace;
          const cursor = new TraceCursor(t);
          for (const w of where) {
            const step = Math.floor(w * (t.steps - 1));
            const replay = emptyState(t.design, t.pageSize, t.version);
            for (let i = 0; i <= step; i++) applyEvent(replay, allEvents(t)[i]!);
            expect(cursor.seek(step)).toEqual(replay);
          }
          // Cursors share exited processes and finished pins with the checkpoints: moving must
          // never change a checkpoint.
          for (const cp of t.checkpoints) {
            const replay = emptyState(t.design, t.pageSize, t.version);
            for (let i = 0; i < cp.step; i++) applyEvent(replay, allEvents(t)[i]!);
            expect(cp.state).toEqual(replay);
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it("parse(print(ast)) is the identity on generated scenarios", () => {
    fc.assert(
      fc.property(arbDesign, arbChoices, fc.constantFrom(4096, 65536), (design, choices, page) => {
        const r = parseScenario(scenarioFrom(design, choices, page));
        if (!r.ok) throw new Error(JSON.stringify(r.diagnostics));
        const again = parseScenario(printScenario(r.scenario));
        expect(again.ok && again.scenario).toEqual(r.scenario);
      }),
      { numRuns: RUNS },
    );
  });

  it("the parser never throws and never hangs on arbitrary text", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 400 }), (text) => {
        const r = parseScenario(text);
        if (!r.ok) for (const d of r.diagnostics) expect(d.line).toBeGreaterThan(0);
      }),
      { numRuns: 500 },
    );
  });

  it("the parser never throws on mutations of a valid scenario", () => {
    const base = scenarioFrom("upstream", [
      [1, 0, 3, 0],
      [5, 0, 0, 0],
      [9, 0, 1, 1],
      [7, 0, 0, 0],
    ]);
    fc.assert(
      fc.property(fc.nat(base.length), fc.nat(base.length), fc.string({ maxLength: 8 }), (i, j, ins) => {
        const text = base.slice(0, Math.min(i, j)) + ins + base.slice(Math.max(i, j));
        const r = parseScenario(text);
        if (r.ok) expect(() => runText(text)).not.toThrow();
      }),
      { numRuns: 500 },
    );
  });
});
