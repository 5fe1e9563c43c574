/**
 * The scenario language for CodeMirror 6 (docs/scenario-language.md, "Lexical rules"): a stream
 * tokenizer for highlighting, a highlight style readable on white (every colour at least 4.5:1), and
 * a completion source for keywords and for the devices, processes, mapping labels and pins defined
 * above the cursor. Loaded lazily with the rest of the editor (CodeEditor.tsx).
 *
 * It only colours and suggests: whether a text is valid is the parser's word (src/scenario), shown
 * as lint marks.
 */

import type { Completion, CompletionContext, CompletionResult } from "@codemirror/autocomplete";
import { HighlightStyle, StreamLanguage, type StringStream } from "@codemirror/language";
import { tags as t } from "@lezer/highlight";

/** Statements that start with a keyword. */
export const LEAD_KEYWORDS = ["kernel", "page", "device", "process", "unpin", "unbind", "bind", "inject"];
/** What a process does: `P VERB ...`. */
export const VERBS = ["mmap", "touch", "pin", "fork", "munmap", "exit", "madvise"];
export const FLAGS = ["private", "longterm", "nop2p", "dontfork", "dofork", "after"];
export const DESIGN_NAMES = ["upstream", "seed", "rfc-v1", "fault", "remap", "huge", "huge-v1"];
export const KERNEL_VERSIONS = ["5.10", "6.2", "6.5", "6.12", "6.15", "7.3"];
export const INJECT_FUNCTIONS = ["vm_insert_page", "vmf_insert_mixed", "gen_pool_alloc"];
export const ERRNOS = ["ENOMEM", "EBUSY"];

const KEYWORDS = new Set([...LEAD_KEYWORDS, ...VERBS]);
const FLAG_SET = new Set(FLAGS);
const DESIGN_SET = new Set(DESIGN_NAMES);
const FUNCTION_SET = new Set(INJECT_FUNCTIONS);

/** `4K 64k 1G 2T 0x1000 65536` (and kernel versions such as 6.12). */
const NUMBER = /^(?:0x[0-9a-fA-F]+|[0-9]+(?:\.[0-9]+)?[kKmMgGtT]?)$/;
const ERRNO = /^E[A-Z0-9]+$/;

interface LineState {
  /** words read so far on this line */
  words: number;
}

