/**
 * Kernel code panel: the function the current event models, its source file, and a short excerpt
 * (our own pseudocode, kernel-code.ts) with the line that does it highlighted.
 */

import type { KernelEvent } from "../kernel/events.ts";
import { sourceOf } from "../trace/describe.ts";
import { codeView } from "./kernel-code.ts";

export function KernelCodePanel({ event }: { readonly event: KernelEvent | undefined }) {
  if (!event) return <div className="panel-body code-panel panel-empty">No event.</div>;
  const view = codeView(event.fn, event.kind, sourceOf(event.fn));
  return (
    <div className="panel-body code-panel">
      <p className="code-head">
        <code className="code-fn" data-testid="code-fn">
          {view.fn === "p2pviz" ? "p2pviz" : `${view.fn}()`}
        </code>{" "}
        <span className="code-src">{view.source}</span>
      </p>
      {view.lines.length > 0 ? (
        <ol className="code-lines" aria-label={`pseudocode of ${view.fn}`}>
          {view.lines.map((l, i) => (
            <li
              key={l}
              className={i === view.hl ? "hl" : undefined}
              aria-current={i === view.hl ? "true" : undefined}
            >
              <code>{l}</code>
            </li>
          ))}
        </ol>
      ) : (
        <p className="panel-empty">No excerpt for this function.</p>
      )}
    </div>
  );
}
