/**
 * Components whose code loads on first use, like React.lazy, but without a Suspense boundary.
 *
 * React holds back revealing a Suspense boundary whose code has arrived (its fallback throttle) until
 * its next render, and in this app the next render was usually the first step a person took: that
 * step then mounted every panel still waiting (the timeline's first drawing, CodeMirror: 20-35 ms
 * before the step could be drawn; bench/profile-browser.ts --nowait). Here the arrival of the code
 * is a state update of its own: the component mounts in a task of its own, as soon as it can, and a
 * step only ever re-renders what is already there. The fallback stays if the code cannot load (the
 * next mount tries again).
 */

import { type ComponentType, type ReactNode, useEffect, useState } from "react";

/** A module's export, loaded once, on first use. */
export interface Loader<T> {
  /** the export, once it has arrived */
  readonly current: () => T | null;
  readonly load: () => Promise<T>;
}

export function loader<T>(load: () => Promise<T>): Loader<T> {
  let value: T | null = null;
  let loading: Promise<T> | null = null;
  return {
    current: () => value,
    load: () =>
      (loading ??= load().then(
        (v) => {
          value = v;
          return v;
        },
        (e: unknown) => {
          loading = null; // not reachable right now: the next mount tries again
          throw e;
        },
      )),
  };
}

/** The loader's export: null until it has arrived, then a render of its own. */
export function useLoaded<T>(l: Loader<T>): T | null {
  const [value, setValue] = useState<T | null>(l.current);
  useEffect(() => {
    if (value !== null) return;
    let live = true;
    l.load().then(
      (v) => {
        if (live) setValue(() => v);
      },
      () => {}, // the fallback stays
    );
    return () => {
      live = false;
    };
  }, [l, value]);
  return value;
}

/** The loaded component with `props`, or `fallback` until it arrives. */
export function Deferred<P extends object>({
  component,
  props,
  fallback,
}: {
  readonly component: Loader<ComponentType<P>>;
  readonly props: P;
  readonly fallback: ReactNode;
}): ReactNode {
  const C = useLoaded(component);
  return C ? <C {...props} /> : fallback;
}
