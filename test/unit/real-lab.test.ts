/** The real-kernel lab's pure parts: guest output parsing, comparison, planning, cpio, corpus. */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { command } from "../../src/cli/cmd-real.ts";
import type { CliIO } from "../../src/cli/io.ts";
import { compareRun } from "../../src/real/compare.ts";
import { CORPUS_KINDS, corpusScenario } from "../../src/real/corpus.ts";
import { formatComparison } from "../../src/real/format.ts";
import { GuestFatal, parseGuestOutput, type RealRun } from "../../src/real/guest-output.ts";
import { cpioNewc, LabError, planScenario } from "../../src/real/lab.ts";
import { asUpstream, loadExceptions } from "../../src/real/recording.ts";
import { runText } from "../../src/trace/run.ts";

const SCENARIO = `kernel upstream
device d 1M
process p
p mmap a d 64K   # 16 pages
p fork c
p munmap a
c exit
`;

/** What the guest prints for SCENARIO on 6.12 (taken from a real run, addresses aside). */
const CONSOLE = `SeaBIOS (version 1.16.2-debian-1.16.2-1)
\x1b[2J P2PRUN KERNEL 6.12.117
P2PRUN UP 0.70
P2PRUN DEVICE d bdf=0000:00:10.0 ns=/dev/nvme0n1 cmb=2097152
P2PRUN DEBUG_PAGES 1
P2PRUN START 0.75
P2PRUN STEP 1 ok
P2PRUN FILLER d cmb=2097152 size=1048576 pages=256-511
P2PRUN STEP 2 ok d=1048576
P2PRUN REFS 2 d 256-511:1:1
P2PRUN STEP 3 ok d=1048576
P2PRUN REFS 3 d 256-511:1:1
P2PRUN STEP 4 ok d=983040
P2PRUN REFS 4 d 0-15:1:1 256-511:1:1
P2PRUN STEP 5 ok d=983040
P2PRUN REFS 5 d 0-15:2:2 256-511:1:1
P2PRUN STEP 6 ok d=983040
P2PRUN REFS 6 d 0-15:1:1 256-511:1:1
P2PRUN STEP 7 ok d=1048576
P2PRUN REFS 7 d 256-511:1:1
P2PRUN DMESG <6>[    0.5] nvme 0000:00:10.0: p2prun: fail, attempted private mapping
P2PRUN END 0 uptime=0.90
reboot: Power down
`;

function realRun(): RealRun {
  return parseGuestOutput(CONSOLE, SCENARIO);
}

function trace(text = SCENARIO) {
  const o = runText(text);
  if (!o.ok) throw new Error(o.diagnostics[0]?.message);
  return o.trace;
}

