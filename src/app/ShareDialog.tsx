/**
 * The Share menu's dialog: the link of the current state in a selected text field, "Copy as text"
 * (the run's mail-ready summary with the link under it), and downloads of the scenario (.p2p), of
 * the whole view (SVG, PNG) and of a range of steps as an animated GIF or a WebM video, with a
 * progress bar and a cancel button. Loaded on the first click of Share, with the exporter
 * (src/share/export-view.ts) and the animator loaded on first use.
 */

import { type CSSProperties, type RefObject, useEffect, useState } from "react";
import type { ViewSvg } from "../share/export-view.ts";
import type { LinkState } from "../store/link-store.ts";
import { opAt, stepLabel } from "../store/selectors.ts";
import { useStore } from "../store/store.ts";

/** SVG/PNG export and downloads, on first use. */
const exporter = () => import("../share/export-view.ts");

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

type Exporter = Awaited<ReturnType<typeof exporter>>;

/** The whole view (every panel) as one SVG, with the step, pool and narration above it. */
function captureView(ex: Exporter): ViewSvg {
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
  return ex.viewToSvg(root, caption);
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

export interface ShareDialogProps {
  readonly link: LinkState["current"];
  readonly status: string;
  readonly setStatus: (s: string) => void;
  readonly field: RefObject<HTMLInputElement | null>;
  /** set while a recording runs: the menu then stays open (its progress and Cancel are here) */
  readonly busy: { current: boolean };
}

export default function ShareDialog({ link, status, setStatus, field, busy }: ShareDialogProps) {
  const [copied, setCopied] = useState<string | null>(null);
  const [rec, setRec] = useState<Recording | null>(null);
  busy.current = rec !== null;
  const [range, setRange] = useState<[number, number]>(statementRange);
  const [webm, setWebm] = useState<boolean | null>(null);
  useEffect(() => {
    void import("../share/animate.ts").then((m) => setWebm(m.webmType() !== undefined));
  }, []);
  // the link is selected, ready to copy by hand when the clipboard is not available
  useEffect(() => {
    if (!link?.ok) return;
    field.current?.focus();
    field.current?.select();
  }, [link, field]);

  // the run's summary, then the link: ready to paste into a mail
  const copyText = async () => {
    const s = useStore.getState();
    if (!s.trace) return;
    const { summarize } = await import("../trace/summary.ts");
    const body = [
      ...summarize(s.trace),
      "",
      link?.ok ? link.url : "(the scenario is too large for a link: attach it as a .p2p file)",
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

  const record = async (format: "gif" | "webm", want: [number, number]) => {
    if (rec) return;
    const s = useStore.getState();
    if (!s.trace) return;
    if (document.querySelector("main.workspace section.compare-col")) {
      setStatus("Animations record the single view: leave compare mode first.");
      return;
    }
    const last = s.trace.steps - 1;
    const from = Math.max(0, Math.min(want[0], last));
    const to = Math.max(from, Math.min(want[1], last));
    // playback would move the step under the recorder: stop it first
    if (s.playing) s.pause();
    const back = s.step;
    const abort = new AbortController();
    setRec({ format, done: 0, total: to - from + 1, abort });
    setStatus("");
    try {
      const [{ animate }, ex] = await Promise.all([import("../share/animate.ts"), exporter()]);
      const blob = await animate({
        from,
        to,
        format,
        setStep: (n) => useStore.getState().setStep(n),
        capture: () => captureView(ex),
        onProgress: (done, total) => setRec((r) => (r ? { ...r, done, total } : r)),
        signal: abort.signal,
      });
      const name = `p2pviz-steps-${from}-${to}.${format}`;
      ex.download(name, blob);
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

  const exportView = async (kind: "svg" | "png") => {
    try {
      const ex = await exporter();
      const { svgToPng, download: saveBlob } = ex;
      const view = captureView(ex);
      if (kind === "svg") saveBlob(`${fileStem()}.svg`, new Blob([view.svg], { type: "image/svg+xml" }));
      else saveBlob(`${fileStem()}.png`, await svgToPng(view));
      setStatus(`Saved ${fileStem()}.${kind}.`);
    } catch (e) {
      setStatus(`Export failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  };

  return (
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
      <p data-testid="share-status" aria-live="polite" style={{ margin: 0, color: "var(--muted, #4a5360)" }}>
        {status}
      </p>
      <div style={row}>
        <span>Download:</span>
        <button
          type="button"
          data-testid="download-p2p"
          onClick={() =>
            void exporter().then((m) => m.downloadScenario(useStore.getState().text, "p2pviz-scenario.p2p"))
          }
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
          aria-label="the run as text, with its link"
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
            value={range[0]}
            onChange={(e) => setRange([Number(e.currentTarget.value), range[1]])}
            style={{ width: "6em" }}
          />
        </label>
        <label>
          to{" "}
          <input
            type="number"
            data-testid="range-to"
            min={0}
            value={range[1]}
            onChange={(e) => setRange([range[0], Number(e.currentTarget.value)])}
            style={{ width: "6em" }}
          />
        </label>
        <button
          type="button"
          data-testid="export-gif-range"
          disabled={rec !== null}
          onClick={() => void record("gif", range)}
        >
          GIF
        </button>
        <button
          type="button"
          data-testid="export-webm"
          disabled={rec !== null || webm === false}
          onClick={() => void record("webm", range)}
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
  );
}
