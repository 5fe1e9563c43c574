/**
 * Share and export (issue 5): a Share button that copies the link of the current state (with a
 * visible, selectable text field when the clipboard is not available), "Copy as text" (the run's
 * mail-ready summary with the link under it), and downloads of the scenario (.p2p), of the whole
 * view (SVG, PNG) and of a range of steps as an animated GIF or a WebM video, with a progress bar
 * and a cancel button. Also the view of a bad link's error, which the Editor shows where scenario
 * errors go, and the hook that keeps the URL in step with the app.
 */

import { type CSSProperties, useEffect, useRef, useState } from "react";
import type { ShareError } from "../share/codec.ts";
import {
  downloadScenario,
  download as saveBlob,
  svgToPng,
  type ViewSvg,
  viewToSvg,
} from "../share/export-view.ts";
import { opAt, stepLabel } from "../store/selectors.ts";
import { useStore } from "../store/store.ts";
import {
  currentLink,
  type LinkState,
  primeFromLocation,
  startUrlSync,
  useLinkStore,
} from "../store/url-sync.ts";

// Runs when the app's modules load, before the first render: a link's scenario is in the store
// before anything is drawn, so no other scenario is shown in its place, not even for a frame.
primeFromLocation();

/** Keeps the URL and the state in step; call once in the app root (after its children's effects). */
export function useUrlSync(): void {
  useEffect(() => startUrlSync(), []);
}

/** A bad link's error, for the editor's status line. Plain text only. */
export function LinkErrorView({ error }: { error: ShareError }) {
  return (
    <div className="scenario-error" role="alert">
      <p data-testid="scenario-error" style={{ margin: 0, color: "var(--bad)", fontWeight: 600 }}>
        {error.code === "bad-step" ? "" : "This link cannot be opened: "}
        {error.message}
      </p>
      {error.hint && <p className="hint">{error.hint}</p>}
    </div>
  );
}

/** The link error to show, if any (for the Editor). */
export function useLinkError(): ShareError | null {
  return useLinkStore((s) => s.error);
}

const pop: CSSProperties = {
  position: "absolute",
  top: "calc(100% + 6px)",
  right: 0,
  zIndex: 20,
  width: "min(560px, 90vw)",
  background: "var(--panel, #fff)",
  border: "1px solid var(--line, #c9ced6)",
  borderRadius: 6,
  boxShadow: "0 4px 16px rgba(0,0,0,.15)",
  padding: 10,
  display: "grid",
  gap: 8,
};
const row: CSSProperties = { display: "flex", gap: 6, alignItems: "center", flexWrap: "wrap" };

function fileStem(): string {
  return `p2pviz-step-${useStore.getState().step}`;
}

/** The whole view (every panel) as one SVG, with the step, pool and narration above it. */
function captureView(): ViewSvg {
  const s = useStore.getState();
  const root = document.querySelector("main.workspace");
  if (!root || !s.trace) throw new Error("there is no run to export yet");
  const first = s.text.split("\n").find((l) => l.trim() !== "") ?? "";
  const text = (sel: string, within: ParentNode = document) =>
    within.querySelector(sel)?.textContent?.trim() ?? "";
  const sides = Array.from(root.querySelectorAll("section.compare-col"));
  const caption = (
    sides.length > 0
      ? [
          "p2pviz: compare mode",
          ...sides.map((c) => `${c.getAttribute("aria-label")}, ${text('[data-testid="side-step"]', c)}`),
        ]
      : [
          `p2pviz: ${s.trace.design} design, ${stepLabel(s.step, s.trace)}`,
          text('[data-testid="pool-summary"]'),
          text('[data-testid="narration"]'),
        ]
  ).concat(first);
  return viewToSvg(root, caption);
}

/** The steps of the current statement, the default range of an animation. */
function statementRange(): [number, number] {
  const s = useStore.getState();
  const op = s.trace ? opAt(s.trace, s.step) : undefined;
  return op ? [op.firstStep, op.lastStep] : [s.step, s.step];
}

/** A recording under way: how far it got, and how to stop it. */
interface Recording {
  readonly format: "gif" | "webm";
  readonly done: number;
  readonly total: number;
  readonly abort: AbortController;
}

