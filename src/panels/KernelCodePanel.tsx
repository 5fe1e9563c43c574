/**
 * Kernel code panel: the function the current event models, where it lives in Linux (file, line
 * range, the version those lines were read in, a link to a source browser), and a short excerpt
 * (our own pseudocode, kernel-code.ts) with the line the kernel stands on highlighted: the line is
 * worked out from the event and from the path the statement took (its result, whether it faulted).
 */

import { memo, type Ref, useEffect, useRef, useState } from "react";
import { flushSync } from "react-dom";
import type { Trace } from "../trace/trace.ts";
import { type CodeView, codeContext, codeView } from "./kernel-code.ts";
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
function SourceLine({
  fn,
  trace,
  current,
}: {
  readonly fn: string;
  readonly trace: Trace;
  /** test ids on the shown page only (KernelCodePanel keeps others laid out, hidden) */
  readonly current: boolean;
}) {
  const id = (name: string) => (current ? name : undefined);
  const src = KERNEL_SOURCES[fn];
  const sim = simulatedKernel(trace.design, trace.version);
  // each form's whole text is its title too: a short panel cuts the line to one (kernel-code.css)
  const simText = ` · simulating Linux ${sim.version}`;
  const simulating = (
    <span className="code-sim" data-testid={id("code-sim")} title={sim.what}>
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
      <p className="code-src" data-testid={id("code-src")} title={head + simText}>
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
      data-testid={id("code-src")}
      title={`${range} (Linux ${read}${as})${otherKernel ? simText : ""}`}
    >
      <a
        href={url}
        target="_blank"
        rel="noopener noreferrer"
        data-testid={id("code-src-link")}
        title={`read ${src.symbol ?? fn}() in Linux ${read}`}
      >
        {range}
      </a>{" "}
      <span data-testid={id("code-version")}>(Linux {read}</span>
      {as}){otherKernel && simulating}
    </p>
  );
}

/**
 * One pseudocode line: its comment (from " #") muted, and an errno such as -EINVAL kept whole when
 * the line wraps. The text stays the line's text. Memoised by the line: a step moves the highlight,
 * not the text.
 */
const CodeText = memo(function CodeText({ line }: { readonly line: string }) {
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
});

/** How many functions' excerpts stay laid out in the panel (see KernelCodePanel). */
export const KEPT_EXCERPTS = 4;

/** The excerpts kept, in a fixed order (a slot is reused, never moved); `used` orders their age. */
interface Kept {
  readonly trace: Trace;
  readonly slots: { view: CodeView; used: number }[];
  clock: number;
}

/**
 * The slots after showing `view`: its function's slot is refreshed, or the least recently shown
 * slot takes it. Writing the same view twice gives the same slots, so a render that React repeats
 * (StrictMode, an interrupted render) changes nothing.
 */
function keep(k: Kept, view: CodeView): void {
  const at = k.slots.findIndex((s) => s.view.fn === view.fn);
  const cur = at >= 0 ? k.slots[at]! : undefined;
  if (cur && cur.view === view) return;
  k.clock++;
  if (cur) {
    cur.view = view;
    cur.used = k.clock;
  } else place(k, view, k.clock);
}

/**
 * Puts `view` in a slot of its own while there is room, else in the least recently shown slot but
 * the one of function `spare`. Returns whether it found a slot.
 */
function place(k: Kept, view: CodeView, used: number, spare?: string): boolean {
  if (k.slots.length < KEPT_EXCERPTS) {
    k.slots.push({ view, used });
    return true;
  }
  let oldest: Kept["slots"][number] | undefined;
  for (const s of k.slots) if (s.view.fn !== spare && (!oldest || s.used < oldest.used)) oldest = s;
  if (!oldest) return false;
  oldest.view = view;
  oldest.used = used;
  return true;
}

/**
 * Keeps `view`'s function as a hidden page, ranked just below the page `shown`, when it is not kept
 * yet (the oldest page but the shown one makes room). Returns whether it added the page.
 */
function keepAhead(k: Kept, view: CodeView, shown: string): boolean {
  if (k.slots.some((s) => s.view.fn === view.fn)) return false;
  const used = (k.slots.find((s) => s.view.fn === shown)?.used ?? k.clock) - 0.5;
  return place(k, view, used, shown);
}

/**
 * One function's name, source and excerpt. Only the current page carries the test ids and the
 * real kernel's result; the others are hidden (visibility, so they keep their layout). Memoised: a
 * step re-renders the page it leaves and the page it shows, not the kept ones.
 */
