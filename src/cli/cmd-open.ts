/** `p2pviz open URL`: what a share link holds (the scenario text, the step and the other fields). */

import { formatDiagnostic } from "../scenario/parse.ts";
import { checkStep, decodeShareLink, type ShareState } from "../share/codec.ts";
import { migrateStep } from "../share/migrate-step.ts";
import { runShare } from "../store/compare-run.ts";
import { parseArgs, UsageError } from "./args.ts";
import { type CliIO, type Command, EXIT_OK, EXIT_USAGE } from "./io.ts";
import { usageFailure } from "./scenario-file.ts";

const HELP = `Usage: p2pviz open URL [--json | --text]

Prints what a p2pviz share link holds: its fields (format version, step, design, page, panel), a
blank line, then the scenario text exactly as it was shared. URL may be a whole link, just its
'#...' part, or - to read the link from standard input. Hand-written links (#text=...&step=N) work too.

Options:
  --text        print only the scenario text (p2pviz open URL --text > scenario.p2p)
  --json        print {"format": "p2pviz-open/1", "version", "step", "text", ...}
  -h, --help    this help

Exit status: 0 when the link was read; 2 for a bad link (the message says what is wrong) or bad usage.
A link whose scenario has errors, or whose step is past the end of the run, is still printed, with
a warning on standard error (and "diagnostics"/"stepError" in the JSON).
Make links with 'p2pviz link FILE'. Link format: docs/url-format.md
`;

function fieldLines(version: number, s: ShareState): string {
  const lines = [
    `format: v${version}${version === 0 ? " (hand-written text= form)" : ""}`,
    `step: ${s.step}`,
  ];
  if (s.design) lines.push(`design: ${s.design}${s.version ? `@${s.version}` : ""}`);
  if (s.compare?.design) {
    lines.push(`compare with design: ${s.compare.design}${s.compare.version ? `@${s.compare.version}` : ""}`);
  }
  if (s.compare?.text !== undefined) {
    lines.push(`compare with text: ${s.compare.text.split("\n").length} lines of its own (--json shows it)`);
  }
  if (s.page) lines.push(`page: ${s.page.dev}:${s.page.index}`);
  if (s.panel) lines.push(`panel: ${s.panel}`);
  return `${lines.join("\n")}\n`;
}

export const command: Command = (args, io: CliIO) => {
  let url: string;
  let mode: "fields" | "json" | "text";
  try {
    const a = parseArgs(args, [], ["--json", "--text", "--help", "-h"]);
    if (a.flags.has("--help") || a.flags.has("-h")) {
      io.out(HELP);
      return EXIT_OK;
    }
    if (a.positionals.length !== 1)
      throw new UsageError("expected exactly one URL (or - for standard input)");
    if (a.flags.has("--json") && a.flags.has("--text"))
      throw new UsageError("--json and --text exclude each other");
    url = a.positionals[0]!;
    mode = a.flags.has("--json") ? "json" : a.flags.has("--text") ? "text" : "fields";
  } catch (e) {
    return usageFailure(io, "open", HELP, e);
  }
  if (url === "-") {
    try {
      url = io.readInput("-");
    } catch {
      io.err("p2pviz open: cannot read standard input\n");
      return EXIT_USAGE;
    }
  }

  const r = decodeShareLink(url);
  if (!r.ok) {
    io.err(`p2pviz open: bad link: ${r.error.message}\n${r.error.hint ? `  hint: ${r.error.hint}\n` : ""}`);
    return EXIT_USAGE;
  }
  // A link older than format v3 counts the first engine's steps: the same moment, in today's numbering.
  const s = { ...r.state, step: migrateStep(r.state, r.version) };

  // Not errors of the link itself, but the app would show them: say so. (A comparison's step
  // counts on the aligned timeline of both sides.)
  const run = runShare(s);
  const diagnostics = run.ok ? [] : run.diagnostics;
  const stepError = run.ok ? checkStep(s.step, run.total) : undefined;
  for (const d of diagnostics) io.err(`p2pviz open: warning: ${formatDiagnostic("<link>", d)}\n`);
  if (stepError) io.err(`p2pviz open: warning: ${stepError.message}\n`);

  if (mode === "text") io.out(s.text);
  else if (mode === "json") {
    const out = {
      format: "p2pviz-open/1",
      version: r.version,
      step: s.step,
      ...(s.design && { design: s.design }),
      ...(s.version && { kernelVersion: s.version }),
      ...(s.compare && { compare: s.compare }),
      ...(s.page && { page: s.page }),
      ...(s.panel && { panel: s.panel }),
      text: s.text,
      ...(run.ok && { totalSteps: run.total }),
      ...(diagnostics.length > 0 && { diagnostics }),
      ...(stepError && { stepError: stepError.message }),
    };
    io.out(`${JSON.stringify(out, null, 1)}\n`);
  } else {
    io.out(`${fieldLines(r.version, s)}\n${s.text}${s.text.endsWith("\n") || s.text === "" ? "" : "\n"}`);
  }
  return EXIT_OK;
};
