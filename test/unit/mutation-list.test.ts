import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { MUTATIONS } from "../mutation/mutations.ts";

/** Every .ts file under src/kernel (the mutation run must cover each). */
function kernelFiles(dir = "src/kernel"): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? kernelFiles(p) : p.endsWith(".ts") ? [p] : [];
  });
}

describe("mutation list (test/mutation/mutations.ts)", () => {
  it("ids are unique", () => {
    expect(new Set(MUTATIONS.map((m) => m.id)).size).toBe(MUTATIONS.length);
  });
  it.each(MUTATIONS.map((m) => [m.id, m] as const))(
    "%s: search text occurs exactly once and the replacement changes it",
    (_id, m) => {
      const text = readFileSync(m.file, "utf8");
      expect(text.split(m.search).length - 1).toBe(1);
      expect(m.replace).not.toBe(m.search);
      expect(m.rule.length).toBeGreaterThan(10);
    },
  );
  it("covers every file of src/kernel with code, with at least 60 mutations", () => {
    const covered = new Set(MUTATIONS.map((m) => m.file));
    // A file that only declares types has nothing a mutation could change at run time.
    const typeOnly = (f: string) =>
      readFileSync(f, "utf8")
        .split("\n")
        .filter((l) => l.startsWith("export "))
        .every((l) => /^export (interface|type) /.test(l));
    expect(typeOnly("src/kernel/drivers/driver.ts")).toBe(true);
    expect(typeOnly("src/kernel/mm/gup.ts")).toBe(false);
    expect(kernelFiles().filter((f) => !covered.has(f) && !typeOnly(f))).toEqual([]);
    expect(MUTATIONS.length).toBeGreaterThanOrEqual(60);
  });
});
