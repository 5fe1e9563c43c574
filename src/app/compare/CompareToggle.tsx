/** The header button that enters or leaves compare mode (compare mode itself loads on first use). */

import { useCompareStore } from "../../store/compare.ts";

/** Header button: enter or leave compare mode. */
export function CompareToggle() {
  const mode = useCompareStore((s) => s.mode);
  const on = mode === "compare";
  return (
    <button
      type="button"
      className={`compare-toggle${on ? " on" : ""}`}
      aria-pressed={on}
      data-testid="compare-toggle"
      title={on ? "Back to the single view" : "Compare two designs side by side"}
      onClick={() => (on ? useCompareStore.getState().close() : useCompareStore.getState().open())}
    >
      {on ? "Single view" : "Compare"}
    </button>
  );
}
