/**
 * Parser and checker for the scenario language v1 (../shared/scenario-language.md).
 *
 * Everything that is not a valid scenario is a Diagnostic with a line and column: unknown statements,
 * bad sizes, undefined or duplicate names, use of a process after its exit, a second unpin. Nothing is
 * ever replaced by a default. Runtime outcomes (EINVAL, ENOMEM, SIGBUS...) are not errors: the
 * simulator decides them.
 */

import {
  DESIGNS,
  type Design,
  type Diagnostic,
  PAGE_SIZES,
  type ParseResult,
  type Scenario,
  type Span,
  type Stmt,
} from "./ast.ts";
import { clip, formatSize, parseSize } from "./size.ts";

const NAME = /^[a-z][a-z0-9_-]{0,31}$/;
/** Words that start a statement, so they cannot name a process (`device mmap ...` would be ambiguous). */
const STATEMENT_WORDS = new Set(["kernel", "page", "device", "process", "unpin", "unbind"]);
const VERBS = ["mmap", "touch", "pin", "fork", "munmap", "exit"];
const MAX_DIAGNOSTICS = 50;
const MAX_DEVICE_BYTES = 4 * 1024 ** 3;

interface Token {
  readonly text: string;
  /** 1-based column */
  readonly col: number;
}

class ParseError extends Error {
  constructor(
    readonly tok: Token | { col: number; text: string },
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}

/** Splits one line into tokens, stopping at '#'. Rejects characters outside printable ASCII. */
function tokenize(line: string): Token[] {
  const toks: Token[] = [];
  let i = 0;
  const n = line.length;
  while (i < n) {
    const c = line.charCodeAt(i);
    if (c === 0x23 /* # */) break;
    if (c === 0x20 || c === 0x09) {
      i++;
      continue;
    }
    const start = i;
    while (i < n) {
      const d = line.charCodeAt(i);
      if (d === 0x20 || d === 0x09 || d === 0x23) break;
      if (d < 0x21 || d > 0x7e) {
        const cp = line.codePointAt(i)!;
        const shown =
          cp >= 0x21 && cp !== 0x7f && cp < 0xd800 && !(cp >= 0x80 && cp < 0xa0)
            ? ` '${String.fromCodePoint(cp)}'`
            : "";
        throw new ParseError(
          { col: i + 1, text: String.fromCodePoint(cp) },
          `unexpected character${shown} (U+${cp.toString(16).toUpperCase().padStart(4, "0")})`,
          "statements use plain ASCII words, names and sizes; put anything else after '#'",
        );
      }
      i++;
    }
    toks.push({ text: line.slice(start, i), col: start + 1 });
  }
  return toks;
}

interface ProcInfo {
  alive: boolean;
  exitLine: number;
  /** labels made by this process (or found through its parent): name -> length and birth order */
  own: Map<string, { len: number; seq: number }>;
  /** the process it was forked from, whose labels made before the fork it inherits */
  parent: ProcInfo | undefined;
  /** label birth counter at the fork: the parent's labels with a smaller seq are inherited */
  forkSeq: number;
}

/**
 * The length of label `name` as process p sees it, or undefined. A child sees its parent's labels
 * made before the fork; they are looked up through the parent instead of copied at each fork, so a
 * scenario with thousands of forks and labels stays linear.
 */
function findLabel(p: ProcInfo, name: string): number | undefined {
  let limit = Number.POSITIVE_INFINITY;
  for (let q: ProcInfo | undefined = p; q; limit = Math.min(limit, q.forkSeq), q = q.parent) {
    const e = q.own.get(name);
    if (e && e.seq < limit) {
      if (q !== p) p.own.set(name, { len: e.len, seq: -1 });
      return e.len;
    }
  }
  return undefined;
}

/** Static knowledge while checking: which names exist, which processes are alive. */
class Checker {
  design: Design | undefined;
  pageSize = 4096;
  pageLine = 0;
  statements = 0;
  devices = new Set<string>();
  procs = new Map<string, ProcInfo>();
  /** pin name -> line of its unpin, 0 while held */
  pins = new Map<string, number>();
  /** labels made so far, to order them against forks */
  labelSeq = 0;
}

function name(tok: Token | undefined, what: string, after: Token): string {
  if (!tok) throw new ParseError({ col: after.col + after.text.length + 1, text: " " }, `missing ${what}`);
  if (!NAME.test(tok.text)) {
    throw new ParseError(
      tok,
      `'${clip(tok.text)}' is not a valid ${what}`,
      "names are a lower-case letter followed by up to 31 of a-z, 0-9, '_' and '-'",
    );
  }
  return tok.text;
}

function size(tok: Token | undefined, what: string, after: Token): number {
  if (!tok) throw new ParseError({ col: after.col + after.text.length + 1, text: " " }, `missing ${what}`);
  const v = parseSize(tok.text);
  if (typeof v !== "number") throw new ParseError(tok, `${what}: ${v.error}`, v.hint);
  return v;
}

function pageMultiple(tok: Token, v: number, what: string, page: number): void {
  if (v % page !== 0) {
    throw new ParseError(
      tok,
      `${what} ${clip(tok.text)} is not a multiple of the page size (${formatSize(page)})`,
    );
  }
}

function noMore(toks: Token[], from: number, usage: string): void {
  const extra = toks[from];
  if (extra) throw new ParseError(extra, `unexpected '${clip(extra.text)}'`, `usage: ${usage}`);
}

function aliveProc(c: Checker, tok: Token): ProcInfo {
  const p = c.procs.get(tok.text);
  if (!p) {
    throw new ParseError(
      tok,
      `unknown process '${clip(tok.text)}'`,
      `declare it first with 'process ${clip(tok.text)}'`,
    );
  }
  if (!p.alive) throw new ParseError(tok, `process '${tok.text}' exited at line ${p.exitLine}`);
  return p;
}

function label(p: ProcInfo, procName: string, tok: Token): number {
  const len = findLabel(p, tok.text);
  if (len === undefined)
    throw new ParseError(tok, `process '${procName}' has no mapping '${clip(tok.text)}'`);
  return len;
}

function device(c: Checker, tok: Token): void {
  if (!c.devices.has(tok.text)) {
    throw new ParseError(
      tok,
      `unknown device '${clip(tok.text)}'`,
      `declare it first with 'device ${clip(tok.text)} SIZE'`,
    );
  }
}

function inRange(tok: Token, off: number, len: number, labelLen: number, map: string): void {
  if (off + len > labelLen) {
    throw new ParseError(
      tok,
      `range ${formatSize(off)}+${formatSize(len)} is past the end of '${map}' (${formatSize(labelLen)})`,
    );
  }
}

const USAGE: Record<string, string> = {
  kernel: `kernel DESIGN (one of ${DESIGNS.join(", ")})`,
  page: "page 4K|64K",
  device: "device DEV SIZE",
  process: "process P",
  unpin: "unpin PIN",
  unbind: "unbind DEV",
  mmap: "P mmap MAP DEV LEN [private] [offset=OFF]",
  touch: "P touch MAP OFF",
  pin: "P pin PIN MAP OFF LEN [longterm] [nop2p]",
  fork: "P fork C",
  munmap: "P munmap MAP [OFF LEN]",
  exit: "P exit",
};

/** Parses one statement line and checks it against what came before. */
function statement(c: Checker, toks: Token[], lineNo: number): Stmt {
  const first = toks[0]!;
  const w = first.text;
  const stmt = ((): Stmt => {
    switch (w) {
      case "kernel": {
        if (c.statements > 0) throw new ParseError(first, "'kernel' must come before any other statement");
        const t = toks[1];
        if (!t) throw new ParseError(first, "missing design", `usage: ${USAGE.kernel}`);
        if (!(DESIGNS as readonly string[]).includes(t.text)) {
          throw new ParseError(t, `unknown design '${clip(t.text)}'`, `designs: ${DESIGNS.join(", ")}`);
        }
        noMore(toks, 2, USAGE.kernel!);
        c.design = t.text as Design;
        return { op: "kernel", design: c.design };
      }
      case "page": {
        if (c.pageLine) throw new ParseError(first, `page size already set at line ${c.pageLine}`);
        if (c.devices.size > 0) throw new ParseError(first, "'page' must come before any device");
        const t = toks[1];
        const v = size(t, "page size", first);
        if (!(PAGE_SIZES as readonly number[]).includes(v)) {
          throw new ParseError(t!, `page size must be 4K or 64K, not ${clip(t!.text)}`);
        }
        noMore(toks, 2, USAGE.page!);
        c.pageSize = v;
        c.pageLine = lineNo;
        return { op: "page", size: v };
      }
      case "device": {
        const dev = name(toks[1], "device name", first);
        if (c.devices.has(dev)) throw new ParseError(toks[1]!, `device '${dev}' is already declared`);
        const t = toks[2];
        const v = size(t, "device size", toks[1]!);
        pageMultiple(t!, v, "device size", c.pageSize);
        if (v === 0) throw new ParseError(t!, "device size must be at least one page");
        if (v > MAX_DEVICE_BYTES) throw new ParseError(t!, `device size ${clip(t!.text)} is over 4G`);
        noMore(toks, 3, USAGE.device!);
        c.devices.add(dev);
        return { op: "device", dev, size: v };
      }
      case "process": {
        const p = name(toks[1], "process name", first);
        if (STATEMENT_WORDS.has(p))
          throw new ParseError(toks[1]!, `'${p}' is a keyword and cannot name a process`);
        if (c.procs.has(p)) throw new ParseError(toks[1]!, `process '${p}' already exists`);
        noMore(toks, 2, USAGE.process!);
        c.procs.set(p, { alive: true, exitLine: 0, own: new Map(), parent: undefined, forkSeq: 0 });
        return { op: "process", proc: p };
      }
      case "unpin": {
        const pin = name(toks[1], "pin name", first);
        const done = c.pins.get(pin);
        if (done === undefined) throw new ParseError(toks[1]!, `unknown pin '${pin}'`);
        if (done > 0) throw new ParseError(toks[1]!, `pin '${pin}' was already unpinned at line ${done}`);
        noMore(toks, 2, USAGE.unpin!);
        c.pins.set(pin, lineNo);
        return { op: "unpin", pin };
      }
      case "unbind": {
        const dev = name(toks[1], "device name", first);
        device(c, toks[1]!);
        noMore(toks, 2, USAGE.unbind!);
        return { op: "unbind", dev };
      }
    }
    if (!NAME.test(w)) {
      throw new ParseError(
        first,
        `unknown statement '${clip(w)}'`,
        "a statement starts with kernel, page, device, process, unpin, unbind or a process name",
      );
    }
    const verbTok = toks[1];
    const proc = c.procs.get(w);
    if (!verbTok) {
      throw new ParseError(
        first,
        proc ? `missing action after '${w}'` : `unknown statement '${clip(w)}'`,
        proc ? `actions: ${VERBS.join(", ")}` : undefined,
      );
    }
    if (!VERBS.includes(verbTok.text)) {
      if (!proc) throw new ParseError(first, `unknown statement '${clip(w)}'`);
      throw new ParseError(verbTok, `unknown action '${clip(verbTok.text)}'`, `actions: ${VERBS.join(", ")}`);
    }
    const p = aliveProc(c, first);
    switch (verbTok.text) {
      case "mmap": {
        const map = name(toks[2], "mapping label", verbTok);
        if (findLabel(p, map) !== undefined) {
          throw new ParseError(toks[2]!, `process '${w}' already has a mapping '${map}'`);
        }
        const devTok = toks[3];
        const dev = name(devTok, "device name", toks[2]!);
        device(c, devTok!);
        const len = size(toks[4], "mapping length", devTok!);
        let priv = false;
        let offset: number | undefined;
        for (let i = 5; i < toks.length; i++) {
          const t = toks[i]!;
          if (t.text === "private" && !priv) priv = true;
          else if (t.text.startsWith("offset=") && offset === undefined) {
            const v = parseSize(t.text.slice(7));
            if (typeof v !== "number") {
              throw new ParseError({ col: t.col + 7, text: t.text.slice(7) }, `offset: ${v.error}`, v.hint);
            }
            pageMultiple(t, v, "offset", c.pageSize);
            offset = v;
          } else throw new ParseError(t, `unexpected '${clip(t.text)}'`, `usage: ${USAGE.mmap}`);
        }
        p.own.set(map, { len: Math.ceil(len / c.pageSize) * c.pageSize, seq: c.labelSeq++ });
        const s: Stmt = { op: "mmap", proc: w, map, dev, len, private: priv };
        return offset === undefined ? s : { ...s, offset };
      }
      case "touch": {
        const mapTok = toks[2];
        const map = name(mapTok, "mapping label", verbTok);
        const labelLen = label(p, w, mapTok!);
        const offTok = toks[3];
        const off = size(offTok, "offset", mapTok!);
        if (off >= labelLen) {
          throw new ParseError(
            offTok!,
            `offset ${clip(offTok!.text)} is past the end of '${map}' (${formatSize(labelLen)})`,
          );
        }
        noMore(toks, 4, USAGE.touch!);
        return { op: "touch", proc: w, map, off };
      }
      case "pin": {
        const pinTok = toks[2];
        const pin = name(pinTok, "pin name", verbTok);
        if (c.pins.has(pin)) throw new ParseError(pinTok!, `pin '${pin}' already exists`);
        const mapTok = toks[3];
        const map = name(mapTok, "mapping label", pinTok!);
        const labelLen = label(p, w, mapTok!);
        const offTok = toks[4];
        const off = size(offTok, "offset", mapTok!);
        pageMultiple(offTok!, off, "offset", c.pageSize);
        const lenTok = toks[5];
        const len = size(lenTok, "length", offTok!);
        pageMultiple(lenTok!, len, "length", c.pageSize);
        if (len === 0) throw new ParseError(lenTok!, "pin length must be at least one page");
        inRange(lenTok!, off, len, labelLen, map);
        let longterm = false;
        let nop2p = false;
        for (let i = 6; i < toks.length; i++) {
          const t = toks[i]!;
          if (t.text === "longterm" && !longterm) longterm = true;
          else if (t.text === "nop2p" && !nop2p) nop2p = true;
          else throw new ParseError(t, `unexpected '${clip(t.text)}'`, `usage: ${USAGE.pin}`);
        }
        c.pins.set(pin, 0);
        return { op: "pin", proc: w, pin, map, off, len, longterm, nop2p };
      }
      case "fork": {
        const childTok = toks[2];
        const child = name(childTok, "child process name", verbTok);
        if (STATEMENT_WORDS.has(child)) {
          throw new ParseError(childTok!, `'${child}' is a keyword and cannot name a process`);
        }
        if (c.procs.has(child)) throw new ParseError(childTok!, `process '${child}' already exists`);
        noMore(toks, 3, USAGE.fork!);
        c.procs.set(child, { alive: true, exitLine: 0, own: new Map(), parent: p, forkSeq: c.labelSeq });
        return { op: "fork", proc: w, child };
      }
      case "munmap": {
        const mapTok = toks[2];
        const map = name(mapTok, "mapping label", verbTok);
        const labelLen = label(p, w, mapTok!);
        const offTok = toks[3];
        if (!offTok) return { op: "munmap", proc: w, map };
        const off = size(offTok, "offset", mapTok!);
        pageMultiple(offTok, off, "offset", c.pageSize);
        const lenTok = toks[4];
        if (!lenTok)
          throw new ParseError(offTok, "munmap with an offset needs a length too", `usage: ${USAGE.munmap}`);
        const len = size(lenTok, "length", offTok);
        pageMultiple(lenTok, len, "length", c.pageSize);
        inRange(lenTok, off, len, labelLen, map);
        noMore(toks, 5, USAGE.munmap!);
        return { op: "munmap", proc: w, map, off, len };
      }
      default: {
        noMore(toks, 2, USAGE.exit!);
        p.alive = false;
        p.exitLine = lineNo;
        return { op: "exit", proc: w };
      }
    }
  })();
  c.statements++;
  return stmt;
}

/** Parses and checks a whole scenario. */
export function parseScenario(text: string): ParseResult {
  const c = new Checker();
  const statements: Stmt[] = [];
  const spans: Span[] = [];
  const diagnostics: Diagnostic[] = [];
  let lineNo = 0;
  let pos = 0;
  while (pos <= text.length && diagnostics.length < MAX_DIAGNOSTICS) {
    let nl = text.indexOf("\n", pos);
    if (nl < 0) nl = text.length;
    let line = text.slice(pos, nl);
    if (line.endsWith("\r")) line = line.slice(0, -1);
    pos = nl + 1;
    lineNo++;
    try {
      const toks = tokenize(line);
      if (toks.length === 0) continue;
      const last = toks[toks.length - 1]!;
      const st = statement(c, toks, lineNo);
      statements.push(st);
      spans.push({ line: lineNo, col: toks[0]!.col, endCol: last.col + last.text.length });
    } catch (e) {
      if (!(e instanceof ParseError)) throw e;
      const d: Diagnostic = {
        line: lineNo,
        col: e.tok.col,
        endCol: e.tok.col + Math.max(1, Math.min(e.tok.text.length, 200)),
        message: e.message,
      };
      diagnostics.push(e.hint ? { ...d, hint: e.hint } : d);
    }
    if (nl === text.length) break;
  }
  if (diagnostics.length > 0) return { ok: false, diagnostics };
  const scenario: Scenario = { statements };
  return { ok: true, scenario, spans };
}

/** `FILE:LINE:COL: message` (with the hint on a second line), as the CLI prints diagnostics. */
export function formatDiagnostic(file: string, d: Diagnostic): string {
  return `${file}:${d.line}:${d.col}: ${d.message}${d.hint ? `\n  hint: ${d.hint}` : ""}`;
}
