/** `p2pviz link` and `p2pviz open`: make links from files and read them back, in scripts. */

import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DEFAULT_BASE } from "../../src/share/codec.ts";
import { migrateStep } from "../../src/share/migrate-step.ts";
import { runCli } from "./helpers.ts";

const ROOT = join(import.meta.dirname, "../..");
const PRESETS = join(ROOT, "public/presets");
const presets = readdirSync(PRESETS).filter((f) => f.endsWith(".p2p"));

const cli = runCli;

describe("p2pviz link / open", () => {
  it.each(presets)("round-trips preset %s through a link", async (f) => {
    const file = join(PRESETS, f);
    const text = readFileSync(file, "utf8");
    const link = await cli(["link", file, "--step", "5"]);
    expect(link.err).toBe("");
    expect(link.code).toBe(0);
    const url = link.out.trim();
    expect(url.startsWith(`${DEFAULT_BASE}#v=3&s=`)).toBe(true);
    expect(url.endsWith("&step=5")).toBe(true);
    expect(url.length).toBeLessThan(200);

    const json = await cli(["open", url, "--json"]);
    expect(json.code).toBe(0);
    const o = JSON.parse(json.out);
    expect(o).toMatchObject({ format: "p2pviz-open/1", version: 3, step: 5, text });
    expect(o.totalSteps).toBeGreaterThan(5);

    const plain = await cli(["open", url, "--text"]);
    expect(plain.out).toBe(text);
  });

  it("reads the scenario from standard input and takes every field", async () => {
    const text = readFileSync(join(PRESETS, "upstream-basic.p2p"), "utf8");
    const r = await cli(
      [
        "link",
        "-",
        "--step",
        "3",
        "--base",
        "https://example.org/p2pviz/",
        "--kernel",
        "fault",
        "--page",
        "nvme0:2",
        "--panel",
        "pool",
        "--json",
      ],
      text,
    );
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j).toMatchObject({ format: "p2pviz-link/1", version: 3, step: 3, design: "fault", panel: "pool" });
    expect(j.url).toMatch(
      /^https:\/\/example\.org\/p2pviz\/#v=3&s=z[\w-]+&design=fault&page=nvme0:2&panel=pool&step=3$/,
    );
    expect(j.length).toBe(j.url.length);

    const o = await cli(["open", "-"], `${j.url}\n`);
    expect(o.code).toBe(0);
    expect(o.out).toBe(`format: v3\nstep: 3\ndesign: fault\npage: nvme0:2\npanel: pool\n\n${text}`);
  });

  it("refuses a scenario with errors as FILE:LINE:COL: message, exit 2", async () => {
    const r = await cli(["link", "-"], "kernel upstream\ndevice d 1M\nfoo bar\n");
    expect(r.code).toBe(2);
    expect(r.out).toBe("");
    expect(r.err).toMatch(/^<stdin>:3:1: unknown statement 'foo'\n/);
    const f = await cli(["link", join(ROOT, "src/share/fixtures/v1.json")]);
    expect(f.code).toBe(2);
    expect(f.err).toMatch(/v1\.json:1:1: unknown statement/);
  });

  it("refuses a step past the end of the run, a page past the device, and bad options", async () => {
    const file = join(PRESETS, "seed-leak.p2p");
    const past = await cli(["link", file, "--step", "100000"]);
    expect(past.code).toBe(2);
    expect(past.err).toMatch(/--step asks for step 100000, but this scenario has steps 0 to \d+/);
    const page = await cli(["link", file, "--page", "nvme0:256"]);
    expect(page.code).toBe(2);
    expect(page.err).toMatch(/has pages 0 to 255/);
    const nodev = await cli(["link", file, "--page", "gpu0:1"]);
    expect(nodev.err).toMatch(/no device 'gpu0'/);
    for (const args of [
      ["--step", "-1"],
      ["--step", "x"],
      ["--page", "nvme0"],
      ["--kernel", "linux"],
      ["--bogus"],
      ["--panel", "<b>"],
      ["--panel", "sidebar"],
      ["--base", "nope"],
    ]) {
      const r = await cli(["link", file, ...args]);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.out, args.join(" ")).toBe("");
    }
    expect((await cli(["link"])).code).toBe(2);
    expect((await cli(["link", "/nonexistent.p2p"])).err).toMatch(
      /cannot read \/nonexistent\.p2p \(ENOENT\)/,
    );
  });

  it("refuses a link over 8,000 characters and points to the file instead", async () => {
    let seed = 7;
    const lines = ["kernel upstream", "device d 1M"];
    for (let i = 0; i < 120; i++) {
      let c = "# ";
      for (let k = 0; k < 70; k++) {
        seed = (seed * 1103515245 + 12345) % 2 ** 31;
        c += String.fromCharCode(0x21 + (seed % 90));
      }
      lines.push(c);
    }
    const r = await cli(["link", "-"], `${lines.join("\n")}\n`);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/over the 8000-character limit/);
    expect(r.err).toMatch(/hint: Download the scenario as a \.p2p file/);
  });

  it("reads hand-written links and every committed fixture", async () => {
    const hand = await cli(["open", "#text=kernel+seed%0Adevice+d+64K%0A&step=0"]);
    expect(hand.code).toBe(0);
    expect(hand.out).toBe("format: v0 (hand-written text= form)\nstep: 0\n\nkernel seed\ndevice d 64K\n");
    for (const v of ["v0.json", "v1.json"]) {
      const fx = JSON.parse(readFileSync(join(ROOT, "src/share/fixtures", v), "utf8"));
      for (const l of fx.links) {
        const r = await cli(["open", l.link, "--json"]);
        expect(r.code, l.name).toBe(0);
        // an old link opens at its step mapped to today's engine (step-migrations.json)
        const step = migrateStep(l.opens, fx.version);
        expect(JSON.parse(r.out)).toMatchObject({ ...l.opens, step, version: fx.version });
      }
    }
  });

  it("exits 2 with a plain message for a bad link, and warns about a step past the end", async () => {
    const bad = await cli(["open", `${DEFAULT_BASE}#v=1&s=zAAAAAAA&step=0`]);
    expect(bad.code).toBe(2);
    expect(bad.out).toBe("");
    expect(bad.err).toMatch(/^p2pviz open: bad link: The compressed scenario in this link is damaged/);
    const v9 = await cli(["open", "#v=9&s=tx&step=0"]);
    expect(v9.err).toMatch(/format version 9, which this p2pviz does not know/);
    const none = await cli(["open", DEFAULT_BASE]);
    expect(none.err).toMatch(/has no '#' part/);
    const far = await cli(["open", "#text=kernel+seed%0Adevice+d+64K%0Aprocess+p%0A&step=99", "--json"]);
    expect(far.code).toBe(0);
    expect(far.err).toMatch(/warning: The link asks for step 99/);
    expect(JSON.parse(far.out).stepError).toMatch(/step 99/);
    const broken = await cli(["open", "#text=kernel+seed%0Afoo%0A"]);
    expect(broken.code).toBe(0);
    expect(broken.err).toMatch(/warning: <link>:2:1: unknown statement 'foo'/);
    expect((await cli(["open", "x", "--json", "--text"])).code).toBe(2);
  });

  it("prints help for both commands", async () => {
    for (const c of ["link", "open"]) {
      const r = await cli([c, "--help"]);
      expect(r.code).toBe(0);
      expect(r.out).toMatch(new RegExp(`^Usage: p2pviz ${c} `));
      expect(r.out).toMatch(/Exit status/);
    }
  });

  it("works as a real process: link | open", () => {
    const bin = join(ROOT, "bin/p2pviz.mjs");
    const file = join(PRESETS, "refusals.p2p");
    const link = spawnSync(process.execPath, [bin, "link", file, "--step", "7"], { encoding: "utf8" });
    expect(link.status).toBe(0);
    const open = spawnSync(process.execPath, [bin, "open", "-", "--text"], {
      input: link.stdout,
      encoding: "utf8",
    });
    expect(open.status).toBe(0);
    expect(open.stdout).toBe(readFileSync(file, "utf8"));
    const bad = spawnSync(process.execPath, [bin, "open", "#v=1&s=t&step=x"], { encoding: "utf8" });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/bad link: The link's step 'x'/);
  });
});

