/**
 * The packed record store: a trace's records as numbers in typed-array columns, not JS objects.
 *
 * Every record has a kind (Uint8), a kernel function (Uint16, an index into an interned table of
 * names), a scenario line (Int32), its end step (Float64: steps up to and including it) and an
 * offset (Uint32) into one shared Int32 word stream holding its fields, in the order FIELDS lists
 * them. A field is stored as:
 *   "i"  one word, a signed 32-bit integer (encode() throws a RangeError when a value does not fit);
 *   "f"  two words, any integer of magnitude < 2^53 (vpn, pte, byte counts);
 *   "b"  one word, a boolean;
 *   "s"  one word, an index into the store's interned string table (names, errnos, note texts);
 *   "o"  one word, an index into the store's object table (VMAs, labels, pmaps: rare events only).
 * A loop (events.ts) is a record of kind "loop" with fields n ("f") and its body's first record
 * and length in a second store that holds loop bodies (`bodies`), so a body event is packed too.
 * get(i) builds the record object on demand (describe.ts makes the sentences from it): the stored
 * trace has no per-event objects, and texts are derived when shown.
 *
 * HOW TO ADD AN EVENT KIND OR A FIELD (one place): add the kind or the field to KernelEvent in
 * events.ts, then add it to FIELDS below with its storage letter. FIELDS is typed against
 * KernelEvent, so a kind or field missing here (or a stale one) is a compile error; the kind's
 * number is its position in KIND_NAMES, derived from FIELDS. Nothing else in this file changes.
 */

import type {
  EventInit,
  EventKind,
  KernelEvent,
  Loop,
  LoopBodyEvent,
  LoopBodyInit,
  TraceRecord,
} from "./events.ts";

type Storage = "i" | "f" | "b" | "s" | "o";
type FieldsOf<K extends EventKind> = Exclude<keyof Extract<KernelEvent, { kind: K }>, "kind" | "line" | "fn">;

/** The fields of every event kind, in storage order, with how each is stored (see the header). */
export const FIELDS: { readonly [K in EventKind]: { readonly [F in FieldsOf<K>]-?: Storage } } = {
  design: { design: "s", pageSize: "i" },
  "device-add": { dev: "i", name: "s", pages: "f", barStart: "f", freeRefcount: "i" },
  "device-rebind": { dev: "i", freeRefcount: "i", before: "o" },
  "genpool-add": { dev: "i" },
  pgref: { dev: "i", delta: "i", to: "f" },
  "pgref-kill": { dev: "i" },
  "device-state": { dev: "i", from: "s", to: "s" },
  "process-add": { proc: "i", name: "s", parent: "i" },
  "process-exit": { proc: "i" },
  "label-add": { proc: "i", label: "o" },
  "vma-create": { proc: "i", vma: "o" },
  "vma-remove": { proc: "i", vma: "o" },
  "vma-split": { proc: "i", vma: "o", at: "f", newId: "i", newBelow: "b", upperPgoff: "f" },
  "vma-flags": { proc: "i", vmaId: "i", from: "i", to: "i" },
  "genpool-alloc": { dev: "i", page: "i", owner: "i" },
  "genpool-free": { dev: "i", page: "i", owner: "i" },
  "page-ref": { dev: "i", page: "i", delta: "i", to: "f" },
  "pte-set": { proc: "i", vpn: "f", pte: "f", rmap: "i" },
  "pte-clear": { proc: "i", vpn: "f", pte: "f", rmap: "i" },
  "pmap-create": { pmap: "o" },
  "pmap-kref": { pmap: "i", delta: "i" },
  "pmap-first": { pmap: "i", from: "i", to: "i", pages: "f" },
  "pin-create": { pin: "i", name: "s", proc: "i" },
  "pin-page": { pin: "i", dev: "i", page: "i" },
  "unpin-page": { pin: "i", dev: "i", page: "i" },
  "pin-status": { pin: "i", from: "s", to: "s" },
  fault: { proc: "i", vpn: "f" },
  "page-free": { dev: "i", page: "i" },
  note: { text: "s" },
  result: { op: "i", result: "s" },
  finding: { finding: "i" },
  // Appended, not inserted: a kind's number is its position here.
  "process-exiting": { proc: "i" },
  "folio-init": { dev: "i", page: "i", pages: "i", order: "i", ref: "i" },
  "folio-ref": { dev: "i", page: "i", pages: "i", delta: "i", pin: "i", to: "f" },
  "leaf-set": { proc: "i", vpn: "f", pte: "f", pages: "i" },
  "leaf-clear": { proc: "i", vpn: "f", pte: "f", pages: "i" },
  "folio-free": { dev: "i", page: "i", pages: "i", order: "i", owner: "i", reset: "b" },
  "genpool-miss": { dev: "i", order: "i", pages: "f" },
  fallback: { dev: "i", from: "i", to: "i" },
};

