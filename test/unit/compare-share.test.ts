/**
 * Compare links (format v2, issue 6): `vs=DESIGN` and `s2=<payload>` beside v1's fields, the
 * aligned step, the lowest version that holds a state, and every way a v2 link can be bad.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { CliIO } from "../../src/cli/io.ts";
import { main } from "../../src/cli/main.ts";
import {
  CURRENT_VERSION,
  checkStep,
  decodeShareLink,
  encodeShareLink,
  type ShareState,
  versionFor,
} from "../../src/share/codec.ts";
import { decodeV1, decodeV2, migrateV1toV2 } from "../../src/share/versions.ts";
import { runShare } from "../../src/store/compare-run.ts";
import { statementEnd } from "../../src/trace/diff.ts";

const preset = (f: string) => readFileSync(`public/presets/${f}`, "utf8");
const SEED_LEAK = preset("seed-leak.p2p");

function decoded(link: string): ShareState {
  const r = decodeShareLink(link);
  if (!r.ok) throw new Error(`${link}: ${r.error.code}: ${r.error.message}`);
  return r.state;
}

function errorCode(link: string): string {
  const r = decodeShareLink(link);
  return r.ok ? "ok" : r.error.code;
}

describe("compare links (v2)", () => {
  it("is the current version, and a single view is still written as v1", () => {
    expect(CURRENT_VERSION).toBeGreaterThanOrEqual(2); // v3 (embed mode) came later
    const single = encodeShareLink({ text: SEED_LEAK, step: 3, design: "upstream" });
    expect(single.ok && single.fragment).toMatch(/^v=1&s=z[\w-]+&design=upstream&step=3$/);
    const pair = encodeShareLink({
      text: SEED_LEAK,
      step: 103,
      design: "upstream",
      compare: { design: "seed" },
    });
    expect(pair.ok && pair.fragment).toMatch(/^v=2&s=z[\w-]+&design=upstream&vs=seed&step=103$/);
    expect(versionFor({ text: "", step: 0 })).toBe(1);
    expect(versionFor({ text: "", step: 0, compare: { text: "x" } })).toBe(2);
  });

  it("round-trips side B's design, side B's text, both, with page and panel", () => {
    const states: ShareState[] = [
      { text: SEED_LEAK, step: 0, compare: { design: "rfc-v1" } },
      { text: SEED_LEAK, step: 7, compare: { text: preset("upstream-basic.p2p") } },
      {
        text: "kernel seed\ndevice d 64K\n",
        step: 2,
        design: "fault",
        compare: { design: "remap", text: "kernel upstream\ndevice d 64K\n# ünïcode & = ~ +\n" },
        page: { dev: "d", index: 3 },
        panel: "pool",
      },
    ];
    for (const s of states) {
      const e = encodeShareLink(s);
      if (!e.ok) throw new Error(e.error.message);
      const r = decodeShareLink(e.url);
      expect(r).toEqual({ ok: true, state: s, version: 2 });
    }
  });

  it("decodes vs and s2 by hand, in any order before step", () => {
    expect(decoded("#v=2&s=tkernel+seed&vs=upstream&step=4")).toEqual({
      text: "kernel seed",
      step: 4,
      compare: { design: "upstream" },
    });
    expect(decoded("#v=2&s=ta&s2=tb~c&design=seed&step=0")).toEqual({
      text: "a",
      step: 0,
      design: "seed",
      compare: { text: "b\nc" },
    });
    // a v2 link without vs or s2 is a single view
    expect(decoded("#v=2&s=ta&step=1")).toEqual({ text: "a", step: 1 });
  });

  it("refuses bad compare fields with a plain message", () => {
    const cases: [string, string][] = [
      ["#v=2&s=ta&vs=linux&step=0", "bad-field"],
      ["#v=2&s=ta&vs=&step=0", "bad-field"],
      ["#v=2&s=ta&vs=seed&vs=fault&step=0", "duplicate-key"],
      ["#v=2&s=ta&s2=&step=0", "missing-key"],
      ["#v=2&s=ta&s2=qx&step=0", "unknown-scheme"],
      ["#v=2&s=ta&s2=zAAAA&step=0", "corrupt"],
      ["#v=2&s=ta&vs=seed", "missing-key"],
      ["#v=2&s=ta&step=0&vs=seed", "malformed"],
      ["#v=2&s=ta&mode=compare&step=0", "unknown-key"],
      // v1 never had them: its decoder (kept as shipped) says the link needs a newer format
      ["#v=1&s=ta&vs=seed&step=0", "unknown-key"],
      ["#v=1&s=ta&s2=tb&step=0", "unknown-key"],
    ];
    for (const [link, code] of cases) expect([link, errorCode(link)]).toEqual([link, code]);
    const r = decodeShareLink("#v=2&s=ta&vs=linux&step=0");
    expect(!r.ok && r.error.message).toBe("The link asks for design 'linux', which p2pviz does not know.");
  });

  it("refuses to encode a comparison without side B", () => {
    const e = encodeShareLink({ text: "a", step: 0, compare: {} });
    expect(e.ok ? "ok" : e.error.code).toBe("bad-field");
  });

  it("migrates v1 without inventing a comparison, and decodes v1 as shipped", () => {
    const v1 = decodeV1([
      ["v", "1"],
      ["s", "ta"],
      ["design", "seed"],
      ["step", "2"],
    ]);
    expect(migrateV1toV2(v1)).toEqual({ text: "a", step: 2, design: "seed" });
    expect("compare" in migrateV1toV2(v1)).toBe(false);
    expect(() =>
      decodeV2([
        ["v", "2"],
        ["s", "ta"],
        ["text", "x"],
        ["step", "0"],
      ]),
    ).toThrow(/does not know/);
  });

  it("counts a comparison's step on the aligned timeline of both sides", () => {
    const state: ShareState = { text: SEED_LEAK, step: 0, design: "upstream", compare: { design: "seed" } };
    const run = runShare(state);
    if (!run.ok || !run.comparison) throw new Error("no comparison");
    expect(run.a.design).toBe("upstream");
    expect(run.comparison.b.design).toBe("seed");
    const end = statementEnd(run.comparison, run.comparison.divergences[0]!.index);
    expect(checkStep(end, run.total)).toBeUndefined();
    // fault allocates at the first touch, upstream at mmap: the aligned timeline is longer than
    // side A's own, whose length would wrongly refuse a step near the end
    const ff = runShare({ text: preset("fault-first-touch.p2p"), step: 0, compare: { design: "upstream" } });
    if (!ff.ok) throw new Error("fault-first-touch does not run");
    expect(ff.a.design).toBe("fault");
    expect(ff.total).toBeGreaterThan(ff.a.events.length);
    expect(checkStep(ff.total - 1, ff.a.events.length)?.code).toBe("bad-step");
    expect(checkStep(ff.total - 1, ff.total)).toBeUndefined();
    expect(checkStep(run.total, run.total)?.code).toBe("bad-step");
    const single = runShare({ text: SEED_LEAK, step: 0 });
    expect(single.ok && single.total).toBe(single.ok ? single.a.events.length : -1);
  });

  it("p2pviz open reads a comparison link and checks its aligned step", async () => {
    let out = "";
    let err = "";
    const io: CliIO = { out: (t) => void (out += t), err: (t) => void (err += t), readInput: () => "" };
    const open = async (state: ShareState, ...flags: string[]) => {
      const link = encodeShareLink(state);
      if (!link.ok) throw new Error(link.error.message);
      out = "";
      err = "";
      return main(["open", link.url, ...flags], io);
    };
    // fault alone has fewer steps than 300; the aligned timeline with upstream has more
    const fault = preset("fault-first-touch.p2p");
    expect(await open({ text: fault, step: 300, compare: { design: "upstream" } }, "--json")).toBe(0);
    const j = JSON.parse(out);
    expect(j.compare).toEqual({ design: "upstream" });
    expect(j.totalSteps).toBeGreaterThan(300);
    expect(err).toBe("");
    expect(await open({ text: fault, step: 300 })).toBe(0);
    expect(err).toMatch(/step 300, but this scenario has steps 0 to/);
    const s2 = "kernel seed\ndevice d 64K\n";
    expect(await open({ text: fault, step: 3, compare: { text: s2 } })).toBe(0);
    expect(out).toMatch(/^format: v2\nstep: 3\ncompare with text: 3 lines of its own/);
  });

  it("p2pviz link --vs makes a comparison link, at a divergence if asked", async () => {
    let out = "";
    let err = "";
    const io: CliIO = {
      out: (t) => void (out += t),
      err: (t) => void (err += t),
      readInput: (p) => readFileSync(p, "utf8"),
    };
    const link = async (...args: string[]) => {
      out = "";
      err = "";
      return main(["link", ...args], io);
    };
    const file = "public/presets/seed-leak.p2p";
    expect(await link(file, "--kernel", "upstream", "--vs", "seed", "--divergence", "1")).toBe(0);
    // the committed v2 fixture is exactly this link
    expect(out).toBe("http://127.0.0.1:4173/#v=2&s=zPJLRG-3Wj3brie3WAwA&design=upstream&vs=seed&step=103\n");
    expect(
      await link(file, "--vs-file", "public/presets/upstream-basic.p2p", "--step", "150", "--json"),
    ).toBe(0);
    const j = JSON.parse(out);
    expect([j.version, j.step, j.compare.text]).toEqual([2, 150, preset("upstream-basic.p2p")]);
    expect(decodeShareLink(j.url)).toMatchObject({
      ok: true,
      state: { step: 150, compare: { text: j.compare.text } },
    });
    expect(j.totalSteps).toBeGreaterThan(150);
    // refusals
    expect(await link(file, "--vs", "seed", "--divergence", "1")).toBe(2);
    expect(err).toContain("the two sides never diverge");
    expect(await link(file, "--divergence", "1")).toBe(2);
    expect(err).toContain("--divergence needs compare mode");
    expect(await link(file, "--vs", "upstream", "--step", "9999")).toBe(2);
    expect(err).toMatch(/--step asks for step 9999, but this scenario has steps 0 to \d+/);
    expect(await link(file, "--vs", "mmio")).toBe(2);
    expect(err).toContain("unknown design 'mmio'");
  });

  it("says which side does not run", () => {
    const r = runShare({ text: SEED_LEAK, step: 0, compare: { text: "kernel upstream\nfio mmap x\n" } });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.side).toBe("b");
  });
});
