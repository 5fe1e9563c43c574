/**
 * Compare mode (issue 6): the same user actions under two designs (or two scenario texts), stepped
 * together on the aligned cursor of src/trace/diff.ts.
 *
 * Side A is the app store's own run: its text and design (the design switch, or the scenario's
 * `kernel` line). Side B runs `textB` (null = A's text) under `designB` (null = B's own `kernel`
 * line). This store holds the comparison of the two traces and the aligned step; like the app
 * store it never holds kernel state (each column asks stateAtStep(trace, sideStep(...))).
 *
 * When A's trace changes (an edit, the design switch, a link), the comparison is recomputed and the
 * aligned step carried to the same statement, as carryStep does for one trace.
 */

import { create } from "zustand";
import {
  DESIGN_VERSIONS,
  DESIGNS,
  type Design,
  type Diagnostic,
  defaultVersion,
  type KernelVersion,
} from "../scenario/ast.ts";
import {
  alignedTotal,
  type Comparison,
  type Divergence,
  sideStep,
  statementAt,
  statementEnd,
} from "../trace/diff.ts";
import type { Trace } from "../trace/trace.ts";
import { runSideB } from "./compare-run.ts";
import { attachCompareStore } from "./compare-shell.ts";
import { type CursorState, cursorActions } from "./cursor-actions.ts";
import { useStore } from "./store.ts";

export type Mode = "single" | "compare";

/** Compare mode's store; the aligned cursor's actions (setStep … togglePlay) are those of cursor-actions.ts. */
export interface CompareState extends CursorState {
  mode: Mode;
  /** side B's design; null = the `kernel` line of B's scenario */
  designB: Design | null;
  /** side B's kernel version (with `designB`); null = B's kernel line, or the design's default */
  versionB: KernelVersion | null;
  /** side B's scenario text; null = the same text as side A */
  textB: string | null;
  /**
   * side B was chosen (a picker, a link), not picked by open(): entering again keeps it; a picked
   * side B is picked again from side A as it is then (defaultSideB)
   */
  chosenB: boolean;
  /** diagnostics of side B's text (empty when it ran) */
  diagnosticsB: readonly Diagnostic[];
  /** the comparison on screen; null until both sides have run */
  comparison: Comparison | null;
  /** bumped on every new comparison, so memoised views can key on it */
  version: number;
  /** the aligned cursor: 0 .. alignedTotal(comparison) - 1 */
  step: number;
  playing: boolean;
  /** compare mode hides the scenario editor unless this is on */
  showEditor: boolean;

  /** enters compare mode (or updates it) and runs side B */
  open(opts?: {
    designB?: Design | null;
    versionB?: KernelVersion | null;
    textB?: string | null;
    step?: number;
  }): void;
  /** back to the single view; the app's cursor goes to where side A was */
  close(): void;
  /** side B's design, in its default version (or B's kernel line's, when the design has it) */
  setDesignB(design: Design | null): void;
  /**
   * Side B's kernel version: pins side B's design (the one it shows) with it, as a link's
   * `vs=upstream@6.5` does; a version that design does not run in is ignored.
   */
  setVersionB(version: KernelVersion | null): void;
  setTextB(text: string | null): void;
  /** runs side B again and compares it with the app's current trace */
  recompute(step?: number): void;
  nextDivergence(): void;
  prevDivergence(): void;
  toggleEditor(): void;
}

// ---------------------------------------------------------------------------------------------
// Pure helpers over a Comparison (tested in test/unit/compare-store.test.ts)

export function clampAligned(c: Comparison | null, step: number): number {
  const total = c ? alignedTotal(c) : 0;
  if (total === 0 || !Number.isFinite(step)) return 0;
  return Math.max(0, Math.min(total - 1, Math.trunc(step)));
}

/** First aligned step of the next statement (the last step when there is none). */
export function nextStatementAligned(c: Comparison, step: number): number {
  const i = statementAt(c, step);
  return i + 1 < c.statements ? c.starts[i + 1]! : clampAligned(c, Number.MAX_SAFE_INTEGER);
}

/** Start of the current statement when past it, else of the previous one (media player style). */
export function prevStatementAligned(c: Comparison, step: number): number {
  const i = statementAt(c, step);
  if (step > c.starts[i]!) return c.starts[i]!;
  return i > 0 ? c.starts[i - 1]! : 0;
}

/** The end (statementEnd) of the first divergence that ends after `step`, or null. */
export function nextDivergenceStep(c: Comparison, step: number): number | null {
  for (const d of c.divergences) {
    const end = statementEnd(c, d.index);
    if (end > step) return end;
  }
  return null;
}

