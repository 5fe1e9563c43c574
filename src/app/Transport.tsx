/** Transport controls: first/prev statement/prev/play/next/next statement/last, speed, and the step. */

import { useShallow } from "zustand/react/shallow";
import { selectTransport, stepLabel } from "../store/selectors.ts";
import { useStore } from "../store/store.ts";
import { Icon } from "./Icon.tsx";

/** Stepping by hand stops playback first. */
function stopThen(f: () => void): void {
  useStore.getState().pause();
  f();
}

export function Transport() {
  const t = useStore(useShallow(selectTransport));
  const trace = useStore((s) => s.trace);
  const a = useStore.getState();
  const atStart = t.step <= 0;
  const atEnd = t.step >= t.total - 1;
  return (
    <div className="transport" role="toolbar" aria-label="step through the trace">
      <button
        type="button"
        onClick={() => stopThen(() => a.first())}
        disabled={atStart}
        title="First step (Home)"
        aria-label="first step"
      >
        <Icon name="first" />
      </button>
      <button
        type="button"
        onClick={() => stopThen(() => a.prevStatement())}
        disabled={atStart}
        title="Previous statement (Shift+Left)"
        aria-label="previous statement"
      >
        <Icon name="prevStmt" />
      </button>
      <button
        type="button"
        onClick={() => stopThen(() => a.stepBy(-1))}
        disabled={atStart}
        title="Previous step (Left)"
        aria-label="previous step"
      >
        <Icon name="prev" />
      </button>
      <button
        type="button"
        className="play"
        onClick={() => a.togglePlay()}
        disabled={t.total < 2}
        title="Play/pause (Space)"
        aria-label={t.playing ? "pause" : "play"}
        aria-pressed={t.playing}
        data-testid="play"
      >
        <Icon name={t.playing ? "pause" : "play"} />
      </button>
      <button
        type="button"
        onClick={() => stopThen(() => a.stepBy(1))}
        disabled={atEnd}
        title="Next step (Right)"
        aria-label="next step"
      >
        <Icon name="next" />
      </button>
      <button
        type="button"
        onClick={() => stopThen(() => a.nextStatement())}
        disabled={atEnd}
        title="Next statement (Shift+Right)"
        aria-label="next statement"
      >
        <Icon name="nextStmt" />
      </button>
      <button
        type="button"
        onClick={() => stopThen(() => a.last())}
        disabled={atEnd}
        title="Last step (End)"
        aria-label="last step"
      >
        <Icon name="last" />
      </button>
      <span className="speed">
        <button type="button" onClick={() => a.slower()} title="Slower (-)" aria-label="slower">
          −
        </button>
        <span data-testid="speed" aria-live="off">
          {t.speed}/s
        </span>
        <button type="button" onClick={() => a.faster()} title="Faster (+)" aria-label="faster">
          +
        </button>
      </span>
      <output className="step" data-testid="step" aria-live="off">
        {stepLabel(t.step, trace)}
      </output>
    </div>
  );
}
