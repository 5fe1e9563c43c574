/**
 * Keeps the page URL and the app state in step (issue 5):
 *  - on start, a link in location.hash is opened: its scenario at its step (and design, page,
 *    panel). A bad link shows its ShareError where scenario errors go and leaves the editor empty:
 *    it never falls back to the saved or default scenario (STYLE.md §5);
 *  - as the user works, the fragment follows the state: once it has been still for URL_QUIET_MS
 *    (while playback runs, at the latest URL_MAX_WAIT_MS after a change), and after the next frame
 *    has been drawn. Stepping, selecting and
 *    switching designs replace the current history entry; a new scenario text makes a new entry
 *    (edits typed within TYPING_MS of each other share one), so Back goes to the previous scenario;
 *  - Back/Forward (popstate) and a hash pasted into the address bar (hashchange) open that link.
 *
 * The share codec (src/share/codec.ts) is pure; this file is the only one that touches `location`
 * and `history`. Its own small store holds the link state the Share menu and the Editor render.
 */

import type { Design } from "../scenario/ast.ts";
import {
  checkStep,
  decodeShareLink,
  encodeShareLink,
  fragmentOf,
  type ShareState,
  splitFields,
} from "../share/codec.ts";
import { migrateStep } from "../share/migrate-step.ts";
import { PANELS } from "../share/panels.ts";
import type { Trace } from "../trace/trace.ts";
import { comparePlaying, openCompareFromLink, subscribeCompare, withCompare } from "./compare-link.ts";
import { hasLink, type LinkState, useLinkStore } from "./link-store.ts";
import { type AppState, type PageRef, STORAGE_TEXT, useStore, validVersion } from "./store.ts";

/**
 * The URL is written once the state has been still this long. A history call is costly: in
 * Chromium, replaceState serialises the state and the browser process commits a same-document
 * navigation (about 7 ms of the browser's CPU and 4 ms of the page's per step, measured while
 * stepping a 32 GiB mmap with a write at most every 250 ms), work that competes with the next
 * step's frame on a two-core machine. While a key is held, steps come faster than that: no write.
 */
export const URL_QUIET_MS = 300;
/** ... and, while playback runs, at the latest this long after a change not yet written. */
export const URL_MAX_WAIT_MS = 1000;
/** Text edits closer together than this share one history entry. */
export const TYPING_MS = 2000;

export { type LinkState, useLinkStore };

function base(): string {
  return `${location.origin}${location.pathname}${location.search}`;
}

/** Store page selection (device index) -> link page (device name). */
function pageOf(trace: Trace | null, sel: PageRef | null): ShareState["page"] {
  const dev = sel && trace?.deviceNames[sel.dev];
  return dev && sel ? { dev, index: sel.page } : undefined;
}

/** The share state of the app as it stands (with compare mode's side B and aligned step, if on). */
export function shareStateOf(s: AppState, panel: string | null): ShareState {
  const page = pageOf(s.trace, s.selected);
  const embed = useLinkStore.getState().embed;
  return withCompare({
    text: s.text,
    step: s.step,
    ...(s.design && { design: s.design }),
    ...(s.design && s.version && { version: s.version }),
    ...(page && { page }),
    ...(panel && { panel }),
    ...(embed && { embed }),
  });
}

/** The URL to share for the app as it stands (used by the Share button, without waiting). */
export function currentLink(): LinkState["current"] {
  const r = encodeShareLink(shareStateOf(useStore.getState(), useLinkStore.getState().panel), {
    base: base(),
  });
  return r.ok ? { ok: true, url: r.url } : { ok: false, error: r.error };
}

/**
 * sessionStorage key of the fragments this tab wrote last, newest last (a reload keeps them; a new
 * tab does not). More than one: a reload loads the URL the address bar held when it began, and a
 * pending write can still land (and record a newer fragment) while the reloaded page is on its
 * way, so the address bar's fragment may be the one before the last.
 */
export const OWN_FRAGMENTS = "p2pviz.ownFragments";
/** how many of this tab's last fragments count as its own */
export const OWN_FRAGMENTS_KEPT = 8;

function session(): Storage | null {
  try {
    return typeof sessionStorage === "undefined" ? null : sessionStorage;
  } catch {
    return null;
  }
}

function ownFragments(): string[] {
  try {
    const v: unknown = JSON.parse(session()?.getItem(OWN_FRAGMENTS) ?? "[]");
    return Array.isArray(v) ? v.filter((f): f is string => typeof f === "string") : [];
  } catch {
    return [];
  }
}

function rememberOwnFragment(fragment: string): void {
  const kept = ownFragments().filter((f) => f !== fragment);
  kept.push(fragment);
  try {
    session()?.setItem(OWN_FRAGMENTS, JSON.stringify(kept.slice(-OWN_FRAGMENTS_KEPT)));
  } catch {
    // storage disabled or full: a reload right after an edit may then show the link's older text
  }
}

