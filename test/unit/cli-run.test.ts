/** `p2pviz run` on every preset gives what the kernel reference says; exit codes and JSON shape. */
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.ts";
import { run, runCli } from "./helpers.ts";

interface Expect {
  results: Record<number, string>;
  findings: [string, number][];
  free: number;
}

/** Per preset: results by line, findings [kind, line], and the first device's free pages at the end. */
const PRESETS: Record<string, Expect> = {
  "upstream-basic.p2p": { results: { 7: "ok", 8: "ok", 9: "ok" }, findings: [], free: 256 },
  "fork-keeps-pages.p2p": { results: { 8: "ok", 9: "ok", 10: "EFAULT", 11: "ok" }, findings: [], free: 256 },
  "partial-munmap-split.p2p": {
    results: { 8: "ok", 9: "SIGSEGV", 10: "ok", 11: "ok" },
    findings: [],
    free: 240,
  },
  "odirect-pin-outlives-munmap.p2p": { results: { 7: "ok", 8: "ok", 9: "ok" }, findings: [], free: 256 },
  "unbind-live-pin.p2p": {
    results: { 9: "ok", 10: "blocked", 11: "SIGBUS", 12: "ENODEV", 13: "ok" },
    findings: [],
    free: 256,
  },
  "fragmentation.p2p": { results: { 8: "ok", 9: "ok", 10: "ENOMEM", 11: "ok" }, findings: [], free: 1 },
  "refusals.p2p": {
    results: {
      6: "EINVAL",
      7: "EINVAL",
      8: "ENOMEM",
      9: "ok",
      10: "EREMOTEIO",
      11: "EINVAL",
      12: "EFAULT",
      13: "ok",
    },
    findings: [],
    free: 240,
  },
  "seed-leak.p2p": { results: { 9: "ok", 10: "ok" }, findings: [["leak", 10]], free: 248 },
  "seed-unbind-hang.p2p": {
    results: { 8: "blocked", 9: "ok", 10: "ok", 11: "ok" },
    findings: [
      ["stale-mapping", 8],
      ["stale-mapping", 8],
      ["unbind-hang", 8],
      ["stale-mapping", 9],
      ["leak", 11],
    ],
    free: 60,
  },
  "rfc-v1-freed-while-pinned.p2p": {
    results: { 9: "ok", 10: "ok", 12: "ok", 13: "ok" },
    findings: [
      ["use-after-free", 10],
      ["use-after-free", 12],
    ],
    free: 252,
  },
  "fault-first-touch.p2p": {
    results: { 6: "ok", 7: "ok", 8: "ok", 9: "ok", 10: "ok" },
    findings: [],
    free: 256,
  },
  "remap-mmio-style.p2p": {
    results: { 7: "ok", 8: "EFAULT", 9: "blocked", 10: "ok", 11: "ok" },
    findings: [
      ["stale-mapping", 9],
      ["stale-mapping", 10],
    ],
    free: 256,
  },
};

/**
 * Big presets (public/presets/big, marked "big" in index.json): every device's free pages and its
 * allocated pages as runs [first page, pages, refcount, mapcount] at the end.
 */
const BIG: Record<
  string,
  { free: number; allocated: [number, number, number, number][]; blocked?: string[] }
> = {
  // munmap drops every page to 0 and unpin returns the pinned 512: zap_pte_range, unpin_user_pages
  "big/bar-32g-whole.p2p": { free: 8 * 2 ** 20, allocated: [] },
  // per device: 4G-12G unmapped by the parent after the child exited (pages 1M-3M freed), the rest
  // mapped once by the parent; the child's pins of 1G-2G are gone
  // the child's exit waits for its own pins (do_exit: io_uring_cancel_generic / exit_aio) and
  // completes at the last unpin
  "big/eight-npus.p2p": {
    blocked: ["c exit"],
    free: 2 * 2 ** 20,
    allocated: [
      [0, 2 ** 20, 1, 1],
      [3 * 2 ** 20, 5 * 2 ** 20, 1, 1],
    ],
  },
  // heap's middle quarter freed when the worker exits; `more` cannot use the 65536-page hole
  // (gen_pool_first_fit needs one run) and lands after cache
  "big/million-pages.p2p": {
    blocked: ["worker exit"],
    free: 131072,
    allocated: [
      [0, 65536, 1, 1],
      [131072, 851968, 1, 1],
    ],
  },
  "big/tib-device.p2p": { free: 2 ** 28, allocated: [] },
};

