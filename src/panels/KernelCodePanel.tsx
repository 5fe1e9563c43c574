/**
 * Kernel code panel: the function the current event models, its source file, and a short excerpt
 * (our own pseudocode, kernel-code.ts) with the line that does it highlighted.
 */

import type { KernelEvent } from "../kernel/events.ts";
import { sourceOf } from "../trace/describe.ts";
import { codeView } from "./kernel-code.ts";

/** What a real kernel did with the current statement (recorded presets), shown next to the model. */
export interface RealResult {
  readonly kernel: string;
  readonly result: string;
  readonly model: string;
  /** why the kernel and the model may differ here (a listed exception) */
  readonly reason?: string;
}

export function KernelCodePanel({
  event,
  real,
}: {
  readonly event: KernelEvent | undefined;
  readonly real?: RealResult | undefined;
}) {
  if (!event) return <div className="panel-body code-panel panel-empty">No event.</div>;
  const view = codeView(event.fn, event.kind, sourceOf(event.fn));
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling excerpt must be reachable by keyboard to scroll it
    <section className="panel-body code-panel" tabIndex={0} aria-label="kernel code excerpt">
      <p className="code-head">
        <code className="code-fn" data-testid="code-fn">
          {view.fn === "p2pviz" ? "p2pviz" : `${view.fn}()`}
        </code>{" "}
        <span className="code-src">{view.source}</span>
      </p>
      {real && (
        <p className="code-real" data-testid="real-result" title={real.reason}>
          Linux {real.kernel} (QEMU): <strong>{real.result}</strong> · model: <strong>{real.model}</strong>
          {real.reason ? " · a listed difference" : ""}
        </p>
      )}
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
    </section>
  );
}
