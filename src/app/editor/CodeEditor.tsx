/**
 * The scenario editor proper: CodeMirror 6 with the scenario language (scenario-lang.ts), line
 * numbers, completion, the parser's diagnostics as lint marks (message on hover), soft-wrapped
 * lines, and a highlight on the statement at the cursor step. Editor.tsx loads this module lazily
 * (import()), so none of CodeMirror is in the initial JavaScript; until it arrives a plain
 * textarea stands in.
 *
 * The store owns the text. The editor writes it only on a user's edit, and takes it back when it
 * changes elsewhere (a preset, a link, Back), so loading the editor never rewrites a link's text.
 */

import {
  acceptCompletion,
  autocompletion,
  closeCompletion,
  completionKeymap,
  startCompletion,
} from "@codemirror/autocomplete";
import { defaultKeymap, history, historyKeymap } from "@codemirror/commands";
import { syntaxHighlighting } from "@codemirror/language";
import { type Diagnostic as CmDiagnostic, lintGutter, setDiagnostics } from "@codemirror/lint";
import {
  Annotation,
  EditorState,
  type RangeSet,
  RangeSetBuilder,
  StateEffect,
  StateField,
  type Text,
} from "@codemirror/state";
import {
  Decoration,
  type DecorationSet,
  EditorView,
  GutterMarker,
  gutterLineClass,
  highlightActiveLine,
  highlightSpecialChars,
  keymap,
  lineNumbers,
  placeholder,
} from "@codemirror/view";
import { useEffect, useRef } from "react";
import type { Diagnostic } from "../../scenario/ast.ts";
import { scenarioCompletion, scenarioHighlight, scenarioLanguage } from "./scenario-lang.ts";

export interface EditorApi {
  /** puts the cursor at LINE:COL (1-based) and focuses the editor */
  goTo(line: number, col: number): void;
}

export interface CodeEditorProps {
  readonly text: string;
  readonly onChange: (text: string) => void;
  /** the store's text now (a render's `text` may be older than the editor's last edits) */
  readonly latestText: () => string;
  readonly diagnostics: readonly Diagnostic[];
  /** the line of the statement at the cursor step, 0 for none */
  readonly currentLine: number;
  readonly onReady: (api: EditorApi | null) => void;
}

/** CodeMirror keeps "\n" line ends; a text with CR LF is the same scenario. */
const normalized = (s: string): string => s.replace(/\r\n?/g, "\n");

const setMarks = StateEffect.define<{ current: number; errors: readonly number[] }>();
/** marks the transactions that copy the store's text into the editor */
const fromStore = Annotation.define<boolean>();

class LineClass extends GutterMarker {
  constructor(override readonly elementClass: string) {
    super();
  }
}
const errMarker = new LineClass("err");
const curMarker = new LineClass("cur");

interface Marks {
  readonly current: number;
  readonly errors: readonly number[];
  readonly deco: DecorationSet;
  readonly gutter: RangeSet<GutterMarker>;
}

function buildMarks(doc: Text, current: number, errors: readonly number[]): Marks {
  const deco = new RangeSetBuilder<Decoration>();
  const lines = new Map<number, GutterMarker>();
  if (current > 0 && current <= doc.lines) {
    const l = doc.line(current);
    deco.add(
      l.from,
      l.from,
      Decoration.line({ class: "cm-step-line", attributes: { "data-step-line": "" } }),
    );
    lines.set(current, curMarker);
  }
  for (const n of errors) if (n > 0 && n <= doc.lines) lines.set(n, errMarker); // an error wins
  const gutter = new RangeSetBuilder<GutterMarker>();
  for (const n of [...lines.keys()].sort((x, y) => x - y))
    gutter.add(doc.line(n).from, doc.line(n).from, lines.get(n)!);
  return { current, errors, deco: deco.finish(), gutter: gutter.finish() };
}

/**
 * The statement at the cursor step (a line highlight, and its number marked "cur") and the lines
 * with errors (their numbers marked "err"). The step marker is never drawn while the text has
 * errors: the run on screen is then of an older text, whose lines are not this text's.
 */
const marksField = StateField.define<Marks>({
  create: (state) => buildMarks(state.doc, 0, []),
  update(value, tr) {
    let { current, errors } = value;
    for (const e of tr.effects) if (e.is(setMarks)) ({ current, errors } = e.value);
    if (current === value.current && errors === value.errors && !tr.docChanged) return value;
    return buildMarks(tr.state.doc, current, errors);
  },
  provide: (f) => [EditorView.decorations.from(f, (v) => v.deco), gutterLineClass.from(f, (v) => v.gutter)],
});

function toCm(doc: Text, d: Diagnostic): CmDiagnostic {
  const line = doc.line(Math.min(Math.max(1, d.line), doc.lines));
  const from = line.from + Math.min(Math.max(0, d.col - 1), line.length);
  const to = Math.max(from, Math.min(line.from + Math.max(0, d.endCol - 1), line.to));
  return {
    from,
    to: to === from && from < line.to ? from + 1 : to,
    severity: "error",
    message: d.hint ? `${d.message} (${d.hint})` : d.message,
  };
}

