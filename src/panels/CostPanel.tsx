/**
 * The cost panel: the counters of ../shared/kernel/huge.md §6.3 (src/trace/cost.ts) for every
 * statement, the running total up to the current one and the total of the run. One row per
 * statement, the current statement's row highlighted and kept in view as the cursor moves; a click
 * on a row goes to the statement's first step. Counters that stay 0 for the whole run get no column
 * (a line under the table names them), so the panel's narrow column shows what this design spends.
 *
 * Long scenarios (25,000 statements) draw only the rows in view: every row has the same height.
 */

import { useEffect, useLayoutEffect, useRef, useState } from "react";
import { COST_FIELDS, type Cost, opCosts, zeroCost } from "../trace/cost.ts";
import { COST_TITLES } from "../trace/cost-labels.ts";
import { deviceVmemmap } from "../trace/json.ts";
import { formatBytes, formatCount } from "../trace/numbers.ts";
import type { Trace } from "../trace/trace.ts";

export interface CostPanelProps {
  readonly trace: Trace;
  readonly step: number;
  /** each device of the run with its pages, for its vmemmap */
  readonly devices: readonly { readonly name: string; readonly pages: number }[];
  readonly onJump: (step: number) => void;
}

type Field = (typeof COST_FIELDS)[number];

/** Column heads (short: the panel is narrow); what each counts is the tooltip (COST_TITLES). */
export const COST_HEADS: Readonly<Record<Field, { head: string; title: string }>> = {
  installCalls: { head: "installs", title: COST_TITLES.installCalls },
  pte: { head: "PTEs", title: COST_TITLES.pte },
  pmd: { head: "PMDs", title: COST_TITLES.pmd },
  pud: { head: "PUDs", title: COST_TITLES.pud },
  tablePages: { head: "tables", title: COST_TITLES.tablePages },
  structPagesInit: { head: "struct pg", title: COST_TITLES.structPagesInit },
  pgrefOps: { head: "pgmap refs", title: COST_TITLES.pgrefOps },
  genpoolAllocs: { head: "allocs", title: COST_TITLES.genpoolAllocs },
  genpoolFrees: { head: "frees", title: COST_TITLES.genpoolFrees },
  entriesCopied: { head: "copied", title: COST_TITLES.entriesCopied },
};

interface CostTable {
  readonly per: readonly Cost[];
  /** running totals: upTo[i] is the sum of per[0..i] */
  readonly upTo: readonly Cost[];
  readonly total: Cost;
}

const tables = new WeakMap<Trace, CostTable>();

/** The costs of a trace, per statement and summed (computed once per trace: O(records)). */
export function costTable(t: Trace): CostTable {
  let ct = tables.get(t);
  if (!ct) {
    const per = opCosts(t);
    const upTo: Cost[] = [];
    let acc = zeroCost();
    for (const c of per) {
      const next = zeroCost();
      for (const f of COST_FIELDS) next[f] = acc[f] + c[f];
      upTo.push(next);
      acc = next;
    }
    ct = { per, upTo, total: acc };
    tables.set(t, ct);
  }
  return ct;
}

/** Index of the statement whose steps hold `step`, or -1 (binary search on firstStep). */
function statementAt(t: Trace, step: number): number {
  let lo = 0;
  let hi = t.ops.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (t.ops[mid]!.firstStep <= step) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found >= 0 && t.ops[found]!.lastStep >= step ? found : -1;
}

const ROW = 18;
const OVERSCAN = 12;

