/**
 * The real-kernel recordings (real-status.ts) on first use: the JSON of every recorded preset is
 * not part of the initial JavaScript. Components get null until it has loaded, then re-render.
 */

import { useEffect, useState } from "react";

type RealStatusModule = typeof import("./real-status.ts");

let loaded: RealStatusModule | null = null;
let loading: Promise<RealStatusModule> | null = null;

function load(): Promise<RealStatusModule> {
  loading ??= import("./real-status.ts").then((m) => {
    loaded = m;
    return m;
  });
  return loading;
}

/** realStatusOf, once the recordings have loaded (null before). */
export function useRealStatus(): RealStatusModule["realStatusOf"] | null {
  const [mod, setMod] = useState<RealStatusModule | null>(loaded);
  useEffect(() => {
    if (mod) return;
    let gone = false;
    void load().then((m) => {
      if (!gone) setMod(m);
    });
    return () => {
      gone = true;
    };
  }, [mod]);
  return mod ? mod.realStatusOf : null;
}
