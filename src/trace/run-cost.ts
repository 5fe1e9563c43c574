/**
 * The cost of a whole run as compare mode's summary and `p2pviz diff` show it: the huge.md §6.3
 * counters summed over every statement (cost.ts) and the vmemmap of every device (json.ts, per
 * design). Kept apart from diff.ts, which the app loads at start: this loads with compare mode.
 */
import { type Cost, opCosts, sumCosts } from "./cost.ts";
import { TraceCursor } from "./cursor.ts";
import { deviceVmemmap } from "./json.ts";
import type { Trace } from "./trace.ts";

export interface RunCost {
  /** the huge.md §6.3 counters of the whole run */
  readonly cost: Cost;
  /** bytes of struct page (vmemmap) of every device of the run, summed (huge.md §6.3, per device static) */
  readonly vmemmapBytes: number;
}

const cache = new WeakMap<Trace, RunCost>();

/** The cost of trace `t` (computed once per trace: O(records) plus one seek to its end). */
export function runCost(t: Trace): RunCost {
  let c = cache.get(t);
  if (!c) {
    const final = t.steps > 0 ? new TraceCursor(t).seek(t.steps - 1) : null;
    c = {
      cost: sumCosts(opCosts(t)),
      vmemmapBytes: (final?.devices ?? []).reduce((sum, d) => sum + deviceVmemmap(t, d.pages), 0),
    };
    cache.set(t, c);
  }
  return c;
}
