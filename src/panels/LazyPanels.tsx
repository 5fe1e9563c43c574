/**
 * Panels loaded on first use, after the first render, so they are not part of the initial
 * JavaScript: the kernel-code panel (its pseudocode excerpts, kernel-code.ts, are the largest piece
 * of data of the panels) and the refcount table. Same props as the panels themselves.
 */

import { lazy, Suspense } from "react";
import type { Trace } from "../trace/trace.ts";
import type { RealResult } from "./KernelCodePanel.tsx";
import type { RefcountPanelProps } from "./RefcountPanel.tsx";

const CodePanel = lazy(() => import("./KernelCodePanel.tsx").then((m) => ({ default: m.KernelCodePanel })));
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

export function Refcounts(props: RefcountPanelProps) {
  return (
    <Suspense fallback={<div className="panel-body panel-empty">Loading the refcounts…</div>}>
      <RefPanel {...props} />
    </Suspense>
  );
}