/** Event kinds by number; the loop is the last number. */
export const KIND_NAMES: readonly EventKind[] = Object.keys(FIELDS) as EventKind[];
const LOOP = KIND_NAMES.length;
/** Kind numbers by name: an object with fixed keys (a keyed load V8 caches, not a Map lookup). */
const KIND_NUM: Readonly<Record<string, number>> = Object.fromEntries(KIND_NAMES.map((k, i) => [k, i]));

/** Storage letters as small integers, for push()'s switch. */
const S_I = 0;
const S_F = 1;
const S_B = 2;
const S_S = 3;
const S_O = 4;
const CODE: Record<Storage, number> = { i: S_I, f: S_F, b: S_B, s: S_S, o: S_O };

interface Layout {
  readonly names: readonly string[];
  readonly kinds: readonly Storage[];
  readonly codes: readonly number[];
  readonly words: number;
}
const LAYOUT: readonly Layout[] = KIND_NAMES.map((k) => {
  const f = FIELDS[k] as Record<string, Storage>;
  const names = Object.keys(f);
  const kinds = names.map((n) => f[n]!);
  return {
    names,
    kinds,
    codes: kinds.map((c) => CODE[c]),
    words: kinds.reduce((w, s) => w + (s === "f" ? 2 : 1), 0),
  };
});

const TWO32 = 2 ** 32;
/** String field values longer than this are stored without interning (see intern()). */
const LONG_STRING = 40;

function grow<T extends Float64Array | Int32Array | Uint32Array | Uint16Array | Uint8Array>(
  a: T,
  min: number,
): T {
  let n = a.length * 2;
  while (n < min) n *= 2;
  const b = new (a.constructor as new (n: number) => T)(n);
  b.set(a);
  return b;
}

/** A read-only view of stored records: what a Trace exposes. */
export interface RecordList {
  readonly length: number;
  /** record i as an object (made on demand; don't keep it where a million are kept) */
  get(i: number): TraceRecord;
  /** the kind of record i ("loop" for a loop), without making it */
  kindOf(i: number): EventKind | "loop";
  /** steps (per-page events) up to and including record i */
  end(i: number): number;
  /** the index of the record holding `step` (0 <= step < total steps) */
  indexOfStep(step: number): number;
  /** bytes the store holds (its typed arrays at their capacity) */
  readonly bytes: number;
  [Symbol.iterator](): Iterator<TraceRecord>;
}

export class RecordStore implements RecordList {
  private kind = new Uint8Array(1024);
  private fn = new Uint16Array(1024);
  private line = new Int32Array(1024);
  private ends = new Float64Array(1024);
  private off = new Uint32Array(1024);
  private words = new Int32Array(4096);
  private nWords = 0;
  private n = 0;
  private steps = 0;
  private readonly strings: string[] = [];
  private readonly stringIndex = new Map<string, number>();
  private readonly objects: unknown[] = [];
  private readonly fnNames: string[] = [];
  private readonly fnIndex = new Map<string, number>();
  /** loop bodies (only in a top-level store) */
  private bodyStore: RecordStore | null;

  constructor(withBodies = true) {
    this.bodyStore = withBodies ? new RecordStore(false) : null;
  }

  get length(): number {
    return this.n;
  }

  get stepCount(): number {
    return this.steps;
  }

  get bytes(): number {
    const own =
      this.kind.byteLength +
      this.fn.byteLength +
      this.line.byteLength +
      this.ends.byteLength +
      this.off.byteLength +
      this.words.byteLength;
    return own + (this.bodyStore?.bytes ?? 0);
  }

  /**
   * The index of string field value `s`. Short strings (names, errnos, results) are interned; a
   * long one (a note's sentence, which names its objects and so rarely repeats) is appended without
   * hashing it, so a million-event run doesn't flatten and hash every sentence it makes.
   */
  private intern(s: string): number {
    if (s.length > LONG_STRING) {
      this.strings.push(s);
      return this.strings.length - 1;
    }
    let i = this.stringIndex.get(s);
    if (i === undefined) {
      i = this.strings.length;
      this.strings.push(s);
      this.stringIndex.set(s, i);
    }
    return i;
  }

  /** The index of kernel function name `fn`, in a table of its own (a few hundred names). */
  private fnId(fn: string): number {
    let i = this.fnIndex.get(fn);
    if (i === undefined) {
      i = this.fnNames.length;
      if (i > 0xffff) throw new RangeError("records: more than 65,536 kernel function names");
      this.fnNames.push(fn);
      this.fnIndex.set(fn, i);
    }
    return i;
  }