/**
 * On a reload the address bar holds a link this tab wrote, which can lag the last edit: links are
 * written after URL_QUIET_MS (URL_MAX_WAIT_MS at most while playing), and a reload may come first. The text saved in
 * localStorage at every keystroke is newer then, and opening the link would lose the edit.
 */
function isOwnStaleLink(hash: string): boolean {
  if (!ownFragments().includes(hash.replace(/^#/, ""))) return false;
  let saved: string | null = null;
  try {
    saved = localStorage.getItem(STORAGE_TEXT);
  } catch {
    return false;
  }
  const r = decodeShareLink(hash);
  return r.ok && saved !== null && r.state.text !== saved;
}

/** A link in the address bar that should be opened (not our own link lagging a newer edit). */
function linkToOpen(hash: string): boolean {
  return hasLink(hash) && !isOwnStaleLink(hash);
}

/** Text of the scenario the current history entry shows, and when it was written. */
let entryText: string | null = null;
let entryWrittenAt = 0;
/** The fragment we last wrote or opened, so our own hash changes are not read back as new links. */
let lastFragment: string | null = null;

function select(page: ShareState["page"]): void {
  const s = useStore.getState();
  if (!page || !s.trace) return;
  const dev = s.trace.deviceNames.indexOf(page.dev);
  if (dev < 0) return;
  s.select({ dev, page: page.index });
}

function focusPanel(panel: string | undefined): void {
  const cls = panel ? PANELS[panel] : undefined;
  if (!cls) return;
  requestAnimationFrame(() =>
    document.querySelector(`section.panel.${cls}`)?.scrollIntoView({ block: "nearest" }),
  );
}

/**
 * Whether the link names a step. A hand-written v0 link without `step=` opens at the start
 * (share/versions.ts), which no numbering changes: there is no old step to map, so the first engine
 * is not run for it (it keeps a state per page: seconds on a 32 GiB device, for nothing).
 */
function namesStep(hash: string): boolean {
  try {
    return splitFields(fragmentOf(hash)).some(([k]) => k === "step");
  } catch {
    return true;
  }
}

/**
 * Opens the link in `hash`. Returns false (and shows the error) for a bad link. The decoded text
 * only ever reaches the editor's value and the engine's parser: it is never markup or code.
 */
function openLink(hash: string): boolean {
  const r = decodeShareLink(hash);
  lastFragment = hash.replace(/^#/, "");
  if (!r.ok) {
    // Nothing from before stays on screen as if it were the link's scenario; nothing is saved.
    useStore.setState({ text: "", trace: null, diagnostics: [], step: 0, selected: null, playing: false });
    useLinkStore.setState({ error: r.error, panel: null, embed: null });
    entryText = null;
    return false;
  }
  // A link older than format v3 counts the first engine's steps: the same moment, in today's numbering.
  const state = { ...r.state, step: namesStep(hash) ? migrateStep(r.state, r.version) : r.state.step };
  const { text, step, design, version, page, panel, embed } = state;
  const knownPanel = panel === undefined || PANELS[panel] !== undefined;
  useLinkStore.setState({ error: null, panel: knownPanel ? (panel ?? null) : null, embed: embed ?? null });
  entryText = text;
  entryWrittenAt = 0;
  useStore.getState().loadScenario(text, { step, design: design ?? null, version: version ?? null });
  const compareBad = openCompareFromLink(state); // a comparison's step is the aligned step
  const s = useStore.getState();
  if (s.trace && s.diagnostics.length === 0) {
    const bad = state.compare ? compareBad : checkStep(step, s.trace.steps);
    if (bad) useLinkStore.setState({ error: bad });
  }
  if (!knownPanel) {
    useLinkStore.setState({
      error: {
        code: "bad-field",
        message: `The link asks for a panel '${panel}' that this p2pviz does not have; the scenario is shown without it.`,
      },
    });
  }
  select(page);
  focusPanel(panel);
  return true;
}

/**
 * Before the first render: if the URL holds a link, put its text in the store already, so the
 * saved scenario is never shown (not even for a frame) in place of the link's.
 */
export function primeFromLocation(): void {
  if (typeof location === "undefined" || !linkToOpen(location.hash)) return;
  const r = decodeShareLink(location.hash);
  if (r.ok) {
    useStore.setState({
      text: r.state.text,
      design: r.state.design ?? null,
      version: validVersion(r.state.design ?? null, r.state.version),
    });
    useLinkStore.setState({ embed: r.state.embed ?? null });
  } else useStore.setState({ text: "", trace: null });
}

function writeUrl(): void {
  const link = useLinkStore.getState();
  if (link.error) return; // keep a bad link in the address bar, where the user can see and fix it
  const s = useStore.getState();
  const r = encodeShareLink(shareStateOf(s, link.panel), { base: base() });
  useLinkStore.setState({ current: r.ok ? { ok: true, url: r.url } : { ok: false, error: r.error } });
  // Too large for a link: the address bar must not keep a link to some other, older scenario.
  const url = r.ok ? r.url : base();
  const fragment = r.ok ? r.fragment : "";
  if (fragment === lastFragment) return;
  const now = Date.now();
  const newScenario = entryText !== null && s.text !== entryText;
  const typing = now - entryWrittenAt < TYPING_MS;
  if (newScenario && !typing && hasLink(location.hash)) history.pushState(null, "", url);
  else history.replaceState(null, "", url);
  if (newScenario) entryWrittenAt = now;
  entryText = s.text;
  lastFragment = fragment;
  rememberOwnFragment(fragment);
}

/**
 * Runs `f` once the browser has drawn the next frame and the main thread is idle (or after a
 * second at the latest), or in a task without frames. A write costs 2-20 ms on a big scenario (the
 * history call itself 6-12 ms in Chromium): run as a plain task, it could land between a step's
 * input and the frame that shows it.
 */
function afterPaint(f: () => void): void {
  const idle = () =>
    typeof requestIdleCallback === "function" ? requestIdleCallback(f, { timeout: 1000 }) : setTimeout(f, 0);
  if (typeof requestAnimationFrame === "function") requestAnimationFrame(() => setTimeout(idle, 0));
  else setTimeout(f, 0);
}

/** Starts the sync; returns a function that stops it. Call once, from the app root, after mount. */
export function startUrlSync(): () => void {
  if (linkToOpen(location.hash)) openLink(location.hash);
  else entryText = useStore.getState().text;

  let timer: ReturnType<typeof setTimeout> | undefined;
  let pending = false;
  /** when the first change not yet written, and the latest change, were made */
  let firstChange = 0;
  let lastChange = 0;
  const cancel = () => {
    clearTimeout(timer);
    timer = undefined;
    pending = false;
  };
  const flush = () => {
    cancel();
    writeUrl();
  };
  // Due when the state has been still for URL_QUIET_MS, or while playing, URL_MAX_WAIT_MS after the
  // first change (the address bar follows the playback; a person stepping gets it once they stop);
  // a store action may set() several times in a row, and the write sees its final state. The write
  // waits for the step to be painted (a frame, then an idle task): encoding the link, the history
  // call and the session storage must not delay the step on screen.
  const check = () => {
    timer = undefined;
    if (!pending) return;
    const playing = useStore.getState().playing || comparePlaying();
    const still = lastChange + URL_QUIET_MS;
    const due = playing ? Math.min(still, firstChange + URL_MAX_WAIT_MS) : still;
    const wait = due - Date.now();
    if (wait > 0) timer = setTimeout(check, wait);
    else afterPaint(() => pending && flush());
  };
  const schedule = () => {
    lastChange = Date.now();
    if (pending) return;
    pending = true;
    firstChange = lastChange;
    timer = setTimeout(check, URL_QUIET_MS);
  };
  schedule();

  const unsubscribe = useStore.subscribe((s, prev) => {
    if (s.text !== prev.text && useLinkStore.getState().error) {
      // the user moved on from a bad link (typed, or chose a preset): its error no longer applies
      useLinkStore.setState({ error: null });
    }
    if (s.step !== prev.step && s.trace && useLinkStore.getState().error) {
      // the user is stepping through the link's scenario: a note about its step or panel is done
      useLinkStore.setState({ error: null });
    }
    if (s.text !== prev.text && s.text !== entryText) useLinkStore.setState({ panel: null });
    if (
      s.text !== prev.text ||
      s.step !== prev.step ||
      s.design !== prev.design ||
      s.version !== prev.version ||
      s.selected !== prev.selected ||
      s.trace !== prev.trace
    ) {
      schedule();
    }
  });
  const unsubscribeCompare = subscribeCompare(schedule);
  const onNavigate = () => {
    const fragment = location.hash.replace(/^#/, "");
    if (fragment === lastFragment) return;
    cancel();
    if (hasLink(location.hash)) openLink(location.hash);
  };
  window.addEventListener("popstate", onNavigate);
  window.addEventListener("hashchange", onNavigate);
  return () => {
    cancel();
    unsubscribe();
    unsubscribeCompare();
    window.removeEventListener("popstate", onNavigate);
    window.removeEventListener("hashchange", onNavigate);
  };
}

/** For the design type in callers that build states by hand. */
export type { Design };
