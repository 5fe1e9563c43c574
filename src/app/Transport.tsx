/** Transport controls: first/prev statement/prev/play/next/next statement/last, speed, and the step. */

import type { ReactNode } from "react";
import { useShallow } from "zustand/react/shallow";
import type { CursorState } from "../store/cursor-actions.ts";
import { selectSpeed, selectTransport, stepLabel } from "../store/selectors.ts";
import { useStore } from "../store/store.ts";
import { Icon } from "./Icon.tsx";

/** The moves of a cursor the transport steps: the app's own, or compare mode's aligned one. */
export type CursorActions = Pick<
  CursorState,
  "first" | "last" | "prevStatement" | "nextStatement" | "stepBy" | "togglePlay" | "pause"
>;

export interface TransportControlsProps {
  /** the toolbar's accessible name */
  readonly label: string;
  readonly step: number;
  readonly total: number;
  readonly playing: boolean;
  readonly cursor: CursorActions;
  /** the step display after the speed buttons */
  readonly children: ReactNode;
}

/** The buttons of a transport on `cursor`; speed is always the app's. */
export function TransportControls({ label, step, total, playing, cursor, children }: TransportControlsProps) {
  const speed = useStore(selectSpeed);
  const app = useStore.getState();
  /** Stepping by hand stops playback first. */
  const stopThen = (f: () => void): void => {
    cursor.pause();
    f();
  };
  const atStart = step <= 0;
  const atEnd = step >= total - 1;
  return (
    <div className="transport" role="toolbar" aria-label={label}>
      <button
        type="button"
        onClick={() => stopThen(() => cursor.first())}
        disabled={atStart}
        title="First step (Home)"
        aria-label="first step"
      >
        <Icon name="first" />
      </button>
      <button
        type="button"
        onClick={() => stopThen(() => cursor.prevStatement())}
        disabled={atStart}
        title="Previous statement (Shift+Left)"
        aria-label="previous statement"
      >
        <Icon name="prevStmt" />
      </button>
      <button
        type="button"
        onClick={() => stopThen(() => cursor.stepBy(-1))}
        disabled={atStart}
        title="Previous step (Left)"
        aria-label="previous step"
      >
        <Icon name="prev" />
      </button>
      <button
        type="button"
        className="play"
        onClick={() => cursor.togglePlay()}
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
        onClick={() => stopThen(() => cursor.stepBy(1))}
        disabled={atEnd}
        title="Next step (Right)"
        aria-label="next step"
      >
        <Icon name="next" />
      </button>
      <button
        type="button"
        onClick={() => stopThen(() => cursor.nextStatement())}
        disabled={atEnd}
        title="Next statement (Shift+Right)"
        aria-label="next statement"
      >
        <Icon name="nextStmt" />
      </button>
      <button
        type="button"
        onClick={() => stopThen(() => cursor.last())}
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
      {children}
    </div>
  );
}

export function Transport() {
  const t = useStore(useShallow(selectTransport));
  const trace = useStore((s) => s.trace);
  return (
    <TransportControls
      label="step through the trace"
      step={t.step}
      total={t.total}
      playing={t.playing}
      cursor={useStore.getState()}
    >
      <output className="step" data-testid="step" aria-live="off">
        {stepLabel(t.step, trace)}
      </output>
    </TransportControls>
  );
}