  private begin(kindNum: number, fn: string, line: number, steps: number, words: number): number {
    const i = this.n;
    if (i === this.kind.length) {
      this.kind = grow(this.kind, i + 1);
      this.fn = grow(this.fn, i + 1);
      this.line = grow(this.line, i + 1);
      this.ends = grow(this.ends, i + 1);
      this.off = grow(this.off, i + 1);
    }
    if (this.nWords + words > this.words.length) this.words = grow(this.words, this.nWords + words);
    this.kind[i] = kindNum;
    this.fn[i] = this.fnId(fn);
    this.line[i] = line;
    this.steps += steps;
    this.ends[i] = this.steps;
    this.off[i] = this.nWords;
    this.n = i + 1;
    return this.nWords;
  }

  /** Stores one event. */
  push(e: KernelEvent | EventInit, line = (e as KernelEvent).line): void {
    const k = KIND_NUM[e.kind]!;
    const lay = LAYOUT[k]!;
    let w = this.begin(k, e.fn, line, 1, lay.words);
    const words = this.words;
    const rec = e as unknown as Record<string, unknown>;
    const names = lay.names;
    const codes = lay.codes;
    for (let j = 0; j < codes.length; j++) {
      const v = rec[names[j]!];
      switch (codes[j]!) {
        case S_I:
          if (((v as number) | 0) !== v)
            throw new RangeError(
              `records: ${e.kind}.${names[j]} = ${v} does not fit 32 bits (store it as "f")`,
            );
          words[w++] = v as number;
          break;
        case S_F: {
          const x = v as number;
          const hi = Math.floor(x / TWO32);
          words[w++] = x - hi * TWO32;
          words[w++] = hi;
          break;
        }
        case S_B:
          words[w++] = v ? 1 : 0;
          break;
        case S_S:
          words[w++] = this.intern(v as string);
          break;
        case S_O:
          words[w++] = this.objects.length;
          this.objects.push(v);
          break;
      }
    }
    this.nWords = w;
  }

  /** Stores a loop of n iterations over `body` (iteration 0). */
  pushLoop(line: number, n: number, body: readonly (LoopBodyEvent | LoopBodyInit)[]): void {
    const bodies = this.bodyStore!;
    const first = bodies.length;
    for (let j = 0; j < body.length; j++) bodies.push(body[j]!, line);
    let w = this.begin(LOOP, "", line, n * body.length, 4);
    const hi = Math.floor(n / TWO32);
    this.words[w++] = n - hi * TWO32;
    this.words[w++] = hi;
    this.words[w++] = first;
    this.words[w++] = body.length;
    this.nWords = w;
  }

  /** Shrinks the columns to what they hold (when the run is over). */
  trim(): void {
    const n = Math.max(1, this.n);
    this.kind = this.kind.slice(0, n);
    this.fn = this.fn.slice(0, n);
    this.line = this.line.slice(0, n);
    this.ends = this.ends.slice(0, n);
    this.off = this.off.slice(0, n);
    this.words = this.words.slice(0, Math.max(1, this.nWords));
    this.bodyStore?.trim();
  }

  kindOf(i: number): EventKind | "loop" {
    const k = this.kind[i]!;
    return k === LOOP ? "loop" : KIND_NAMES[k]!;
  }

  end(i: number): number {
    return this.ends[i]!;
  }

  indexOfStep(step: number): number {
    const ends = this.ends;
    let lo = 0;
    let hi = this.n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (ends[mid]! > step) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  get(i: number): TraceRecord {
    const k = this.kind[i]!;
    let w = this.off[i]!;
    const words = this.words;
    if (k === LOOP) {
      const n = (words[w]! >>> 0) + words[w + 1]! * TWO32;
      const first = words[w + 2]!;
      const len = words[w + 3]!;
      const body: LoopBodyEvent[] = [];
      for (let j = 0; j < len; j++) body.push(this.bodyStore!.get(first + j) as LoopBodyEvent);
      const loop: Loop = { kind: "loop", line: this.line[i]!, n, body };
      return loop;
    }
    const lay = LAYOUT[k]!;
    const e: Record<string, unknown> = {
      kind: KIND_NAMES[k],
      fn: this.fnNames[this.fn[i]!],
      line: this.line[i],
    };
    for (let j = 0; j < lay.names.length; j++) {
      let v: unknown;
      switch (lay.kinds[j]!) {
        case "i":
          v = words[w++];
          break;
        case "f":
          v = (words[w]! >>> 0) + words[w + 1]! * TWO32;
          w += 2;
          break;
        case "b":
          v = words[w++] === 1;
          break;
        case "s":
          v = this.strings[words[w++]!];
          break;
        case "o":
          v = this.objects[words[w++]!];
          break;
      }
      e[lay.names[j]!] = v;
    }
    return e as unknown as KernelEvent;
  }

  *[Symbol.iterator](): Iterator<TraceRecord> {
    for (let i = 0; i < this.n; i++) yield this.get(i);
  }
}
