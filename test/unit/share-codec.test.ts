/** The share-link codec, case by case: what it writes, what it reads, and every way it refuses. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { deflateSync } from "fflate";
import { describe, expect, it } from "vitest";
import {
  base64urlDecode,
  base64urlEncode,
  crc24,
  isWellFormed,
  percentDecode,
} from "../../src/share/bytes.ts";
import {
  CURRENT_VERSION,
  checkStep,
  DEFAULT_BASE,
  decodeShareLink,
  encodeShareLink,
  MAX_URL_CHARS,
  type ShareErrorCode,
  type ShareState,
  versionFor,
} from "../../src/share/codec.ts";
import { DICTIONARY_Z1 } from "../../src/share/dictionary.ts";
import { ShareFailure } from "../../src/share/errors.ts";
import { encodeDeflate, encodePlain, MAX_TEXT_BYTES } from "../../src/share/payload.ts";

const SCEN = join(import.meta.dirname, "../../src/share/fixtures/scenarios");
const fork = readFileSync(join(SCEN, "fork-keeps-pages.p2p"), "utf8");

function code(link: string): ShareErrorCode | "ok" {
  const r = decodeShareLink(link);
  return r.ok ? "ok" : r.error.code;
}

function thrown(f: () => unknown): ShareFailure {
  try {
    f();
  } catch (e) {
    if (e instanceof ShareFailure) return e;
    throw e;
  }
  throw new Error("did not throw");
}

describe("bytes", () => {
  it("base64url matches RFC 4648 test vectors, without padding", () => {
    const enc = (s: string) => base64urlEncode(new TextEncoder().encode(s));
    expect(["", "f", "fo", "foo", "foob", "fooba", "foobar"].map(enc)).toEqual([
      "",
      "Zg",
      "Zm8",
      "Zm9v",
      "Zm9vYg",
      "Zm9vYmE",
      "Zm9vYmFy",
    ]);
    expect(base64urlEncode(Uint8Array.of(0xfb, 0xff, 0xbf))).toBe("-_-_");
    expect([...base64urlDecode("-_-_")]).toEqual([0xfb, 0xff, 0xbf]);
    expect(new TextDecoder().decode(base64urlDecode("Zm9vYmE"))).toBe("fooba");
  });

  it("base64url refuses padding, foreign letters, impossible lengths and stray bits", () => {
    for (const bad of ["Zm9v=", "Zm9v+", "Zm9v/", "Zm 9v", "Zm9vY", "Zh", "Zm9"]) {
      expect(thrown(() => base64urlDecode(bad)).code, bad).toBe("corrupt");
    }
  });

  it("crc24 is the OpenPGP CRC-24", () => {
    expect(crc24(new TextEncoder().encode("123456789"))).toBe(0x21cf02);
    expect(crc24(new Uint8Array())).toBe(0xb704ce);
  });

  it("percentDecode reads escapes as UTF-8 and refuses broken ones", () => {
    expect(percentDecode("a%20b+c~d%E2%9C%93", { "+": " " })).toBe("a b c~d✓");
    expect(percentDecode("a+b~c", { "+": " ", "~": "\n" })).toBe("a b\nc");
    expect(percentDecode("größe", {})).toBe("größe");
    expect(thrown(() => percentDecode("50%", {})).code).toBe("bad-escape");
    expect(thrown(() => percentDecode("%G0", {})).code).toBe("bad-escape");
    expect(thrown(() => percentDecode("%C3", {})).code).toBe("not-utf8");
    expect(thrown(() => percentDecode("%ED%A0%80", {})).code).toBe("not-utf8"); // an encoded surrogate
    expect(thrown(() => percentDecode("%C0%AF", {})).code).toBe("not-utf8"); // overlong
  });

  it("isWellFormed finds lone surrogates", () => {
    expect(isWellFormed("a😀b")).toBe(true);
    expect(isWellFormed("a\ud83d")).toBe(false);
    expect(isWellFormed("\ude00a")).toBe(false);
  });
});

describe("encodeShareLink", () => {
  it("writes v, s, optional fields, and step last, on the default base", () => {
    const r = encodeShareLink({
      text: fork,
      step: 12,
      design: "seed",
      page: { dev: "nvme0", index: 3 },
      panel: "pool",
    });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.url.startsWith(`${DEFAULT_BASE}#v=3&s=z`)).toBe(true);
    expect(r.fragment).toMatch(/^v=3&s=z[A-Za-z0-9_-]+&design=seed&page=nvme0:3&panel=pool&step=12$/);
  });

  it("stores short texts plain and long ones deflated, whichever is shorter", () => {
    const short = encodeShareLink({ text: "p exit", step: 0 });
    expect(short.ok && short.fragment).toBe("v=3&s=tp+exit&step=0");
    const long = encodeShareLink({ text: fork, step: 0 });
    expect(long.ok && long.fragment.startsWith("v=3&s=z")).toBe(true);
    expect(encodePlain("a b\nc~d+e#f&g%h")).toBe("ta+b~c%7Ed%2Be%23f%26g%25h");
  });

  it("replaces any fragment of the base, and refuses a base that is not an absolute URL", () => {
    const r = encodeShareLink({ text: "x", step: 1 }, { base: "https://example.org/app/?q=1#old" });
    expect(r.ok && r.url).toBe("https://example.org/app/?q=1#v=3&s=tx&step=1");
    const bad = encodeShareLink({ text: "x", step: 1 }, { base: "/relative" });
    expect(bad.ok ? "ok" : bad.error.code).toBe("bad-base");
  });

  it("refuses a URL over 8,000 characters and says to download the scenario instead", () => {
    // incompressible text: a pseudo-random comment
    let seed = 1;
    let junk = "# ";
    while (junk.length < 9000) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      junk += String.fromCharCode(0x21 + (seed % 90));
    }
    const r = encodeShareLink({ text: junk, step: 0 });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe("too-large");
    expect(r.error.message).toMatch(/over the 8000-character limit/);
    expect(r.error.hint).toMatch(/\.p2p file/);
    // and just under the limit it still works
    const fits = encodeShareLink({ text: junk.slice(0, 5000), step: 0 });
    expect(fits.ok && fits.url.length <= MAX_URL_CHARS).toBe(true);
  });

  it("refuses bad steps, fields and texts with a typed error, never a throw", () => {
    const err = (s: Parameters<typeof encodeShareLink>[0]) => {
      const r = encodeShareLink(s);
      return r.ok ? "ok" : r.error.code;
    };
    expect(err({ text: "x", step: -1 })).toBe("bad-step");
    expect(err({ text: "x", step: 1.5 })).toBe("bad-step");
    expect(err({ text: "x", step: Number.NaN })).toBe("bad-step");
    expect(err({ text: "x", step: 0, page: { dev: "Bad", index: 0 } })).toBe("bad-field");
    expect(err({ text: "x", step: 0, page: { dev: "d", index: 2 ** 28 } })).toBe("bad-field");
    expect(err({ text: "x", step: 0, page: { dev: "0000:01:00.0:1", index: 0 } })).toBe("bad-field");
    expect(err({ text: "x", step: 0, version: "6.12" })).toBe("bad-field");
    expect(err({ text: "x", step: 0, design: "seed", version: "6.12" })).toBe("bad-field");
    expect(err({ text: "x", step: 0, compare: { version: "7.3", text: "y" } })).toBe("bad-field");
    expect(err({ text: "x", step: 0, panel: "<b>" })).toBe("bad-field");
    expect(err({ text: "x", step: 0, design: "nope" as never })).toBe("bad-field");
    expect(err({ text: "a\ud800", step: 0 })).toBe("bad-text");
    expect(err({ text: "a".repeat(MAX_TEXT_BYTES + 1), step: 0 })).toBe("too-large");
  });
});

describe("decodeShareLink", () => {
  it("reads a whole URL, a fragment with '#', a bare fragment, and surrounding whitespace", () => {
    const r = encodeShareLink({ text: fork, step: 7, panel: "pool" });
    if (!r.ok) throw new Error(r.error.message);
    const want = { ok: true, state: { text: fork, step: 7, panel: "pool" }, version: 3 };
    expect(decodeShareLink(r.url)).toEqual(want);
    expect(decodeShareLink(`#${r.fragment}`)).toEqual(want);
    expect(decodeShareLink(r.fragment)).toEqual(want);
    expect(decodeShareLink(`  ${r.url}\n`)).toEqual(want);
  });

  it("reads the hand-written form (no v=) with + or %20 spaces, and step 0 when it has none", () => {
    expect(decodeShareLink("#text=kernel+seed%0Adevice%20d%201M&step=2")).toEqual({
      ok: true,
      state: { text: "kernel seed\ndevice d 1M", step: 2 },
      version: 0,
    });
    expect(decodeShareLink("#text=p+exit")).toEqual({
      ok: true,
      state: { text: "p exit", step: 0 },
      version: 0,
    });
    // the same text written with URLSearchParams
    const text = "kernel upstream\ndevice nvme0 1M # a+b=c&d\n";
    const q = new URLSearchParams({ text, step: "1" }).toString();
    expect(decodeShareLink(`#${q}`)).toEqual({ ok: true, state: { text, step: 1 }, version: 0 });
    expect(decodeShareLink(`#text=${encodeURIComponent(text)}`)).toEqual({
      ok: true,
      state: { text, step: 0 },
      version: 0,
    });
  });

  const cases: [string, ShareErrorCode][] = [
    ["", "empty"],
    ["#", "empty"],
    ["#&&", "empty"],
    ["http://127.0.0.1:4173/", "empty"],
    ["#hello", "malformed"],
    ["#=x", "malformed"],
    ["#v=1&amp;s=tx&amp;step=0", "malformed"],
    ["#foo=1", "missing-key"],
    ["#step=3", "missing-key"],
    [`#v=${CURRENT_VERSION + 1}&s=tx&step=0`, "unknown-version"],
    ["#v=0&s=tx&step=0", "unknown-version"],
    ["#v=01&s=tx&step=0", "unknown-version"],
    ["#v=one&s=tx&step=0", "unknown-version"],
    ["#s=tx&v=1&step=0", "malformed"],
    ["#v=1&step=0&s=tx", "malformed"],
    ["#v=1&s=tx", "missing-key"],
    ["#v=1&step=0", "missing-key"],
    ["#v=1&s=&step=0", "missing-key"],
    ["#v=1&s=tx&s=ty&step=0", "duplicate-key"],
    ["#v=1&s=tx&color=red&step=0", "unknown-key"],
    ["#v=1&s=tx&text=y&step=0", "unknown-key"],
    ["#v=1&s=tx&vs=seed&step=0", "unknown-key"],
    ["#text=x&design=seed", "unknown-key"],
    ["#v=1&s=tx&step=-1", "bad-step"],
    ["#v=1&s=tx&step=01", "bad-step"],
    ["#v=1&s=tx&step=1.5", "bad-step"],
    ["#v=1&s=tx&step=", "bad-step"],
    ["#v=1&s=tx&step=1e3", "bad-step"],
    ["#v=1&s=tx&step=9999999999", "bad-step"],
    ["#text=x&step=abc", "bad-step"],
    ["#v=1&s=tx&page=nvme0&step=0", "bad-field"],
    ["#v=1&s=tx&page=nvme0:01&step=0", "bad-field"],
    ["#v=1&s=tx&page=Nvme0:1&step=0", "bad-field"],
    ["#v=1&s=tx&page=nvme0:1048576&step=0", "bad-field"],
    ["#v=1&s=tx&panel=%3Cscript%3E&step=0", "bad-field"],
    ["#v=1&s=tx&design=linux&step=0", "bad-field"],
    ["#v=1&s=qxyz&step=0", "unknown-scheme"],
    ["#v=1&s=t%ZZ&step=0", "bad-escape"],
    ["#v=1&s=t%FF%FE&step=0", "not-utf8"],
    ["#text=%C3%28", "not-utf8"],
    ["#v=1&s=zA&step=0", "corrupt"],
    ["#v=1&s=zAAAA&step=0", "corrupt"],
    ["#v=1&s=z!!!!&step=0", "corrupt"],
    [`#v=1&s=t${"a".repeat(70000)}&step=0`, "too-large"],
  ];
  for (const [link, want] of cases) {
    it(`refuses ${JSON.stringify(link.slice(0, 50))} with ${want}`, () => {
      const r = decodeShareLink(link);
      expect(r.ok ? "ok" : r.error.code).toBe(want);
      if (!r.ok) {
        expect(r.error.message.length).toBeGreaterThan(10);
        expect(r.error.message).not.toMatch(/undefined|\[object/);
      }
    });
  }

  it("catches a deflated payload that is cut, or changed so that it still inflates", () => {
    const r = encodeShareLink({ text: fork, step: 3 });
    if (!r.ok) throw new Error(r.error.message);
    const s = /s=(z[^&]*)/.exec(r.fragment)![1]!;
    // cut anywhere inside the payload (the step goes too, but check the payload on its own as well)
    for (let cut = 1; cut < s.length; cut++) {
      expect(code(`#v=1&s=${s.slice(0, cut)}&step=3`), `cut at ${cut}`).not.toBe("ok");
    }
    // every single-letter change of the payload is caught
    const ALPHA = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    for (let i = 1; i < s.length; i++) {
      const other = ALPHA[(ALPHA.indexOf(s[i]!) + 17) % 64]!;
      const changed = s.slice(0, i) + other + s.slice(i + 1);
      expect(code(`#v=1&s=${changed}&step=3`), `change at ${i}`).not.toBe("ok");
    }
  });

  it("catches a link cut before its last field", () => {
    const r = encodeShareLink({ text: "kernel seed\ndevice d 1M\n", step: 42, panel: "pool" });
    if (!r.ok) throw new Error(r.error.message);
    const at = r.url.indexOf("&step=");
    for (let cut = r.url.indexOf("#") + 1; cut <= at + 5; cut++) {
      expect(code(r.url.slice(0, cut)), r.url.slice(0, cut)).not.toBe("ok");
    }
  });

  it("refuses a deflate bomb quickly instead of inflating it", () => {
    const bomb = new Uint8Array(MAX_TEXT_BYTES + 100).fill(0x61);
    const z = deflateSync(bomb, { level: 9, dictionary: new TextEncoder().encode(DICTIONARY_Z1) });
    const payload = `z${base64urlEncode(Uint8Array.of(0, 0, 0, ...z))}`;
    const t0 = performance.now();
    expect(code(`#v=1&s=${payload}&step=0`)).toBe("too-large");
    expect(performance.now() - t0).toBeLessThan(2000);
  });

  it("returns the text as data: markup and script in it come back unchanged, for rendering as text", () => {
    const text = "# <img src=x onerror=alert(1)>\n# </textarea><script>alert(1)</script>\np exit\n";
    const r = encodeShareLink({ text, step: 0 });
    if (!r.ok) throw new Error(r.error.message);
    const d = decodeShareLink(r.url);
    expect(d.ok && d.state.text).toBe(text);
  });

  it("writes the z payload in base64url letters only, which no browser or mail program escapes", () => {
    const z = encodeDeflate(fork);
    expect(z).toMatch(/^z[A-Za-z0-9_-]+$/);
  });
});

describe("checkStep", () => {
  it("accepts steps inside the trace and explains steps past its end", () => {
    expect(checkStep(0, 1)).toBeUndefined();
    expect(checkStep(9, 10)).toBeUndefined();
    expect(checkStep(10, 10)?.message).toMatch(/steps 0 to 9/);
    expect(checkStep(0, 0)?.message).toMatch(/no steps/);
  });
});

describe("link format v3 (language v2: kernel versions, PCI-address devices, devices up to 1T)", () => {
  const text = "kernel upstream\ndevice 0000:01:00.0 1T\n";

  it("is written for every link, because its steps count today's engine (v0-v2 steps are migrated)", () => {
    for (const state of [
      { text, step: 0 },
      { text, step: 0, design: "seed" as const },
      { text, step: 0, compare: { design: "seed" as const } },
      { text, step: 0, design: "upstream" as const, version: "6.12" as const },
      { text, step: 0, page: { dev: "0000:01:00.0", index: 0 } },
    ]) {
      expect(versionFor(state)).toBe(3);
    }
  });

  it("round-trips kernel versions and pages of PCI-address devices up to 2^28 - 1", () => {
    for (const state of [
      { text, step: 7, design: "upstream", version: "6.12" },
      { text, step: 7, design: "remap", version: "5.10", compare: { design: "upstream", version: "7.3" } },
      { text, step: 7, compare: { design: "seed", version: "5.10", text: "kernel seed\n" } },
      { text, step: 7, page: { dev: "0000:01:00.0", index: 2 ** 28 - 1 }, panel: "pool" },
    ] as ShareState[]) {
      const r = encodeShareLink(state);
      if (!r.ok) throw new Error(r.error.message);
      expect(r.fragment.startsWith("v=3&")).toBe(true);
      const back = decodeShareLink(r.url);
      expect(back.ok && back.state).toEqual(state);
    }
    const r = encodeShareLink({
      text,
      step: 1,
      design: "upstream",
      version: "6.12",
      page: { dev: "0000:01:00.0", index: 3 },
    });
    expect(r.ok && r.fragment).toMatch(/&design=upstream@6\.12&page=0000:01:00\.0:3&step=1$/);
  });

  it("refuses a version a design does not have, unsimulated designs, and bad pages, with a message", () => {
    const bad = (f: string) => {
      const r = decodeShareLink(`#v=3&s=tx&${f}&step=0`);
      return r.ok ? "ok" : `${r.error.code}: ${r.error.message}`;
    };
    expect(bad("design=seed@7.3")).toBe(
      "bad-field: The link asks for seed@7.3: design 'seed' does not run in kernel 7.3: it has only 5.10.",
    );
    expect(bad("design=huge@6.12")).toContain("design 'huge' does not run in kernel 6.12: it has only 7.3");
    expect(bad("vs=upstream@6.1")).toContain("unknown kernel version '6.1'");
    expect(bad("design=upstream@")).toContain("unknown kernel version ''");
    expect(bad("page=0000:01:00.0:268435456")).toContain("bad-field");
    expect(bad("page=0000:0A:00.0:1")).toContain("bad-field");
    expect(bad("page=0000:01:00.0:01")).toContain("bad-field");
    expect(bad("page=0000:01:00.0:268435455")).toBe("ok");
    expect(bad("design=upstream@6.12")).toBe("ok");
  });

  it("old formats keep their own rules: no version in v1/v2 design fields, no PCI pages", () => {
    for (const v of [1, 2]) {
      const a = decodeShareLink(`#v=${v}&s=tx&design=upstream@6.12&step=0`);
      expect(a.ok || a.error.code).toBe("bad-field");
      const b = decodeShareLink(`#v=${v}&s=tx&page=0000:01:00.0:1&step=0`);
      expect(b.ok || b.error.code).toBe("bad-field");
    }
  });
});
