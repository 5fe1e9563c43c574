/**
 * Mail-ready text (src/trace/summary.ts): exact lines for several presets, the 72-column limit
 * over every preset under every design and over generated scenarios, one page followed through a
 * run, and the CLI's `run --summary` / `run --page`.
 */
import { readdirSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DESIGNS } from "../../src/scenario/ast.ts";
import { followPage, pageRanges, SUMMARY_WIDTH, summarize, wrap } from "../../src/trace/summary.ts";
import { arbChoices, scenarioFrom } from "./gen.ts";
import { run, runCli } from "./helpers.ts";

const PRESETS = resolve(import.meta.dirname, "../../public/presets");
const preset = (f: string) => readFileSync(resolve(PRESETS, f), "utf8");

describe("summary: exact lines", () => {
  it("upstream-basic", () => {
    expect(summarize(run(preset("upstream-basic.p2p")), "upstream-basic.p2p")).toEqual([
      "upstream-basic.p2p: upstream design, 4K pages, 6 statements, 1 device",
      "L5 device nvme0 1M",
      "L6 process fio",
      "L7 fio mmap buf nvme0 64K: nvme0 pages 0-15 allocated 0->1, 16 PTEs set",
      "L8 fio touch buf 8K",
      "L9 fio munmap buf: nvme0 pages 0-15 1->0, freed, 16 PTEs cleared",
      "No findings.",
    ]);
  });

  it("fork-keeps-pages: a munmap that frees nothing says so", () => {
    expect(summarize(run(preset("fork-keeps-pages.p2p"))).slice(1)).toEqual([
      "L5 device nvme0 1M",
      "L6 process fio",
      "L7 fio mmap buf nvme0 64K: nvme0 pages 0-15 allocated 0->1, 16 PTEs set",
      "L8 fio fork child: nvme0 pages 0-15 1->2, 16 PTEs set",
      "L9 fio munmap buf: nvme0 pages 0-15 2->1, 16 PTEs cleared, none freed",
      "L10 fio pin io1 buf 0 4K -> EFAULT",
      "L11 child exit: nvme0 pages 0-15 1->0, freed, 16 PTEs cleared",
      "No findings.",
    ]);
  });

  it("unbind-live-pin: a blocked unbind, wrapped at 72 columns", () => {
    expect(summarize(run(preset("unbind-live-pin.p2p"))).slice(1)).toEqual([
      "L5 device nvme0 1M",
      "L6 process p",
      "L7 p mmap a nvme0 64K: nvme0 pages 0-15 allocated 0->1, 16 PTEs set",
      "L8 p fork c: nvme0 pages 0-15 1->2, 16 PTEs set",
      "L9 p pin io a 0 8K: nvme0 pages 0-1 2->1026",
      "L10 unbind nvme0 -> blocked: nvme0 pages 0-1 1026->1024; pages 2-15",
      "    2->0, freed, 32 PTEs cleared",
      "L11 p touch a 0 -> SIGBUS",
      "L12 p mmap b nvme0 4K -> ENODEV",
      "L13 unpin io: nvme0 pages 0-1 1024->0, freed",
      "No findings.",
    ]);
  });

  it("seed-leak and rfc-v1-freed-while-pinned: findings under their statement", () => {
    expect(summarize(run(preset("seed-leak.p2p"))).slice(3)).toEqual([
      "L9 fio mmap buf nvme0 32K: nvme0 pages 0-7 allocated, 8 PTEs set", // 5.10: already at 1
      "L10 fio munmap buf: 8 PTEs cleared, none freed",
      "  FINDING leak: nvme0 pages 0-7",
      "1 finding.",
    ]);
    expect(summarize(run(preset("rfc-v1-freed-while-pinned.p2p"))).slice(3)).toEqual([
      "L8 fio mmap buf nvme0 16K: nvme0 pages 0-3 allocated, 4 PTEs set",
      "L9 fio pin io buf 0 4K: nvme0 page 0 1->1025", // 5.10: 1 at rest
      "L10 fio munmap buf: nvme0 pages 0-3 freed, 4 PTEs cleared",
      "  FINDING use-after-free: nvme0 page 0",
      "L11 process db",
      "L12 db mmap tbl nvme0 16K: nvme0 pages 0-3 allocated, 4 PTEs set",
      "  FINDING use-after-free: nvme0 page 0",
      "L13 unpin io: nvme0 page 0 1025->1, none freed",
      "2 findings.",
    ]);
  });

  it("refusals: every errno on its statement", () => {
    expect(
      summarize(run(preset("refusals.p2p"))).filter((l) => l.includes("->") && !l.includes(":")),
    ).toEqual([
      "L6 p mmap priv nvme0 64K private -> EINVAL",
      "L7 p mmap off nvme0 4K offset=4K -> EINVAL",
      "L8 p mmap big nvme0 2M -> ENOMEM",
      "L10 p pin io1 a 0 4K nop2p -> EREMOTEIO",
      "L11 p pin io2 a 0 4K longterm -> EINVAL",
      "L12 p pin io3 a 0 4K longterm nop2p -> EFAULT",
    ]);
  });
});