const theme = EditorView.theme({
  "&": { height: "100%", fontSize: "12.5px", backgroundColor: "#fff" },
  ".cm-scroller": {
    fontFamily: '"DejaVu Sans Mono", ui-monospace, Menlo, Consolas, monospace',
    lineHeight: "18px",
  },
  ".cm-content": { padding: "6px 0" },
  ".cm-gutters": { backgroundColor: "#f6f7f9", color: "#5a6270", borderRight: "1px solid #c9ced6" },
  ".cm-activeLine": { backgroundColor: "#eef4fb" },
  ".cm-step-line": { backgroundColor: "#fff2b3", boxShadow: "inset 3px 0 0 #c9a400" },
  "&.cm-focused": { outline: "2px solid #0b5cad", outlineOffset: "-2px" },
  ".cm-tooltip": { fontSize: "12.5px" },
  ".cm-tooltip-autocomplete ul li[aria-selected]": { backgroundColor: "#0b5cad", color: "#fff" },
  ".cm-completionDetail": { color: "inherit", opacity: "0.85" },
  ".cm-lintRange-error": {
    backgroundImage: "none",
    textDecoration: "underline wavy #b3261e",
    textUnderlineOffset: "3px",
  },
  ".cm-diagnosticText": { color: "#1b1f24" },
});

export default function CodeEditor({
  text,
  onChange,
  latestText,
  diagnostics,
  currentLine,
  onReady,
}: CodeEditorProps) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const change = useRef(onChange);
  change.current = onChange;

  // biome-ignore lint/correctness/useExhaustiveDependencies: the view is made once; props flow in below
  useEffect(() => {
    if (!host.current) return;
    const v = new EditorView({
      parent: host.current,
      state: EditorState.create({
        doc: normalized(text),
        extensions: [
          lineNumbers(),
          lintGutter(),
          highlightSpecialChars(),
          highlightActiveLine(),
          history(),
          scenarioLanguage,
          syntaxHighlighting(scenarioHighlight),
          autocompletion({ override: [scenarioCompletion], defaultKeymap: false, icons: false }),
          // Tab takes a suggestion (else it moves the focus on, as everywhere on the page: the language
          // has no indentation); Enter always starts a new line, as statements end at the line's end
          keymap.of([
            { key: "Tab", run: acceptCompletion },
            ...completionKeymap.filter((b) => b.key !== "Enter"),
            { key: "Escape", run: closeCompletion },
            { key: "Ctrl-Space", run: startCompletion },
            ...defaultKeymap,
            ...historyKeymap,
          ]),
          placeholder("kernel upstream\ndevice nvme0 1M\nprocess p\np mmap buf nvme0 64K"),
          EditorView.lineWrapping,
          marksField,
          theme,
          EditorView.contentAttributes.of({
            "data-testid": "editor",
            tabindex: "0",
            "aria-label": "scenario text",
            "aria-describedby": "scenario-status",
            spellcheck: "false",
            autocapitalize: "off",
            autocorrect: "off",
          }),
          EditorView.updateListener.of((u) => {
            // every edit but our own copy of the store's text goes back to the store
            if (u.docChanged && !u.transactions.some((tr) => tr.annotation(fromStore))) {
              change.current(u.state.doc.toString());
            }
          }),
        ],
      }),
    });
    view.current = v;
    onReady({
      goTo(line, col) {
        const doc = v.state.doc;
        const l = doc.line(Math.min(Math.max(1, line), doc.lines));
        const pos = l.from + Math.min(Math.max(0, col - 1), l.length);
        v.dispatch({ selection: { anchor: pos }, scrollIntoView: true });
        v.focus();
      },
    });
    return () => {
      onReady(null);
      v.destroy();
      view.current = null;
    };
  }, []);

  // the store's text, when it changed elsewhere
  // biome-ignore lint/correctness/useExhaustiveDependencies: latestText is a stable reader of the store
  useEffect(() => {
    const v = view.current;
    // A render that lags the typing (its text is older than the store's) must not undo keystrokes:
    // every edit reaches the store at once, so only a text that is the store's own is taken.
    if (!v || text !== latestText()) return;
    const want = normalized(text);
    const have = v.state.doc.toString();
    if (want !== have) {
      v.dispatch({ changes: { from: 0, to: have.length, insert: want }, annotations: fromStore.of(true) });
    }
  }, [text]);

  useEffect(() => {
    const v = view.current;
    if (!v) return;
    // diagnostics belong to the text that was parsed: they are dropped as soon as it changes
    v.dispatch(
      setDiagnostics(
        v.state,
        diagnostics.map((d) => toCm(v.state.doc, d)),
      ),
    );
  }, [diagnostics]);

  const marked = useRef(diagnostics);
  useEffect(() => {
    const errors = [...new Set(diagnostics.map((d) => d.line))];
    const marks = setMarks.of({ current: errors.length ? 0 : currentLine, errors });
    const mark = () => view.current?.dispatch({ effects: marks });
    // new text, new errors: at once
    if (marked.current !== diagnostics) {
      marked.current = diagnostics;
      mark();
      return;
    }
    // A step to another statement: when the main thread is next idle, after the step's frame.
    // CodeMirror reads the DOM selection when an update redraws a line, which forces a layout;
    // dispatched in the middle of the commit, it laid the page out for itself and again for the frame
    // (about 10 ms a scrub on a big trace); in the step's frame it still cost that frame 1.3-2.9 ms
    // (bench/profile-browser.ts --keys Shift+ArrowRight); two frames later it still landed inside a
    // scrub, whose click spans frames: scrubbing the eight 32 GiB devices took 26.6 ms median / 43.9
    // p95 of main-thread work with the mark there, 20.3 / 30.3 with it in idle time. The panels
    // show the step first, the editor's mark after; steps that come faster than that (a held key,
    // a scrub) mark only the line they stop on, at the latest 150 ms after the last. Without idle
    // callbacks (Safari), two frames later.
    if (typeof requestIdleCallback === "function") {
      const id = requestIdleCallback(mark, { timeout: 150 });
      return () => cancelIdleCallback(id);
    }
    let id = requestAnimationFrame(() => {
      id = requestAnimationFrame(mark);
    });
    return () => cancelAnimationFrame(id);
  }, [currentLine, diagnostics]);

  return <div className="cm-host" ref={host} />;
}
