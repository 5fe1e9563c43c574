/**
 * Transport of compare mode: the single view's controls on the aligned cursor. The step display is
 * the aligned step (`Step N / TOTAL`, data-testid="step") with each side's own step beside it.
 */

import { useShallow } from "zustand/react/shallow";
import { alignedStepLabel, sideStepOf, useCompareStore } from "../../store/compare.ts";
import { alignedTotal } from "../../trace/diff.ts";
import { TransportControls } from "../Transport.tsx";

export function CompareTransport() {
  const {
    comparison: c,
    step,
    playing,
  } = useCompareStore(useShallow((s) => ({ comparison: s.comparison, step: s.step, playing: s.playing })));
  const total = c ? alignedTotal(c) : 0;
  return (
    <TransportControls
      label="step both sides together"
      step={step}
      total={total}
      playing={playing}
      cursor={useCompareStore.getState()}
    >
      <span className="aligned-step">
        <output className="step" data-testid="step" aria-live="off" title="the aligned step of both sides">
          {alignedStepLabel(c, step)}
        </output>
        {c && (
          <span className="side-steps" data-testid="side-steps" title="the step each side shows">
            A {sideStepOf(c, "a", step)} · B {sideStepOf(c, "b", step)}
          </span>
        )}
      </span>
    </TransportControls>
  );
}
