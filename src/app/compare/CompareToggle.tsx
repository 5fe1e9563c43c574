/** The header button that enters or leaves compare mode (compare mode itself loads on first use). */

import { activeCompare, loadCompareStore, useCompareShell } from "../../store/compare-shell.ts";

/** Header button: enter or leave compare mode. */
export function CompareToggle() {
  const mode = useCompareShell((s) => s.mode);
  const on = mode === "compare";
  return (
    <button
      type="button"
      className={`compare-toggle${on ? " on" : ""}`}
      aria-pressed={on}
      data-testid="compare-toggle"
      title={on ? "Back to the single view" : "Compare two designs side by side"}
      onClick={() => {
        if (on) activeCompare()?.close();
        else void loadCompareStore().then((store) => store.getState().open());
      }}
    >
      {on ? "Single view" : "Compare"}
    </button>
  );
}
