/**
 * The compare store (src/store/compare.ts): its pure helpers over a Comparison, and the store
 * stepping both sides on the aligned cursor, recomputing when side A changes, and keeping the
 * app's own cursor on side A.
 */
import { readFileSync } from "node:fs";
import { beforeEach, describe, expect, it } from "vitest";
import { SUMMARY_COLUMNS } from "../../src/app/compare/CompareSummary.tsx";
import { stripView } from "../../src/app/compare/DivergenceStrip.tsx";
import { handleKey } from "../../src/app/keyboard.ts";
import {
  carryAligned,
  carryFromTrace,
  clampAligned,
  divergenceAt,
  nextDivergenceStep,
  nextStatementAligned,
  prevDivergenceStep,
  prevStatementAligned,
  sideStepOf,
  useCompareStore,
} from "../../src/store/compare.ts";
import { withCompare } from "../../src/store/compare-link.ts";
import { sideLabels } from "../../src/store/compare-run.ts";
import { useStore } from "../../src/store/store.ts";
import { alignedTotal, compareTraces, statementAt, statementEnd } from "../../src/trace/diff.ts";
import { runText } from "../../src/trace/run.ts";
import { run } from "./helpers.ts";

const preset = (f: string) => readFileSync(`public/presets/${f}`, "utf8");
const SEED_LEAK = preset("seed-leak.p2p");
const FAULT = preset("fault-first-touch.p2p");
const RFC = preset("rfc-v1-freed-while-pinned.p2p");

const pair = (text: string, a: string, b: string) =>
  compareTraces(run(text, a as never), run(text, b as never));

const cmp = () => useCompareStore.getState();
const app = () => useStore.getState();

beforeEach(() => {
  useCompareStore.setState({
    mode: "single",
    designB: null,
    versionB: null,
    textB: null,
    chosenB: false,
    diagnosticsB: [],
    comparison: null,
    step: 0,
    playing: false,
  });
  useStore.setState({
    trace: null,
    diagnostics: [],
    step: 0,
    playing: false,
    speedIndex: 3,
    design: null,
    version: null,
    selected: null,
  });
});

/** A failed vm_insert_page() in p2pmem_alloc_mmap(), then an unbind (README §8 "failed insert"). */
const FAILED_INSERT = `kernel upstream 6.5
device nvme0 1M
process p
inject vm_insert_page ENOMEM after 2
p mmap a nvme0 16K
unbind nvme0
`;