function tokenize(stream: StringStream, state: LineState): string | null {
  if (stream.sol()) state.words = 0;
  if (stream.eatSpace()) return null;
  if (stream.peek() === "#") {
    stream.skipToEnd();
    return "comment";
  }
  if (stream.match("offset")) {
    if (stream.peek() === "=") return "flag";
    stream.backUp(6);
  }
  if (stream.peek() === "=") {
    stream.next();
    return "operator";
  }
  stream.match(/^[^\s#=]+/);
  const word = stream.current();
  const first = state.words === 0;
  state.words++;
  if (NUMBER.test(word)) return "number";
  if (KEYWORDS.has(word) && !first) return "keyword";
  if (first && LEAD_KEYWORDS.includes(word)) return "keyword";
  if (FLAG_SET.has(word)) return "flag";
  if (DESIGN_SET.has(word)) return "design";
  if (FUNCTION_SET.has(word)) return "fn";
  if (ERRNO.test(word)) return "errno";
  return "name";
}

export const scenarioLanguage = StreamLanguage.define<LineState>({
  name: "p2p",
  startState: () => ({ words: 0 }),
  copyState: (s) => ({ words: s.words }),
  token: tokenize,
  languageData: { commentTokens: { line: "#" } },
  tokenTable: {
    comment: t.lineComment,
    keyword: t.keyword,
    number: t.number,
    operator: t.operator,
    flag: t.modifier,
    design: t.typeName,
    fn: t.function(t.variableName),
    errno: t.constant(t.name),
    name: t.variableName,
  },
});

/** Colours on white, each at least 4.5:1 (WCAG AA for normal text). */
export const scenarioHighlight = HighlightStyle.define([
  { tag: t.keyword, color: "#6f1a9c", fontWeight: "600" },
  { tag: t.lineComment, color: "#4f5966", fontStyle: "italic" },
  { tag: t.number, color: "#0d6630" },
  { tag: t.operator, color: "#4a5360" },
  { tag: t.modifier, color: "#8a4500" },
  { tag: t.typeName, color: "#9c3600", fontWeight: "600" },
  { tag: t.function(t.variableName), color: "#0a5a7a" },
  { tag: t.constant(t.name), color: "#b3261e" },
  { tag: t.variableName, color: "#0b4f8a" },
]);

/** Names the text defines on the lines before `line` (1-based). */
export interface Defined {
  readonly devices: string[];
  readonly processes: string[];
  /** mapping labels by process (a forked child inherits its parent's) */
  readonly labels: Map<string, string[]>;
  readonly pins: string[];
}

function words(line: string): string[] {
  const hash = line.indexOf("#");
  return (hash >= 0 ? line.slice(0, hash) : line).split(/[ \t]+/).filter((w) => w !== "");
}

function addUnique(list: string[], name: string | undefined): void {
  if (name && !list.includes(name)) list.push(name);
}

/** The names defined by `lines`, in the order they appear. */
export function definedNames(lines: readonly string[]): Defined {
  const d: Defined = { devices: [], processes: [], labels: new Map(), pins: [] };
  for (const line of lines) {
    const w = words(line);
    const [a, b, c] = w;
    if (a === "device") addUnique(d.devices, b);
    else if (a === "process") addUnique(d.processes, b);
    else if (a && d.processes.includes(a)) {
      if (b === "fork" && c) {
        addUnique(d.processes, c);
        d.labels.set(c, [...(d.labels.get(a) ?? [])]);
      } else if (b === "mmap" && c) {
        const own = d.labels.get(a) ?? [];
        addUnique(own, c);
        d.labels.set(a, own);
      } else if (b === "pin" && c) addUnique(d.pins, c);
    }
  }
  return d;
}

const opts = (names: readonly string[], type: string, detail: string): Completion[] =>
  names.map((label) => ({ label, type, detail }));

/**
 * What may come at word `n` (0-based) of a statement whose earlier words are `before`, given the
 * names defined above it.
 */
export function candidates(before: readonly string[], d: Defined): Completion[] {
  const n = before.length;
  const [first, verb] = before;
  if (n === 0) {
    return [...opts(LEAD_KEYWORDS, "keyword", "statement"), ...opts(d.processes, "variable", "process")];
  }
  const allLabels = [...new Set([...d.labels.values()].flat())];
  switch (first) {
    case "kernel":
      return n === 1
        ? opts(DESIGN_NAMES, "type", "design")
        : n === 2
          ? opts(KERNEL_VERSIONS, "constant", "kernel")
          : [];
    case "unpin":
      return n === 1 ? opts(d.pins, "variable", "pin") : [];
    case "unbind":
    case "bind":
      return n === 1 ? opts(d.devices, "variable", "device") : [];
    case "inject":
      if (n === 1) return opts(INJECT_FUNCTIONS, "function", "kernel function");
      if (n === 2) return opts(ERRNOS, "constant", "errno");
      return n === 3 ? opts(["after"], "keyword", "after N calls") : [];
    case "device":
    case "process":
    case "page":
      return [];
  }
  if (!first || !d.processes.includes(first)) return [];
  if (n === 1) return opts(VERBS, "keyword", `what ${first} does`);
  const labels = d.labels.get(first) ?? allLabels;
  switch (verb) {
    case "mmap":
      if (n === 3) return opts(d.devices, "variable", "device");
      return n >= 5 ? opts(["private", "offset="], "keyword", "option") : [];
    case "touch":
    case "munmap":
      return n === 2 ? opts(labels, "variable", "mapping") : [];
    case "madvise":
      if (n === 2) return opts(labels, "variable", "mapping");
      return n >= 3 ? opts(["dontfork", "dofork"], "keyword", "advice") : [];
    case "pin":
      if (n === 3) return opts(labels, "variable", "mapping");
      return n >= 6 ? opts(["longterm", "nop2p"], "keyword", "flag") : [];
    default:
      return [];
  }
}

/** The completion source: keywords and names defined above the cursor, by position in the statement. */
export function scenarioCompletion(ctx: CompletionContext): CompletionResult | null {
  const line = ctx.state.doc.lineAt(ctx.pos);
  const head = line.text.slice(0, ctx.pos - line.from);
  if (head.includes("#")) return null; // in a comment
  const word = ctx.matchBefore(/[a-z0-9_.:=-]*$/i);
  if (!word) return null;
  if (word.from === word.to && !ctx.explicit) return null;
  const before = words(head.slice(0, word.from - line.from));
  const above: string[] = [];
  for (let i = 1; i < line.number; i++) above.push(ctx.state.doc.line(i).text);
  const options = candidates(before, definedNames(above));
  if (options.length === 0) return null;
  return { from: word.from, options, validFor: /^[a-z0-9_.:=-]*$/i };
}
