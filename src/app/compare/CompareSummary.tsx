/**
 * The pair's summary table: one row per design, one column per measure (the same measures as
 * `p2pviz diff`). Cells where the two sides differ are marked.
 */

import { COST_TITLES } from "../../trace/cost-labels.ts";
import type { Comparison, SideSummary } from "../../trace/diff.ts";
import { formatBytes, formatCount } from "../../trace/numbers.ts";
import { type RunCost, runCost } from "../../trace/run-cost.ts";

export interface SummaryColumn {
  readonly key: string;
  readonly head: string;
  readonly title: string;
  readonly cell: (s: SideSummary) => string;
}

/**
 * The counters of ../shared/kernel/huge.md §6.3 over the whole run, as its §6.4 table compares them
 * (src/trace/cost.ts counts them from the trace's records).
 */
export interface CostColumn {
  readonly key: string;
  readonly head: string;
  readonly title: string;
  readonly cell: (s: RunCost) => string;
}

export const COST_COLUMNS: readonly CostColumn[] = [
  {
    key: "installs",
    head: "installs",
    title: COST_TITLES.installCalls,
    cell: (s) => formatCount(s.cost.installCalls),
  },
  {
    key: "pte",
    head: "PTEs",
    title: COST_TITLES.pte,
    cell: (s) => formatCount(s.cost.pte),
  },
  {
    key: "pmd",
    head: "PMDs",
    title: COST_TITLES.pmd,
    cell: (s) => formatCount(s.cost.pmd),
  },
  {
    key: "pud",
    head: "PUDs",
    title: COST_TITLES.pud,
    cell: (s) => formatCount(s.cost.pud),
  },
  {
    key: "tables",
    head: "table pages",
    title: COST_TITLES.tablePages,
    cell: (s) => formatCount(s.cost.tablePages),
  },
  {
    key: "structpages",
    head: "struct pages init",
    title: COST_TITLES.structPagesInit,
    cell: (s) => formatCount(s.cost.structPagesInit),
  },
  {
    key: "vmemmap",
    head: "vmemmap",
    title: "memory of the devices' struct pages (vmemmap): 64 bytes per 4 KiB page unless folios share it",
    cell: (s) => formatBytes(s.vmemmapBytes),
  },
];

export const SUMMARY_COLUMNS: readonly SummaryColumn[] = [
  {
    key: "peak",
    head: "peak allocated",
    title: "pages allocated from the pool at the peak",
    cell: (s) => String(s.peakAllocated),
  },
  {
    key: "leaked",
    head: "leaked at end",
    title: "pages still allocated at the end with no mapping, pin or owner",
    cell: (s) => String(s.leakedAtEnd),
  },
  {
    key: "freed",
    head: "freed in use",
    title: "pages returned to the pool while still mapped or pinned",
    cell: (s) => String(s.freedWhileInUse),
  },
  {
    key: "errnos",
    head: "errnos / signals",
    title: "statements that did not return ok, by line",
    cell: (s) => (s.errnos.length ? s.errnos.map((e) => `L${e.line} ${e.result}`).join(", ") : "none"),
  },
  {
    key: "ptes",
    head: "PTE kinds",
    title: "kinds of page table entries the design created",
    cell: (s) => (s.pteKinds.length ? s.pteKinds.join(", ") : "none"),
  },
  {
    key: "pins",
    head: "O_DIRECT pins",
    title: "pin statements (GUP with FOLL_PCI_P2PDMA, as O_DIRECT does) that worked",
    cell: (s) =>
      s.pins.attempted === 0
        ? "none tried"
        : s.pins.ok === s.pins.attempted
          ? `worked (${s.pins.ok}/${s.pins.attempted})`
          : `${s.pins.ok === 0 ? "refused" : "partly"} (${s.pins.ok}/${s.pins.attempted})`,
  },
];

/** A column of either kind, reading one side's summary and cost. */
interface AnyColumn {
  readonly key: string;
  readonly head: string;
  readonly title: string;
  readonly num: boolean;
  readonly cell: (s: SideSummary, c: RunCost) => string;
}

const ALL_COLUMNS: readonly AnyColumn[] = [
  ...SUMMARY_COLUMNS.map((c) => ({ ...c, num: false, cell: (s: SideSummary) => c.cell(s) })),
  ...COST_COLUMNS.map((c) => ({ ...c, num: true, cell: (_s: SideSummary, k: RunCost) => c.cell(k) })),
];

export function CompareSummary({ comparison }: { readonly comparison: Comparison }) {
  const [a, b] = comparison.summary;
  const costs = [runCost(comparison.a), runCost(comparison.b)] as const;
  return (
    // on a narrow screen the table scrolls sideways inside this box, not the page
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling table must be reachable by keyboard to scroll it
    <section className="compare-summary-box" tabIndex={0} aria-label="summary of the two runs, scrollable">
      <table className="compare-summary" data-testid="compare-summary" aria-label="summary of the two runs">
        <thead>
          <tr className="compare-summary-groups">
            <td />
            <th scope="colgroup" colSpan={SUMMARY_COLUMNS.length}>
              outcome
            </th>
            <th
              scope="colgroup"
              colSpan={COST_COLUMNS.length}
              className="cost-group"
              title="the counters of huge.md §6.3 over the whole run: what mapping the memory cost"
            >
              cost of the whole run
            </th>
          </tr>
          <tr>
            <th scope="col">design</th>
            {ALL_COLUMNS.map((c) => (
              <th
                key={c.key}
                scope="col"
                data-col={c.key}
                title={c.title}
                className={c.num ? "num" : undefined}
              >
                {c.head}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {[a, b].map((s, i) => (
            <tr key={i === 0 ? "a" : "b"} data-side={i === 0 ? "a" : "b"}>
              <th scope="row">
                <span className="side-tag">{i === 0 ? "A" : "B"}</span> {s.label}
              </th>
              {ALL_COLUMNS.map((c) => {
                const v = c.cell(s, costs[i]!);
                const differs = c.cell(a, costs[0]) !== c.cell(b, costs[1]);
                const cls = [differs ? "differs" : "", c.num ? "num" : ""].join(" ").trim();
                return (
                  <td key={c.key} data-col={c.key} className={cls || undefined}>
                    {v}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
