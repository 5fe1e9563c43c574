/**
 * The stepping actions both stores share: the app's cursor over one trace and compare mode's
 * aligned cursor over a comparison. Each store says how its cursor clamps, how long it is and where
 * the next or previous statement starts; the moves and the play/pause rules are the same.
 */

/** A cursor's state and the actions made here. */
export interface CursorState {
  step: number;
  playing: boolean;
  setStep(step: number): void;
  stepBy(delta: number): void;
  nextStatement(): void;
  prevStatement(): void;
  first(): void;
  last(): void;
  play(): void;
  pause(): void;
  togglePlay(): void;
}

/** What differs between the two cursors, read from the store's state `s`. */
export interface CursorRules<S> {
  /** `step` clamped into the cursor's range */
  clamp(s: S, step: number): number;
  /** the number of steps (0 with nothing to show) */
  total(s: S): number;
  /** the step a statement move lands on; null with nothing to show (the move does nothing) */
  nextStatement(s: S): number | null;
  prevStatement(s: S): number | null;
}

type CursorActions = Omit<CursorState, "step" | "playing">;

export function cursorActions<S extends CursorState>(
  get: () => S,
  set: (patch: { step: number } | { playing: boolean }) => void,
  rules: CursorRules<S>,
): CursorActions {
  return {
    setStep(step) {
      set({ step: rules.clamp(get(), step) });
    },
    stepBy(delta) {
      get().setStep(get().step + delta);
    },
    nextStatement() {
      const to = rules.nextStatement(get());
      if (to !== null) set({ step: to });
    },
    prevStatement() {
      const to = rules.prevStatement(get());
      if (to !== null) set({ step: to });
    },
    first() {
      set({ step: 0 });
    },
    last() {
      get().setStep(Number.MAX_SAFE_INTEGER);
    },
    play() {
      const s = get();
      const total = rules.total(s);
      if (total < 2) return;
      // playing from the end starts over, like a media player
      if (s.step >= total - 1) set({ step: 0 });
      set({ playing: true });
    },
    pause() {
      // every key that moves the cursor pauses first: when nothing plays, setting it anyway would
      // notify every subscriber of the store a second time per step
      if (get().playing) set({ playing: false });
    },
    togglePlay() {
      if (get().playing) get().pause();
      else get().play();
    },
  };
}
