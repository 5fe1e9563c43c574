/**
 * Links of every format version ever shipped must open the same state forever (STYLE.md §6).
 * src/share/fixtures/vN.json hold links and what each must open; they are never edited, only added to.
 */
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Stmt } from "../../src/scenario/ast.ts";
import { parseScenario } from "../../src/scenario/parse.ts";
import {
  CURRENT_VERSION,
  checkStep,
  decodeShareLink,
  encodeShareLink,
  type ShareState,
} from "../../src/share/codec.ts";
import { DICTIONARY_Z1 } from "../../src/share/dictionary.ts";
import { ENGINE2_FORMAT, migrateStep } from "../../src/share/migrate-step.ts";
import { MIGRATIONS, VERSIONS } from "../../src/share/versions.ts";
import { runShare } from "../../src/store/compare-run.ts";
import { TraceCursor } from "../../src/trace/cursor.ts";
import { sideStep } from "../../src/trace/diff.ts";

const DIR = join(import.meta.dirname, "../../src/share/fixtures");

interface FixtureFile {
  format: string;
  version: number;
  links: { name: string; link: string; opens: ShareState }[];
}

const files = readdirSync(DIR)
  .filter((f) => /^v\d+\.json$/.test(f))
  .map((f) => ({ file: f, data: JSON.parse(readFileSync(join(DIR, f), "utf8")) as FixtureFile }));

describe("share link fixtures", () => {
  it("exist for every format version from 0 to the current one", () => {
    const versions = files.map((f) => f.data.version).sort((a, b) => a - b);
    expect(versions).toEqual(Array.from({ length: CURRENT_VERSION + 1 }, (_, i) => i));
    for (const f of files) {
      expect(f.file).toBe(`v${f.data.version}.json`);
      expect(f.data.format).toBe("p2pviz-share-fixtures/1");
      expect(f.data.links.length).toBeGreaterThan(0);
    }
  });

  for (const { file, data } of files) {
    for (const fx of data.links) {
      it(`${file}: ${fx.name}`, () => {
        const r = decodeShareLink(fx.link);
        if (!r.ok) throw new Error(`${fx.link}\n  -> ${r.error.code}: ${r.error.message}`);
        expect(r.version).toBe(data.version);
        expect(r.state).toEqual(fx.opens);
        // every fixture is a real scenario and its step exists, so the e2e test can open it in the app
        // (a comparison's step counts on the aligned timeline of both sides)
        const run = runShare(r.state);
        expect(run.ok ? [] : run.diagnostics).toEqual([]);
        if (run.ok) expect(checkStep(migrateStep(r.state, r.version), run.total)).toBeUndefined();
        // and re-sharing what it opened gives a link (in the version the encoder picks) that opens the same state
        const again = encodeShareLink(r.state);
        expect(again.ok).toBe(true);
        if (again.ok) {
          const back = decodeShareLink(again.url);
          expect(back.ok && back.state).toEqual(fx.opens);
        }
      });
    }
  }

  const migrations = JSON.parse(readFileSync(join(DIR, "step-migrations.json"), "utf8")) as {
    migrations: { name: string; link: string; oldStep: number; step: number; line: number; free: number[] }[];
  };
  for (const m of migrations.migrations) {
    it(`step-migrations.json: ${m.name} opens at the same statement and pool`, () => {
      const r = decodeShareLink(m.link);
      if (!r.ok) throw new Error(r.error.message);
      expect(r.version).toBeLessThan(ENGINE2_FORMAT);
      expect(r.state.step).toBe(m.oldStep);
      const step = migrateStep(r.state, r.version);
      expect(step).toBe(m.step);
      const run = runShare({ ...r.state, step });
      if (!run.ok) throw new Error("scenario does not run");
      const a = run.comparison ? sideStep(run.comparison, "a", step) : step;
      const op = run.a.ops.find((o) => a >= o.firstStep && a <= o.lastStep)!;
      expect(op.line).toBe(m.line);
      expect(new TraceCursor(run.a).seek(a).devices.map((d) => d.freePages)).toEqual(m.free);
    });
  }

  it("maps an old link's step to the same statement and pool, for every fixture of v0-v2", () => {
    const names = new Set(migrations.migrations.map((m) => m.name));
    for (const { data } of files.filter((f) => f.data.version < ENGINE2_FORMAT))
      for (const fx of data.links) expect(names.has(fx.name), fx.name).toBe(true);
  });

  it("has one decoder per version and one migration between each pair", () => {
    expect(VERSIONS.length).toBe(CURRENT_VERSION + 1);
    expect(MIGRATIONS.length).toBe(CURRENT_VERSION);
  });

  it("keeps the v1 'z' deflate dictionary byte for byte (editing it would break every z link)", () => {
    const sha = createHash("sha256").update(DICTIONARY_Z1, "utf8").digest("hex");
    expect(sha).toBe("dcf2ef8d348c5592c092394660358d9a7aebd5373552ee2fae8a2f8b0370c933");
  });
});

interface LanguageFixtureFile {
  format: string;
  language: number;
  links: { name: string; link: string; version: number; opens: ShareState; statements: Stmt[] }[];
}

/**
 * Texts the language v2 parser must read to the same statements forever: old links of historical
 * designs (whose trace the new engine changes, so only text and statements are promised) and v2 texts
 * using every new statement. Decoded and parsed only: the simulator does not run bind, madvise and
 * inject yet (TODO(engine v2): also run each and check its step, as the loop above does).
 */
describe("share links of language v2 texts", () => {
  const data = JSON.parse(readFileSync(join(DIR, "language-v2.json"), "utf8")) as LanguageFixtureFile;

  it("cover a historical design and every statement v2 adds", () => {
    expect(data.format).toBe("p2pviz-language-fixtures/1");
    const ops = new Set(data.links.flatMap((l) => l.statements.map((s) => s.op)));
    for (const op of ["bind", "madvise", "inject", "unbind"]) expect(ops).toContain(op);
    expect(data.links.some((l) => l.statements.some((s) => s.op === "kernel" && s.version))).toBe(true);
    expect(data.links.some((l) => l.statements.some((s) => s.op === "kernel" && s.design === "rfc-v1"))).toBe(
      true,
    );
  });

  for (const fx of data.links) {
    it(`language-v2.json: ${fx.name}`, () => {
      const r = decodeShareLink(fx.link);
      if (!r.ok) throw new Error(`${fx.link}\n  -> ${r.error.code}: ${r.error.message}`);
      expect(r.version).toBe(fx.version);
      expect(r.state).toEqual(fx.opens);
      const p = parseScenario(r.state.text);
      expect(p.ok ? p.scenario.statements : p.diagnostics).toStrictEqual(fx.statements);
      const again = encodeShareLink(r.state);
      expect(again.ok && decodeShareLink(again.url)).toMatchObject({ ok: true, state: fx.opens });
    });
  }
});