/**
 * Proposal presets (public/presets/huge, "proposal" in index.json; huge.md): results by line,
 * findings [kind, line] and every device's free pages at the end, derived by hand from huge.md §7.
 */
const PROPOSALS: Record<string, Expect & { frees?: number[] }> = {
  // 32 PUD folios mapped, touched through a present leaf, unmapped: all 8,388,608 pages back
  "huge/rfc-32g.p2p": { results: { 8: "ok", 9: "ok", 10: "ok" }, findings: [], free: 8388608 },
  // exit_mmap frees the 256 folios of the eight devices
  "huge/rfc-eight-npus.p2p": {
    results: { 21: "ok" },
    findings: [],
    free: 8388608,
    frees: Array(8).fill(8388608),
  },
  // the child has no entries: SIGBUS, then EFAULT (each a fork-not-shared); munmap frees the folio
  "huge/fork-not-shared.p2p": {
    results: { 7: "ok", 8: "ok", 9: "SIGBUS", 10: "EFAULT", 11: "ok", 12: "ok" },
    findings: [
      ["fork-not-shared", 9],
      ["fork-not-shared", 10],
    ],
    free: 1024,
  },
  // munmap keeps the pinned folio whole; unbind waits for it; the unpin frees 262,144 pages
  "huge/pin-holds-1g-folio.p2p": {
    results: { 7: "ok", 8: "ok", 9: "ok", 10: "blocked", 11: "ok" },
    findings: [["pin-holds-folio", 9]],
    free: 1048576,
  },
  // a, e hold 512 pages; f falls back to pages 256-767: nothing free
  "huge/fallback-4k.p2p": { results: { 13: "ok" }, findings: [["huge-fallback", 13]], free: 0 },
  // 2048 pages; only the folio at 2M (512 pages) is freed
  "huge/unaligned-munmap.p2p": {
    results: { 8: "ok", 9: "EINVAL", 10: "EINVAL", 11: "ok", 12: "SIGSEGV", 13: "ok" },
    findings: [],
    free: 512,
  },
  // 64K refused; the 2M folio mapped and unmapped: all 1024 pages free
  "huge/v1-refuses-64k.p2p": {
    results: { 7: "EINVAL", 8: "ok", 9: "ok" },
    findings: [["unaligned-refused", 7]],
    free: 1024,
  },
};

