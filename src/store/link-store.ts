/**
 * The share-link state the UI renders (the Share menu, the editor column), in a module of its own:
 * the link codec and the URL sync (url-sync.ts) load after the first render, this store at once.
 */

import { create } from "zustand";
import type { ShareError } from "../share/errors.ts";

export interface LinkState {
  /** why the link in the address bar could not be opened; shown as the scenario error */
  error: ShareError | null;
  /** the link for the current state, or the reason there is none (too large) */
  current: { ok: true; url: string } | { ok: false; error: ShareError } | null;
  /** panel named by the link, kept in the URL until another scenario is loaded */
  panel: string | null;
  /** embed mode (docs/url-format.md): the panels and stepping controls only, for an iframe */
  embed: { readonly from?: number; readonly to?: number } | null;
}

export const useLinkStore = create<LinkState>()(() => ({
  error: null,
  current: null,
  panel: null,
  embed: null,
}));

/** Whether the address bar holds a link to open (anything after '#'). */
export function hasLink(hash: string): boolean {
  return hash !== "" && hash !== "#";
}
