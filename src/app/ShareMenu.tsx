/**
 * Share and export (issue 5): a Share button that copies the link of the current state (with a
 * visible, selectable text field when the clipboard is not available), and downloads of the
 * scenario (.p2p) and of the current view (SVG, PNG). Also the view of a bad link's error, which
 * the Editor shows where scenario errors go, and the hook that keeps the URL in step with the app.
 */

import { lazy, Suspense, useEffect, useRef, useState } from "react";
import { type LinkState, useLinkStore } from "../store/link-store.ts";

/** The link codec and the URL sync, on first use (not part of the initial JavaScript). */
const urlSync = () => import("../store/url-sync.ts");
/** The dialog (link field, downloads, SVG/PNG export), on first use. */
const ShareDialog = lazy(() => import("./ShareDialog.tsx"));

/**
 * Keeps the URL and the state in step; call once in the app root (after its children's effects).
 * The sync starts as soon as its module has loaded (main.tsx loaded it already when the address bar
 * holds a link).
 */
export function useUrlSync(): void {
  useEffect(() => {
    let stop: (() => void) | undefined;
    let gone = false;
    void urlSync().then((m) => {
      if (!gone) stop = m.startUrlSync();
    });
    return () => {
      gone = true;
      stop?.();
    };
  }, []);
}

/** The link error to show, if any (for the Editor and compare mode). */
export function useLinkError() {
  return useLinkStore((s) => s.error);
}

export function ShareMenu() {
  const [open, setOpen] = useState(false);
  const [link, setLink] = useState<LinkState["current"]>(null);
  const [status, setStatus] = useState("");
  const field = useRef<HTMLInputElement>(null);
  const box = useRef<HTMLDivElement>(null);
  // a recording keeps the dialog (its progress and Cancel) open
  const busy = useRef(false);

  const share = async () => {
    const l = (await urlSync()).currentLink();
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
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape" && !busy.current) setOpen(false);
    };
    const onDown = (e: MouseEvent) => {
      if (box.current && !box.current.contains(e.target as Node) && !busy.current) setOpen(false);
    };
    document.addEventListener("keydown", onKey);
    document.addEventListener("mousedown", onDown);
    return () => {
      document.removeEventListener("keydown", onKey);
      document.removeEventListener("mousedown", onDown);
    };
  }, [open]);

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
        <Suspense fallback={<p className="share-loading">Making the link…</p>}>
          <ShareDialog link={link} status={status} setStatus={setStatus} field={field} busy={busy} />
        </Suspense>
      )}
    </div>
  );
}