describe("summary: 72 columns", () => {
  const all = readdirSync(PRESETS).filter((f) => f.endsWith(".p2p"));
  it("every preset under every design", () => {
    for (const f of all) {
      for (const d of DESIGNS) {
        for (const l of summarize(run(preset(f), d), f))
          expect(l.length, `${f} ${d}: ${l}`).toBeLessThanOrEqual(72);
      }
    }
  });

  it("generated scenarios, long names and scattered pages included", () => {
    fc.assert(
      fc.property(fc.constantFrom(...DESIGNS), arbChoices, (d, choices) => {
        const t = run(scenarioFrom(d, choices));
        const lines = [...summarize(t, "a-rather-long-scenario-file-name-for-the-header.p2p")];
        const f = followPage(t, "d0", 3);
        if (f.ok) lines.push(...f.lines);
        return lines.every((l) => l.length <= SUMMARY_WIDTH);
      }),
      { numRuns: 120, seed: 4242 },
    );
  });

  it("wrap cuts a word longer than a line at its commas", () => {
    const ranges = Array.from({ length: 40 }, (_, i) => `${i * 10}-${i * 10 + 3}`).join(",");
    const lines = wrap(`L1 x: d0 pages ${ranges}`);
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(72);
    expect(lines.join("").replaceAll(" ", "")).toBe(`L1x:d0pages${ranges}`);
  });

  it("pageRanges names runs and cuts long lists", () => {
    expect(pageRanges([3, 0, 1, 2, 8])).toBe("0-3,8");
    expect(pageRanges([0, 2, 4, 6, 8, 10, 12, 14])).toBe("0,2,4,6,8,10,+2 more");
  });
});

describe("followPage", () => {
  it("one page through fork, pin, unbind and unpin", () => {
    const r = followPage(run(preset("unbind-live-pin.p2p")), "nvme0", 1);
    expect(r).toEqual({
      ok: true,
      lines: [
        "nvme0 page 1, through the upstream design:",
        "L7 p mmap a nvme0 64K: ref 0->1, map 0->1, allocated, 1 PTE",
        "L8 p fork c: ref 1->2, map 1->2, allocated, 2 PTEs",
        "L9 p pin io a 0 8K: ref 2->1026, map 2, allocated, 2 PTEs, pinned",
        "L10 unbind nvme0 -> blocked: ref 1026->1024, map 2->0, allocated, pinned",
        "L13 unpin io: ref 1024->0, map 0, free",
      ],
    });
  });

  it("a page freed while pinned, and its findings", () => {
    const r = followPage(run(preset("rfc-v1-freed-while-pinned.p2p")), "nvme0", 0);
    expect(r.ok && r.lines.slice(3, 5)).toEqual([
      "L10 fio munmap buf: ref 1025, map 0, free, pinned", // 5.10: 1 at rest + the pin
      "  FINDING use-after-free",
    ]);
  });

  it("a page nothing touches, and bad pages", () => {
    const t = run(preset("upstream-basic.p2p"));
    expect(followPage(t, "nvme0", 100)).toEqual({
      ok: true,
      lines: ["nvme0 page 100, through the upstream design:", "No statement changed it."],
    });
    expect(followPage(t, "nvme1", 0)).toEqual({ ok: false, message: "no device 'nvme1' in this run" });
    expect(followPage(t, "nvme0", 256)).toEqual({ ok: false, message: "device 'nvme0' has pages 0 to 255" });
  });
});

describe("p2pviz run --summary / --page", () => {
  it("--summary prints the summary", async () => {
    const r = await runCli(["run", "public/presets/upstream-basic.p2p", "--summary"]);
    expect(r.code).toBe(0);
    expect(r.out.split("\n")[0]).toBe(
      "upstream-basic.p2p: upstream design, 4K pages, 6 statements, 1 device",
    );
    expect(r.out).toContain("L9 fio munmap buf: nvme0 pages 0-15 1->0, freed, 16 PTEs cleared\n");
  });

  it("--summary under another design, from standard input", async () => {
    const r = await runCli(["run", "-", "--summary", "--kernel", "seed"], preset("upstream-basic.p2p"));
    expect(r.code).toBe(0);
    expect(r.out).toContain("seed design");
  });

  it("--page follows a page", async () => {
    const r = await runCli(["run", "public/presets/unbind-live-pin.p2p", "--page", "nvme0:1"]);
    expect(r.code).toBe(0);
    expect(r.out).toContain("L13 unpin io: ref 1024->0, map 0, free\n");
  });

  it("bad --page and exclusive flags are usage errors", async () => {
    const a = await runCli(["run", "public/presets/upstream-basic.p2p", "--page", "nvme0:999"]);
    expect(a.code).toBe(2);
    expect(a.err).toContain("device 'nvme0' has pages 0 to 255");
    const b = await runCli(["run", "public/presets/upstream-basic.p2p", "--page", "nvme0"]);
    expect(b.code).toBe(2);
    expect(b.err).toContain("--page must be DEV:P");
    const c = await runCli(["run", "public/presets/upstream-basic.p2p", "--summary", "--json"]);
    expect(c.code).toBe(2);
    expect(c.err).toContain("exclude each other");
  });
});
