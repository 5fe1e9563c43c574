/** Findings list: every flaw the run found; clicking one jumps to its step. */

import type { Trace } from "../trace/trace.ts";
import { pageRange } from "./common.ts";

export interface FindingsPanelProps {
  readonly trace: Trace;
  readonly step: number;
  readonly onJump: (step: number) => void;
}

export function FindingsPanel({ trace, step, onJump }: FindingsPanelProps) {
  if (trace.findings.length === 0) {
    return <p className="panel-body panel-empty">No findings: this design handled every statement.</p>;
  }
  return (
    <ol className="panel-body findings" data-testid="findings">
      {trace.findings.map((f, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: findings of one trace never reorder
        <li key={i} className={f.step <= step ? "reached" : "ahead"}>
          <button
            type="button"
            onClick={() => onJump(f.step)}
            aria-current={f.step === step ? "step" : undefined}
          >
            <span className={`finding-kind k-${f.kind}`}>{f.kind}</span>{" "}
            <span className="finding-where">
              line {f.line} · {f.device} {pageRange(f.page, f.pages)} · step {f.step}
            </span>
            <span className="finding-text">{f.text}</span>
          </button>
        </li>
      ))}
    </ol>
  );
}