describe("--kernel DESIGN@VERSION (language v2)", () => {
  const basic = join(PRESETS, "upstream-basic.p2p");

  it("link carries the kernel version in a v3 link, and open shows it", async () => {
    const r = await cli(["link", basic, "--step", "2", "--kernel", "upstream@6.12", "--json"]);
    expect(r.err).toBe("");
    const j = JSON.parse(r.out);
    expect(j).toMatchObject({ version: 3, design: "upstream", kernelVersion: "6.12" });
    expect(j.url).toContain("&design=upstream@6.12&step=2");
    const o = await cli(["open", j.url]);
    expect(o.out).toContain("format: v3\nstep: 2\ndesign: upstream@6.12\n");
    const oj = JSON.parse((await cli(["open", j.url, "--json"])).out);
    expect(oj).toMatchObject({ version: 3, design: "upstream", kernelVersion: "6.12" });
  });

  it("link --vs takes a version too (two kernels compared)", async () => {
    const r = await cli(["link", basic, "--kernel", "upstream@6.2", "--vs", "upstream@7.3"]);
    expect(r.err).toBe("");
    expect(r.out.trim()).toMatch(/&design=upstream@6\.2&vs=upstream@7\.3&step=0$/);
  });

  it("link --page takes a PCI-address device", async () => {
    const text = "device 0000:01:00.0 1M\nprocess p\np mmap a 0000:01:00.0 8K\n";
    const r = await cli(["link", "-", "--page", "0000:01:00.0:1"], text);
    expect(r.err).toBe("");
    expect(r.out.trim()).toMatch(/#v=3&s=.*&page=0000:01:00\.0:1&step=0$/);
  });

  it.each([
    [["run"], "--kernel seed@6.12: design 'seed' does not run in kernel 6.12: it has only 5.10"],
    [
      ["run"],
      "--kernel upstream@5.10: design 'upstream' does not run in kernel 5.10: it has 6.2, 6.5, 6.12, 6.15, 7.3",
    ],
    [["link"], "--kernel huge@6.12: design 'huge' does not run in kernel 6.12: it has only 7.3"],
    [["link"], "--kernel upstream@6.1: unknown kernel version '6.1'"],
    [["diff", "--vs", "seed"], "--kernel upstream@: unknown kernel version ''"],
  ])("%j refuses a bad pair with a usage error (exit 2): %s", async (cmd, msg) => {
    const flag = msg.slice("--kernel ".length, msg.indexOf(":"));
    const r = await cli([...cmd, basic, "--kernel", flag]);
    expect(r.code).toBe(2);
    expect(r.err).toContain(msg);
  });

  it("diff --vs is checked the same way", async () => {
    const r = await cli(["diff", basic, "--vs", "fault@7.3"]);
    expect(r.code).toBe(2);
    expect(r.err).toContain("--vs fault@7.3: design 'fault' does not run in kernel 7.3: it has only 5.10");
  });

  it("every --help names DESIGN@VERSION", async () => {
    for (const c of ["run", "link", "diff"]) {
      expect((await cli([c, "--help"])).out).toContain("DESIGN@VERSION");
    }
  });
});
