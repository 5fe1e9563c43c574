/**
 * The app store (zustand): the scenario text, its parse/run result, the last good trace, the
 * cursor position (`step`), play state and the selected page. It never holds kernel state: the
 * state at `step` comes from stateAtStep(trace, step) (cursors.ts).
 *
 * Actions are colocated with the state (one store, flux-like). `loadScenario` and `setStep` are the
 * entry points other features (share links) use.
 */

import { create } from "zustand";
import type { Design, Diagnostic } from "../scenario/ast.ts";
import { DESIGN_VERSIONS, DESIGNS, KERNEL_VERSIONS, type KernelVersion } from "../scenario/ast.ts";
import { runText } from "../trace/run.ts";
import type { Trace } from "../trace/trace.ts";
import { type CursorState, cursorActions } from "./cursor-actions.ts";
import { carryStep, clampStep, nextStatementStep, prevStatementStep, SPEEDS } from "./selectors.ts";

export interface PageRef {
  readonly dev: number;
  readonly page: number;
}

/** The app store; its cursor actions (setStep … togglePlay) are those of cursor-actions.ts. */
export interface AppState extends CursorState {
  /** the scenario text in the editor */
  text: string;
  /** design override from the design switch; null = the scenario's `kernel` statement */
  design: Design | null;
  /** kernel version override (with `design`, or for the scenario's own design); null = as written */
  version: KernelVersion | null;
  /** diagnostics of the current text (empty when it ran) */
  diagnostics: readonly Diagnostic[];
  /** the last good run; stays on screen while the text has errors */
  trace: Trace | null;
  /** the text `trace` is the run of (differs from `text` while an edit waits to run, or has errors) */
  traceText: string;
  /** bumped on every new trace, so memoised views can key on it cheaply */
  traceVersion: number;
  /** cursor: the state shown is the one after the event of this step */
  step: number;
  playing: boolean;
  /** index into SPEEDS (events per second) */
  speedIndex: number;
  selected: PageRef | null;

  setText(text: string): void;
  /**
   * parses and runs the current text (with the design override); keeps the last good trace on error.
   * A text, design and version whose run is what the store shows already are not run again.
   */
  run(): void;
  loadScenario(
    text: string,
    opts?: { step?: number; design?: Design | null; version?: KernelVersion | null },
  ): void;
  setDesign(design: Design | null): void;
  /**
   * Runs the design on screen in another kernel version (the version switch). A version belongs to
   * a design, as in links (`design=upstream@6.12`) and the CLI (`--kernel upstream@6.12`): choosing
   * one also pins the design it was chosen for. A version that design does not run in is ignored;
   * null goes back to the version the scenario (or the design's default) asks for.
   */
  setVersion(version: KernelVersion | null): void;
  faster(): void;
  slower(): void;
  select(page: PageRef | null): void;
}

export const STORAGE_TEXT = "p2pviz.scenario";
export const STORAGE_DESIGN = "p2pviz.design";
/** the version override, saved beside the design override it belongs to */
export const STORAGE_VERSION = "p2pviz.version";

export const DEFAULT_SCENARIO = `# A process maps 64K of p2pmem, forks, and lets go.
kernel upstream
device nvme0 1M
process fio
fio mmap buf nvme0 64K
fio fork child
fio pin io1 buf 0 8K
fio munmap buf          # pages stay allocated: the child still maps them
child exit              # unpinned pages go back to the pool
unpin io1               # the I/O completes: the last two pages return
`;

function storage(): Storage | null {
  try {
    return typeof localStorage === "undefined" ? null : localStorage;
  } catch {
    return null;
  }
}

/** The scenario text saved in this browser, if any. */
export function savedText(): string | null {
  try {
    return storage()?.getItem(STORAGE_TEXT) ?? null;
  } catch {
    return null;
  }
}

/** A version override that can stand: with a design override that runs in it. */
export function validVersion(design: Design | null, version: unknown): KernelVersion | null {
  if (!design || typeof version !== "string") return null;
  if (!(KERNEL_VERSIONS as readonly string[]).includes(version)) return null;
  return DESIGN_VERSIONS[design].includes(version as KernelVersion) ? (version as KernelVersion) : null;
}

function loadSaved(): { text: string; design: Design | null; version: KernelVersion | null } {
  const ls = storage();
  const text = ls?.getItem(STORAGE_TEXT) ?? DEFAULT_SCENARIO;
  const d = ls?.getItem(STORAGE_DESIGN);
  const design = d && (DESIGNS as readonly string[]).includes(d) ? (d as Design) : null;
  return { text, design, version: validVersion(design, ls?.getItem(STORAGE_VERSION)) };
}

function save(text: string, design: Design | null, version: KernelVersion | null): void {
  const ls = storage();
  if (!ls) return;
  try {
    ls.setItem(STORAGE_TEXT, text);
    if (design) ls.setItem(STORAGE_DESIGN, design);
    else ls.removeItem(STORAGE_DESIGN);
    if (design && version) ls.setItem(STORAGE_VERSION, version);
    else ls.removeItem(STORAGE_VERSION);
  } catch {
    // storage full or disabled: the scenario still runs, it just won't survive a reload
  }
}

