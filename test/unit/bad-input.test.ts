/** Bad input of every kind gets a clear message or runs: never a crash, never a hang. */
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { parseScenario } from "../../src/scenario/parse.ts";
import { runText } from "../../src/trace/run.ts";
import { results, run } from "./helpers.ts";

function cli(input: string | Buffer) {
  return spawnSync("node", ["bin/p2pviz.mjs", "run", "-"], { input, encoding: "utf8", timeout: 60_000 });
}

describe("bad input", () => {
  it("garbage bytes give a located error and exit 2", () => {
    const r = cli(Buffer.from([0x64, 0x65, 0x76, 0xff, 0xfe, 0x00, 0x0a, 0x1b, 0x5b, 0x33, 0x31, 0x6d]));
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^<stdin>:1:4: unexpected character/);
  });

  it("a 1 MB line gives a short located error", () => {
    const r = cli(`device d 1M\n${"x".repeat(1 << 20)}\n`);
    expect(r.status).toBe(2);
    expect(r.stderr.length).toBeLessThan(300);
    expect(r.stderr).toContain("<stdin>:2:1: unknown statement 'xxxxxxxx");
  });

  it("huge sizes are refused at parse time or run as the kernel would (ENOMEM)", () => {
    const t = run("device d 1M\nprocess p\np mmap a d 4503599627370496\np mmap b d 100G\np touch b 99G\n");
    expect(results(t)).toEqual(["ok", "ok", "ENOMEM", "ENOMEM", "SIGSEGV"]);
    const r = cli("device d 99999999999999999999999G\n");
    expect([r.status, r.stderr.trim()]).toEqual([
      2,
      "<stdin>:1:10: device size: size '99999999999999999999999G' is too large",
    ]);
  });

  it("a scenario past the event budget stops with a clear message at its line, keeping what ran", () => {
    const r = runText("device d 1M\nprocess p\np mmap a d 64K\np mmap b d 512K\n", { maxRecords: 25 });
    if (!r.ok) throw new Error("parse");
    expect(r.trace.truncated?.line).toBe(4);
    expect(r.trace.truncated?.message).toContain("the run stopped at line 4");
    expect(r.trace.ops.map((o) => o.line)).toEqual([1, 2, 3]);
  });

  it("100,000 statements parse and run", () => {
    const body = Array.from({ length: 50_000 }, (_, i) => `p mmap m${i} d 4K\np munmap m${i}`).join("\n");
    const r = runText(`device d 1M\nprocess p\n${body}\n`);
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.trace.ops).toHaveLength(100_002);
      expect(r.trace.ops.at(-1)!.free.d).toBe(256);
    }
  });

  it("unknown names, use after exit, duplicates and unaligned sizes are scenario errors, not runs", () => {
    for (const [text, msg] of [
      ["process p\np mmap a nvme0 4K\n", "2:10: unknown device 'nvme0'"],
      ["device d 1M\nprocess p\np exit\np touch a 0\n", "4:1: process 'p' exited at line 3"],
      ["device d 1M\ndevice d 1M\n", "2:8: device 'd' is already declared"],
      [
        "device d 1M\nprocess p\np mmap a d 8K\np madvise a 1000 4K dontfork\n",
        "4:13: offset 1000 is not a multiple of the page size (4K)",
      ],
      ["kernel huge 6.12\n", "1:13: design 'huge' does not run in kernel 6.12: it has only 7.3"],
      ["kernel seed 6.12\n", "1:13: design 'seed' does not run in kernel 6.12: it has only 5.10"],
      ["device d 2T\n", "1:10: device size 2T is over 1T"],
      ["inject vm_insert_page EBUSY after 1e9\n", "1:35: '1e9' is not a count"],
    ] as const) {
      const r = runText(text);
      expect(r.ok).toBe(false);
      if (!r.ok)
        expect(`${r.diagnostics[0]!.line}:${r.diagnostics[0]!.col}: ${r.diagnostics[0]!.message}`).toBe(msg);
    }
  });

  it("v2 statements with garbage in every position give a located error, never a crash", () => {
    const lines = [
      "kernel upstream \u00e9",
      "kernel upstream 6.12.117",
      "device 0000:01:00.0:1 1M",
      "device ffff:ff:ff.f 1M",
      "bind 0000:01:00.0",
      "bind \u0000",
      "p madvise a 0x 4K dontfork",
      "inject vm_insert_page ENOMEM after 00000000000000000000000000000001x",
      `inject ${"a".repeat(1 << 16)} ENOMEM`,
      `device d 1M\nprocess p\np mmap a d 4K\np madvise a ${"9".repeat(1 << 16)} 4K dofork`,
    ];
    for (const text of lines) {
      const r = runText(text);
      expect(r.ok, text.slice(0, 80)).toBe(false);
      if (!r.ok) expect(r.diagnostics[0]!.message.length).toBeLessThan(200);
    }
  });

  it("a 1 MB PCI-looking token and 100,000 v2 statements parse quickly", () => {
    const t0 = performance.now();
    const bad = parseScenario(`device 0000:${"0".repeat(1 << 20)} 1M`);
    expect(bad.ok).toBe(false);
    const body = Array.from(
      { length: 25_000 },
      (_, i) =>
        `p madvise a ${(i % 4) * 4}K 4K dontfork\ninject vm_insert_page ENOMEM after ${i}\nunbind d\nbind d`,
    ).join("\n");
    const r = parseScenario(`device d 1M\nprocess p\np mmap a d 16K\n${body}\n`);
    expect(r.ok && r.scenario.statements.length).toBe(100_003);
    expect(performance.now() - t0).toBeLessThan(5000);
  });
});
