/** `p2pviz diff FILE --kernel A --vs B`: where two designs part ways on the same statements. */
import type { KernelChoice } from "../scenario/parse.ts";
import { type Comparison, compareTraces } from "../trace/diff.ts";
import { formatCount } from "../trace/numbers.ts";
import { runText } from "../trace/run.ts";
import { type RunCost, runCost } from "../trace/run-cost.ts";
import { parseArgs, UsageError } from "./args.ts";
import { type Command, EXIT_OK, EXIT_USAGE } from "./io.ts";
import { KERNEL_FLAG_HELP, kernelFlag, runOptions, runScenarioFile, usageFailure } from "./scenario-file.ts";

const HELP = `Usage: p2pviz diff FILE --kernel A --vs B [--json]

Runs the statements of FILE (or - for standard input) under two designs and prints each
statement where they differ in outcome (result, pages allocated or freed, findings), with
a sentence explaining it, then a summary table per design.

Options:
  --kernel A   the first design (default: the scenario's 'kernel' line)
  --vs B       the second design (required)
  --json       print the comparison as JSON (format "p2pviz-diff/1")
  -h, --help   this help

A and B are ${KERNEL_FLAG_HELP};
without @VERSION a design runs in its newest version.
Exit status: 0 when both runs ran (divergences are results); 2 for bad input.
`;

/** The counters of huge.md §6.4's table, as `p2pviz diff` prints them under the summary. */
const COST_ROWS: readonly (readonly [string, (s: RunCost) => number])[] = [
  ["install calls", (s) => s.cost.installCalls],
  ["PTEs set", (s) => s.cost.pte],
  ["PMD leaves set", (s) => s.cost.pmd],
  ["PUD leaves set", (s) => s.cost.pud],
  ["page-table pages allocated", (s) => s.cost.tablePages],
  ["struct pages initialised", (s) => s.cost.structPagesInit],
  ["entries copied at fork", (s) => s.cost.entriesCopied],
  ["vmemmap bytes", (s) => s.vmemmapBytes],
];

export function formatComparison(c: Comparison): string {
  const out: string[] = [];
  out.push(`${c.labelA} vs ${c.labelB}: ${c.divergences.length} of ${c.statements} statements diverge`);
  for (const d of c.divergences) out.push(`  line ${d.line} [${d.aspects.join(", ")}] ${d.explanation}`);
  out.push("");
  const [a, b] = c.summary;
  const rows: [string, string, string][] = [
    ["", a.label, b.label],
    ["pages allocated at peak", String(a.peakAllocated), String(b.peakAllocated)],
    ["pages leaked at the end", String(a.leakedAtEnd), String(b.leakedAtEnd)],
    ["pages freed while in use", String(a.freedWhileInUse), String(b.freedWhileInUse)],
    ["findings", String(a.findings), String(b.findings)],
    ["PTE kinds", a.pteKinds.join(", ") || "-", b.pteKinds.join(", ") || "-"],
    ["O_DIRECT pins that worked", `${a.pins.ok}/${a.pins.attempted}`, `${b.pins.ok}/${b.pins.attempted}`],
    [
      "statements not ok",
      a.errnos.map((e) => `${e.line}:${e.result}`).join(" ") || "-",
      b.errnos.map((e) => `${e.line}:${e.result}`).join(" ") || "-",
    ],
    // huge.md §6.3/§6.4 counters of the whole run
    ...COST_ROWS.map(([label, f]): [string, string, string] => [
      label,
      formatCount(f(runCost(c.a))),
      formatCount(f(runCost(c.b))),
    ]),
  ];
  const w0 = Math.max(...rows.map((r) => r[0].length));
  const w1 = Math.max(...rows.map((r) => r[1].length));
  for (const r of rows) out.push(`${r[0].padEnd(w0)}  ${r[1].padEnd(w1)}  ${r[2]}`);
  return `${out.join("\n")}\n`;
}

export function comparisonJson(c: Comparison) {
  return {
    format: "p2pviz-diff/1",
    a: c.labelA,
    b: c.labelB,
    statements: c.statements,
    divergences: c.divergences.map((d) => ({
      line: d.line,
      text: d.text,
      aspects: d.aspects,
      a: d.a,
      b: d.b,
      explanation: d.explanation,
    })),
    summary: c.summary,
  };
}

export const command: Command = (args, io) => {
  let file: string;
  let json: boolean;
  let a: KernelChoice | undefined;
  let b: KernelChoice | undefined;
  try {
    const p = parseArgs(args, ["--kernel", "--vs"], ["--json", "--help", "-h"]);
    if (p.flags.has("--help") || p.flags.has("-h")) {
      io.out(HELP);
      return EXIT_OK;
    }
    if (p.positionals.length !== 1)
      throw new UsageError("expected exactly one FILE (or - for standard input)");
    file = p.positionals[0]!;
    json = p.flags.has("--json");
    a = kernelFlag(p.flags.get("--kernel"));
    b = kernelFlag(p.flags.get("--vs"), "--vs");
    if (!b) throw new UsageError("--vs DESIGN is required");
  } catch (e) {
    return usageFailure(io, "diff", HELP, e);
  }
  const ra = runScenarioFile(io, file, runOptions(a));
  if (!ra) return EXIT_USAGE;
  const rb = runText(ra.text, runOptions(b));
  if (!rb.ok) return EXIT_USAGE; // same text: cannot differ from the first parse
  const c = compareTraces(ra.trace, rb.trace);
  io.out(json ? `${JSON.stringify(comparisonJson(c), null, 1)}\n` : formatComparison(c));
  return EXIT_OK;
};
