/**
 * Property tests of the share codec (STYLE.md §6): every state round-trips, and decoding is total:
 * random strings and damaged links give a typed ShareError, never a throw, never a hang.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DESIGNS } from "../../src/scenario/ast.ts";
import {
  CURRENT_VERSION,
  DEFAULT_BASE,
  type DecodeResult,
  decodeShareLink,
  encodeShareLink,
  MAX_STEP,
  type ShareErrorCode,
  type ShareState,
} from "../../src/share/codec.ts";

const CODES: readonly ShareErrorCode[] = [
  "empty",
  "malformed",
  "unknown-version",
  "unknown-key",
  "duplicate-key",
  "missing-key",
  "bad-step",
  "bad-field",
  "unknown-scheme",
  "corrupt",
  "bad-escape",
  "not-utf8",
  "too-large",
  "bad-text",
  "bad-base",
];

/** Runs decode, failing the property on a throw or a slow answer, and checks the result's shape. */
function decodeChecked(link: string): DecodeResult {
  const t0 = performance.now();
  let r: DecodeResult;
  try {
    r = decodeShareLink(link);
  } catch (e) {
    throw new Error(`decode threw on ${JSON.stringify(link.slice(0, 200))}: ${e}`);
  }
  const ms = performance.now() - t0;
  if (ms > 1000) throw new Error(`decode took ${ms} ms on ${JSON.stringify(link.slice(0, 200))}`);
  if (r.ok) {
    expect(typeof r.state.text).toBe("string");
    expect(Number.isSafeInteger(r.state.step) && r.state.step >= 0 && r.state.step <= MAX_STEP).toBe(true);
    expect(Number.isInteger(r.version) && r.version >= 0 && r.version <= CURRENT_VERSION).toBe(true);
  } else {
    expect(CODES).toContain(r.error.code);
    expect(typeof r.error.message).toBe("string");
    expect(r.error.message.length).toBeGreaterThan(0);
  }
  return r;
}

const NAME = fc.stringMatching(/^[a-z][a-z0-9_-]{0,31}$/);
const WORDS = [
  "kernel",
  "upstream",
  "seed",
  "device",
  "nvme0",
  "process",
  "fio",
  "mmap",
  "buf",
  "64K",
  "1M",
  "4K",
  "0",
  "touch",
  "pin",
  "io1",
  "unpin",
  "fork",
  "child",
  "munmap",
  "exit",
  "unbind",
  "private",
  "offset=4K",
  "longterm",
  "nop2p",
  "#",
  "the",
  "pages",
  "pool",
];
/** Scenario-like texts, which are long and repetitive enough to take the deflate scheme. */
const scenarioish = fc
  .array(
    fc.tuple(
      fc.array(fc.constantFrom(...WORDS), { minLength: 1, maxLength: 8 }),
      fc.constantFrom(" ", "  ", "\t"),
      fc.constantFrom("\n", "\r\n"),
    ),
    { maxLength: 60 },
  )
  .map((lines) => lines.map(([w, sp, nl]) => w.join(sp) + nl).join(""));
const anyText = fc.oneof(
  fc.string({ unit: "binary", maxLength: 300 }),
  fc.string({ unit: "grapheme", maxLength: 300 }),
  fc.string({
    unit: fc.constantFrom("+", "~", "%", "&", "=", "#", " ", "\n", "a", "%2B", "é"),
    maxLength: 100,
  }),
  scenarioish,
);
const state: fc.Arbitrary<ShareState> = fc.record(
  {
    text: anyText,
    step: fc.oneof(fc.nat(100), fc.nat(MAX_STEP)),
    design: fc.constantFrom(...DESIGNS),
    page: fc.record({ dev: NAME, index: fc.nat(1024 * 1024 - 1) }),
    panel: fc.stringMatching(/^[a-z][a-z0-9-]{0,31}$/),
  },
  { requiredKeys: ["text", "step"] },
);