describe("aligned cursor helpers", () => {
  it("steps by statement on the aligned timeline and clamps", () => {
    const c = pair(FAULT, "upstream", "fault");
    const total = alignedTotal(c);
    expect(clampAligned(c, -5)).toBe(0);
    expect(clampAligned(c, total + 9)).toBe(total - 1);
    expect(clampAligned(null, 3)).toBe(0);
    for (let i = 0; i + 1 < c.statements; i++) {
      expect(nextStatementAligned(c, c.starts[i]!)).toBe(c.starts[i + 1]);
      // from inside a statement, "previous" goes to its start; from its start, to the one before
      expect(prevStatementAligned(c, statementEnd(c, i + 1))).toBe(
        c.starts[i + 1] === statementEnd(c, i + 1) ? c.starts[i] : c.starts[i + 1],
      );
      expect(prevStatementAligned(c, c.starts[i + 1]!)).toBe(c.starts[i]);
    }
    expect(nextStatementAligned(c, total - 1)).toBe(total - 1);
    expect(prevStatementAligned(c, 0)).toBe(0);
  });

  it("jumps to the end of each divergent statement, forwards and back", () => {
    const c = pair(RFC, "rfc-v1", "upstream");
    const ends = c.divergences.map((d) => statementEnd(c, d.index));
    expect(ends.length).toBe(3);
    let at = 0;
    const seen: number[] = [];
    for (let to = nextDivergenceStep(c, at); to !== null; to = nextDivergenceStep(c, at)) {
      seen.push(to);
      at = to;
    }
    expect(seen).toEqual(ends);
    const back: number[] = [];
    for (let to = prevDivergenceStep(c, at); to !== null; to = prevDivergenceStep(c, at)) {
      back.push(to);
      at = to;
    }
    expect(back).toEqual(ends.slice(0, -1).reverse());
    expect(nextDivergenceStep(pair(RFC, "upstream", "upstream"), 0)).toBeNull();
  });

  it("explains the divergence here, else the nearest one, ahead or behind", () => {
    const c = pair(SEED_LEAK, "upstream", "seed");
    const d = c.divergences[0]!;
    expect(divergenceAt(c, 0)).toMatchObject({ ordinal: 0, where: "ahead", divergence: d });
    expect(divergenceAt(c, c.starts[d.index]!)).toMatchObject({ where: "here" });
    expect(divergenceAt(c, statementEnd(c, d.index))).toMatchObject({ where: "here" });
    const r = pair(RFC, "rfc-v1", "upstream");
    // after the last divergent statement ends, the last one is behind
    const lastEnd = statementEnd(r, r.divergences[2]!.index);
    if (lastEnd + 1 < alignedTotal(r)) expect(divergenceAt(r, lastEnd + 1)?.where).toBe("behind");
    expect(divergenceAt(pair(SEED_LEAK, "seed", "seed"), 5)).toBeNull();
  });

  it("carries the aligned step to the same statement of a new comparison", () => {
    const old = pair(FAULT, "upstream", "fault");
    const next = pair(FAULT, "upstream", "rfc-v1");
    for (const step of [0, 5, old.starts[5]! + 3, alignedTotal(old) - 1]) {
      const to = carryAligned(old, step, next);
      expect(statementAt(next, to)).toBe(statementAt(old, step));
      expect(to - next.starts[statementAt(next, to)]!).toBeLessThanOrEqual(
        step - old.starts[statementAt(old, step)]!,
      );
    }
  });

  it("maps a side's own step to the aligned step that shows it", () => {
    const c = pair(FAULT, "upstream", "fault");
    for (const side of ["a", "b"] as const) {
      const t = side === "a" ? c.a : c.b;
      for (let s = 0; s < t.steps; s += 7) {
        expect(sideStepOf(c, side, carryFromTrace(t, s, c))).toBe(s);
      }
    }
  });

  it("labels the sides by design, by version when one design runs in two, or A/B when they run the same", () => {
    expect(sideLabels(run(SEED_LEAK, "upstream"), run(SEED_LEAK))).toEqual(["upstream", "seed"]);
    expect(sideLabels(run(SEED_LEAK), run(SEED_LEAK))).toEqual(["A (seed)", "B (seed)"]);
    const at = (v: "6.5" | "7.3") => {
      const r = runText(FAILED_INSERT, { version: v });
      if (!r.ok) throw new Error("scenario");
      return r.trace;
    };
    expect(sideLabels(at("6.5"), at("7.3"))).toEqual(["upstream 6.5", "upstream 7.3"]);
    // p2pviz diff's default labels say the same
    expect([compareTraces(at("6.5"), at("7.3")).labelA, compareTraces(at("6.5"), at("7.3")).labelB]).toEqual([
      "upstream 6.5",
      "upstream 7.3",
    ]);
  });
});

describe("view models", () => {
  it("the strip has a band per aligned statement and a mark per divergence", () => {
    const c = pair(RFC, "rfc-v1", "upstream");
    const v = stripView(c);
    expect(v.total).toBe(alignedTotal(c));
    expect(v.bands.map((b) => b.first)).toEqual(c.starts.slice(0, -1));
    expect(v.bands.filter((b) => b.diverges).map((b) => b.line)).toEqual([10, 12, 13]);
    expect(v.marks.map((m) => [m.line, m.end])).toEqual(
      c.divergences.map((d) => [d.line, statementEnd(c, d.index) + 1]),
    );
  });

  it("the summary table says what p2pviz diff says", () => {
    const c = pair(preset("remap-mmio-style.p2p"), "upstream", "remap");
    const row = (i: 0 | 1) =>
      Object.fromEntries(SUMMARY_COLUMNS.map((col) => [col.key, col.cell(c.summary[i])]));
    expect(row(0).pins).toBe("worked (1/1)");
    expect(row(1).pins).toBe("refused (0/1)");
    expect(row(1).errnos).toContain("L8 EFAULT");
    expect(row(0).ptes).toBe("normal");
    expect(row(1).ptes).toBe("pfnmap");
  });
});

