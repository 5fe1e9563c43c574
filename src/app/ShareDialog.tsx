/**
 * The Share menu's dialog: the link of the current state in a selected text field, and downloads
 * of the scenario (.p2p) and of the current view (SVG, PNG). Loaded on the first click of Share,
 * with the exporter (src/share/export-view.ts) loaded on the first download.
 */

import { type CSSProperties, type RefObject, useEffect } from "react";
import type { LinkState } from "../store/link-store.ts";
import { stepLabel } from "../store/selectors.ts";
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

export interface ShareDialogProps {
  readonly link: LinkState["current"];
  readonly status: string;
  readonly setStatus: (s: string) => void;
  readonly field: RefObject<HTMLInputElement | null>;
}

export default function ShareDialog({ link, status, setStatus, field }: ShareDialogProps) {
  // the link is selected, ready to copy by hand when the clipboard is not available
  useEffect(() => {
    if (!link?.ok) return;
    field.current?.focus();
    field.current?.select();
  }, [link, field]);
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
      const { viewToSvg, svgToPng, download: saveBlob } = await exporter();
      const view = viewToSvg(root, caption);
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
    </div>
  );
}
