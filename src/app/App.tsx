/**
 * The app shell: header (presets, design switch, transport), the editor on the left and the
 * panels of the current trace on the right. To add a component (a Share button), put it in the
 * header's `.tools` group below.
 */

import { lazy, Suspense } from "react";
import { useShallow } from "zustand/react/shallow";
import type { RealResult } from "../panels/KernelCodePanel.tsx";
import { PageLookPatterns } from "../panels/LazyPanels.tsx";
import { useCompareShell } from "../store/compare-shell.ts";
import { useLinkStore } from "../store/link-store.ts";
import { opAt, selectSpeed } from "../store/selectors.ts";
import { useStore } from "../store/store.ts";
import type { Trace } from "../trace/trace.ts";
import { CompareToggle } from "./compare/CompareToggle.tsx";
import { Editor, useBrokenLink } from "./Editor.tsx";
import { useKeyboard } from "./keyboard.ts";
import { usePlayback } from "./playback.ts";
import type { realStatusOf as RealStatusOf } from "./real-status.ts";
import { useRealStatus } from "./real-status-lazy.ts";
import { ShareMenu, useUrlSync } from "./ShareMenu.tsx";
import { SideResizer } from "./SideResizer.tsx";
import { StaleTraceNote, useStaleLine } from "./StaleTrace.tsx";
import { DesignSwitch, PresetMenu, VersionSwitch } from "./Toolbar.tsx";
import { StoppedEarly } from "./TraceParts.tsx";
import { TraceView } from "./TraceView.tsx";
import { Transport } from "./Transport.tsx";

/** The real kernel's result for the statement at `step`, when the scenario is a recorded preset. */
function realResultAt(
  realStatusOf: typeof RealStatusOf | null,
  text: string,
  trace: Trace,
  step: number,
): RealResult | undefined {
  const status = realStatusOf?.(text, trace.design, trace.version);
  const op = opAt(trace, step);
  const seen = op && status?.byLine.get(op.line);
  if (!status || !op || !seen) return undefined;
  const reason = status.reasons.get(op.line);
  return { kernel: status.kernel, result: seen.result, model: op.result, ...(reason ? { reason } : {}) };
}

function Workspace() {
  const { trace, traceVersion, step, playing, selected } = useStore(
    useShallow((s) => ({
      trace: s.trace,
      traceVersion: s.traceVersion,
      step: s.step,
      playing: s.playing,
      selected: s.selected,
    })),
  );
  const speed = useStore(selectSpeed);
  const setStep = useStore((s) => s.setStep);
  const select = useStore((s) => s.select);
  const text = useStore((s) => s.text);
  const realStatusOf = useRealStatus();
  const staleLine = useStaleLine();
  const broken = useBrokenLink();
  if (broken) {
    return (
      <main className="workspace empty" data-testid="no-scenario">
        The share link could not be opened: see the message beside.
      </main>
    );
  }
  if (!trace) {
    return (
      <main className="workspace empty">
        {text.trim() === ""
          ? "Write a scenario, or choose a preset, to see it run."
          : "The scenario has not run yet: fix its errors to see it run."}
      </main>
    );
  }
  const real = realResultAt(realStatusOf, text, trace, step);
  return (
    <main className={`workspace${staleLine !== null ? " stale" : ""}`}>
      {staleLine !== null && <StaleTraceNote line={staleLine} />}
      <StoppedEarly trace={trace} />
      <TraceView
        trace={trace}
        traceVersion={traceVersion}
        step={step}
        playing={playing}
        speed={speed}
        selected={selected}
        onSelect={select}
        real={real}
        onStep={(n) => {
          useStore.getState().pause();
          setStep(n);
        }}
      />
    </main>
  );
}

/** Compare mode, on first use (with its transport: both load in one chunk). */
const CompareView = lazy(() => import("./compare/CompareView.tsx"));
const CompareTransport = lazy(() =>
  import("./compare/CompareView.tsx").then((m) => ({ default: m.CompareTransport })),
);

function CompareLoading() {
  return <main className="workspace empty">Loading compare mode…</main>;
}

/** The header's stepping controls: compare mode's aligned cursor, or the app's. */
function HeaderTransport({ compare }: { compare: boolean }) {
  if (!compare) return <Transport />;
  return (
    <Suspense fallback={null}>
      <CompareTransport />
    </Suspense>
  );
}

export function App() {
  useKeyboard();
  usePlayback();
  useUrlSync();
  const appClass = useCompareShell((s) => s.appClass);
  const compare = appClass !== "app";
  const embed = useLinkStore((s) => s.embed !== null);
  const workspace = compare ? (
    <Suspense fallback={<CompareLoading />}>
      <CompareView />
    </Suspense>
  ) : (
    <Workspace />
  );
  if (embed) {
    // for an iframe: the panels and the stepping controls, no editor and no toolbar
    return (
      <div className={`${appClass} embed`}>
        <PageLookPatterns />
        <header className="app-header">
          <HeaderTransport compare={compare} />
        </header>
        {workspace}
      </div>
    );
  }
  return (
    <div className={appClass}>
      <PageLookPatterns />
      <header className="app-header">
        <h1>
          p2pviz <span className="tagline">P2PDMA p2pmem, page by page</span>
        </h1>
        <div className="tools">
          <PresetMenu />
          <DesignSwitch />
          <VersionSwitch />
          <CompareToggle />
          <ShareMenu />
        </div>
        <HeaderTransport compare={compare} />
      </header>
      <aside className="side" id="scenario-column" aria-label="scenario">
        <Editor />
        <SideResizer />
      </aside>
      {workspace}
    </div>
  );
}
