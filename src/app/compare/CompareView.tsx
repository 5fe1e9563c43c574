/**
 * Compare mode (issue 6): side B's pickers, the divergence strip with its explanation, the pair's
 * summary table, and the two columns stepping together on the aligned cursor.
 */

import { useEffect, useRef, useState } from "react";
import { useShallow } from "zustand/react/shallow";
import { LookLegend } from "../../panels/PoolParts.tsx";
import { DESIGN_VERSIONS, DESIGNS, type Design, type KernelVersion } from "../../scenario/ast.ts";
import {
  carryFromTrace,
  divergenceAt,
  isDesign,
  nextDivergenceStep,
  prevDivergenceStep,
  sideStepOf,
  useCompareStore,
} from "../../store/compare.ts";
import { useLinkStore } from "../../store/link-store.ts";
import { selectSpeed } from "../../store/selectors.ts";
import { useStore } from "../../store/store.ts";
import { type Comparison, statementAt } from "../../trace/diff.ts";
import { loadPresetText, usePresetIndex } from "../presets.ts";
import { StaleTraceNote, useStaleLine } from "../StaleTrace.tsx";
import { versionNote } from "../version-help.ts";
import { CompareColumn } from "./CompareColumn.tsx";
import { CompareSummary } from "./CompareSummary.tsx";
import { DivergenceStrip } from "./DivergenceStrip.tsx";
import { useComparePlayback } from "./playback.ts";
import "./compare.css";

/** Shows or hides side A's scenario editor beside the columns. */
function EditorToggle() {
  const on = useCompareStore((s) => s.showEditor);
  return (
    <button
      type="button"
      className="editor-toggle"
      aria-pressed={on}
      data-testid="editor-toggle"
      title="Edit side A's scenario (side B runs the same text unless it has its own)"
      onClick={() => useCompareStore.getState().toggleEditor()}
    >
      {on ? "Hide scenario" : "Edit scenario"}
    </button>
  );
}

const SAME = "";
const EDIT = "edit";

/**
 * Side B's kernel version: the versions B's design runs in (a historical design shows 5.10).
 * Choosing one pins B's design with it, as a link's `vs=upstream@6.5` does.
 */
function SideBVersion() {
  const b = useCompareStore((s) => s.comparison?.b ?? null);
  if (!b) return null;
  const versions = DESIGN_VERSIONS[b.design];
  return (
    <label title={versionNote(b.version)}>
      <span>kernel</span>
      <select
        data-testid="version-b"
        value={b.version}
        aria-disabled={versions.length === 1 || undefined}
        aria-label={`side B's kernel version: ${versionNote(b.version)}`}
        onChange={(e) => {
          const v = e.target.value as KernelVersion;
          if (versions.includes(v)) useCompareStore.getState().setVersionB(v);
        }}
      >
        {versions.map((v) => (
          <option key={v} value={v} title={versionNote(v)}>
            {v}
          </option>
        ))}
      </select>
    </label>
  );
}

