/**
 * Parser and checker for the scenario language v2 (../shared/scenario-language.md), which reads every
 * version 1 text as version 1 did.
 *
 * Everything that is not a valid scenario is a Diagnostic with a line and column: unknown statements,
 * bad sizes, undefined or duplicate names, use of a process after its exit, a second unpin, a design
 * and kernel version that do not go together. Nothing is ever replaced by a default. Runtime outcomes
 * (EINVAL, ENOMEM, SIGBUS...) are not errors: the simulator decides them, including, since v2, offsets
 * past the end of a label and unaligned munmap/mmap offsets (docs/scenario-language.md).
 */

import {
  DESIGN_VERSIONS,
  DESIGNS,
  type Design,
  type Diagnostic,
  INJECT_ERRNOS,
  type InjectFn,
  KERNEL_VERSIONS,
  type KernelVersion,
  PAGE_SIZES,
  type ParseResult,
  type Scenario,
  type Span,
  type Stmt,
  UNSIMULATED_DESIGNS,
} from "./ast.ts";
import { clip, formatSize, parseSize } from "./size.ts";

const NAME = /^[a-z][a-z0-9_-]{0,31}$/;
/** A PCI address as in /sys/bus/pci/devices/: domain, bus, device (0-1f), function (0-7), lower-case hex. */
export const PCI_ADDRESS = /^[0-9a-f]{4}:[0-9a-f]{2}:[01][0-9a-f]\.[0-7]$/;
/** What a token that means to be a PCI address looks like (to give a PCI-specific message). */
const PCI_LIKE = /^[0-9a-fA-F]+:[0-9a-fA-F:.]*$/;
/**
 * Words that start a statement, so they cannot name a process (`device mmap ...` would be ambiguous).
 * v2's `bind` and `inject` are not among them: version 1 let a process have those names, and such a
 * text keeps its meaning (a line that starts with the name of a declared process is that process's).
 */
const STATEMENT_WORDS = new Set(["kernel", "page", "device", "process", "unpin", "unbind"]);
const VERBS = ["mmap", "touch", "pin", "fork", "munmap", "madvise", "exit"];
const ADVICE = ["dontfork", "dofork"] as const;
const MAX_DIAGNOSTICS = 50;
/** The largest device the language has (v2; version 1 stopped at 4G). */
export const MAX_DEVICE_BYTES = 1024 ** 4;
/** The largest `inject ... after N`. */
export const MAX_INJECT_AFTER = 2 ** 31 - 1;

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
  /** labels made by this process (or found through its parent): name -> birth order */
  own: Map<string, number>;
  /** the process it was forked from, whose labels made before the fork it inherits */
  parent: ProcInfo | undefined;
  /** label birth counter at the fork: the parent's labels with a smaller seq are inherited */
  forkSeq: number;
}

/**
 * Whether process p has label `name`. A child sees its parent's labels made before the fork; they are
 * looked up through the parent instead of copied at each fork, so a scenario with thousands of forks
 * and labels stays linear. (Since v2 a label's length no longer matters here: an offset past its end
 * is a result, not an error.)
 */
