/**
 * The stepping keys both views share: Space play/pause, Left/Right step, Shift+Left/Right
 * statement, Home/End, on the cursor in use; -/+ always change the app's speed.
 */

import { useStore } from "../store/store.ts";
import type { CursorActions } from "./Transport.tsx";

export type KeyPress = Pick<KeyboardEvent, "key" | "shiftKey" | "ctrlKey" | "metaKey" | "altKey">;

/** Returns true when the key was one of the shared keys (and was handled on `cursor`). */
export function handleStepKey(e: KeyPress, cursor: CursorActions): boolean {
  switch (e.key) {
    case " ":
    case "Spacebar":
      cursor.togglePlay();
      return true;
    case "ArrowRight":
      cursor.pause();
      if (e.shiftKey) cursor.nextStatement();
      else cursor.stepBy(1);
      return true;
    case "ArrowLeft":
      cursor.pause();
      if (e.shiftKey) cursor.prevStatement();
      else cursor.stepBy(-1);
      return true;
    case "Home":
      cursor.pause();
      cursor.first();
      return true;
    case "End":
      cursor.pause();
      cursor.last();
      return true;
    case "-":
    case "_":
      useStore.getState().slower();
      return true;
    case "+":
    case "=":
      useStore.getState().faster();
      return true;
    default:
      return false;
  }
}
