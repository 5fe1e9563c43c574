/**
 * Scenario editor: a plain <textarea> with a line-number gutter (no editor library, to keep the
 * bundle small). Error lines are marked in the gutter, the statement at the cursor step is
 * highlighted, and the first error is shown as `line L:C: message`. The store keeps the last good
 * run on screen while the text has errors.
 */

import { useEffect, useMemo, useRef } from "react";
import { useShallow } from "zustand/react/shallow";
import { opAt, selectEditor } from "../store/selectors.ts";
import { useStore } from "../store/store.ts";
import { RealBadge } from "./RealBadge.tsx";
import { LinkErrorView, useLinkError } from "./ShareMenu.tsx";

const RUN_DELAY_MS = 250;
/** line height of the textarea and the gutter, in px (app.css) */
const LINE_PX = 18;
const MAX_ERROR_MARKS = 50;

export function Editor() {
  const { text, diagnostics } = useStore(useShallow(selectEditor));
  const setText = useStore((s) => s.setText);
  const run = useStore((s) => s.run);
  const currentLine = useStore((s) => (s.trace ? (opAt(s.trace, s.step)?.line ?? 0) : 0));
  const area = useRef<HTMLTextAreaElement>(null);
  const gutter = useRef<HTMLDivElement>(null);

  // run as you type, debounced; the first run happens at once
  const first = useRef(true);
  // biome-ignore lint/correctness/useExhaustiveDependencies: text is the trigger, run reads it from the store
  useEffect(() => {
    if (first.current) {
      first.current = false;
      run();
      return;
    }
    const t = setTimeout(run, RUN_DELAY_MS);
    return () => clearTimeout(t);
  }, [text, run]);

  const lineCount = useMemo(() => text.split("\n").length, [text]);
  const lineNumbers = useMemo(
    () => Array.from({ length: lineCount }, (_, i) => String(i + 1)).join("\n"),
    [lineCount],
  );
  // the statement at the cursor, then error lines (drawn last, so an error wins over the cursor)
  const marks = useMemo(() => {
    const errs = [...new Set(diagnostics.map((d) => d.line))].slice(0, MAX_ERROR_MARKS);
    const out: [number, string][] = [];
    if (currentLine > 0 && !errs.includes(currentLine)) out.push([currentLine, "cur"]);
    for (const n of errs) out.push([n, "err"]);
    return out;
  }, [diagnostics, currentLine]);

  const goTo = (line: number, col: number) => {
    const el = area.current;
    if (!el) return;
    const lines = text.split("\n");
    let pos = 0;
    for (let i = 0; i < line - 1 && i < lines.length; i++) pos += lines[i]!.length + 1;
    pos += Math.max(0, col - 1);
    el.focus();
    el.setSelectionRange(pos, pos);
  };

  const d0 = diagnostics[0];
  const linkError = useLinkError();
  return (
    <div className="editor">
      <div className="editor-box">
        <div className="gutter" ref={gutter} aria-hidden="true">
          {/* one text node for all numbers (a 100k-line scenario stays cheap), marks laid over it */}
          <div className="gutter-inner">
            <pre className="gutter-nums">{lineNumbers}</pre>
            {marks.map(([n, cls]) => (
              <div key={`${cls}${n}`} className={`gutter-mark ${cls}`} style={{ top: (n - 1) * LINE_PX }}>
                {n}
              </div>
            ))}
          </div>
        </div>
        <textarea
          ref={area}
          className="editor-text"
          data-testid="editor"
          aria-label="scenario text"
          aria-invalid={diagnostics.length > 0}
          aria-describedby="scenario-status"
          spellCheck={false}
          autoCapitalize="off"
          autoComplete="off"
          wrap="off"
          value={text}
          onChange={(e) => setText(e.target.value)}
          onScroll={(e) => {
            if (gutter.current) gutter.current.scrollTop = e.currentTarget.scrollTop;
          }}
        />
      </div>
      <div id="scenario-status" className="editor-status">
        {linkError ? (
          <LinkErrorView error={linkError} />
        ) : d0 ? (
          <div className="scenario-error" role="alert">
            <button
              type="button"
              className="linkish"
              data-testid="scenario-error"
              onClick={() => goTo(d0.line, d0.col)}
            >
              line {d0.line}:{d0.col}: {d0.message}
            </button>
            {d0.hint && <p className="hint">{d0.hint}</p>}
            {diagnostics.length > 1 && <p className="hint">and {diagnostics.length - 1} more</p>}
            <p className="hint">Showing the last scenario that ran.</p>
          </div>
        ) : (
          <p className="ok">
            Scenario runs. <RealBadge />
          </p>
        )}
      </div>
    </div>
  );
}