export function CostPanel({ trace, step, devices, onJump }: CostPanelProps) {
  const { per, upTo, total } = costTable(trace);
  const fields = COST_FIELDS.filter((f) => total[f] > 0);
  const zero = COST_FIELDS.filter((f) => total[f] === 0);
  const current = statementAt(trace, step);
  const box = useRef<HTMLElement>(null);
  const [view, setView] = useState({ top: 0, height: 400 });

  // keep the current statement's row in view when the cursor moves to another statement
  useLayoutEffect(() => {
    const el = box.current;
    if (!el || current < 0) return;
    const head = el.querySelector("thead")?.getBoundingClientRect().height ?? ROW;
    const foot = el.querySelector("tfoot")?.getBoundingClientRect().height ?? 2 * ROW;
    const y = current * ROW;
    const visible = el.clientHeight - head - foot;
    if (y < el.scrollTop) el.scrollTop = y;
    else if (y + ROW > el.scrollTop + visible) el.scrollTop = y + ROW - visible;
  }, [current]);

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const measure = () => setView({ top: el.scrollTop, height: el.clientHeight });
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  const n = per.length;
  const first = Math.max(0, Math.floor(view.top / ROW) - OVERSCAN);
  const last = Math.min(n, Math.ceil((view.top + view.height) / ROW) + OVERSCAN);
  const rows: number[] = [];
  for (let i = first; i < last; i++) rows.push(i);
  const here = current >= 0 ? upTo[current]! : zeroCost();
  const hereLine = current >= 0 ? trace.ops[current]!.line : null;

  return (
    <div className="panel-body cost-panel" data-testid="cost-panel">
      <section
        className="cost-scroll"
        ref={box}
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling table must be reachable by keyboard to scroll it
        tabIndex={0}
        aria-label="cost per statement, scrollable"
        onScroll={(e) => {
          const el = e.currentTarget;
          setView({ top: el.scrollTop, height: el.clientHeight });
        }}
      >
        <table className="cost-table" data-testid="cost-table">
          <thead>
            <tr>
              <th scope="col" className="cost-stmt">
                statement
              </th>
              {fields.map((f) => (
                <th key={f} scope="col" title={COST_HEADS[f].title} data-field={f}>
                  {COST_HEADS[f].head}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {first > 0 && (
              <tr className="cost-gap">
                <td colSpan={fields.length + 1} style={{ height: first * ROW }} />
              </tr>
            )}
            {rows.map((i) => {
              const op = trace.ops[i]!;
              const c = per[i]!;
              return (
                <tr
                  key={i}
                  className={i === current ? "current" : undefined}
                  aria-current={i === current ? "step" : undefined}
                  data-line={op.line}
                  onClick={() => onJump(op.firstStep)}
                >
                  <th scope="row" className="cost-stmt" title={`line ${op.line}: ${op.text} → ${op.result}`}>
                    <span className="cost-line">L{op.line}</span> {op.text}
                  </th>
                  {fields.map((f) => (
                    <td key={f} data-field={f} className={c[f] === 0 ? "zero" : undefined}>
                      {formatCount(c[f])}
                    </td>
                  ))}
                </tr>
              );
            })}
            {last < n && (
              <tr className="cost-gap">
                <td colSpan={fields.length + 1} style={{ height: (n - last) * ROW }} />
              </tr>
            )}
          </tbody>
          <tfoot>
            <tr className="cost-here" data-testid="cost-here">
              <th scope="row" className="cost-stmt" title="the sum of every statement up to the current one">
                {hereLine === null ? "before any statement" : `up to line ${hereLine}`}
              </th>
              {fields.map((f) => (
                <td key={f} data-field={f}>
                  {formatCount(here[f])}
                </td>
              ))}
            </tr>
            <tr className="cost-total" data-testid="cost-total">
              <th scope="row" className="cost-stmt">
                whole run
              </th>
              {fields.map((f) => (
                <td key={f} data-field={f}>
                  {formatCount(total[f])}
                </td>
              ))}
            </tr>
          </tfoot>
        </table>
      </section>
      <p className="cost-note" data-testid="cost-note">
        {zero.length > 0 && <>0 throughout: {zero.map((f) => COST_HEADS[f].head).join(", ")}. </>}
        vmemmap:{" "}
        {devices.length === 0
          ? "no device"
          : devices.map((d) => `${d.name} ${formatBytes(deviceVmemmap(trace, d.pages))}`).join(", ")}
        .
      </p>
    </div>
  );
}
