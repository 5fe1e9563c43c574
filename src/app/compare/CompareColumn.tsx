/**
 * One side of compare mode: the panels of the single view (pool, address spaces, refcounts,
 * kernel code, findings) for one trace at the step that side shows at the aligned cursor, compact.
 * Each column scopes its own test hooks: data-testid="compare-a" / "compare-b" around them.
 */

import { useId, useState } from "react";
import { FindingsArea, type FindingsTab } from "../../panels/FindingsArea.tsx";
import { AddressSpaces, KernelCode, PoolCells, Refcounts } from "../../panels/LazyPanels.tsx";
import { motionMs } from "../../panels/motion.ts";
import { stateAtStep } from "../../store/cursors.ts";
import type { PageRef } from "../../store/store.ts";
import { eventAt, type Trace } from "../../trace/trace.ts";
import { isProposal } from "../proposal.ts";
import { ProposalBadge } from "../RealBadge.tsx";
import { Narration, PoolSummary, StoppedEarly } from "../TraceParts.tsx";
import { largestDevicePages } from "../TraceView.tsx";

export interface CompareColumnProps {
  readonly side: "a" | "b";
  readonly label: string;
  readonly trace: Trace;
  /** changes whenever the comparison (and so possibly this trace) changes */
  readonly version: number;
  /** the step of this trace shown at the aligned cursor */
  readonly step: number;
  /** whether this side has events left in the current statement (false = it waits for the other) */
  readonly waiting: boolean;
  readonly playing: boolean;
  readonly speed: number;
  /** jump the aligned cursor to where this side shows its own step `step` */
  readonly onJump: (step: number) => void;
}

export function CompareColumn({
  side,
  label,
  trace,
  version,
  step,
  waiting,
  playing,
  speed,
  onJump,
}: CompareColumnProps) {
  const id = useId();
  const [selected, setSelected] = useState<PageRef | null>(null);
  const [tab, setTab] = useState<FindingsTab>("findings");
  // WARNING: `state` is the cursor's live object; the panels build their view models in this render.
  const state = stateAtStep(trace, step);
  const event = eventAt(trace, step);
  const stateKey = `${version}:${side}:${step}`;
  const motion = motionMs(220, playing, speed);
  const total = trace.steps;

  return (
    <section
      className={`compare-col compare-${side} tab-${tab}`}
      data-testid={`compare-${side}`}
      data-design={trace.design}
      data-version={trace.version}
      aria-label={`side ${side.toUpperCase()}: ${label}`}
    >
      <header className="compare-col-head">
        <h2>
          <span className="side-tag">{side.toUpperCase()}</span> {label}
        </h2>
        <span className="side-step" data-testid="side-step">
          step {step} / {total}
          {waiting && <span className="waiting"> · waits for the other side</span>}
        </span>
        {isProposal(trace.design) && <ProposalBadge design={trace.design} />}
        <StoppedEarly trace={trace} />
        <Narration trace={trace} step={step} titled />
      </header>

      <section className="panel pool" aria-labelledby={`${id}-pool`}>
        <header>
          <h3 id={`${id}-pool`}>BAR pool</h3>
          <PoolSummary state={state} trace={trace} scrolls />
        </header>
        <PoolCells
          state={state}
          event={event}
          stateKey={stateKey}
          motion={motion}
          selected={selected}
          onSelect={setSelected}
          tracePages={largestDevicePages(trace)}
          traceDevices={trace.deviceNames.length}
        />
      </section>

      <section className="panel spaces" aria-labelledby={`${id}-spaces`}>
        <header>
          <h3 id={`${id}-spaces`}>Address spaces</h3>
        </header>
        <AddressSpaces state={state} event={event} stateKey={stateKey} motion={motion} />
      </section>

      <section className="panel refs" aria-labelledby={`${id}-refs`}>
        <header>
          <h3 id={`${id}-refs`}>Refcounts</h3>
        </header>
        <Refcounts state={state} event={event} stateKey={stateKey} motion={motion} />
      </section>

      <section className="panel code" aria-labelledby={`${id}-code`}>
        <header>
          <h3 id={`${id}-code`}>Kernel code</h3>
        </header>
        <KernelCode trace={trace} step={step} />
      </section>

      <FindingsArea
        trace={trace}
        step={step}
        onJump={onJump}
        devices={state.devices.map((d) => ({ name: d.name, pages: d.pages }))}
        level={3}
        tab={tab}
        onTab={setTab}
      />
    </section>
  );
}