function hasLabel(p: ProcInfo, name: string): boolean {
  let limit = Number.POSITIVE_INFINITY;
  for (let q: ProcInfo | undefined = p; q; limit = Math.min(limit, q.forkSeq), q = q.parent) {
    const seq = q.own.get(name);
    if (seq !== undefined && seq < limit) {
      if (q !== p) p.own.set(name, -1);
      return true;
    }
  }
  return false;
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

/** A device name: a name, or (v2) a PCI address such as 0000:01:00.0. */
function deviceName(tok: Token | undefined, after: Token): string {
  if (tok && PCI_LIKE.test(tok.text)) {
    if (PCI_ADDRESS.test(tok.text)) return tok.text;
    const lower = tok.text.toLowerCase();
    throw new ParseError(
      tok,
      `'${clip(tok.text)}' is not a PCI address`,
      PCI_ADDRESS.test(lower)
        ? `PCI addresses are lower-case hex: write ${lower}`
        : "a PCI address is DDDD:BB:DD.F in lower-case hex, device 00-1f, function 0-7 (0000:01:00.0)",
    );
  }
  return name(tok, "device name", after);
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

function label(p: ProcInfo, procName: string, tok: Token): void {
  if (!hasLabel(p, tok.text))
    throw new ParseError(tok, `process '${procName}' has no mapping '${clip(tok.text)}'`);
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

/** A design and kernel version as the `kernel` statement and the CLI's `--kernel DESIGN@VERSION` name them. */
export interface KernelChoice {
  readonly design: Design;
  /** undefined when none is named: the design's default (DESIGN_VERSIONS, its last) */
  readonly version?: KernelVersion;
}

/** Why a design or version cannot be read, and which of the two is wrong. */
export interface KernelProblem {
  readonly at: "design" | "version";
  readonly error: string;
  readonly hint: string;
}

/**
 * Checks DESIGN [VERSION]: an unsimulated design (huge, huge-v1) and a pair not in DESIGN_VERSIONS are
 * refused with a message that says what is available, never run as something else.
 */
export function readKernel(design: string, version: string | undefined): KernelChoice | KernelProblem {
  if ((UNSIMULATED_DESIGNS as readonly string[]).includes(design)) {
    return {
      at: "design",
      error: `design '${design}' is not simulated by this version of p2pviz yet`,
      hint: `designs it simulates: ${DESIGNS.join(", ")}`,
    };
  }
  if (!(DESIGNS as readonly string[]).includes(design)) {
    return {
      at: "design",
      error: `unknown design '${clip(design)}'`,
      hint: `designs: ${DESIGNS.join(", ")}`,
    };
  }
  const d = design as Design;
  if (version === undefined) return { design: d };
  const has = DESIGN_VERSIONS[d];
  if (!(KERNEL_VERSIONS as readonly string[]).includes(version)) {
    return {
      at: "version",
      error: `unknown kernel version '${clip(version)}'`,
      hint: `versions: ${KERNEL_VERSIONS.join(", ")}; ${d} runs in ${has.join(", ")}`,
    };
  }
  const v = version as KernelVersion;
  if (!has.includes(v)) {
    return {
      at: "version",
      error: `design '${d}' does not run in kernel ${v}: it has ${has.length === 1 ? "only " : ""}${has.join(", ")}`,
      hint: `without a version, ${d} runs in ${has[has.length - 1]}`,
    };
  }
  return { design: d, version: v };
}

const USAGE: Record<string, string> = {
  kernel: `kernel DESIGN [VERSION] (designs: ${DESIGNS.join(", ")}; versions: ${KERNEL_VERSIONS.join(", ")})`,
  page: "page 4K|64K",
  device: "device DEV SIZE",
  process: "process P",
  unpin: "unpin PIN",
  unbind: "unbind DEV",
  bind: "bind DEV",
  inject: `inject FN ERRNO [after N] (FN: ${Object.keys(INJECT_ERRNOS).join(", ")})`,
  mmap: "P mmap MAP DEV LEN [private] [offset=OFF]",
  touch: "P touch MAP OFF",
  pin: "P pin PIN MAP OFF LEN [longterm] [nop2p]",
  fork: "P fork C",
  munmap: "P munmap MAP [OFF LEN]",
  madvise: "P madvise MAP [OFF LEN] dontfork|dofork",
  exit: "P exit",
};

function advice(tok: Token | undefined, after: Token): (typeof ADVICE)[number] {
  if (!tok) {
    throw new ParseError(
      { col: after.col + after.text.length + 1, text: " " },
      "missing advice",
      `usage: ${USAGE.madvise}`,
    );
  }
  if (!(ADVICE as readonly string[]).includes(tok.text)) {
    throw new ParseError(tok, `unknown advice '${clip(tok.text)}'`, "the advice is dontfork or dofork");
  }
  return tok.text as (typeof ADVICE)[number];
}

/** `P madvise MAP [OFF LEN] dontfork|dofork` (v2): OFF and LEN are page multiples; past the end runs (ENOMEM). */
function madvise(c: Checker, p: ProcInfo, proc: string, toks: Token[]): Stmt {
  const verbTok = toks[1]!;
  const mapTok = toks[2];
  const map = name(mapTok, "mapping label", verbTok);
  label(p, proc, mapTok!);
  const offTok = toks[3];
  if (!offTok || !/^[0-9]/.test(offTok.text)) {
    const a = advice(offTok, mapTok!);
    noMore(toks, 4, USAGE.madvise!);
    return { op: "madvise", proc, map, advice: a };
  }
  const off = size(offTok, "offset", mapTok!);
  pageMultiple(offTok, off, "offset", c.pageSize);
  const lenTok = toks[4];
  if (!lenTok || !/^[0-9]/.test(lenTok.text)) {
    throw new ParseError(offTok, "madvise with an offset needs a length too", `usage: ${USAGE.madvise}`);
  }
  const len = size(lenTok, "length", offTok);
  pageMultiple(lenTok, len, "length", c.pageSize);
  const a = advice(toks[5], lenTok);
  noMore(toks, 6, USAGE.madvise!);
  return { op: "madvise", proc, map, off, len, advice: a };
}

/** `inject FN ERRNO [after N]` (v2): FN and ERRNO as INJECT_ERRNOS allows, N a decimal count. */
function inject(toks: Token[]): Stmt {
  const first = toks[0]!;
  const fnTok = toks[1];
  const fns = Object.entries(INJECT_ERRNOS)
    .map(([f, es]) => `${f} (${es.join(", ")})`)
    .join(", ");
  if (!fnTok) throw new ParseError(first, "missing kernel function", `usage: ${USAGE.inject}`);
  if (!Object.hasOwn(INJECT_ERRNOS, fnTok.text)) {
    throw new ParseError(
      fnTok,
      `'${clip(fnTok.text)}' is not a function p2pviz can make fail`,
      `functions: ${fns}`,
    );
  }
  const fn = fnTok.text as InjectFn;
  const errnos: readonly string[] = INJECT_ERRNOS[fn];
  const errTok = toks[2];
  if (!errTok) {
    throw new ParseError(
      { col: fnTok.col + fnTok.text.length + 1, text: " " },
      "missing errno",
      `${fn} can fail with ${errnos.join(" or ")}`,
    );
  }
  if (!errnos.includes(errTok.text)) {
    throw new ParseError(
      errTok,
      `${fn} cannot fail with '${clip(errTok.text)}'`,
      `${fn} can fail with ${errnos.join(" or ")}`,
    );
  }
  const afterTok = toks[3];
  if (!afterTok) return { op: "inject", fn, errno: errTok.text };
  if (afterTok.text !== "after") {
    throw new ParseError(afterTok, `unexpected '${clip(afterTok.text)}'`, `usage: ${USAGE.inject}`);
  }
  const nTok = toks[4];
  if (!nTok) {
    throw new ParseError(
      { col: afterTok.col + afterTok.text.length + 1, text: " " },
      "missing count after 'after'",
      "after N: the number of calls that succeed first (0, 1, 2, ...)",
    );
  }
  if (!/^[0-9]+$/.test(nTok.text)) {
    throw new ParseError(nTok, `'${clip(nTok.text)}' is not a count`, "a count is a decimal number: after 3");
  }
  const n = nTok.text.replace(/^0+(?=.)/, "");
  if (n.length > 10 || Number(n) > MAX_INJECT_AFTER) {
    throw new ParseError(nTok, `count ${clip(nTok.text)} is over ${MAX_INJECT_AFTER}`);
  }
  noMore(toks, 5, USAGE.inject!);
  return { op: "inject", fn, errno: errTok.text, after: Number(n) };
}

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
        const vt = toks[2];
        const k = readKernel(t.text, vt?.text);
        if ("error" in k) throw new ParseError(k.at === "design" ? t : vt!, k.error, k.hint);
        noMore(toks, 3, USAGE.kernel!);
        c.design = k.design;
        return k.version
          ? { op: "kernel", design: k.design, version: k.version }
          : { op: "kernel", design: k.design };
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
        const dev = deviceName(toks[1], first);
        if (c.devices.has(dev)) throw new ParseError(toks[1]!, `device '${dev}' is already declared`);
        const t = toks[2];
        const v = size(t, "device size", toks[1]!);
        pageMultiple(t!, v, "device size", c.pageSize);
        if (v === 0) throw new ParseError(t!, "device size must be at least one page");
        if (v > MAX_DEVICE_BYTES) throw new ParseError(t!, `device size ${clip(t!.text)} is over 1T`);
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
      case "unbind":
      case "bind": {
        // v2: `bind` is a statement only where no process is named so (version 1 allowed one)
        if (w === "bind" && c.procs.has(w)) break;
        const dev = deviceName(toks[1], first);
        device(c, toks[1]!);
        noMore(toks, 2, USAGE[w]!);
        return { op: w, dev };
      }
      case "inject":
        if (c.procs.has(w)) break;
        return inject(toks);
    }
    if (!NAME.test(w)) {
      throw new ParseError(
        first,
        `unknown statement '${clip(w)}'`,
        "a statement starts with kernel, page, device, process, unpin, unbind, bind, inject or a process name",
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
      throw new ParseError(
        verbTok,
        `unknown action '${clip(verbTok.text)}'`,
        w === "bind" || w === "inject"
          ? `'${w}' names a process in this scenario, so this line is one of its actions (${VERBS.join(", ")}); the '${w}' statement needs a scenario without a process of that name`
          : `actions: ${VERBS.join(", ")}`,
      );
    }
    const p = aliveProc(c, first);
    switch (verbTok.text) {
      case "mmap": {
        const map = name(toks[2], "mapping label", verbTok);
        if (hasLabel(p, map)) {
          throw new ParseError(toks[2]!, `process '${w}' already has a mapping '${map}'`);
        }
        const devTok = toks[3];
        const dev = deviceName(devTok, toks[2]!);
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
            // v2: an offset that is not a page multiple runs and gives EINVAL (a result)
            offset = v;
          } else throw new ParseError(t, `unexpected '${clip(t.text)}'`, `usage: ${USAGE.mmap}`);
        }
        p.own.set(map, c.labelSeq++);
        const s: Stmt = { op: "mmap", proc: w, map, dev, len, private: priv };
        return offset === undefined ? s : { ...s, offset };
      }
      case "touch": {
        const mapTok = toks[2];
        const map = name(mapTok, "mapping label", verbTok);
        label(p, w, mapTok!);
        // v2: an offset past the end of the label runs (SIGSEGV there)
        const off = size(toks[3], "offset", mapTok!);
        noMore(toks, 4, USAGE.touch!);
        return { op: "touch", proc: w, map, off };
      }
      case "pin": {
        const pinTok = toks[2];
        const pin = name(pinTok, "pin name", verbTok);
        if (c.pins.has(pin)) throw new ParseError(pinTok!, `pin '${pin}' already exists`);
        const mapTok = toks[3];
        const map = name(mapTok, "mapping label", pinTok!);
        label(p, w, mapTok!);
        const offTok = toks[4];
        const off = size(offTok, "offset", mapTok!);
        pageMultiple(offTok!, off, "offset", c.pageSize);
        const lenTok = toks[5];
        const len = size(lenTok, "length", offTok!);
        pageMultiple(lenTok!, len, "length", c.pageSize);
        if (len === 0) throw new ParseError(lenTok!, "pin length must be at least one page");
        // v2: a range past the end of the label runs (EFAULT)
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
        label(p, w, mapTok!);
        const offTok = toks[3];
        if (!offTok) return { op: "munmap", proc: w, map };
        // v2: any OFF and LEN run, as munmap(2) takes them: an unaligned OFF or a LEN of 0 gives EINVAL,
        // LEN is rounded up to whole pages, and what lies past the end of the label is unmapped too
        const off = size(offTok, "offset", mapTok!);
        const lenTok = toks[4];
        if (!lenTok)
          throw new ParseError(offTok, "munmap with an offset needs a length too", `usage: ${USAGE.munmap}`);
        const len = size(lenTok, "length", offTok);
        noMore(toks, 5, USAGE.munmap!);
        return { op: "munmap", proc: w, map, off, len };
      }
      case "madvise":
        return madvise(c, p, w, toks);
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
