/**
 * What the always-loaded app knows of compare mode. Compare mode (its store, the comparison of
 * src/trace/diff.ts, its views) loads on first use, to keep it out of the initial JavaScript; the
 * header, the keyboard and the page layout only need to know whether it is on. compare.ts attaches
 * its store here when it loads, and this mirror follows it.
 */

import { create, type StoreApi } from "zustand";
import type { CompareState, Mode } from "./compare.ts";

interface CompareShell {
  readonly mode: Mode;
  /** the app root's class (appClassOf in compare.ts) */
  readonly appClass: string;
}

export const useCompareShell = create<CompareShell>()(() => ({ mode: "single", appClass: "app" }));

let attached: StoreApi<CompareState> | null = null;

/** Called once by compare.ts when it loads: mirror its mode from now on. */
export function attachCompareStore(
  store: StoreApi<CompareState>,
  appClassOf: (s: CompareState) => string,
): void {
  attached = store;
  const mirror = (s: CompareState) => {
    const appClass = appClassOf(s);
    const cur = useCompareShell.getState();
    if (cur.mode !== s.mode || cur.appClass !== appClass)
      useCompareShell.setState({ mode: s.mode, appClass });
  };
  mirror(store.getState());
  store.subscribe(mirror);
}

/** Compare mode's state while it is on, else null (it is never on before its store has loaded). */
export function activeCompare(): CompareState | null {
  const s = attached?.getState();
  return s?.mode === "compare" ? s : null;
}

/** Loads compare mode's store (once) and returns it. */
export function loadCompareStore(): Promise<StoreApi<CompareState>> {
  return import("./compare.ts").then((m) => m.useCompareStore);
}
