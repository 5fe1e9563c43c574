import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parsePresetIndex } from "../../src/app/presets.ts";

describe("preset index", () => {
  it("reads the shipped public/presets/index.json: every entry names an existing .p2p file", () => {
    const dir = resolve(import.meta.dirname, "../../public/presets");
    const presets = parsePresetIndex(JSON.parse(readFileSync(resolve(dir, "index.json"), "utf8")));
    expect(presets.length).toBeGreaterThan(5);
    for (const p of presets) {
      expect(p.url).toMatch(/^presets\/((big|huge)\/)?[a-z0-9-]+\.p2p$/);
      expect(p.title.length).toBeGreaterThan(0);
      expect(readFileSync(resolve(dir, p.url.replace(/^presets\//, "")), "utf8")).toMatch(/\S/);
    }
  });

  it("accepts file names, objects with file/path/name, and a { presets } wrapper; drops junk", () => {
    expect(parsePresetIndex(["a.p2p", "b"])).toEqual([
      { url: "presets/a.p2p", title: "a" },
      { url: "presets/b.p2p", title: "b" },
    ]);
    expect(
      parsePresetIndex({ presets: [{ path: "public/presets/c.p2p", title: "C!" }, { name: "d" }, 7, null] }),
    ).toEqual([
      { url: "presets/c.p2p", title: "C!" },
      { url: "presets/d.p2p", title: "d" },
    ]);
    expect(parsePresetIndex("nope")).toEqual([]);
  });
});