/** The end of the last divergence that ends before `step`, or null. */
export function prevDivergenceStep(c: Comparison, step: number): number | null {
  let best: number | null = null;
  for (const d of c.divergences) {
    const end = statementEnd(c, d.index);
    if (end < step) best = end;
    else break;
  }
  return best;
}

export interface DivergenceFocus {
  readonly divergence: Divergence;
  /** 0-based position among the comparison's divergences */
  readonly ordinal: number;
  /** where the divergence's statement lies relative to the cursor */
  readonly where: "here" | "ahead" | "behind";
}

/**
 * The divergence to explain at `step`: the one of the current statement, else the nearest one by
 * aligned distance (ahead on a tie), or null when the sides never differ.
 */
export function divergenceAt(c: Comparison, step: number): DivergenceFocus | null {
  if (c.divergences.length === 0) return null;
  const i = statementAt(c, step);
  let best: DivergenceFocus | null = null;
  let bestDist = Number.POSITIVE_INFINITY;
  c.divergences.forEach((d, ordinal) => {
    if (d.index === i) {
      best = { divergence: d, ordinal, where: "here" };
      bestDist = -1;
      return;
    }
    if (bestDist < 0) return;
    const ahead = d.index > i;
    const dist = ahead ? c.starts[d.index]! - step : step - statementEnd(c, d.index);
    if (dist < bestDist || (dist === bestDist && ahead)) {
      best = { divergence: d, ordinal, where: ahead ? "ahead" : "behind" };
      bestDist = dist;
    }
  });
  return best;
}

/**
 * Maps an aligned step of an old comparison onto a new one: same statement, same offset inside
 * it (clamped to the statement's end), so recomputing keeps the viewer at the same user action.
 */
export function carryAligned(old: Comparison | null, step: number, next: Comparison): number {
  if (!old || alignedTotal(old) === 0) return clampAligned(next, step);
  const i = statementAt(old, clampAligned(old, step));
  if (i >= next.statements) return clampAligned(next, Number.MAX_SAFE_INTEGER);
  const offset = step - old.starts[i]!;
  return Math.min(next.starts[i]! + Math.max(0, offset), statementEnd(next, i));
}

/** A design other than `d`, for side B when compare mode opens without one. */
export function otherDesign(d: Design): Design {
  return d === "upstream" ? "seed" : "upstream";
}

/**
 * Side B when compare mode opens without one: when A runs an older kernel of its design, the same
 * design in its newest kernel ("what changed since"), else another design.
 */
export function defaultSideB(a: Trace): { designB: Design; versionB: KernelVersion | null } {
  const newest = defaultVersion(a.design);
  if (a.version !== newest) return { designB: a.design, versionB: newest };
  return { designB: otherDesign(a.design), versionB: null };
}

/** `v` when side B's design `d` runs in it, else null. */
function versionFor(d: Design | null, v: KernelVersion | null | undefined): KernelVersion | null {
  return d && v && DESIGN_VERSIONS[d].includes(v) ? v : null;
}

export function isDesign(s: unknown): s is Design {
  return typeof s === "string" && (DESIGNS as readonly string[]).includes(s);
}

// ---------------------------------------------------------------------------------------------

