/**
 * Kernel code panel: the function the current event models, where it lives in Linux (file, line
 * range, the version those lines were read in, a link to a source browser), and a short excerpt
 * (our own pseudocode, kernel-code.ts) with the line the kernel stands on highlighted: the line is
 * worked out from the event and from the path the statement took (its result, whether it faulted).
 */

import { useEffect, useRef } from "react";
import type { Trace } from "../trace/trace.ts";
import { codeContext, codeView } from "./kernel-code.ts";
import "./kernel-code.css";
import {
  hasRange,
  KERNEL_SOURCES,
  rangeVersion,
  SOURCE_URL_KEY,
  simulatedKernel,
  sourceUrl,
  sourceUrlTemplate,
} from "./kernel-sources.ts";

/** What a real kernel did with the current statement (recorded presets), shown next to the model. */
export interface RealResult {
  readonly kernel: string;
  readonly result: string;
  readonly model: string;
  /** why the kernel and the model may differ here (a listed exception) */
  readonly reason?: string;
}

function storedTemplate(): string | null {
  try {
    return globalThis.localStorage?.getItem(SOURCE_URL_KEY) ?? null;
  } catch {
    return null; // storage denied (sandboxed frame, privacy mode)
  }
}

/** File, line range and version of `fn`, with a link to read it. */
function SourceLine({ fn, trace }: { readonly fn: string; readonly trace: Trace }) {
  const src = KERNEL_SOURCES[fn];
  const sim = simulatedKernel(trace.design, trace.version);
  // each form's whole text is its title too: a short panel cuts the line to one (kernel-code.css)
  const simText = ` · simulating Linux ${sim.version}`;
  const simulating = (
    <span className="code-sim" data-testid="code-sim" title={sim.what}>
      {simText}
    </span>
  );
  if (!src) {
    return (
      <p className="code-src" title={`source unknown${simText}`}>
        source unknown{simulating}
      </p>
    );
  }
  if (!hasRange(src)) {
    const head = `${src.file === "p2pviz" ? "" : `${src.file}: `}${src.note}`;
    return (
      <p className="code-src" data-testid="code-src" title={head + simText}>
        {head}
        {simulating}
      </p>
    );
  }
  const read = rangeVersion(src);
  const url = sourceUrl(
    sourceUrlTemplate(storedTemplate(), import.meta.env.VITE_P2PVIZ_SOURCE_URL),
    read,
    src,
  );
  const range = `${src.file}:${src.from}–${src.to}`;
  const as = src.symbol ? `, as ${src.symbol}()` : "";
  const otherKernel = sim.version !== read;
  return (
    <p
      className="code-src"
      data-testid="code-src"
      title={`${range} (Linux ${read}${as})${otherKernel ? simText : ""}`}
    >
      <a
        href={url}
        target="_blank"
        rel="noopener noreferrer"
        data-testid="code-src-link"
        title={`read ${src.symbol ?? fn}() in Linux ${read}`}
      >
        {range}
      </a>{" "}
      <span data-testid="code-version">(Linux {read}</span>
      {as}){otherKernel && simulating}
    </p>
  );
}

/**
 * One pseudocode line: its comment (from " #") muted, and an errno such as -EINVAL kept whole when
 * the line wraps. The text stays the line's text.
 */
function CodeText({ line }: { readonly line: string }) {
  const hash = line.startsWith("#") ? 0 : line.indexOf(" #");
  const code = hash < 0 ? line : line.slice(0, hash);
  const comment = hash < 0 ? "" : line.slice(hash);
  const parts = code.split(/(-E[A-Z]+)/);
  return (
    <code>
      {parts.map((p, i) =>
        /^-E[A-Z]+$/.test(p) ? (
          // biome-ignore lint/suspicious/noArrayIndexKey: the pieces of one fixed string
          <span key={i} className="code-errno">
            {p}
          </span>
        ) : (
          p
        ),
      )}
      {comment && <span className="code-comment">{comment}</span>}
    </code>
  );
}

