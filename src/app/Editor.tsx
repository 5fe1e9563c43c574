/**
 * The scenario editor column: the editor itself, then every diagnostic of the text as a list whose
 * entries jump to their line (data-testid="scenario-error"), or "Scenario runs.".
 *
 * The editor is CodeMirror 6 (editor/CodeEditor.tsx), loaded on first render with import() so it is
 * not part of the initial JavaScript; a plain textarea with the same text stands in until it
 * arrives (and stays if it cannot load). The text runs as you type, debounced.
 *
 * A share link that could not be opened is shown here instead of an editor: what is wrong with it,
 * and two ways on (the scenario saved in this browser, or an empty one).
 */

import { useEffect, useRef, useState } from "react";
import { useShallow } from "zustand/react/shallow";
import { Deferred, loader } from "../panels/deferred.tsx";
import type { ShareError } from "../share/errors.ts";
import { useLinkStore } from "../store/link-store.ts";
import { opAt, selectEditor } from "../store/selectors.ts";
import { DEFAULT_SCENARIO, savedText, useStore } from "../store/store.ts";
import type { EditorApi } from "./editor/CodeEditor.tsx";

const RUN_DELAY_MS = 250;
const latestText = (): string => useStore.getState().text;
/** the list under the editor names this many diagnostics, then says how many more there are */
const MAX_LISTED = 200;

/**
 * CodeMirror, on first use; until it arrives (and for good if it cannot load) the plain textarea
 * stands in. It mounts as soon as its code arrives, not with the first step (deferred.tsx).
 */
const CodeEditor = loader(() => import("./editor/CodeEditor.tsx").then((m) => m.default));

/** What stands beside "Scenario runs." (RunStanding.tsx), on first use: it waits for the recordings anyway. */
const RunStanding = loader(() => import("./RunStanding.tsx").then((m) => m.default));

/** The line of the statement at the cursor step, or 0 while the trace is not the text's own. */
function useCurrentLine(): number {
  return useStore((s) =>
    s.trace && s.diagnostics.length === 0 && s.traceText === s.text ? (opAt(s.trace, s.step)?.line ?? 0) : 0,
  );
}

/** The textarea that stands in until CodeMirror has loaded. */
function PlainEditor({ text, invalid }: { readonly text: string; readonly invalid: boolean }) {
  const setText = useStore((s) => s.setText);
  return (
    <textarea
      className="editor-text"
      data-testid="editor"
      aria-label="scenario text"
      aria-invalid={invalid}
      aria-describedby="scenario-status"
      spellCheck={false}
      autoCapitalize="off"
      autoComplete="off"
      wrap="soft"
      value={text}
      onChange={(e) => setText(e.target.value)}
    />
  );
}

/** A bad link's error, for the editor column. Plain text only. */
export function LinkErrorView({ error }: { readonly error: ShareError }) {
  return (
    <div className="scenario-error" role="alert">
      <p data-testid="scenario-error" className="link-error">
        {error.code === "bad-step" ? "" : "This link cannot be opened: "}
        {error.message}
      </p>
      {error.hint && <p className="hint">{error.hint}</p>}
    </div>
  );
}

/** Shown in place of the editor when the link in the address bar could not be read at all. */
function BrokenLink({ error }: { readonly error: ShareError }) {
  const loadScenario = useStore((s) => s.loadScenario);
  const saved = savedText();
  return (
    <div className="broken-link" data-testid="broken-link">
      <h2>This share link cannot be opened</h2>
      <LinkErrorView error={error} />
      <p className="hint">The link stays in the address bar, so you can check or fix it there.</p>
      <div className="broken-link-actions">
        <button type="button" onClick={() => loadScenario(saved ?? DEFAULT_SCENARIO, { step: 0 })}>
          {saved ? "Open the scenario saved in this browser" : "Open the example scenario"}
        </button>
        <button type="button" onClick={() => loadScenario("", { step: 0 })}>
          Write a new scenario
        </button>
      </div>
    </div>
  );
}

/** The link could not be read: nothing was opened in its place. */
export function useBrokenLink(): ShareError | null {
  const error = useLinkStore((s) => s.error);
  const empty = useStore((s) => s.text === "" && s.trace === null);
  return error && empty ? error : null;
}

export function Editor() {
  const { text, diagnostics } = useStore(useShallow(selectEditor));
  const setText = useStore((s) => s.setText);
  const run = useStore((s) => s.run);
  const currentLine = useCurrentLine();
  const api = useRef<EditorApi | null>(null);
  const [loaded, setLoaded] = useState(false);

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

  const linkError = useLinkStore((s) => s.error);
  const broken = useBrokenLink();
  if (broken) return <BrokenLink error={broken} />;

  const goTo = (line: number, col: number) => api.current?.goTo(line, col);
  const invalid = diagnostics.length > 0;
  const listed = diagnostics.slice(0, MAX_LISTED);
  return (
    <div className="editor" data-editor={loaded ? "codemirror" : "plain"}>
      <div className="editor-box">
        <Deferred
          component={CodeEditor}
          props={{
            text,
            onChange: setText,
            latestText,
            diagnostics,
            currentLine,
            onReady: (a: EditorApi | null) => {
              api.current = a;
              setLoaded(a !== null);
            },
          }}
          fallback={<PlainEditor text={text} invalid={invalid} />}
        />
      </div>
      <div id="scenario-status" className="editor-status">
        {linkError ? (
          <LinkErrorView error={linkError} />
        ) : invalid ? (
          <div className="scenario-errors" role="alert">
            <p className="errors-head">
              {diagnostics.length === 1 ? "1 error" : `${diagnostics.length} errors`}; the panels show the
              last text that ran.
            </p>
            <ol className="error-list">
              {listed.map((d, i) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: diagnostics of one text never reorder
                <li key={i}>
                  <button
                    type="button"
                    className="linkish"
                    data-testid="scenario-error"
                    title="Go to this line"
                    onClick={() => goTo(d.line, d.col)}
                  >
                    line {d.line}:{d.col}: {d.message}
                  </button>
                  {d.hint && <p className="hint">{d.hint}</p>}
                </li>
              ))}
            </ol>
            {diagnostics.length > listed.length && (
              <p className="hint">and {diagnostics.length - listed.length} more</p>
            )}
          </div>
        ) : (
          <p className="ok">
            Scenario runs. <Deferred component={RunStanding} props={{}} fallback={null} />
          </p>
        )}
      </div>
    </div>
  );
}