export const useCompareStore = create<CompareState>()((set, get) => ({
  mode: "single",
  designB: null,
  versionB: null,
  textB: null,
  chosenB: false,
  diagnosticsB: [],
  comparison: null,
  version: 0,
  step: 0,
  playing: false,
  showEditor: false,

  open(opts = {}) {
    const app = useStore.getState();
    app.pause();
    if (!app.trace && app.diagnostics.length === 0) app.run();
    const cur = get();
    const chosen = opts.designB !== undefined || opts.textB !== undefined;
    // entering again with a side B open() picked last time: pick again, for side A as it is now
    const repick = cur.mode !== "compare" && !chosen && !cur.chosenB;
    const textB = opts.textB === undefined ? (repick ? null : cur.textB) : opts.textB;
    let designB = opts.designB === undefined ? (repick ? null : cur.designB) : opts.designB;
    let versionB = versionFor(
      designB,
      opts.versionB === undefined ? (opts.designB === undefined ? cur.versionB : null) : opts.versionB,
    );
    const a = useStore.getState().trace;
    // entering without a side B design: pick one that differs from A's, so there is something to see
    if (designB === null && textB === null && a) ({ designB, versionB } = defaultSideB(a));
    // entering starts where the app's cursor is (same statement); a stale comparison must not count
    if (cur.mode !== "compare") set({ comparison: null });
    set({ mode: "compare", designB, versionB, textB, chosenB: chosen || cur.chosenB, playing: false });
    get().recompute(opts.step);
  },

  close() {
    // the app's cursor already follows side A (see the subscription below)
    set({ mode: "single", playing: false });
  },

  setDesignB(designB) {
    set({ designB, versionB: null, chosenB: true });
    get().recompute();
  },

  setVersionB(version) {
    const { designB, comparison } = get();
    const design = designB ?? comparison?.b.design ?? null;
    if (version !== null && versionFor(design, version) === null) return;
    set({ designB: design, versionB: version, chosenB: true });
    get().recompute();
  },

  setTextB(textB) {
    set({ textB, chosenB: true });
    get().recompute();
  },

  recompute(step) {
    const { mode, designB, versionB, textB, comparison: old, step: oldStep, version } = get();
    if (mode !== "compare") return;
    const app = useStore.getState();
    const a = app.trace;
    if (!a) {
      set({ comparison: null, diagnosticsB: [], step: 0, version: version + 1 });
      return;
    }
    const r = runSideB(a, app.text, designB, textB, versionB);
    if (!r.ok) {
      set({ diagnosticsB: r.diagnostics, comparison: null, step: 0, version: version + 1 });
      return;
    }
    const c = r.comparison;
    // an explicit step (a link); the same A with another B: the same aligned place; a new A (an edit,
    // the design switch, a preset): where the app's cursor is, which the app store already carried
    const s =
      step !== undefined
        ? clampAligned(c, step)
        : old && old.a === a
          ? carryAligned(old, oldStep, c)
          : carryFromTrace(a, app.step, c);
    set({ comparison: c, diagnosticsB: [], step: s, version: version + 1 });
  },

  ...cursorActions(get, set, {
    clamp: (s, step) => clampAligned(s.comparison, step),
    total: (s) => (s.comparison ? alignedTotal(s.comparison) : 0),
    nextStatement: ({ comparison: c, step }) => (c ? nextStatementAligned(c, step) : null),
    prevStatement: ({ comparison: c, step }) => (c ? prevStatementAligned(c, step) : null),
  }),
  nextDivergence() {
    const { comparison: c, step } = get();
    const to = c ? nextDivergenceStep(c, step) : null;
    if (to !== null) set({ step: to, playing: false });
  },
  prevDivergence() {
    const { comparison: c, step } = get();
    const to = c ? prevDivergenceStep(c, step) : null;
    if (to !== null) set({ step: to, playing: false });
  },
  toggleEditor() {
    set({ showEditor: !get().showEditor });
  },
}));

/** The app root's class: compare mode lays the page out without the editor, unless it is shown. */
export function appClassOf(s: CompareState): string {
  if (s.mode !== "compare") return "app";
  return s.showEditor ? "app compare-mode compare-edit" : "app compare-mode";
}

/** The step side `side` shows at aligned `step` (diff.ts sideStep, clamped to the trace). */
export function sideStepOf(c: Comparison, side: "a" | "b", step: number): number {
  const t = side === "a" ? c.a : c.b;
  if (t.steps === 0) return 0;
  const s = sideStep(c, side, step);
  return Math.max(0, Math.min(t.steps - 1, s));
}

/**
 * The aligned step where side trace `t` (c.a or c.b) shows its own `step`: the same statement, the
 * same offset inside it.
 */
export function carryFromTrace(t: Trace, step: number, c: Comparison): number {
  let i = -1;
  for (let k = 0; k < t.ops.length && k < c.statements; k++) {
    if (t.ops[k]!.firstStep <= step) i = k;
    else break;
  }
  if (i < 0) return clampAligned(c, 0);
  const op = t.ops[i]!;
  return Math.min(c.starts[i]! + Math.max(0, Math.min(step, op.lastStep) - op.firstStep), statementEnd(c, i));
}

// A's trace changes under compare mode (editor, design switch, a link): compare again.
useStore.subscribe((s, prev) => {
  if (s.trace !== prev.trace && useCompareStore.getState().mode === "compare") {
    useCompareStore.getState().recompute();
  }
});

// The app's own cursor follows side A, so the editor marks A's line and leaving compare mode stays put.
useCompareStore.subscribe((s, prev) => {
  if (s.mode !== "compare" || !s.comparison) return;
  if (s.step === prev.step && s.comparison === prev.comparison && s.mode === prev.mode) return;
  const app = useStore.getState();
  if (app.trace !== s.comparison.a) return;
  const own = sideStepOf(s.comparison, "a", s.step);
  if (app.step !== own) useStore.setState({ step: own });
});

// The always-loaded app (header, keys, layout) follows compare mode through compare-shell.ts.
attachCompareStore(useCompareStore, appClassOf);

/** The aligned step's label: the stable `Step N / TOTAL` test hook. */
export function alignedStepLabel(c: Comparison | null, step: number): string {
  return `Step ${step} / ${c ? alignedTotal(c) : 0}`;
}
