/**
 * Panels loaded on first use, after the first render, so they are not part of the initial
 * JavaScript: the kernel-code panel (its pseudocode excerpts, kernel-code.ts, are the largest piece
 * of data of the panels), the refcount table, the address spaces, the findings list, the cost
 * counters, and the SVG patterns of the page looks that only those panels reference. Same props as
 * the panels.
 */

import { lazy, Suspense } from "react";
import type { Trace } from "../trace/trace.ts";
import type { AddressPanelProps } from "./AddressPanel.tsx";
import type { CostPanelProps } from "./CostPanel.tsx";
import type { FindingsPanelProps } from "./FindingsPanel.tsx";
import type { RealResult } from "./KernelCodePanel.tsx";
import type { PoolPanelProps } from "./PoolPanel.tsx";
import type { RefcountPanelProps } from "./RefcountPanel.tsx";
import type { TimelinePanelProps } from "./TimelinePanel.tsx";

const CodePanel = lazy(() => import("./KernelCodePanel.tsx").then((m) => ({ default: m.KernelCodePanel })));
const SpacesPanel = lazy(() => import("./AddressPanel.tsx").then((m) => ({ default: m.AddressPanel })));
const SpacesLegend = lazy(() => import("./AddressPanel.tsx").then((m) => ({ default: m.PteLegend })));
const TimePanel = lazy(() => import("./TimelinePanel.tsx").then((m) => ({ default: m.TimelinePanel })));
const Pool = lazy(() => import("./PoolPanel.tsx").then((m) => ({ default: m.PoolPanel })));
const CostTable = lazy(() => import("./CostPanel.tsx").then((m) => ({ default: m.CostPanel })));
const FindingList = lazy(() => import("./FindingsPanel.tsx").then((m) => ({ default: m.FindingsPanel })));
const Patterns = lazy(() => import("./PatternDefs.tsx").then((m) => ({ default: m.PatternDefs })));
const RefPanel = lazy(() => import("./RefcountPanel.tsx").then((m) => ({ default: m.RefcountPanel })));

export function KernelCode(props: {
  readonly trace: Trace;
  readonly step: number;
  readonly real?: RealResult | undefined;
}) {
  return (
    <Suspense fallback={<div className="panel-body code-panel panel-empty">Loading the kernel code…</div>}>
      <CodePanel {...props} />
    </Suspense>
  );
}

export function AddressSpaces(props: AddressPanelProps) {
  return (
    <Suspense fallback={<div className="panel-body panel-empty">Loading the address spaces…</div>}>
      <SpacesPanel {...props} />
    </Suspense>
  );
}

export function PteKinds({ leaves = false }: { readonly leaves?: boolean }) {
  return (
    <Suspense fallback={null}>
      <SpacesLegend leaves={leaves} />
    </Suspense>
  );
}

export function Timeline(props: TimelinePanelProps) {
  return (
    <Suspense fallback={<div className="panel-body panel-empty">Loading the timeline…</div>}>
      <TimePanel {...props} />
    </Suspense>
  );
}

export function PoolCells(props: PoolPanelProps) {
  return (
    <Suspense fallback={<div className="panel-body panel-empty">Loading the pool…</div>}>
      <Pool {...props} />
    </Suspense>
  );
}

export function Refcounts(props: RefcountPanelProps) {
  return (
    <Suspense fallback={<div className="panel-body panel-empty">Loading the refcounts…</div>}>
      <RefPanel {...props} />
    </Suspense>
  );
}

export function Costs(props: CostPanelProps) {
  return (
    <Suspense fallback={<div className="panel-body panel-empty">Loading the cost counters…</div>}>
      <CostTable {...props} />
    </Suspense>
  );
}

export function Findings(props: FindingsPanelProps) {
  return (
    <Suspense fallback={<div className="panel-body panel-empty">Loading the findings…</div>}>
      <FindingList {...props} />
    </Suspense>
  );
}

/** The page looks' patterns (PatternDefs.tsx), once per document. */
export function PageLookPatterns() {
  return (
    <Suspense fallback={null}>
      <Patterns />
    </Suspense>
  );
}
