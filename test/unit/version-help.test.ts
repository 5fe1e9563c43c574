/**
 * The app's words about kernel versions (src/app/version-help.ts): the one-line note of what a
 * version changes is read from the version rules (src/kernel/versions.ts), so it says what the
 * model does; the plain note for runs that were not checked on a real kernel; and the docs example
 * of "6.5 vs 7.3 after a failed insert".
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { provenance, versionLabel, versionNote } from "../../src/app/version-help.ts";
import { VERSIONS } from "../../src/kernel/versions.ts";
import { KERNEL_VERSIONS, type KernelVersion } from "../../src/scenario/ast.ts";
import { compareTraces } from "../../src/trace/diff.ts";
import { runText } from "../../src/trace/run.ts";

function traceAt(text: string, version: KernelVersion) {
  const r = runText(text, { design: "upstream", version });
  if (!r.ok) throw new Error(JSON.stringify(r.diagnostics));
  return r.trace;
}

describe("version notes", () => {
  it.each(KERNEL_VERSIONS)("Linux %s: the note says its rules (versions.ts)", (v) => {
    const rules = VERSIONS[v];
    const note = versionNote(v);
    expect(note.startsWith(`Linux ${v}: free pages rest at refcount ${rules.freeRefcount}`)).toBe(true);
    expect(note).toContain(`longterm P2P pin ${rules.longtermP2p.errno}`);
    expect(note).toContain(`${rules.pageFreeFn}()`);
    expect(note.includes("set to 1 before insert")).toBe(rules.setPageCountBeforeInsert);
    expect(note.includes("leaks a pgmap ref")).toBe(rules.failedInsert !== "clean");
    expect(note.includes("leaves the page at 1")).toBe(rules.failedInsert === "leak-pgref-stale-ref");
    expect(note).not.toContain("\n");
    expect(versionLabel(v)).toBe(`${v} (${rules.stands})`);
  });

  it("tells 6.5 from 6.12 by the failed insert (6220694c52a5) and 6.12 from 6.15 by the refcount at rest (b7e282378773)", () => {
    expect(versionNote("6.5")).toContain("leaks a pgmap ref (a later unbind hangs)");
    expect(versionNote("6.12")).toContain("a failed vm_insert_page() is undone cleanly");
    expect(versionNote("6.12")).toContain("refcount 1;");
    expect(versionNote("6.15")).toContain("refcount 0, set to 1 before insert");
    expect(versionNote("7.3")).toContain("p2pdma_folio_free()");
  });

  it("says plainly what a run that was not checked is", () => {
    expect(provenance("upstream", "6.2")).toBe(
      "modelled from the source of Linux 6.2, not run on a real kernel",
    );
    expect(provenance("upstream", "7.3")).toBe(
      "modelled from the source of Linux 7.3; this scenario was not run on Linux 7.3.4 (p2pviz real runs it)",
    );
    expect(provenance("upstream", "6.12")).toContain("not run on Linux 6.12.117");
    expect(provenance("rfc-v1", "5.10")).toBe(
      "rfc-v1 modelled on Linux 5.10: Linux implements only upstream, so it was not run on a real kernel",
    );
  });
});

describe("docs/examples/failed-insert.p2p", () => {
  const text = readFileSync("docs/examples/failed-insert.p2p", "utf8");

  it("diverges between 6.5 and 7.3 where its comments say (p2pmem_alloc_mmap error path, 6220694c52a5)", () => {
    const a = traceAt(text, "6.5");
    const b = traceAt(text, "7.3");
    const c = compareTraces(a, b);
    expect([c.labelA, c.labelB]).toEqual(["upstream 6.5", "upstream 7.3"]);
    expect(c.divergences.map((d) => d.line)).toEqual([9, 10]);
    expect(a.ops.map((o) => o.result).slice(-2)).toEqual(["ENOMEM", "blocked"]);
    expect(b.ops.map((o) => o.result).slice(-2)).toEqual(["ENOMEM", "ok"]);
    expect(a.findings.map((f) => f.kind)).toEqual(["pgref-leak", "unbind-hang"]);
    expect(b.findings).toEqual([]);
  });
});