export function ShareMenu() {
  const [open, setOpen] = useState(false);
  const [link, setLink] = useState<LinkState["current"]>(null);
  const [status, setStatus] = useState("");
  const [copied, setCopied] = useState<string | null>(null);
  const [rec, setRec] = useState<Recording | null>(null);
  // a recording keeps the dialog (its progress and Cancel) open
  const recording = useRef(false);
  recording.current = rec !== null;
  const [range, setRange] = useState<[number, number] | null>(null);
  const [webm, setWebm] = useState<boolean | null>(null);
  const field = useRef<HTMLInputElement>(null);
  const box = useRef<HTMLDivElement>(null);

  const share = async () => {
    const l = currentLink();
    setLink(l);
    setOpen(true);
    if (!l?.ok) {
      setStatus("");
      return;
    }
    try {
      if (!navigator.clipboard) throw new Error("no clipboard");
      await navigator.clipboard.writeText(l.url);
      setStatus(`Link copied (${l.url.length} characters).`);
    } catch {
      setStatus("Copy the link above: it is selected (Ctrl+C / ⌘C).");
    }
  };

  useEffect(() => {
    if (!open) return;
    setRange(statementRange());
    void import("../share/animate.ts").then((m) => setWebm(m.webmType() !== undefined));
    field.current?.focus();
    field.current?.select();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape" && !recording.current) setOpen(false);
    };
    const onDown = (e: MouseEvent) => {
      if (box.current && !box.current.contains(e.target as Node) && !recording.current) setOpen(false);
    };
    document.addEventListener("keydown", onKey);
    document.addEventListener("mousedown", onDown);
    return () => {
      document.removeEventListener("keydown", onKey);
      document.removeEventListener("mousedown", onDown);
    };
  }, [open]);

  const exportView = async (kind: "svg" | "png") => {
    try {
      const view = captureView();
      if (kind === "svg") saveBlob(`${fileStem()}.svg`, new Blob([view.svg], { type: "image/svg+xml" }));
      else saveBlob(`${fileStem()}.png`, await svgToPng(view));
      setStatus(`Saved ${fileStem()}.${kind}.`);
    } catch (e) {
      setStatus(`Export failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  };

  // the run's summary, then the link: ready to paste into a mail
  const copyText = async () => {
    const s = useStore.getState();
    if (!s.trace) return;
    const l = currentLink();
    const { summarize } = await import("../trace/summary.ts");
    const body = [
      ...summarize(s.trace),
      "",
      l?.ok ? l.url : "(the scenario is too large for a link: attach it as a .p2p file)",
    ].join("\n");
    setCopied(body);
    try {
      if (!navigator.clipboard) throw new Error("no clipboard");
      await navigator.clipboard.writeText(body);
      setStatus(`Copied the run as text (${body.split("\n").length} lines) with its link.`);
    } catch {
      setStatus("Copy the text below: it is selected (Ctrl+C / ⌘C).");
    }
  };

  const record = async (format: "gif" | "webm", range: [number, number]) => {
    if (rec) return;
    const s = useStore.getState();
    if (!s.trace) return;
    if (document.querySelector("main.workspace section.compare-col")) {
      setStatus("Animations record the single view: leave compare mode first.");
      return;
    }
    const last = s.trace.steps - 1;
    const from = Math.max(0, Math.min(range[0], last));
    const to = Math.max(from, Math.min(range[1], last));
    // playback would move the step under the recorder: stop it first
    if (s.playing) s.pause();
    const back = s.step;
    const abort = new AbortController();
    setRec({ format, done: 0, total: to - from + 1, abort });
    setStatus("");
    try {
      const { animate } = await import("../share/animate.ts");
      const blob = await animate({
        from,
        to,
        format,
        setStep: (n) => useStore.getState().setStep(n),
        capture: captureView,
        onProgress: (done, total) => setRec((r) => (r ? { ...r, done, total } : r)),
        signal: abort.signal,
      });
      const name = `p2pviz-steps-${from}-${to}.${format}`;
      saveBlob(name, blob);
      setStatus(`Saved ${name} (${to - from + 1} frames, ${Math.ceil(blob.size / 1024)} KB).`);
    } catch (e) {
      setStatus(
        abort.signal.aborted
          ? "Recording cancelled."
          : `Recording failed: ${e instanceof Error ? e.message : String(e)}`,
      );
    } finally {
      useStore.getState().setStep(back);
      setRec(null);
    }
  };

  return (
    <div className="share" ref={box} style={{ position: "relative" }}>
      <button
        type="button"
        className="share-button"
        data-testid="share"
        aria-expanded={open}
        aria-haspopup="dialog"
        onClick={() => void share()}
        title="Copy a link that opens this scenario at this step"
        style={{ padding: "3px 10px", minHeight: 26, cursor: "pointer" }}
      >
        Share
      </button>
      {open && (
        <div role="dialog" aria-label="share and export" style={pop} data-testid="share-dialog">
          {link?.ok ? (
            <label style={{ display: "grid", gap: 4 }}>
              <span>Link to this scenario at this step</span>
              <input
                ref={field}
                data-testid="share-url"
                readOnly
                value={link.url}
                onFocus={(e) => e.currentTarget.select()}
                style={{ width: "100%", fontFamily: "monospace", fontSize: 12, padding: 4 }}
              />
            </label>
          ) : link ? (
            <p data-testid="share-too-large" style={{ margin: 0 }}>
              {link.error.message} {link.error.hint}
            </p>
          ) : null}
          <p
            data-testid="share-status"
            aria-live="polite"
            style={{ margin: 0, color: "var(--muted, #4a5360)" }}
          >
            {status}
          </p>
          <div style={row}>
            <span>Download:</span>
            <button
              type="button"
              data-testid="download-p2p"
              onClick={() => downloadScenario(useStore.getState().text, "p2pviz-scenario.p2p")}
            >
              scenario (.p2p)
            </button>
            <button type="button" data-testid="export-svg" onClick={() => void exportView("svg")}>
              view (SVG)
            </button>
            <button type="button" data-testid="export-png" onClick={() => void exportView("png")}>
              view (PNG)
            </button>
          </div>
          <div style={row}>
            <span>Text:</span>
            <button
              type="button"
              data-testid="copy-text"
              onClick={() => void copyText()}
              title="The run in a few lines per statement (72 columns), with the link under it"
            >
              Copy as text
            </button>
          </div>
          {copied !== null && (
            <textarea
              data-testid="copy-text-value"
              readOnly
              value={copied}
              rows={6}
              onFocus={(e) => e.currentTarget.select()}
              style={{ width: "100%", fontFamily: "monospace", fontSize: 12 }}
            />
          )}
          <div style={row}>
            <span>Animate:</span>
            <button
              type="button"
              data-testid="export-gif"
              disabled={rec !== null}
              onClick={() => void record("gif", statementRange())}
              title="An animated GIF of every step of the current statement"
            >
              this statement (GIF)
            </button>
          </div>
          <div style={row}>
            <label>
              steps{" "}
              <input
                type="number"
                data-testid="range-from"
                min={0}
                value={range?.[0] ?? 0}
                onChange={(e) => setRange([Number(e.currentTarget.value), range?.[1] ?? 0])}
                style={{ width: "6em" }}
              />
            </label>
            <label>
              to{" "}
              <input
                type="number"
                data-testid="range-to"
                min={0}
                value={range?.[1] ?? 0}
                onChange={(e) => setRange([range?.[0] ?? 0, Number(e.currentTarget.value)])}
                style={{ width: "6em" }}
              />
            </label>
            <button
              type="button"
              data-testid="export-gif-range"
              disabled={rec !== null || range === null}
              onClick={() => range && void record("gif", range)}
            >
              GIF
            </button>
            <button
              type="button"
              data-testid="export-webm"
              disabled={rec !== null || range === null || webm === false}
              onClick={() => range && void record("webm", range)}
              title={webm === false ? "This browser's MediaRecorder cannot encode WebM" : "A WebM video"}
            >
              WebM
            </button>
          </div>
          {rec && (
            <div style={row} data-testid="export-recording">
              <progress
                data-testid="export-progress"
                max={rec.total}
                value={rec.done}
                aria-label={`recording the ${rec.format.toUpperCase()}`}
                style={{ flex: 1 }}
              />
              <span>
                {rec.done} / {rec.total}
              </span>
              <button type="button" data-testid="export-cancel" onClick={() => rec.abort.abort()}>
                Cancel
              </button>
            </div>
          )}
        </div>
      )}
    </div>
  );
}