describe("compare store", () => {
  it("opens on the app's trace with another design, steps, jumps and keeps the app cursor on side A", () => {
    app().loadScenario(SEED_LEAK, { step: 0, design: "upstream" });
    cmp().open({ designB: "seed" });
    const c = cmp().comparison!;
    expect(cmp().mode).toBe("compare");
    expect([c.a.design, c.b.design]).toEqual(["upstream", "seed"]);
    expect(c.a).toBe(app().trace);
    cmp().nextDivergence();
    const end = statementEnd(c, c.divergences[0]!.index);
    expect(cmp().step).toBe(end);
    expect(app().step).toBe(sideStepOf(c, "a", end));
    cmp().first();
    expect(app().step).toBe(0);
    cmp().last();
    expect(cmp().step).toBe(alignedTotal(c) - 1);
    cmp().stepBy(5);
    expect(cmp().step).toBe(alignedTotal(c) - 1);
    cmp().close();
    expect(cmp().mode).toBe("single");
    expect(app().step).toBe(sideStepOf(c, "a", alignedTotal(c) - 1));
  });

  it("without a side B design, picks one other than A's", () => {
    app().loadScenario(SEED_LEAK, { step: 0, design: null });
    cmp().open();
    expect(cmp().designB).toBe("upstream");
    expect(cmp().comparison?.b.design).toBe("upstream");
  });

  it("enters at the statement the app's cursor is on", () => {
    app().loadScenario(FAULT, { step: 0, design: null });
    const t = app().trace!;
    const op = t.ops[6]!;
    app().setStep(op.firstStep + 1);
    cmp().open({ designB: "upstream" });
    const c = cmp().comparison!;
    expect(statementAt(c, cmp().step)).toBe(6);
    expect(sideStepOf(c, "a", cmp().step)).toBe(op.firstStep + 1);
  });

  it("recomputes when side A changes (design switch) and keeps the statement", () => {
    app().loadScenario(FAULT, { step: 0, design: null });
    cmp().open({ designB: "upstream" });
    const before = cmp().comparison!;
    cmp().setStep(statementEnd(before, 6));
    app().setDesign("rfc-v1");
    const after = cmp().comparison!;
    expect(after).not.toBe(before);
    expect(after.a.design).toBe("rfc-v1");
    expect(statementAt(after, cmp().step)).toBe(6);
  });

  it("runs side B's own text, and reports its errors instead of comparing", () => {
    app().loadScenario(SEED_LEAK, { step: 0, design: null });
    cmp().open({ designB: null, textB: preset("upstream-basic.p2p") });
    expect(cmp().comparison?.b.design).toBe("upstream");
    cmp().setTextB("kernel upstream\nfio mmap\n");
    expect(cmp().comparison).toBeNull();
    expect(cmp().diagnosticsB.length).toBeGreaterThan(0);
    cmp().setTextB(null);
    expect(cmp().comparison?.b.design).toBe("seed");
  });

  it("a link of compare mode holds side B and the aligned step", () => {
    app().loadScenario(SEED_LEAK, { step: 0, design: "upstream" });
    const single = { text: SEED_LEAK, step: 4, design: "upstream" as const };
    expect(withCompare(single)).toBe(single);
    cmp().open({ designB: "seed", step: 100 });
    expect(withCompare(single)).toEqual({ ...single, step: 100, compare: { design: "seed" } });
    // side B "as written" is written as the design it resolved to, with its own text
    cmp().open({ designB: null, textB: "kernel rfc-v1\ndevice nvme0 1M\n" });
    expect(cmp().designB).toBeNull();
    expect(withCompare(single).compare).toEqual({
      design: "rfc-v1",
      text: "kernel rfc-v1\ndevice nvme0 1M\n",
    });
  });

  it("side B picks a kernel version: 6.5 vs 7.3 after a failed insert (versions.ts failedInsert)", () => {
    app().loadScenario(FAILED_INSERT, { step: 0, design: null });
    // A runs an older kernel than its design's newest: side B opens on the newest
    cmp().open();
    expect([cmp().designB, cmp().versionB]).toEqual(["upstream", "7.3"]);
    const c = cmp().comparison!;
    expect([c.a.version, c.b.version]).toEqual(["6.5", "7.3"]);
    expect([c.labelA, c.labelB]).toEqual(["upstream 6.5", "upstream 7.3"]);
    // the failed mmap leaks a pgmap reference on 6.5 only; the unbind then hangs on 6.5 only
    expect(c.divergences.map((d) => d.line)).toEqual([5, 6]);
    // the link carries both sides' versions
    const single = { text: FAILED_INSERT, step: 0 };
    expect(withCompare(single).compare).toEqual({ design: "upstream", version: "7.3" });
    // another version for B; one upstream never ran in is ignored
    cmp().setVersionB("6.15");
    expect(cmp().comparison!.b.version).toBe("6.15");
    cmp().setVersionB("5.10");
    expect(cmp().versionB).toBe("6.15");
    // another design for B drops B's version: seed runs in 5.10
    cmp().setDesignB("seed");
    expect([cmp().versionB, cmp().comparison!.b.version]).toEqual([null, "5.10"]);
    expect(withCompare(single).compare).toEqual({ design: "seed" });
    // a link's `vs=upstream@6.12`
    cmp().open({ designB: "upstream", versionB: "6.12" });
    expect(cmp().comparison!.b.version).toBe("6.12");
    // side A's version switch recomputes the comparison
    app().setVersion("6.15");
    expect(cmp().comparison!.a.version).toBe("6.15");
  });

  it("with A in its design's newest kernel, side B opens on another design, as before", () => {
    app().loadScenario(FAILED_INSERT.replace("upstream 6.5", "upstream"), { step: 0, design: null });
    cmp().open();
    expect([cmp().designB, cmp().versionB]).toEqual(["seed", null]);
  });

  it("picks side B again on entering when it was picked, keeps it when it was chosen", () => {
    app().loadScenario(FAILED_INSERT.replace("upstream 6.5", "upstream"), { step: 0, design: null });
    cmp().open();
    expect(cmp().comparison!.b.design).toBe("seed");
    cmp().close();
    // side A goes to 6.5, and Compare again: 6.5 vs 7.3, not the seed picked for 7.3
    app().setVersion("6.5");
    cmp().open();
    expect([cmp().comparison!.b.design, cmp().comparison!.b.version]).toEqual(["upstream", "7.3"]);
    // a side B the user chose stays across leaving and entering
    cmp().setDesignB("fault");
    cmp().close();
    app().setVersion("6.12");
    cmp().open();
    expect(cmp().comparison!.b.design).toBe("fault");
  });

  it("plays the aligned cursor from the start when at the end", () => {
    app().loadScenario(SEED_LEAK, { step: 0, design: "upstream" });
    cmp().open({ designB: "seed" });
    cmp().last();
    cmp().play();
    expect([cmp().playing, cmp().step]).toEqual([true, 0]);
    cmp().togglePlay();
    expect(cmp().playing).toBe(false);
  });
});