const CodePage = memo(function CodePage({
  view,
  trace,
  real,
  current,
  box,
  currentLine,
}: {
  readonly view: CodeView;
  readonly trace: Trace;
  readonly real: RealResult | undefined;
  readonly current: boolean;
  readonly box: Ref<HTMLOListElement> | undefined;
  readonly currentLine: Ref<HTMLLIElement> | undefined;
}) {
  const id = (name: string) => (current ? name : undefined);
  return (
    <div
      className={current ? "code-page" : "code-page code-page-kept"}
      aria-hidden={current ? undefined : true}
    >
      <p className="code-head">
        <code className="code-fn" data-testid={id("code-fn")}>
          {view.fn === "p2pviz" ? "p2pviz" : `${view.fn}()`}
        </code>
      </p>
      <SourceLine fn={view.fn} trace={trace} current={current} />
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
        <ol
          className="code-lines"
          aria-label={`pseudocode of ${view.fn}`}
          ref={box}
          tabIndex={current ? 0 : -1}
        >
          {view.lines.map((l, i) => (
            <li
              // by place, not by text: the items are the excerpt's lines in order
              // biome-ignore lint/suspicious/noArrayIndexKey: the items are the excerpt's lines in order
              key={i}
              className={i === view.hl ? "hl" : undefined}
              aria-current={i === view.hl ? "true" : undefined}
              data-testid={i === view.hl ? id("code-line-current") : undefined}
              ref={i === view.hl ? currentLine : undefined}
            >
              <CodeText line={l} />
            </li>
          ))}
        </ol>
      ) : (
        <p className="panel-empty">No excerpt for this function.</p>
      )}
    </div>
  );
});

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
  // The last few functions' excerpts stay laid out, one over the other, and a step shows its own
  // and hides the others. Inside a kernel loop the event goes from one function to the next at
  // every step (vm_insert_page, then the page's refcount...): rewriting the excerpt's text laid
  // out and shaped the panel's text again at each step; showing a kept excerpt only repaints it.
  const kept = useRef<Kept | null>(null);
  if (kept.current?.trace !== trace) kept.current = { trace, slots: [], clock: 0 };
  if (view) keep(kept.current, view);
  // After a jump (a scrub, Home or End, a finding, a link), the pages of the steps either side,
  // laid out in idle time: the next step's function may not be kept then, and that step built its
  // page and laid out and shaped its text in its own frame (8 of the bench's 20 steps after a scrub
  // on eight 32 GiB devices built part of a page; with this, 2). Once the page is drawn and the main
  // thread idle, this adds those pages, hidden, and lays them out there and then, so the step that
  // shows one only unhides it. Not after a step: inside a loop the functions either side are kept
  // already, and from one statement to the next the work only moved in front of the next step.
  const [, setAhead] = useState(0);
  const panel = useRef<HTMLElement>(null);
  const last = useRef<{ trace: Trace; step: number } | null>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: the fn shown follows from trace and step
  useEffect(() => {
    const prev = last.current;
    last.current = { trace, step };
    const jumped = !prev || prev.trace !== trace || Math.abs(step - prev.step) > 1;
    const shown = view?.fn;
    if (!jumped || shown === undefined || typeof requestIdleCallback !== "function") return;
    const id = requestIdleCallback(
      () => {
        const k = kept.current;
        if (!k || k.trace !== trace) return;
        let added = false;
        for (const s of [step + 1, step - 1]) {
          const c = codeContext(trace, s);
          if (c && keepAhead(k, codeView(c), shown)) added = true;
        }
        if (!added) return;
        flushSync(() => setAhead((n) => n + 1));
        void panel.current?.offsetHeight; // the layout, now rather than in the next step's frame
      },
      { timeout: 2000 },
    );
    return () => cancelIdleCallback(id);
  }, [trace, step]);
  // the excerpt scrolls under the function's name and source: keep the current line in sight, when
  // the line changes and when the excerpt's box does (the real kernel's result arrives, the window
  // is resized). Its place is read in a task posted from the frame, once the frame has laid the page
  // out and drawn the step: read earlier (in an effect, or in the frame's rAF) it forced a layout of
  // the whole view before the panels' drawing, 1-3 ms of a step. A line that left the excerpt comes
  // back one frame later, which nobody sees as a lag.
  // One observer for the panel's life, watching each page's excerpt box once: made anew at every
  // line, as it was, it cost an observation and a notification in every step's frame.
  const sight = useRef<{ check: () => void; watch: (el: Element) => void } | null>(null);
  useEffect(() => {
    let task: ReturnType<typeof setTimeout> | undefined;
    let frame = 0;
    const check = () => {
      cancelAnimationFrame(frame);
      clearTimeout(task);
      frame = requestAnimationFrame(() => {
        task = setTimeout(() => {
          const b = box.current;
          const li = current.current;
          if (!b || !li) return;
          const bb = b.getBoundingClientRect();
          const lb = li.getBoundingClientRect();
          if (lb.bottom > bb.bottom) b.scrollTop += lb.bottom - bb.bottom + 4;
          else if (lb.top < bb.top) b.scrollTop -= bb.top - lb.top + 4;
        }, 0);
      });
    };
    const watched = new WeakSet<Element>();
    const resized = new ResizeObserver(check);
    sight.current = {
      check,
      watch: (el) => {
        if (watched.has(el)) return;
        watched.add(el);
        resized.observe(el);
      },
    };
    return () => {
      resized.disconnect();
      cancelAnimationFrame(frame);
      clearTimeout(task);
      sight.current = null;
    };
  }, []);
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs when the line changes
  useEffect(() => {
    const b = box.current;
    if (!b || !sight.current) return;
    sight.current.watch(b);
    sight.current.check();
  }, [view?.fn, view?.hl]);
  if (!view) return <div className="panel-body code-panel panel-empty">No event.</div>;
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling excerpt must be reachable by keyboard to scroll it
    <section className="panel-body code-panel" tabIndex={0} aria-label="kernel code excerpt" ref={panel}>
      {kept.current.slots.map(({ view: v }, i) => {
        const here = v.fn === view.fn;
        return (
          <CodePage
            // biome-ignore lint/suspicious/noArrayIndexKey: a slot keeps its place; its function changes
            key={i}
            view={v}
            trace={trace}
            real={here ? real : undefined}
            current={here}
            box={here ? box : undefined}
            currentLine={here ? current : undefined}
          />
        );
      })}
    </section>
  );
}