describe("p2pviz run", () => {
  const index = JSON.parse(readFileSync("public/presets/index.json", "utf8")) as { file: string }[];

  it("has an expectation for every preset in the index, and at least 8 presets", () => {
    expect(index.map((p) => p.file).sort()).toEqual(
      [...Object.keys(PRESETS), ...Object.keys(BIG), ...Object.keys(PROPOSALS)].sort(),
    );
    expect(index.length).toBeGreaterThanOrEqual(8);
  });

  for (const [file, exp] of Object.entries(PRESETS)) {
    it(`${file}: results, findings and pool as the kernel reference says`, async () => {
      const { code, out } = await runCli(["run", `public/presets/${file}`, "--json"]);
      expect(code).toBe(0);
      const json = JSON.parse(out);
      expect(json.format).toBe("p2pviz-run/1");
      for (const [line, r] of Object.entries(exp.results)) {
        expect(json.ops.find((o: { line: number }) => o.line === Number(line))?.result, `line ${line}`).toBe(
          r,
        );
      }
      expect(json.findings.map((f: { kind: string; line: number }) => [f.kind, f.line])).toEqual(
        exp.findings,
      );
      expect(json.final.devices[0].freePages).toBe(exp.free);
    });
  }

  for (const [file, exp] of Object.entries(PROPOSALS)) {
    it(`proposal ${file}: results, findings and pools as huge.md says (--json --runs)`, async () => {
      const { code, out } = await runCli(["run", `public/presets/${file}`, "--json", "--runs"]);
      expect(code).toBe(0);
      const json = JSON.parse(out);
      for (const [line, r] of Object.entries(exp.results)) {
        expect(json.ops.find((o: { line: number }) => o.line === Number(line))?.result, `line ${line}`).toBe(
          r,
        );
      }
      expect(json.findings.map((f: { kind: string; line: number }) => [f.kind, f.line])).toEqual(
        exp.findings,
      );
      expect(json.final.devices.map((d: { freePages: number }) => d.freePages)).toEqual(
        exp.frees ?? [exp.free],
      );
    });
  }

  it("marks every preset under public/presets/huge as a proposal, and only those", () => {
    const all = JSON.parse(readFileSync("public/presets/index.json", "utf8")) as {
      file: string;
      proposal?: boolean;
    }[];
    expect(
      all
        .filter((p) => p.proposal)
        .map((p) => p.file)
        .sort(),
    ).toEqual(Object.keys(PROPOSALS).sort());
  });

  // Big presets: millions of steps each, so checked through p2pviz-run/2 (--runs: no event list),
  // every page's final refcount and mapcount as runs, as the kernel would leave them.
  for (const [file, exp] of Object.entries(BIG)) {
    it(`big ${file}: results, findings and every page's final refcount (--json --runs)`, async () => {
      const { code, out } = await runCli(["run", `public/presets/${file}`, "--json", "--runs"]);
      expect(code).toBe(0);
      const json = JSON.parse(out);
      expect(json.format).toBe("p2pviz-run/2");
      expect(json.events).toBeUndefined();
      for (const o of json.ops as { text: string; result: string }[]) {
        expect(o.result, o.text).toBe(exp.blocked?.includes(o.text) ? "blocked" : "ok");
      }
      expect(json.findings).toEqual([]);
      for (const d of json.final.devices) {
        expect(d.freePages, d.name).toBe(exp.free);
        expect(
          d.allocated.map((r: { page: number; pages: number; refcount: number; mapcount: number }) => [
            r.page,
            r.pages,
            r.refcount,
            r.mapcount,
          ]),
          d.name,
        ).toEqual(exp.allocated);
      }
    });
  }

  it("prints the documented JSON shape", async () => {
    const { out } = await runCli(["run", "public/presets/fork-keeps-pages.p2p", "--json"]);
    const j = JSON.parse(out);
    expect(Object.keys(j)).toEqual(
      expect.arrayContaining(["format", "kernel", "pageSize", "ops", "events", "findings", "final"]),
    );
    expect(j.kernel).toBe("upstream");
    expect(j.pageSize).toBe(4096);
    expect(j.ops[3]).toMatchObject({ line: 7, text: "fio mmap buf nvme0 64K", result: "ok" });
    expect(j.events[0]).toEqual(
      expect.objectContaining({
        step: 0,
        line: expect.any(Number),
        kind: expect.any(String),
        fn: expect.any(String),
        source: expect.any(String),
        text: expect.any(String),
      }),
    );
    const insert = j.events.find((e: { fn: string }) => e.fn === "insert_page");
    expect(insert.source).toBe("mm/memory.c");
    const mid = await runCli(
      ["run", "-", "--json"],
      "device nvme0 1M\nprocess fio\nfio mmap buf nvme0 64K\nfio pin io1 buf 0 4K\n",
    );
    const f = JSON.parse(mid.out).final;
    expect(f.devices[0]).toMatchObject({ name: "nvme0", state: "bound", pages: 256, freePages: 240 });
    expect(f.devices[0].allocated[0]).toMatchObject({ page: 0, refcount: 1025 });
    expect(f.processes[0].vmas[0]).toMatchObject({
      label: "buf",
      start: 140737488289792,
      end: 140737488355328,
      flags: ["VM_SHARED", "VM_MAYSHARE", "VM_MIXEDMAP"],
    });
    expect(f.processes[0].vmas[0].ptes[1]).toEqual({
      offset: 4096,
      device: "nvme0",
      page: 1,
      kind: "normal",
    });
    expect(f.pins[0]).toMatchObject({ name: "io1", pages: [{ device: "nvme0", page: 0 }] });
  });

  it("prints one event a line, then the findings", async () => {
    const { code, out } = await runCli(["run", "public/presets/seed-leak.p2p"]);
    expect(code).toBe(0);
    expect(out).toContain("-- line 10: fio munmap buf  => ok");
    expect(out).toMatch(/Findings \(1\):\n {2}step \d+, line 10: \[leak\] nvme0 pages 0-7: leaked/);
  });

  it("writes a long trace as it goes, in bounded pieces (writeTrace: no one string of it all)", async () => {
    // 16,384 pages inserted and zapped: ~66k lines. A 1M-page mmap's text is 750 MB, past the
    // longest string V8 can make: written at once, it failed with "Invalid string length".
    const scenario = "device d 64M\nprocess p\np mmap a d 64M\np munmap a\n";
    const writes: string[] = [];
    const code = await main(["run", "-"], {
      out: (t) => writes.push(t),
      err: (t) => writes.push(`ERR ${t}`),
      readInput: () => scenario,
    });
    expect(code).toBe(0);
    const text = writes.join("");
    const steps = run(scenario).steps;
    expect(steps).toBeGreaterThan(4 * 16384);
    expect(text.split("\n").filter((l) => /^ *\d+ {2}/.test(l))).toHaveLength(steps);
    expect(text).toMatch(/-- line 4: p munmap a {2}=> ok\n[\s\S]*\nFindings: none\.\n$/);
    expect(writes.length).toBeGreaterThan(10);
    expect(Math.max(...writes.map((w) => w.split("\n").length))).toBeLessThanOrEqual(4097);
  });

  it("stops quietly when its reader goes away (p2pviz run big.p2p | head)", async () => {
    // a 1M-page mmap: 7.6M lines, about a minute to write whole; the reader takes one piece
    const child = spawn("node", ["bin/p2pviz.mjs", "run", "-"], { stdio: ["pipe", "pipe", "pipe"] });
    child.stdin.end("device d 4G\nprocess p\np mmap a d 4G\np munmap a\n");
    let err = "";
    child.stderr.on("data", (d) => (err += d));
    child.stdout.once("data", () => child.stdout.destroy());
    const status = await new Promise<number | null>((done) => {
      const kill = setTimeout(() => child.kill(), 40_000);
      child.on("exit", (c) => {
        clearTimeout(kill);
        done(c);
      });
    });
    expect({ status, err }).toEqual({ status: 0, err: "" });
  }, 60_000);

  it("reports a scenario error as FILE:LINE:COL and exits 2", async () => {
    const r = await runCli(["run", "-"], "device d 1M\nprocess p\np mmap a nvme9 4K\n");
    expect(r.code).toBe(2);
    expect(r.err).toBe(
      "<stdin>:3:10: unknown device 'nvme9'\n  hint: declare it first with 'device nvme9 SIZE'\n",
    );
    expect(r.out).toBe("");
  });

  it("rejects bad usage, unknown designs and missing files with exit 2", async () => {
    expect((await runCli(["run"])).code).toBe(2);
    expect((await runCli(["run", "a", "b"])).code).toBe(2);
    expect((await runCli(["run", "x.p2p", "--frob"])).err).toContain("unknown option '--frob'");
    expect((await runCli(["run", "public/presets/seed-leak.p2p", "--kernel", "linux"])).err).toContain(
      "unknown design 'linux'",
    );
    const missing = await runCli(["run", "/nonexistent.p2p"]);
    expect([missing.code, missing.err]).toEqual([2, "p2pviz: cannot read /nonexistent.p2p (ENOENT)\n"]);
    expect((await runCli(["frob"])).code).toBe(2);
  });

  it("--kernel reruns the same statements under another design", async () => {
    const { out } = await runCli(["run", "public/presets/seed-leak.p2p", "--json", "--kernel", "upstream"]);
    const j = JSON.parse(out);
    expect(j.kernel).toBe("upstream");
    expect(j.findings).toEqual([]);
  });

  it("--help works for the program and the command", async () => {
    expect((await runCli(["--help"])).out).toContain("Usage: p2pviz COMMAND");
    const h = await runCli(["run", "--help"]);
    expect([h.code, h.out.startsWith("Usage: p2pviz run FILE")]).toEqual([0, true]);
  });

  it("works as `npx p2pviz` from the package bin with no build step", () => {
    const out = execFileSync("node", ["bin/p2pviz.mjs", "run", "public/presets/upstream-basic.p2p"], {
      encoding: "utf8",
    });
    expect(out).toContain("Findings: none.");
    const bad = spawnSync("node", ["bin/p2pviz.mjs", "run", "-"], {
      input: "kernel nope\n",
      encoding: "utf8",
    });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("<stdin>:1:8: unknown design 'nope'");
  });
});
