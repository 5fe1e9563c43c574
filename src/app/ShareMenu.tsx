/**
 * Share and export (issue 5): a Share button that copies the link of the current state (with a
 * visible, selectable text field when the clipboard is not available), and downloads of the
 * scenario (.p2p) and of the current view (SVG, PNG). Also the view of a bad link's error, which
 * the Editor shows where scenario errors go, and the hook that keeps the URL in step with the app.
 */

import { type CSSProperties, useEffect, useRef, useState } from "react";
import type { ShareError } from "../share/codec.ts";
import { downloadScenario, download as saveBlob, svgToPng, viewToSvg } from "../share/export-view.ts";
import { stepLabel } from "../store/selectors.ts";
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

export function ShareMenu() {
  const [open, setOpen] = useState(false);
  const [link, setLink] = useState<LinkState["current"]>(null);
  const [status, setStatus] = useState("");
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
    field.current?.focus();
    field.current?.select();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape") setOpen(false);
    };
    const onDown = (e: MouseEvent) => {
      if (box.current && !box.current.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener("keydown", onKey);
    document.addEventListener("mousedown", onDown);
    return () => {
      document.removeEventListener("keydown", onKey);
      document.removeEventListener("mousedown", onDown);
    };
  }, [open]);

  const exportView = async (kind: "svg" | "png") => {
    const s = useStore.getState();
    const root = document.querySelector("main.workspace");
    try {
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
      const view = viewToSvg(root, caption);
      if (kind === "svg") saveBlob(`${fileStem()}.svg`, new Blob([view.svg], { type: "image/svg+xml" }));
      else saveBlob(`${fileStem()}.png`, await svgToPng(view));
      setStatus(`Saved ${fileStem()}.${kind}.`);
    } catch (e) {
      setStatus(`Export failed: ${e instanceof Error ? e.message : String(e)}`);
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
        </div>
      )}
    </div>
  );
}