describe("parseGuestOutput", () => {
  it("reads kernel, statements, available and refcounts, and clips the filler pages", () => {
    const r = realRun();
    expect(r.kernel).toBe("6.12.117");
    expect(r.debugPages).toBe(true);
    expect(r.statements.map((s) => s.line)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(r.statements[3]).toMatchObject({ text: "p mmap a d 64K", result: "ok", available: { d: 983040 } });
    expect(r.statements[4]!.refcounts).toEqual({ d: [{ first: 0, last: 15, ref: 2, map: 2 }] });
    expect(r.statements[6]!.refcounts).toEqual({ d: [] });
    expect(r.notes.some((n) => n.includes("filler") && n.includes("256-511"))).toBe(true);
    expect(r.notes.some((n) => n.includes("attempted private mapping"))).toBe(true);
  });

  it("reports a guest refusal and a run cut short", () => {
    expect(() =>
      parseGuestOutput("P2PRUN KERNEL 6.12.117\nP2PRUN FATAL 3 design 'seed'\n", SCENARIO),
    ).toThrow(GuestFatal);
    expect(() => parseGuestOutput(CONSOLE.replace(/P2PRUN END.*\n/, ""), SCENARIO)).toThrow(
      /stopped before the end/,
    );
    expect(() => parseGuestOutput("Kernel panic\n", SCENARIO)).toThrow(/printed nothing/);
  });

  it("reads a gone pool as null", () => {
    const out = CONSOLE.replace("P2PRUN STEP 7 ok d=1048576", "P2PRUN STEP 7 ok d=gone").replace(
      "P2PRUN REFS 7 d 256-511:1:1",
      "P2PRUN REFS 7 d gone",
    );
    const s = parseGuestOutput(out, SCENARIO).statements[6]!;
    expect(s.available).toEqual({ d: null });
    expect(s.refcounts).toEqual({ d: null });
  });
});

describe("compareRun", () => {
  it("matches the model on the recorded fork scenario", () => {
    const c = compareRun(realRun(), trace());
    expect(c.mismatches).toBe(0);
    expect(c.statements.every((s) => s.differs.length === 0)).toBe(true);
    expect(c.statements.find((s) => s.line === 4)).toMatchObject({
      realFree: { d: 240 },
      modelFree: { d: 240 },
    });
  });

  it("marks a different result, pool and refcount, and honours listed exceptions", () => {
    const bad = CONSOLE.replace("P2PRUN STEP 6 ok d=983040", "P2PRUN STEP 6 EINVAL d=987136").replace(
      "P2PRUN REFS 5 d 0-15:2:2",
      "P2PRUN REFS 5 d 0-15:2:1",
    );
    const real = parseGuestOutput(bad, SCENARIO);
    const c = compareRun(real, trace());
    expect(c.mismatches).toBe(3);
    expect(c.statements.find((s) => s.line === 6)!.differs).toEqual(["result", "pool"]);
    expect(c.statements.find((s) => s.line === 5)!.refsDetail).toContain(
      "kernel [0-15=2:1] model [0-15=2:2]",
    );
    const exc = (kernelValue: string, modelValue: string, kernel = "6.12.117") => ({
      recording: "x",
      kernel,
      line: 6,
      field: "result" as const,
      kernelValue,
      modelValue,
      reason: "a reason long enough to count",
    });
    // an exception excuses exactly the values it lists, on the kernel it names
    expect(compareRun(real, trace(), [exc("EFAULT", "ok")], "x").excepted).toBe(0);
    expect(compareRun(real, trace(), [exc("EINVAL", "ENODEV")], "x").excepted).toBe(0);
    expect(compareRun(real, trace(), [exc("EINVAL", "ok", "7.3.4")], "x").excepted).toBe(0);
    const c2 = compareRun(real, trace(), [exc("EINVAL", "ok")], "x");
    expect(c2.mismatches).toBe(2);
    expect(c2.excepted).toBe(1);
    expect(c2.statements.find((s) => s.line === 6)!.values.pool).toEqual({ kernel: "d=241", model: "d=240" });
    const text = formatComparison(c2, "hdr");
    expect(text).toMatch(/≠\s+6\s+p munmap a\s+EINVAL\s+ok\s+241\|240/);
    expect(text).toContain("known difference: result: kernel EINVAL, model ok");
  });

  it("takes the model's held pins out of the refcounts but still shows their pool effect", () => {
    const text =
      "kernel upstream\ndevice d 1M\nprocess p\np mmap a d 16K\np pin io a 0 4K\np munmap a\nunpin io\n";
    const out = [
      "P2PRUN KERNEL 6.12.117",
      "P2PRUN DEBUG_PAGES 1",
      "P2PRUN FILLER d cmb=2097152 size=1048576 pages=256-511",
      "P2PRUN STEP 1 ok",
      "P2PRUN STEP 2 ok d=1048576",
      "P2PRUN REFS 2 d",
      "P2PRUN STEP 3 ok d=1048576",
      "P2PRUN REFS 3 d",
      "P2PRUN STEP 4 ok d=1032192",
      "P2PRUN REFS 4 d 0-3:1:1",
      "P2PRUN STEP 5 ok d=1032192",
      "P2PRUN REFS 5 d 0-3:1:1",
      "P2PRUN STEP 6 ok d=1048576",
      "P2PRUN REFS 6 d",
      "P2PRUN STEP 7 ok d=1048576",
      "P2PRUN REFS 7 d",
      "P2PRUN END 0 uptime=1",
    ].join("\n");
    const c = compareRun(parseGuestOutput(out, text), trace(text));
    expect(c.statements.find((s) => s.line === 5)!.differs).toEqual([]); // 1025 - 1024 = 1
    expect(c.statements.find((s) => s.line === 6)!.differs).toEqual(["pool"]); // page 0 held by the pin
    expect(c.statements.find((s) => s.line === 7)!.differs).toEqual([]);
  });
});

describe("compareRun with a pin the lab held", () => {
  it("compares the +1024 and the pages kept after munmap as they are", () => {
    const text =
      "kernel upstream\ndevice d 1M\nprocess p\np mmap a d 16K\np pin io a 0 4K\np munmap a\nunpin io\n";
    const out = [
      "P2PRUN KERNEL 6.12.117",
      "P2PRUN DEBUG_PAGES 1",
      "P2PRUN STEP 1 ok",
      "P2PRUN STEP 2 ok d=1048576",
      "P2PRUN REFS 2 d",
      "P2PRUN STEP 3 ok d=1048576",
      "P2PRUN REFS 3 d",
      "P2PRUN STEP 4 ok d=1032192",
      "P2PRUN REFS 4 d 0-3:1:1",
      "P2PRUN HELD 5 pin io in flight (O_DIRECT from /dev/nvme0n2, throttled)",
      "P2PRUN STEP 5 ok d=1032192",
      "P2PRUN REFS 5 d 0-0:1025:1 1-3:1:1",
      "P2PRUN STEP 6 ok d=1044480",
      "P2PRUN REFS 6 d 0-0:1024:0",
      "P2PRUN STEP 7 ok d=1048576",
      "P2PRUN REFS 7 d",
      "P2PRUN END 0 uptime=1",
    ].join("\n");
    const real = parseGuestOutput(out, text);
    expect(real.statements.find((s) => s.line === 5)!.held).toBe(true);
    const c = compareRun(real, trace(text));
    expect(c.mismatches).toBe(0);
    // the same refcounts without the HELD line: the model's pin bias is taken out, so they differ
    const c2 = compareRun(parseGuestOutput(out.replace(/P2PRUN HELD.*\n/, ""), text), trace(text));
    expect(c2.statements.find((s) => s.line === 5)!.differs).toEqual(["refs"]);
  });
});

describe("planScenario", () => {
  it("gives each device a power-of-two CMB of at least 2 MiB", () => {
    const p = planScenario("device a 64K\ndevice b 2M\ndevice c 0x300000\ndevice e 3M\n");
    expect(p.map((d) => d.cmbMb)).toEqual([2, 2, 4, 4]);
  });
  it("refuses what a real kernel cannot run", () => {
    expect(() => planScenario("kernel seed\ndevice d 1M\n")).toThrow(LabError);
    expect(() => planScenario("page 64K\ndevice d 1M\n")).toThrow(/4K/);
    expect(() => planScenario("device d 4G\n")).toThrow(/largest CMB/);
  });
});

describe("asUpstream", () => {
  it("swaps a non-upstream kernel line and keeps line numbers", () => {
    const r = asUpstream("# c\nkernel rfc-v1   # x\ndevice d 1M\n");
    expect(r.from).toBe("rfc-v1");
    expect(r.text).toBe("# c\nkernel upstream   # x\ndevice d 1M\n");
  });
});

describe("loadExceptions", () => {
  it("requires a recording, its kernel, a line, a known field, both values and a real reason", () => {
    const dir = mkdtempSync(join(tmpdir(), "p2pviz-exc-"));
    const f = join(dir, "exceptions.json");
    const good = {
      recording: "presets/x",
      kernel: "7.3.4",
      line: 3,
      field: "pool",
      kernelValue: "d=gone",
      modelValue: "d=254",
      reason: "held pin: cannot be expressed",
    };
    writeFileSync(f, JSON.stringify({ exceptions: [good] }));
    expect(loadExceptions(f)).toEqual([good]);
    const { kernelValue: _k, ...noValue } = good;
    writeFileSync(f, JSON.stringify({ exceptions: [noValue] }));
    expect(() => loadExceptions(f)).toThrow(/kernelValue/);
    const { kernel: _r, ...noKernel } = good;
    writeFileSync(f, JSON.stringify({ exceptions: [noKernel] }));
    expect(() => loadExceptions(f)).toThrow(/kernel/);
    writeFileSync(f, JSON.stringify({ exceptions: [{ ...good, reason: "because" }] }));
    expect(() => loadExceptions(f)).toThrow(/reason/);
    writeFileSync(f, JSON.stringify({ exceptions: [{ ...good, field: "everything" }] }));
    expect(() => loadExceptions(f)).toThrow(/field/);
    expect(loadExceptions(join(dir, "none.json"))).toEqual([]);
  });
});

describe("cpioNewc", () => {
  it("writes newc headers, 4-byte alignment and the trailer", () => {
    const b = cpioNewc([{ name: "scenario.p2p", data: Buffer.from("abc") }]);
    const s = b.toString("latin1");
    expect(s.startsWith("070701")).toBe(true);
    expect(s.slice(6 + 6 * 8, 6 + 7 * 8)).toBe("00000003"); // filesize
    expect(s).toContain("scenario.p2p\0");
    expect(s).toContain("TRAILER!!!\0");
    expect(b.length % 4).toBe(0);
    const dataAt = s.indexOf("abc");
    expect(dataAt % 4).toBe(0);
  });
});

describe("corpus", () => {
  it("is deterministic, valid, and covers every kind", () => {
    const kinds = new Set<string>();
    for (let seed = 0; seed < 112; seed++) {
      const a = corpusScenario(seed);
      expect(corpusScenario(seed).text).toBe(a.text);
      const o = runText(a.text);
      expect(o.ok, `seed ${seed}`).toBe(true);
      kinds.add(a.kind);
    }
    expect([...kinds].sort()).toEqual([...CORPUS_KINDS].sort());
    expect(corpusScenario(1).text).not.toBe(corpusScenario(8).text);
  });
});

describe("p2pviz real", () => {
  function io(input: string) {
    let out = "";
    let err = "";
    const cli: CliIO = { out: (t) => void (out += t), err: (t) => void (err += t), readInput: () => input };
    return {
      cli,
      get out() {
        return out;
      },
      get err() {
        return err;
      },
    };
  }
  it("refuses another design with a clear message, not a stack trace", async () => {
    const t = io("kernel seed\ndevice d 1M\nprocess p\n");
    expect(await command(["x.p2p"], t.cli)).toBe(1);
    expect(t.err).toContain("a real kernel implements only 'upstream'");
    expect(t.err).toContain("--as-upstream");
  });
  it("reports a scenario error as FILE:LINE:COL", async () => {
    const t = io("device d 1M\nq touch a 0\n");
    expect(await command(["x.p2p"], t.cli)).toBe(2);
    expect(t.err).toMatch(/^x\.p2p:2:\d+:/);
  });
  it("refuses a device too large for the lab before booting", async () => {
    const t = io("device d 4G\n");
    expect(await command(["x.p2p"], t.cli)).toBe(1);
    expect(t.err).toContain("largest CMB");
  });
});

describe("free pages by refcount (debug_pages 'free REF:COUNT')", () => {
  /** CONSOLE with the free-page tallies a kernel whose free pages rest at FREE_REF would print */
  const withFree = (freeRef: number) =>
    CONSOLE.replace(/^(P2PRUN REFS (\d) d .*)$/gm, (_l, all: string, n: string) => {
      const free = { "2": 256, "3": 256, "4": 240, "5": 240, "6": 240, "7": 256 }[n] ?? 0;
      return `${all} free ${freeRef}:${free}`;
    });

  it("parses the tally, leaves the filler's pages out during a blocked unbind, and drops a cut one", () => {
    const r = parseGuestOutput(withFree(1), SCENARIO);
    expect(r.statements.find((s) => s.line === 4)?.freeRefcounts).toEqual({ d: { "1": 240 } });
    const zapped = parseGuestOutput(
      CONSOLE.replace("P2PRUN REFS 7 d 256-511:1:1", "P2PRUN REFS 7 d free 0:512 filler=256"),
      SCENARIO,
    );
    expect(zapped.statements.find((s) => s.line === 7)?.freeRefcounts).toEqual({ d: { "0": 256 } });
    const cut = parseGuestOutput(
      CONSOLE.replace("P2PRUN REFS 7 d 256-511:1:1", "P2PRUN REFS 7 d free 0:500 1:6 filler=256"),
      SCENARIO,
    );
    expect(cut.statements.find((s) => s.line === 7)?.freeRefcounts).toEqual({});
    // an older guest without the tally: no freeRefcounts at all
    expect(realRun().statements[1]).not.toHaveProperty("freeRefcounts");
  });

  it("compares them against the model of the recorded kernel's version (a 7.3 model has free pages at 0)", () => {
    const k612 = parseGuestOutput(withFree(1), SCENARIO);
    const k73 = parseGuestOutput(withFree(0), SCENARIO);
    expect(compareRun(k612, trace(), [], "", { freePages: false }).mismatches).toBe(0);
    const c = compareRun(k612, trace(), [], "", { freePages: true });
    expect(c.mismatches).toBeGreaterThan(0);
    expect(c.statements.find((s) => s.line === 4)?.refsDetail).toContain(
      "d free pages by refcount kernel [1:240] model [0:240]",
    );
    expect(compareRun(k73, trace(), [], "", { freePages: true }).mismatches).toBe(0);
  });
});

describe("which kernel and which model version", () => {
  it("labKernelFor reads the kernel line; modelVersionFor maps a release", async () => {
    const { labKernelFor, withoutKernelVersion, modelVersionFor } = await import(
      "../../src/real/kernel-version.ts"
    );
    expect(labKernelFor("kernel upstream 6.12\ndevice d 1M\n")).toBe("6.12");
    expect(labKernelFor("# x\nkernel upstream 7.3   # c\n")).toBe("7.3");
    expect(labKernelFor("kernel upstream\n")).toBe("7.3");
    expect(labKernelFor("device d 1M\n")).toBe("7.3");
    expect(() => labKernelFor("kernel upstream 6.15\n")).toThrow(LabError);
    expect(withoutKernelVersion("kernel upstream 6.12  # c\ndevice d 1M")).toBe(
      "kernel upstream  # c\ndevice d 1M",
    );
    expect(modelVersionFor("6.12.117")).toBe("6.12");
    expect(modelVersionFor("7.3.4")).toBe("7.3");
    expect(() => modelVersionFor("6.1.0")).toThrow();
  });
});

describe("live check retries", () => {
  it("boots again when the console glued a kernel message into a guest line ('okreboot:'), not on a real difference", async () => {
    const { garbledConsole } = await import("../../src/real/live-check.ts");
    const run = (result: string) =>
      ({
        kernel: "6.12.117",
        statements: [{ line: 7, text: "", result, available: {} }],
        notes: [],
      }) as never;
    expect(garbledConsole(run("okreboot:"))).toBe(true);
    for (const r of ["ok", "EINVAL", "SIGBUS", "blocked", "short:4096", "UNSUPPORTED"])
      expect(garbledConsole(run(r))).toBe(false);
  });
});