export function KernelCodePanel({
  trace,
  step,
  real,
}: {
  readonly trace: Trace;
  readonly step: number;
  readonly real?: RealResult | undefined;
}) {
  const ctx = codeContext(trace, step);
  const view = ctx ? codeView(ctx) : undefined;
  const box = useRef<HTMLOListElement>(null);
  const current = useRef<HTMLLIElement>(null);
  // the excerpt scrolls under the function's name and source: keep the current line in sight, when
  // the line changes and when the excerpt's box does (the real kernel's result arrives, the window
  // is resized). Its place is read in a task posted from the frame, once the frame has laid the page
  // out and drawn the step: read earlier (in an effect, or in the frame's rAF) it forced a layout of
  // the whole view before the panels' drawing, 1-3 ms of a step. A line that left the excerpt comes
  // back one frame later, which nobody sees as a lag.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs when the line changes
  useEffect(() => {
    const b = box.current;
    if (!b) return;
    let task: ReturnType<typeof setTimeout> | undefined;
    let frame = 0;
    const keepInSight = () => {
      cancelAnimationFrame(frame);
      clearTimeout(task);
      frame = requestAnimationFrame(() => {
        task = setTimeout(() => {
          const li = current.current;
          if (!li) return;
          const bb = b.getBoundingClientRect();
          const lb = li.getBoundingClientRect();
          if (lb.bottom > bb.bottom) b.scrollTop += lb.bottom - bb.bottom + 4;
          else if (lb.top < bb.top) b.scrollTop -= bb.top - lb.top + 4;
        }, 0);
      });
    };
    // the observer also reports the box once when it starts: that is the check for this line
    const resized = new ResizeObserver(keepInSight);
    resized.observe(b);
    return () => {
      resized.disconnect();
      cancelAnimationFrame(frame);
      clearTimeout(task);
    };
  }, [view?.fn, view?.hl]);
  if (!view) return <div className="panel-body code-panel panel-empty">No event.</div>;
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling excerpt must be reachable by keyboard to scroll it
    <section className="panel-body code-panel" tabIndex={0} aria-label="kernel code excerpt">
      <p className="code-head">
        <code className="code-fn" data-testid="code-fn">
          {view.fn === "p2pviz" ? "p2pviz" : `${view.fn}()`}
        </code>
      </p>
      <SourceLine fn={view.fn} trace={trace} />
      {real && (
        <p
          className="code-real"
          data-testid="real-result"
          title={`Linux ${real.kernel} (QEMU): ${real.result} · model: ${real.model}${real.reason ? ` · ${real.reason}` : ""}`}
        >
          Linux {real.kernel} (QEMU): <strong>{real.result}</strong> · model: <strong>{real.model}</strong>
          {real.reason ? " · a listed difference" : ""}
        </p>
      )}
      {view.lines.length > 0 ? (
        // the excerpt scrolls on its own, so keyboard users must reach it (axe scrollable-region-focusable)
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling excerpt must be reachable by keyboard to scroll it
        <ol className="code-lines" aria-label={`pseudocode of ${view.fn}`} ref={box} tabIndex={0}>
          {view.lines.map((l, i) => (
            <li
              // by place, not by text: a step inside a kernel loop goes from one function to the next,
              // and rewriting the text of the list's items costs the frame less than new ones
              // biome-ignore lint/suspicious/noArrayIndexKey: the items are the excerpt's lines in order
              key={i}
              className={i === view.hl ? "hl" : undefined}
              aria-current={i === view.hl ? "true" : undefined}
              data-testid={i === view.hl ? "code-line-current" : undefined}
              ref={i === view.hl ? current : undefined}
            >
              <CodeText line={l} />
            </li>
          ))}
        </ol>
      ) : (
        <p className="panel-empty">No excerpt for this function.</p>
      )}
    </section>
  );
}
