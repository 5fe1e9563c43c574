/**
 * Transport of compare mode: the single view's controls on the aligned cursor. The step display is
 * the aligned step (`Step N / TOTAL`, data-testid="step") with each side's own step beside it.
 */

import { useShallow } from "zustand/react/shallow";
import { alignedStepLabel, sideStepOf, useCompareStore } from "../../store/compare.ts";
import { selectSpeed } from "../../store/selectors.ts";
import { useStore } from "../../store/store.ts";
import { alignedTotal } from "../../trace/diff.ts";
import { Icon } from "../Icon.tsx";

function stopThen(f: () => void): void {
  useCompareStore.getState().pause();
  f();
}

export function CompareTransport() {
  const {
    comparison: c,
    step,
    playing,
  } = useCompareStore(useShallow((s) => ({ comparison: s.comparison, step: s.step, playing: s.playing })));
  const speed = useStore(selectSpeed);
  const app = useStore.getState();
  const s = useCompareStore.getState();
  const total = c ? alignedTotal(c) : 0;
  const atStart = step <= 0;
  const atEnd = step >= total - 1;
  return (
    <div className="transport" role="toolbar" aria-label="step both sides together">
      <button
        type="button"
        onClick={() => stopThen(() => s.first())}
        disabled={atStart}
        title="First step (Home)"
        aria-label="first step"
      >
        <Icon name="first" />
      </button>
      <button
        type="button"
        onClick={() => stopThen(() => s.prevStatement())}
        disabled={atStart}
        title="Previous statement (Shift+Left)"
        aria-label="previous statement"
      >
        <Icon name="prevStmt" />
      </button>
      <button
        type="button"
        onClick={() => stopThen(() => s.stepBy(-1))}
        disabled={atStart}
        title="Previous step (Left)"
        aria-label="previous step"
      >
        <Icon name="prev" />
      </button>
      <button
        type="button"
        className="play"
        onClick={() => s.togglePlay()}
        disabled={total < 2}
        title="Play/pause (Space)"
        aria-label={playing ? "pause" : "play"}
        aria-pressed={playing}
        data-testid="play"
      >
        <Icon name={playing ? "pause" : "play"} />
      </button>
      <button
        type="button"
        onClick={() => stopThen(() => s.stepBy(1))}
        disabled={atEnd}
        title="Next step (Right)"
        aria-label="next step"
      >
        <Icon name="next" />
      </button>
      <button
        type="button"
        onClick={() => stopThen(() => s.nextStatement())}
        disabled={atEnd}
        title="Next statement (Shift+Right)"
        aria-label="next statement"
      >
        <Icon name="nextStmt" />
      </button>
      <button
        type="button"
        onClick={() => stopThen(() => s.last())}
        disabled={atEnd}
        title="Last step (End)"
        aria-label="last step"
      >
        <Icon name="last" />
      </button>
      <span className="speed">
        <button type="button" onClick={() => app.slower()} title="Slower (-)" aria-label="slower">
          −
        </button>
        <span data-testid="speed" aria-live="off">
          {speed}/s
        </span>
        <button type="button" onClick={() => app.faster()} title="Faster (+)" aria-label="faster">
          +
        </button>
      </span>
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
    </div>
  );
}
