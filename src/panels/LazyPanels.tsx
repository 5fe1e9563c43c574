/**
 * Panels loaded on first use, after the first render, so they are not part of the initial
 * JavaScript: the kernel-code panel (its pseudocode excerpts, kernel-code.ts, are the largest piece
 * of data of the panels), the refcount table, the address spaces, the findings list, the cost
 * counters, and the SVG patterns of the page looks that only those panels reference. Same props as
 * the panels. Each mounts as soon as its code arrives (deferred.tsx), not with the next step.
 */

import type { Trace } from "../trace/trace.ts";
import type { AddressPanelProps } from "./AddressPanel.tsx";
import type { CostPanelProps } from "./CostPanel.tsx";
import { Deferred, loader } from "./deferred.tsx";
import type { FindingsPanelProps } from "./FindingsPanel.tsx";
import type { RealResult } from "./KernelCodePanel.tsx";
import type { PoolPanelProps } from "./PoolPanel.tsx";
import type { RefcountPanelProps } from "./RefcountPanel.tsx";
import type { TimelinePanelProps } from "./TimelinePanel.tsx";

const CodePanel = loader(() => import("./KernelCodePanel.tsx").then((m) => m.KernelCodePanel));
const SpacesPanel = loader(() => import("./AddressPanel.tsx").then((m) => m.AddressPanel));
const SpacesLegend = loader(() => import("./AddressPanel.tsx").then((m) => m.PteLegend));
const TimePanel = loader(() => import("./TimelinePanel.tsx").then((m) => m.TimelinePanel));
const Pool = loader(() => import("./PoolPanel.tsx").then((m) => m.PoolPanel));
const CostTable = loader(() => import("./CostPanel.tsx").then((m) => m.CostPanel));
const FindingList = loader(() => import("./FindingsPanel.tsx").then((m) => m.FindingsPanel));
const Patterns = loader(() => import("./PatternDefs.tsx").then((m) => m.PatternDefs));
const RefPanel = loader(() => import("./RefcountPanel.tsx").then((m) => m.RefcountPanel));

export function KernelCode(props: {
  readonly trace: Trace;
  readonly step: number;
  readonly real?: RealResult | undefined;
}) {
  return (
    <Deferred
      component={CodePanel}
      props={props}
      fallback={<div className="panel-body code-panel panel-empty">Loading the kernel code…</div>}
    />
  );
}

export function AddressSpaces(props: AddressPanelProps) {
  return (
    <Deferred
      component={SpacesPanel}
      props={props}
      fallback={<div className="panel-body panel-empty">Loading the address spaces…</div>}
    />
  );
}

export function PteKinds({ leaves = false }: { readonly leaves?: boolean }) {
  return <Deferred component={SpacesLegend} props={{ leaves }} fallback={null} />;
}

export function Timeline(props: TimelinePanelProps) {
  return (
    <Deferred
      component={TimePanel}
      props={props}
      fallback={<div className="panel-body panel-empty">Loading the timeline…</div>}
    />
  );
}

export function PoolCells(props: PoolPanelProps) {
  return (
    <Deferred
      component={Pool}
      props={props}
      fallback={<div className="panel-body panel-empty">Loading the pool…</div>}
    />
  );
}

export function Refcounts(props: RefcountPanelProps) {
  return (
    <Deferred
      component={RefPanel}
      props={props}
      fallback={<div className="panel-body panel-empty">Loading the refcounts…</div>}
    />
  );
}

export function Costs(props: CostPanelProps) {
  return (
    <Deferred
      component={CostTable}
      props={props}
      fallback={<div className="panel-body panel-empty">Loading the cost counters…</div>}
    />
  );
}

export function Findings(props: FindingsPanelProps) {
  return (
    <Deferred
      component={FindingList}
      props={props}
      fallback={<div className="panel-body panel-empty">Loading the findings…</div>}
    />
  );
}

/** The page looks' patterns (PatternDefs.tsx), once per document. */
export function PageLookPatterns() {
  return <Deferred component={Patterns} props={{}} fallback={null} />;
}
