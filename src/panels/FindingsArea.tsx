/**
 * The findings panel's section with two tabs: the findings, and the cost of the run (the counters
 * of huge.md §6.3, src/panels/CostPanel.tsx, loaded on first use). The single view and each column
 * of compare mode show it alike. The heading names the tab shown, for screen readers and exports.
 */

import { useId } from "react";
import type { Trace } from "../trace/trace.ts";
import { Costs, Findings } from "./LazyPanels.tsx";

export interface FindingsAreaProps {
  readonly trace: Trace;
  readonly step: number;
  readonly onJump: (step: number) => void;
  /** each device with its pages (for the cost tab's vmemmap line) */
  readonly devices: readonly { readonly name: string; readonly pages: number }[];
  /** h2 in the single view, h3 inside a compare column */
  readonly level: 2 | 3;
  /** the heading's id (the single view's is "h-findings") */
  readonly headingId?: string;
  /**
   * The tab shown, held by the parent: its grid gives the cost tab more room (a class on the grid,
   * not a `:has()` rule, which Chromium re-matched over the whole view at every step).
   */
  readonly tab: FindingsTab;
  readonly onTab: (tab: FindingsTab) => void;
}

export type FindingsTab = "findings" | "cost";

export function FindingsArea({
  trace,
  step,
  onJump,
  devices,
  level,
  headingId,
  tab,
  onTab,
}: FindingsAreaProps) {
  const auto = useId();
  const hid = headingId ?? `${auto}-findings`;
  const findingsTitle = `Findings (${trace.findings.length})`;
  const H = level === 2 ? "h2" : "h3";
  const tabButton = (t: FindingsTab, label: string) => (
    <button
      type="button"
      role="tab"
      id={`${auto}-tab-${t}`}
      aria-selected={tab === t}
      aria-controls={`${auto}-panel`}
      className="panel-tab"
      data-testid={`tab-${t}`}
      onClick={() => onTab(t)}
    >
      {label}
    </button>
  );
  return (
    <section className="panel findings-panel" aria-labelledby={hid}>
      <header>
        <H id={hid} className="visually-hidden">
          {tab === "findings" ? findingsTitle : "Cost"}
        </H>
        <div role="tablist" aria-label="findings or cost" className="panel-tabs">
          {tabButton("findings", findingsTitle)}
          {tabButton("cost", "Cost")}
        </div>
      </header>
      <div
        className="panel-tabpanel"
        role="tabpanel"
        id={`${auto}-panel`}
        aria-labelledby={`${auto}-tab-${tab}`}
      >
        {tab === "findings" ? (
          <Findings trace={trace} step={step} onJump={onJump} />
        ) : (
          <Costs trace={trace} step={step} devices={devices} onJump={onJump} />
        )}
      </div>
    </section>
  );
}