/** Side B's design and scenario. */
function SideBPickers() {
  const { designB, textB } = useCompareStore(useShallow((s) => ({ designB: s.designB, textB: s.textB })));
  const { presets, error, setError } = usePresetIndex();
  const [chosen, setChosen] = useState<{ url: string; text: string } | null>(null);
  // which menu entry the current side B text is: the same scenario, a preset we loaded, or other text
  const scenarioValue = textB === null ? SAME : chosen && chosen.text === textB ? chosen.url : "custom";
  const [editing, setEditing] = useState(false);
  const chooseScenario = async (url: string) => {
    const s = useCompareStore.getState();
    if (url === EDIT) {
      setEditing(true);
      return;
    }
    if (url === SAME) {
      setChosen(null);
      s.setTextB(null);
      return;
    }
    const p = presets.find((x) => x.url === url);
    if (!p) return;
    try {
      const text = await loadPresetText(p);
      setChosen({ url, text });
      setError(null);
      s.setTextB(text);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };
  return (
    <div className="side-b-pickers">
      <label>
        <span>
          <span className="side-tag">B</span> design
        </span>
        <select
          data-testid="design-b"
          value={designB ?? SAME}
          onChange={(e) => {
            const v = e.target.value;
            useCompareStore.getState().setDesignB(isDesign(v) ? (v as Design) : null);
          }}
        >
          <option value={SAME} title="the design of side B's own kernel line">
            as written
          </option>
          {DESIGNS.map((d) => (
            <option key={d} value={d}>
              {d}
            </option>
          ))}
        </select>
      </label>
      <SideBVersion />
      <label>
        <span>scenario</span>
        <select
          data-testid="scenario-b"
          value={scenarioValue}
          onChange={(e) => void chooseScenario(e.target.value)}
          title={error ?? undefined}
        >
          <option value={SAME}>the same as A</option>
          {scenarioValue === "custom" && <option value="custom">its own text</option>}
          {presets.map((p) => (
            <option key={p.url} value={p.url}>
              {p.title}
            </option>
          ))}
          <option value={EDIT}>write its own text…</option>
        </select>
      </label>
      {editing && <SideBTextEditor onClose={() => setEditing(false)} />}
    </div>
  );
}

/** A small editor for side B's own scenario text (starting from B's text, or A's). */
function SideBTextEditor({ onClose }: { readonly onClose: () => void }) {
  const [value, setValue] = useState(() => useCompareStore.getState().textB ?? useStore.getState().text);
  const area = useRef<HTMLTextAreaElement>(null);
  useEffect(() => area.current?.focus(), []);
  const apply = () => {
    const same = value === useStore.getState().text;
    useCompareStore.getState().setTextB(same ? null : value);
    onClose();
  };
  return (
    <div
      className="side-b-text"
      role="dialog"
      aria-label="side B's scenario text"
      data-testid="side-b-text"
      onKeyDown={(e) => {
        if (e.key === "Escape") onClose();
      }}
    >
      <textarea
        ref={area}
        value={value}
        onChange={(e) => setValue(e.target.value)}
        spellCheck={false}
        rows={14}
        data-testid="side-b-textarea"
        aria-label="side B's scenario"
      />
      <div className="side-b-text-buttons">
        <button type="button" onClick={apply} data-testid="side-b-apply">
          Run as side B
        </button>
        <button type="button" onClick={onClose}>
          Cancel
        </button>
        <span className="hint">Esc closes. The same text as A runs A's scenario again.</span>
      </div>
    </div>
  );
}

function DivergenceBar({ c, version, step }: { c: Comparison; version: number; step: number }) {
  const s = useCompareStore.getState();
  const focus = divergenceAt(c, step);
  const prev = prevDivergenceStep(c, step);
  const next = nextDivergenceStep(c, step);
  const n = c.divergences.length;
  return (
    <section className="divergence" aria-label="where the two sides differ">
      <div className="divergence-nav">
        <button
          type="button"
          onClick={() => s.prevDivergence()}
          disabled={prev === null}
          title="Previous divergence ([)"
          data-testid="prev-divergence"
        >
          ◀ prev
        </button>
        <span className="divergence-count" data-testid="divergence-count">
          {n === 0
            ? "no divergence"
            : focus
              ? `${focus.ordinal + 1} of ${n} ${n === 1 ? "divergence" : "divergences"}`
              : `${n} divergences`}
        </span>
        <button
          type="button"
          onClick={() => s.nextDivergence()}
          disabled={next === null}
          title="Next divergence (])"
          data-testid="next-divergence"
        >
          next ▶
        </button>
        <DivergenceStrip comparison={c} version={version} step={step} onScrub={(n) => s.setStep(n)} />
      </div>
      <p className={`divergence-explain${focus?.where === "here" ? " here" : ""}`} aria-live="polite">
        {focus ? (
          <>
            <span className="divergence-where" data-testid="divergence-where">
              line {focus.divergence.line}
              {focus.where === "here"
                ? ""
                : focus.where === "ahead"
                  ? ", later in the run"
                  : ", earlier in the run"}
              :
            </span>{" "}
            <span data-testid="divergence-text">{focus.divergence.explanation}</span>
          </>
        ) : (
          <span data-testid="divergence-text">
            No divergence: {c.labelA} and {c.labelB} have the same outcome at every statement.
          </span>
        )}
      </p>
    </section>
  );
}

/** The header's aligned transport, loaded with this chunk (App.tsx). */
export { CompareTransport } from "./CompareTransport.tsx";

export default function CompareView() {
  useComparePlayback();
  // a link's error is shown where scenario errors go, in the editor: show it when there is one
  const linkError = useLinkStore((s) => s.error);
  useEffect(() => {
    if (linkError && !useCompareStore.getState().showEditor) useCompareStore.getState().toggleEditor();
  }, [linkError]);
  const {
    comparison: c,
    version,
    step,
    playing,
    diagnosticsB,
  } = useCompareStore(
    useShallow((s) => ({
      comparison: s.comparison,
      version: s.version,
      step: s.step,
      playing: s.playing,
      diagnosticsB: s.diagnosticsB,
    })),
  );
  const speed = useStore(selectSpeed);
  const hasA = useStore((s) => s.trace !== null);
  const staleLine = useStaleLine();

  let body: React.ReactNode;
  if (!hasA) {
    body = <p className="compare-empty">The scenario has not run yet: fix its errors to see it run.</p>;
  } else if (!c) {
    const d = diagnosticsB[0];
    body = (
      <p className="compare-empty" role="alert" data-testid="side-b-error">
        Side B's scenario does not run
        {d ? `: line ${d.line}:${d.col}: ${d.message}` : "."}
      </p>
    );
  } else {
    const a = sideStepOf(c, "a", step);
    const b = sideStepOf(c, "b", step);
    const jump = (side: "a" | "b") => (own: number) => {
      const s = useCompareStore.getState();
      s.pause();
      s.setStep(carryFromTrace(side === "a" ? c.a : c.b, own, c));
    };
    body = (
      <>
        {staleLine !== null && <StaleTraceNote line={staleLine} />}
        <DivergenceBar c={c} version={version} step={step} />
        <CompareSummary comparison={c} />
        <div className="compare-columns">
          <CompareColumn
            side="a"
            label={c.labelA}
            trace={c.a}
            version={version}
            step={a}
            waiting={waits(c, "a", step)}
            playing={playing}
            speed={speed}
            onJump={jump("a")}
          />
          <CompareColumn
            side="b"
            label={c.labelB}
            trace={c.b}
            version={version}
            step={b}
            waiting={waits(c, "b", step)}
            playing={playing}
            speed={speed}
            onJump={jump("b")}
          />
        </div>
      </>
    );
  }
  return (
    <main
      className={`workspace compare-view${staleLine !== null ? " stale" : ""}`}
      data-testid="compare-view"
    >
      <div className="compare-bar">
        <SideBPickers />
        <EditorToggle />
        <LookLegend />
      </div>
      {body}
    </main>
  );
}

/** Whether a side did not advance at this aligned step: it waits at the end of the statement. */
function waits(c: Comparison, side: "a" | "b", step: number): boolean {
  const i = statementAt(c, step);
  if (step <= c.starts[i]!) return false;
  return sideStepOf(c, side, step) === sideStepOf(c, side, step - 1);
}