type RunOutcome = { ok: true; trace: Trace } | { ok: false; diagnostics: readonly Diagnostic[] };

function runSafely(text: string, design: Design | null, version: KernelVersion | null): RunOutcome {
  try {
    return runText(text, { ...(design && { design }), ...(version && { version }) });
  } catch (e) {
    // An engine exception is a bug, not a scenario error; show it where errors go rather than crash.
    const message = `internal error: ${e instanceof Error ? e.message : String(e)}`;
    return { ok: false, diagnostics: [{ line: 1, col: 1, endCol: 1, message }] };
  }
}

const saved = loadSaved();

export const useStore = create<AppState>()((set, get) => {
  const apply = (outcome: RunOutcome, step: number | undefined): void => {
    if (!outcome.ok) {
      set({ diagnostics: outcome.diagnostics });
      return;
    }
    const { trace: old, step: oldStep, traceVersion, text } = get();
    const next = outcome.trace;
    const s = step !== undefined ? clampStep(next, step) : carryStep(old, oldStep, next);
    set({
      diagnostics: [],
      trace: next,
      traceText: text,
      traceVersion: traceVersion + 1,
      step: s,
      selected: null,
    });
  };

  /**
   * The last run, and whether to run again: a run of the same text, design and version gives the
   * same trace (the engine is deterministic), so while the store still shows that run's outcome, it
   * is not run again. Opening a link or a preset sets the text and runs it, and the editor's
   * run-as-you-type then saw a new text and ran it a second time, 250 ms later: 0.4 s of main thread
   * for a trace already on screen with eight 32 GiB devices, and every panel drawn again.
   */
  let last: {
    text: string;
    design: Design | null;
    version: KernelVersion | null;
    outcome: RunOutcome;
  } | null = null;
  const runOf = (text: string, design: Design | null, version: KernelVersion | null) => {
    const s = get();
    const o = last?.outcome;
    const shown = o !== undefined && (o.ok ? s.trace === o.trace : s.diagnostics === o.diagnostics);
    if (last && shown && last.text === text && last.design === design && last.version === version)
      return { outcome: last.outcome, fresh: false };
    const outcome = runSafely(text, design, version);
    last = { text, design, version, outcome };
    return { outcome, fresh: true };
  };

  return {
    text: saved.text,
    design: saved.design,
    version: saved.version,
    diagnostics: [],
    trace: null,
    traceText: "",
    traceVersion: 0,
    step: 0,
    playing: false,
    speedIndex: 3,
    selected: null,

    setText(text) {
      set({ text });
      save(text, get().design, get().version);
    },
    run() {
      const { text, design, version } = get();
      const r = runOf(text, design, version);
      if (r.fresh) apply(r.outcome, undefined);
    },
    loadScenario(text, opts = {}) {
      const design = opts.design === undefined ? get().design : opts.design;
      const version = validVersion(
        design,
        opts.version === undefined ? (opts.design === undefined ? get().version : null) : opts.version,
      );
      set({ text, design, version, playing: false });
      save(text, design, version);
      const { outcome: out, fresh } = runOf(text, design, version);
      if (fresh) apply(out, out.ok ? (opts.step ?? 0) : undefined);
      else if (out.ok) set({ step: clampStep(out.trace, opts.step ?? 0), selected: null });
    },
    setDesign(design) {
      // another design runs in its own default kernel unless a version is chosen for it
      set({ design, version: null });
      save(get().text, design, null);
      get().run();
    },
    setVersion(version) {
      const { design: override, trace, text } = get();
      // the design on screen: the override, else the one the scenario's kernel line ran
      const design = override ?? trace?.design ?? null;
      if (version !== null && validVersion(design, version) === null) return;
      set({ design, version });
      save(text, design, version);
      get().run();
    },
    ...cursorActions(get, set, {
      clamp: (s, step) => clampStep(s.trace, step),
      total: (s) => (s.trace ? s.trace.steps : 0),
      nextStatement: ({ trace, step }) => (trace ? nextStatementStep(trace, step) : null),
      prevStatement: ({ trace, step }) => (trace ? prevStatementStep(trace, step) : null),
    }),
    faster() {
      set({ speedIndex: Math.min(SPEEDS.length - 1, get().speedIndex + 1) });
    },
    slower() {
      set({ speedIndex: Math.max(0, get().speedIndex - 1) });
    },
    select(page) {
      set({ selected: page });
    },
  };
});

/** Store actions for other features (share links): load a scenario and jump to a step. */
export const loadScenario = (
  text: string,
  opts?: { step?: number; design?: Design | null; version?: KernelVersion | null },
): void => useStore.getState().loadScenario(text, opts);
export const setStep = (step: number): void => useStore.getState().setStep(step);