describe("keys", () => {
  const key = (k: string, shiftKey = false) =>
    handleKey({ key: k, shiftKey, ctrlKey: false, metaKey: false, altKey: false });

  it("in compare mode move the aligned cursor; [ and ] jump between divergences", () => {
    app().loadScenario(RFC, { step: 0, design: null });
    cmp().open({ designB: "upstream", step: 0 });
    const c = cmp().comparison!;
    expect(key("ArrowRight")).toBe(true);
    expect(cmp().step).toBe(1);
    expect(key("ArrowRight", true)).toBe(true);
    expect(cmp().step).toBe(c.starts[statementAt(c, 1) + 1]);
    expect(key("End")).toBe(true);
    expect(cmp().step).toBe(alignedTotal(c) - 1);
    expect(key("Home")).toBe(true);
    expect(cmp().step).toBe(0);
    expect(key("]")).toBe(true);
    expect(cmp().step).toBe(statementEnd(c, c.divergences[0]!.index));
    expect(key("]")).toBe(true);
    expect(key("[")).toBe(true);
    expect(cmp().step).toBe(statementEnd(c, c.divergences[0]!.index));
    // the app's own cursor follows side A, it is not moved by the keys itself
    expect(app().step).toBe(sideStepOf(c, "a", cmp().step));
    expect(key(" ")).toBe(true);
    expect([cmp().playing, app().playing]).toEqual([true, false]);
    expect(key("+")).toBe(true);
    expect(app().speedIndex).toBe(4);
    expect(handleKey({ key: "]", shiftKey: false, ctrlKey: true, metaKey: false, altKey: false })).toBe(
      false,
    );
  });

  it("in the single view, [ and ] are not ours and arrows move the app's cursor", () => {
    app().loadScenario(RFC, { step: 0, design: null });
    expect(key("]")).toBe(false);
    expect(key("ArrowRight")).toBe(true);
    expect(app().step).toBe(1);
    expect(cmp().step).toBe(0);
  });
});
