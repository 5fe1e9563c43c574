/**
 * Findings list: every flaw the run found; clicking one jumps to its step. When the list is longer
 * than its panel, a line under it says how many more findings are below (and goes as the list is
 * scrolled to its end).
 */

import { memo, useCallback, useEffect, useRef, useState } from "react";
import type { Finding, Trace } from "../trace/trace.ts";
import { pageRange } from "./common.ts";

export interface FindingsPanelProps {
  readonly trace: Trace;
  readonly step: number;
  readonly onJump: (step: number) => void;
}

/** How many items of `list` lie wholly or partly below its visible area. */
function countBelow(list: HTMLElement): number {
  const bottom = list.getBoundingClientRect().bottom;
  let n = 0;
  for (const li of Array.from(list.children)) if (li.getBoundingClientRect().bottom > bottom + 1) n++;
  return n;
}

/**
 * One finding. Memoised: a step re-renders only the findings it reaches, leaves or lands on, not a
 * list of hundreds.
 */
const FindingItem = memo(function FindingItem({
  finding: f,
  reached,
  current,
  onJump,
}: {
  readonly finding: Finding;
  readonly reached: boolean;
  readonly current: boolean;
  readonly onJump: (step: number) => void;
}) {
  return (
    <li className={reached ? "reached" : "ahead"}>
      <button type="button" onClick={() => onJump(f.step)} aria-current={current ? "step" : undefined}>
        <span className={`finding-kind k-${f.kind}`}>{f.kind}</span>{" "}
        <span className="finding-where">
          line {f.line} · {f.device} {pageRange(f.page, f.pages)} · step {f.step}
        </span>
        <span className="finding-text">{f.text}</span>
      </button>
    </li>
  );
});

export function FindingsPanel({ trace, step, onJump }: FindingsPanelProps) {
  const list = useRef<HTMLOListElement>(null);
  // the items keep one handler: the parent's changes at every render
  const jumpTo = useRef(onJump);
  jumpTo.current = onJump;
  const jump = useCallback((s: number) => jumpTo.current(s), []);
  const [below, setBelow] = useState(0);
  const measure = useCallback(() => {
    if (list.current) setBelow(countBelow(list.current));
  }, []);
  // biome-ignore lint/correctness/useExhaustiveDependencies: re-measure when the list's content changes
  useEffect(() => {
    const el = list.current;
    if (!el) return;
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, [measure, trace]);

  if (trace.findings.length === 0) {
    return <p className="panel-body panel-empty">No findings: this design handled every statement.</p>;
  }
  return (
    <>
      <ol className="panel-body findings" data-testid="findings" ref={list} onScroll={measure}>
        {trace.findings.map((f, i) => (
          <FindingItem
            // biome-ignore lint/suspicious/noArrayIndexKey: findings of one trace never reorder
            key={i}
            finding={f}
            reached={f.step <= step}
            current={f.step === step}
            onJump={jump}
          />
        ))}
      </ol>
      {below > 0 && (
        <p className="findings-more" data-testid="findings-more" aria-live="polite">
          {below === 1 ? "1 more finding below" : `${below} more findings below`}: scroll the list ↓
        </p>
      )}
    </>
  );
}