describe("share codec properties", () => {
  it("round-trips every state through a URL", () => {
    fc.assert(
      fc.property(state, fc.constantFrom(DEFAULT_BASE, "https://example.org/a/b?x=1&y=2"), (s, base) => {
        const e = encodeShareLink(s, { base });
        if (!e.ok) throw new Error(`${e.error.code}: ${e.error.message}`);
        expect(e.url.startsWith(base)).toBe(true);
        expect(decodeChecked(e.url)).toEqual({ ok: true, state: s, version: 3 });
        expect(decodeChecked(`#${e.fragment}`)).toEqual({ ok: true, state: s, version: 3 });
      }),
      { numRuns: 400 },
    );
  });

  it("round-trips through the browser's URL parser (what location.hash gives back)", () => {
    fc.assert(
      fc.property(state, (s) => {
        const e = encodeShareLink(s);
        if (!e.ok) throw new Error(e.error.message);
        expect(new URL(e.url).hash).toBe(`#${e.fragment}`);
      }),
      { numRuns: 200 },
    );
  });

  it("refuses texts with lone surrogates with a typed error", () => {
    const units = fc.string({
      unit: fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)),
      minLength: 1,
    });
    fc.assert(
      fc.property(fc.string(), units, (a, b) => {
        const text = a + b;
        const wellFormed = !/[\ud800-\udfff]/.test(text.replace(/[\ud800-\udbff][\udc00-\udfff]/g, ""));
        const e = encodeShareLink({ text, step: 0 });
        expect(e.ok).toBe(wellFormed);
        if (!e.ok) expect(e.error.code).toBe("bad-text");
      }),
    );
  });

  it("decodes random strings totally", () => {
    const linkish = fc.string({
      unit: fc.constantFrom(
        "#",
        "v",
        "=",
        "1",
        "&",
        "s",
        "t",
        "z",
        "step",
        "text",
        "page",
        "panel",
        "%",
        "A",
        "~",
        "+",
        ":",
        "0",
      ),
      maxLength: 60,
    });
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: "binary" }), fc.string(), linkish), (x) => {
        decodeChecked(x);
      }),
      { numRuns: 2000 },
    );
  });

  it("decodes random fields with a valid version totally", () => {
    const value = fc.oneof(
      fc.string(),
      fc.base64String().map((b) => `z${b.replace(/=/g, "")}`),
      fc.nat().map(String),
    );
    const key = fc.constantFrom("v", "s", "step", "page", "panel", "design", "text", "vs", "x");
    fc.assert(
      fc.property(fc.array(fc.tuple(key, value), { maxLength: 6 }), (kvs) => {
        decodeChecked(`#v=1&${kvs.map(([k, v]) => `${k}=${v}`).join("&")}`);
        decodeChecked(`#${kvs.map(([k, v]) => `${k}=${v}`).join("&")}`);
      }),
      { numRuns: 1000 },
    );
  });

  type Mutation = { kind: "flip" | "delete" | "insert" | "truncate"; at: number; ch: string };
  const mutation: fc.Arbitrary<Mutation> = fc.record({
    kind: fc.constantFrom("flip", "delete", "insert", "truncate"),
    at: fc.nat(),
    ch: fc.oneof(
      fc.string({ minLength: 1, maxLength: 1, unit: "binary" }),
      fc.constantFrom("&", "=", "%", "#", "A", "_"),
    ),
  });
  function mutate(link: string, ms: readonly Mutation[]): string {
    let s = link;
    for (const m of ms) {
      const at = s.length === 0 ? 0 : m.at % s.length;
      if (m.kind === "flip") s = s.slice(0, at) + m.ch + s.slice(at + 1);
      else if (m.kind === "delete") s = s.slice(0, at) + s.slice(at + 1);
      else if (m.kind === "insert") s = s.slice(0, at) + m.ch + s.slice(at);
      else s = s.slice(0, at);
    }
    return s;
  }

  it("decodes mutated valid links totally, and a damaged deflated scenario is never taken for another", () => {
    fc.assert(
      fc.property(state, fc.array(mutation, { minLength: 1, maxLength: 4 }), (s, ms) => {
        const e = encodeShareLink(s);
        if (!e.ok) throw new Error(e.error.message);
        const bad = mutate(e.url, ms);
        const r = decodeChecked(bad);
        // A change inside a deflated payload either fails or (a change that cancels out) gives the same text.
        const payload = (u: string) => /[#&]s=(z[^&]*)/.exec(u)?.[1];
        if (r.ok && payload(e.url) && payload(bad) && payload(bad)!.length > 4) {
          expect(r.state.text).toBe(s.text);
        }
      }),
      { numRuns: 1500 },
    );
  });
});
