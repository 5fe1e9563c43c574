/**
 * The panels for one trace at one step. It takes its data as props (not from the store) so that a
 * compare mode can put two of these side by side.
 */

import type { KernelEvent } from "../kernel/events.ts";
import { AddressPanel, PteLegend } from "../panels/AddressPanel.tsx";
import { motionMs } from "../panels/common.ts";
import { FindingsPanel } from "../panels/FindingsPanel.tsx";
import { KernelCodePanel } from "../panels/KernelCodePanel.tsx";
import { LookLegend, PoolPanel, poolSummary } from "../panels/PoolPanel.tsx";
import { RefcountPanel } from "../panels/RefcountPanel.tsx";
import { TimelinePanel } from "../panels/TimelinePanel.tsx";
import { stateAtStep } from "../store/cursors.ts";
import { opAt } from "../store/selectors.ts";
import type { PageRef } from "../store/store.ts";
import { describeEvent } from "../trace/describe.ts";
import type { Trace } from "../trace/trace.ts";

export interface TraceViewProps {
  readonly trace: Trace;
  readonly traceVersion: number;
  readonly step: number;
  readonly playing: boolean;
  readonly speed: number;
  readonly selected: PageRef | null;
  readonly onSelect: (p: PageRef) => void;
  readonly onStep: (step: number) => void;
}

function narration(trace: Trace, ev: KernelEvent | undefined): string {
  if (!ev) return "The scenario did nothing.";
  return describeEvent(trace, ev);
}

export function TraceView({
  trace,
  traceVersion,
  step,
  playing,
  speed,
  selected,
  onSelect,
  onStep,
}: TraceViewProps) {
  // WARNING: `state` is the cursor's live object; panels turn it into view models during this render.
  const state = stateAtStep(trace, step);
  const event = trace.events[step];
  const stateKey = `${traceVersion}:${step}`;
  const motion = motionMs(220, playing, speed);
  const op = opAt(trace, step);

  return (
    <div className="trace-view">
      <section className="panel pool" aria-labelledby="h-pool">
        <header>
          <h2 id="h-pool">BAR pool</h2>
          <p className="pool-summary" data-testid="pool-summary">
            {state.devices.map((d, i) => (
              <span key={d.name} data-dev={d.name}>
                {i > 0 ? "; " : ""}
                {poolSummary({ name: d.name, free: d.freePages, pages: d.pages })}
              </span>
            ))}
          </p>
          <LookLegend />
        </header>
        <PoolPanel
          state={state}
          event={event}
          stateKey={stateKey}
          motion={motion}
          selected={selected}
          onSelect={onSelect}
        />
      </section>

      <section className="panel spaces" aria-labelledby="h-spaces">
        <header>
          <h2 id="h-spaces">Address spaces</h2>
          <PteLegend />
        </header>
        <AddressPanel state={state} event={event} stateKey={stateKey} motion={motion} />
      </section>

      <section className="panel refs" aria-labelledby="h-refs">
        <header>
          <h2 id="h-refs">Refcounts</h2>
        </header>
        <RefcountPanel state={state} event={event} stateKey={stateKey} motion={motion} selected={selected} />
      </section>

      <section className="panel code" aria-labelledby="h-code">
        <header>
          <h2 id="h-code">Kernel code</h2>
        </header>
        <KernelCodePanel event={event} />
      </section>

      <section className="panel findings-panel" aria-labelledby="h-findings">
        <header>
          <h2 id="h-findings">Findings ({trace.findings.length})</h2>
        </header>
        <FindingsPanel trace={trace} step={step} onJump={onStep} />
      </section>

      <section className="panel time" aria-label="timeline and narration">
        <p className="narration" aria-live="polite" data-testid="narration">
          {op && (
            <span className="narration-op">
              line {op.line}: <code>{op.text}</code> →{" "}
              <b className={op.result === "ok" ? "ok" : "bad"}>{op.result}</b>
              {" · "}
            </span>
          )}
          {narration(trace, event)}
        </p>
        <TimelinePanel trace={trace} traceVersion={traceVersion} step={step} onScrub={onStep} />
      </section>
    </div>
  );
}
