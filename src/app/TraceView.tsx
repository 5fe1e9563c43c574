/**
 * The panels for one trace at one step. It takes its data as props (not from the store) so that a
 * compare mode can put two of these side by side.
 */

import { useEffect, useRef, useState } from "react";
import { FindingsArea, type FindingsTab } from "../panels/FindingsArea.tsx";
import type { RealResult } from "../panels/KernelCodePanel.tsx";
import {
  AddressSpaces,
  KernelCode,
  PoolCells,
  PteKinds,
  Refcounts,
  Timeline,
} from "../panels/LazyPanels.tsx";
import { motionMs } from "../panels/motion.ts";
import { LookLegend } from "../panels/PoolParts.tsx";
import { stateAtStep } from "../store/cursors.ts";
import { opAt } from "../store/selectors.ts";
import type { PageRef } from "../store/store.ts";
import { eventAt, type Trace } from "../trace/trace.ts";
import { isProposal } from "./proposal.ts";
import { Narration, PoolSummary, scenarioDevices } from "./TraceParts.tsx";

export interface TraceViewProps {
  readonly trace: Trace;
  readonly traceVersion: number;
  readonly step: number;
  readonly playing: boolean;
  readonly speed: number;
  readonly selected: PageRef | null;
  readonly onSelect: (p: PageRef) => void;
  readonly onStep: (step: number) => void;
  /** what a real kernel did with the current statement, for recorded presets */
  readonly real?: RealResult | undefined;
}

/** The process the statement at `step` acts on, by name (null for devices, pins, setup). */
function statementProcess(trace: Trace, step: number): string | null {
  const op = opAt(trace, step);
  const st = op ? trace.scenario.statements[op.index] : undefined;
  return st && "proc" in st && typeof st.proc === "string" ? st.proc : null;
}

/**
 * The largest device the trace's scenario creates, in pages (scenarioDevices): the pool panel picks
 * its drawing once per trace with it.
 */
export function largestDevicePages(trace: Trace): number {
  return scenarioDevices(trace).reduce((most, d) => Math.max(most, d.pages), 0);
}

/**
 * The panels' transition length for this render: `ms` for a step to the next or the previous event,
 * none for a jump (a scrub, Home/End, a statement or a finding away). A jump's rows and ribbons have
 * nowhere meaningful to glide from, and animating them ran every moved element's transition each
 * frame for `ms` after the step (hundreds of refcount rows when a scrub crosses an eight-device mmap).
 */
export function useStepMotion(traceVersion: number, step: number, ms: number): number {
  const last = useRef<{ traceVersion: number; step: number } | null>(null);
  const prev = last.current;
  useEffect(() => {
    last.current = { traceVersion, step };
  });
  const jumped = prev !== null && (prev.traceVersion !== traceVersion || Math.abs(step - prev.step) > 1);
  return jumped ? 0 : ms;
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
  real,
}: TraceViewProps) {
  // WARNING: `state` is the cursor's live object; panels turn it into view models during this render.
  const state = stateAtStep(trace, step);
  const event = eventAt(trace, step);
  const stateKey = `${traceVersion}:${step}`;
  const motion = useStepMotion(traceVersion, step, motionMs(220, playing, speed));
  const [tab, setTab] = useState<FindingsTab>("findings");

  return (
    <div className={`trace-view tab-${tab}`}>
      <section className="panel pool" aria-labelledby="h-pool">
        <header>
          <h2 id="h-pool">BAR pool</h2>
          <PoolSummary state={state} trace={trace} />
          <LookLegend />
        </header>
        <PoolCells
          state={state}
          event={event}
          stateKey={stateKey}
          motion={motion}
          selected={selected}
          onSelect={onSelect}
          tracePages={largestDevicePages(trace)}
          traceDevices={trace.deviceNames.length}
        />
      </section>

      <section className="panel spaces" aria-labelledby="h-spaces">
        <header>
          <h2 id="h-spaces">Address spaces</h2>
          <PteKinds leaves={isProposal(trace.design)} />
        </header>
        <AddressSpaces
          state={state}
          event={event}
          stateKey={stateKey}
          motion={motion}
          focus={statementProcess(trace, step)}
        />
      </section>

      <section className="panel refs" aria-labelledby="h-refs">
        <header>
          <h2 id="h-refs">Refcounts</h2>
        </header>
        <Refcounts state={state} event={event} stateKey={stateKey} motion={motion} selected={selected} />
      </section>

      <section className="panel code" aria-labelledby="h-code">
        <header>
          <h2 id="h-code">Kernel code</h2>
        </header>
        <KernelCode trace={trace} step={step} real={real} />
      </section>

      <FindingsArea
        trace={trace}
        step={step}
        onJump={onStep}
        devices={state.devices.map((d) => ({ name: d.name, pages: d.pages }))}
        level={2}
        headingId="h-findings"
        tab={tab}
        onTab={setTab}
      />

      <section className="panel time" aria-label="timeline and narration">
        <Narration trace={trace} step={step} live />
        <Timeline trace={trace} traceVersion={traceVersion} step={step} onScrub={onStep} />
      </section>
    </div>
  );
}
