/**
 * Link sizes (issue 5 "Compact"): a typical preset's link under 200 characters, a 100-statement
 * scenario's under 2,000, measured on whole URLs with the default base (the app's preview address).
 * Prints a table, and fails if a link grows past its limit.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseScenario } from "../../src/scenario/parse.ts";
import { DEFAULT_BASE, encodeShareLink } from "../../src/share/codec.ts";
import { encodeDeflate, encodePlain } from "../../src/share/payload.ts";

const ROOT = join(import.meta.dirname, "../..");
const PRESETS = join(ROOT, "public/presets");
const OWN = join(ROOT, "src/share/fixtures/scenarios");

function p2pFiles(dir: string): string[] {
  return existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => f.endsWith(".p2p"))
        .sort()
        .map((f) => join(dir, f))
    : [];
}

interface Row {
  file: string;
  statements: number;
  textChars: number;
  plain: number;
  deflate: number;
  url: number;
}

function measure(file: string, step: number, edit: (t: string) => string = (t) => t): Row {
  const text = edit(readFileSync(file, "utf8"));
  const p = parseScenario(text);
  if (!p.ok) throw new Error(`${file} is not a valid scenario: ${p.diagnostics[0]?.message}`);
  const e = encodeShareLink({ text, step });
  if (!e.ok) throw new Error(e.error.message);
  return {
    file: file.slice(ROOT.length + 1),
    statements: p.scenario.statements.length,
    textChars: text.length,
    plain: encodePlain(text).length,
    deflate: encodeDeflate(text).length,
    url: e.url.length,
  };
}

const presets = p2pFiles(PRESETS);
/** Until the presets exist, our own realistic scenarios stand in for them. */
const typical = presets.length > 0 ? presets : p2pFiles(OWN).filter((f) => !f.includes("hundred"));

describe("share link sizes", () => {
  it("keeps every typical preset's link under 200 characters (two-digit step, default base)", () => {
    const rows = typical.map((f) => measure(f, 42));
    console.table(rows);
    console.log(`base ${DEFAULT_BASE} (${DEFAULT_BASE.length} chars) included in url`);
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) expect(r.url, r.file).toBeLessThan(200);
  });

  /** Edits a reviewer might make before sharing: each must keep a valid scenario. */
  const EDITS: Record<string, (t: string) => string> = {
    "device renamed": (t) => t.replaceAll("nvme0", "gpu1"),
    "note appended": (t) => `${t}# reviewer: the page is freed here while the DMA is still running\n`,
    "header comment dropped": (t) => t.replace(/^(#.*\n)+/, ""),
  };
  for (const [name, edit] of Object.entries(EDITS)) {
    it(`keeps edited presets' links under 200 characters too (${name})`, () => {
      const rows = typical.map((f) => ({
        ...measure(f, 42, edit),
        file: `${f.slice(ROOT.length + 1)} (${name})`,
      }));
      console.table(rows.map(({ file, textChars, deflate, url }) => ({ file, textChars, deflate, url })));
      for (const r of rows) expect(r.url, r.file).toBeLessThan(200);
    });
  }

  it("keeps scenarios that are not presets short when they are short (our own test scenarios)", () => {
    const rows = p2pFiles(OWN)
      .filter((f) => !f.includes("hundred"))
      .map((f) => measure(f, 42));
    console.table(rows);
    for (const r of rows) expect(r.url, r.file).toBeLessThan(200);
  });

  it("keeps a 100-statement scenario's link under 2,000 characters", () => {
    const r = measure(join(OWN, "hundred-statements.p2p"), 420);
    console.table([r]);
    expect(r.statements).toBe(100);
    expect(r.url).toBeLessThan(2000);
  });
});
