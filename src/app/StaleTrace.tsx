/**
 * While the scenario text has errors, the panels keep showing the run of the last text that ran:
 * dimmed, and labelled as such, so nobody takes it for the run of the text in the editor. (The
 * editor shows no step marker then: the old run's lines are not the new text's.)
 */

import { useStore } from "../store/store.ts";

/** The first error's line while the text has errors and an older run is on screen, else null. */
export function useStaleLine(): number | null {
  return useStore((s) => (s.trace && s.diagnostics.length > 0 ? (s.diagnostics[0]?.line ?? 1) : null));
}

export function StaleTraceNote({ line }: { readonly line: number }) {
  return (
    <p className="stale-note" data-testid="stale-trace" role="status">
      The text has errors (the first on line {line}), so it cannot run. Below, dimmed: the run of the last
      text that ran.
    </p>
  );
}
