/**
 * Global keys: Space play/pause, Left/Right step, Shift+Left/Right statement, Home/End, -/+ speed.
 * They never fire while the user types in the editor or another form field.
 */

import { useEffect } from "react";
import { activeCompare } from "../store/compare-shell.ts";
import { useStore } from "../store/store.ts";
import { handleCompareKey } from "./compare/keys.ts";
import { handleStepKey, type KeyPress } from "./stepKeys.ts";

function isTyping(t: EventTarget | null): boolean {
  if (!(t instanceof HTMLElement)) return false;
  if (t.isContentEditable) return true;
  const tag = t.tagName;
  return tag === "TEXTAREA" || tag === "INPUT" || tag === "SELECT";
}

/** Returns true when the key was one of ours (and was handled). */
export function handleKey(e: KeyPress): boolean {
  if (e.ctrlKey || e.metaKey || e.altKey) return false;
  const compare = activeCompare();
  if (compare) return handleCompareKey(e, compare); // the aligned cursor of compare mode
  return handleStepKey(e, useStore.getState());
}

export function useKeyboard(): void {
  useEffect(() => {
    const down = (e: KeyboardEvent) => {
      if (isTyping(e.target)) return;
      if (handleKey(e)) e.preventDefault();
    };
    // A focused button would also "click" on Space keyup; we already toggled play on keydown.
    const up = (e: KeyboardEvent) => {
      if (e.key === " " && !isTyping(e.target) && e.target instanceof HTMLButtonElement) e.preventDefault();
    };
    window.addEventListener("keydown", down);
    window.addEventListener("keyup", up);
    return () => {
      window.removeEventListener("keydown", down);
      window.removeEventListener("keyup", up);
    };
  }, []);
}
