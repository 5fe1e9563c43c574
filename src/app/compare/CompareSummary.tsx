/**
 * The pair's summary table: one row per design, one column per measure (the same measures as
 * `p2pviz diff`). Cells where the two sides differ are marked.
 */

import type { Comparison, SideSummary } from "../../trace/diff.ts";

export interface SummaryColumn {
  readonly key: string;
  readonly head: string;
  readonly title: string;
  readonly cell: (s: SideSummary) => string;
}

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

export function CompareSummary({ comparison }: { readonly comparison: Comparison }) {
  const [a, b] = comparison.summary;
  return (
    // on a narrow screen the table scrolls sideways inside this box, not the page
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling table must be reachable by keyboard to scroll it
    <section className="compare-summary-box" tabIndex={0} aria-label="summary of the two runs, scrollable">
      <table className="compare-summary" data-testid="compare-summary" aria-label="summary of the two runs">
        <thead>
          <tr>
            <th scope="col">design</th>
            {SUMMARY_COLUMNS.map((c) => (
              <th key={c.key} scope="col" title={c.title}>
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
              {SUMMARY_COLUMNS.map((c) => {
                const v = c.cell(s);
                const differs = c.cell(a) !== c.cell(b);
                return (
                  <td key={c.key} data-col={c.key} className={differs ? "differs" : undefined}>
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
