/** The scenario language (v2, a superset of v1): every kind of bad input is a located diagnostic, never a default. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Stmt } from "../../src/scenario/ast.ts";
import { parseScenario } from "../../src/scenario/parse.ts";
import { printScenario } from "../../src/scenario/print.ts";
import { formatSize, parseSize } from "../../src/scenario/size.ts";
import { arbChoices, arbDesign, scenarioFrom } from "./gen.ts";

function errorOf(text: string): string {
  const r = parseScenario(text);
  if (r.ok) throw new Error("expected an error");
  const d = r.diagnostics[0]!;
  return `${d.line}:${d.col}: ${d.message}`;
}

const HEAD = "device d 1M\nprocess p\n";

describe("sizes", () => {
  it("reads decimal, hex and binary suffixes", () => {
    expect(parseSize("65536")).toBe(65536);
    expect(parseSize("0x10000")).toBe(65536);
    expect(parseSize("64K")).toBe(65536);
    expect(parseSize("1M")).toBe(1048576);
    expect(parseSize("4G")).toBe(4 * 1024 ** 3);
  });
  it("v2: reads suffixes in either case and T, as memparse does", () => {
    expect(parseSize("64k")).toBe(65536);
    expect(parseSize("64K")).toBe(65536);
    expect(parseSize("1m")).toBe(1048576);
    expect(parseSize("32g")).toBe(32 * 1024 ** 3);
    expect(parseSize("1T")).toBe(1024 ** 4);
    expect(parseSize("2t")).toBe(2 * 1024 ** 4);
    expect(parseSize("0x10k")).toBe(16384);
    expect(parseSize("4096T")).toBe(2 ** 52);
    expect(parseSize("010")).toBe(10); // decimal, as version 1 read it (memparse would say octal)
  });
  it("prints the largest exact suffix in upper case", () => {
    expect(formatSize(1024 ** 4)).toBe("1T");
    expect(formatSize(3 * 1024 ** 4)).toBe("3T");
    expect(formatSize(1536 * 1024 ** 3)).toBe("1536G");
    expect(formatSize(4097)).toBe("4097");
    expect(formatSize(0)).toBe("0");
  });
  it("refuses other suffixes, junk and absurd sizes with a message", () => {
    expect(parseSize("1P")).toMatchObject({ error: expect.stringContaining("suffix") });
    expect(parseSize("1e")).toMatchObject({ error: expect.stringContaining("suffix") });
    expect(parseSize("64KB")).toMatchObject({ error: expect.stringContaining("not a size") });
    expect(parseSize("4097T")).toMatchObject({ error: expect.stringContaining("too large") });
    expect(parseSize("sixty")).toMatchObject({ error: expect.stringContaining("not a size") });
    expect(parseSize("99999999999999999999G")).toMatchObject({ error: expect.stringContaining("too large") });
    expect(parseSize("0xffffffffffffffffff")).toMatchObject({ error: expect.stringContaining("too large") });
  });
});

describe("parseScenario", () => {
  it("parses the example of the language page", () => {
    const r = parseScenario(
      "kernel upstream\ndevice nvme0 1M\nprocess fio\nfio mmap buf nvme0 64K\nfio fork child\nfio munmap buf # c\nfio pin io1 buf 0 4K\nchild exit\n",
    );
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.scenario.statements).toHaveLength(8);
      expect(r.spans[5]).toEqual({ line: 6, col: 1, endCol: 15 });
    }
  });

  it("accepts comments, blank lines, tabs and CRLF", () => {
    const r = parseScenario("# a comment\r\n\r\n\tdevice\td  1M   # trailing é ü\r\n");
    expect(r.ok).toBe(true);
  });

  it.each([
    ["florp", "1:1: unknown statement 'florp'"],
    ["kernel linux", "1:8: unknown design 'linux'"],
    ["process p\nkernel seed", "2:1: 'kernel' must come before any other statement"],
    ["kernel seed\nkernel seed", "2:1: 'kernel' must come before any other statement"],
    ["page 8K", "1:6: page size must be 4K or 64K, not 8K"],
    ["device d 1M\npage 64K", "2:1: 'page' must come before any device"],
    ["device d 5000", "1:10: device size 5000 is not a multiple of the page size (4K)"],
    ["device d 2T", "1:10: device size 2T is over 1T"],
    ["device d 1025G", "1:10: device size 1025G is over 1T"],
    ["device d 0", "1:10: device size must be at least one page"],
    ["device d 1M\ndevice d 1M", "2:8: device 'd' is already declared"],
    ["device D 1M", "1:8: 'D' is not a valid device name"],
    ["device d", "1:10: missing device size"],
    ["process p\nprocess p", "2:9: process 'p' already exists"],
    ["process unbind", "1:9: 'unbind' is a keyword and cannot name a process"],
    [`${HEAD}p mmap a nvme9 4K`, "3:10: unknown device 'nvme9'"],
    [`${HEAD}q mmap a d 4K`, "3:1: unknown process 'q'"],
    [`${HEAD}p mmap a d 4K\np mmap a d 4K`, "4:8: process 'p' already has a mapping 'a'"],
    [`${HEAD}p mmap a d 4K offset=4Q`, "3:22: offset: '4Q' is not a size"],
    [`${HEAD}p mmap a d 4K shared`, "3:15: unexpected 'shared'"],
    [`${HEAD}p mmap a d 4K private private`, "3:23: unexpected 'private'"],
    [`${HEAD}p frob a`, "3:3: unknown action 'frob'"],
    [`${HEAD}p touch b 0`, "3:9: process 'p' has no mapping 'b'"],
    [`${HEAD}p mmap a d 8K\np munmap a 4K`, "4:12: munmap with an offset needs a length too"],
    [`${HEAD}p mmap a d 8K\np munmap a x 4K`, "4:12: offset: 'x' is not a size"],
    [`${HEAD}p mmap a d 8K\np pin io a 100 4K`, "4:12: offset 100 is not a multiple of the page size (4K)"],
    [`${HEAD}p mmap a d 8K\np pin io a 0 0`, "4:14: pin length must be at least one page"],
    [`${HEAD}p mmap a d 8K\np pin io a 0 4K\np pin io a 0 4K`, "5:7: pin 'io' already exists"],
    ["unpin io", "1:7: unknown pin 'io'"],
    [
      `${HEAD}p mmap a d 8K\np pin io a 0 4K\nunpin io\nunpin io`,
      "6:7: pin 'io' was already unpinned at line 5",
    ],
    [`${HEAD}p exit\np mmap a d 4K`, "4:1: process 'p' exited at line 3"],
    [`${HEAD}p fork p`, "3:8: process 'p' already exists"],
    [`${HEAD}p fork c\nc mmap a d 4K\nc fork e\ne touch b 0`, "6:9: process 'e' has no mapping 'b'"],
    ["unbind nvme0", "1:8: unknown device 'nvme0'"],
    ["device d 1M\x00", "1:12: unexpected character (U+0000)"],
    ["device d 1M \u00e9", "1:13: unexpected character 'é' (U+00E9)"],
  ])("%j -> %s", (text, expected) => {
    expect(errorOf(text)).toBe(expected);
  });

  it("a child inherits the parent's labels at fork", () => {
    expect(parseScenario(`${HEAD}p mmap a d 4K\np fork c\nc touch a 0\nc munmap a`).ok).toBe(true);
  });

  it("reports every bad line, each with its own line number", () => {
    const r = parseScenario("florp\ndevice d 1M\nblam\n");
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.diagnostics.map((d) => d.line)).toEqual([1, 3]);
  });

  it("handles a 1 MB line and garbage bytes quickly, with a short message", () => {
    const t0 = performance.now();
    const r = parseScenario(`device d ${"9".repeat(1 << 20)}`);
    const r2 = parseScenario(
      String.fromCharCode(...Array.from({ length: 5000 }, (_, i) => (i * 7919) % 65536)),
    );
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.diagnostics[0]!.message.length).toBeLessThan(120);
    expect(r2.ok).toBe(false);
  });

  it("parses 100,000 statements", () => {
    const body = Array.from({ length: 100_000 }, (_, i) => `p touch a ${(i % 16) * 4096}`).join("\n");
    const r = parseScenario(`${HEAD}p mmap a d 64K\n${body}`);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.scenario.statements).toHaveLength(100_003);
  });

  it("print is canonical and parse(print(ast)) gives the same AST", () => {
    const r = parseScenario(
      `kernel fault\npage 64K\ndevice d 0x100000\nprocess p\np mmap a d 131072 private offset=0\np pin x a 0 64K longterm nop2p\np munmap a 64K 64K\nunpin x\np exit\nunbind d\n`,
    );
    if (!r.ok) throw new Error(JSON.stringify(r.diagnostics));
    const text = printScenario(r.scenario);
    expect(text).toContain("device d 1M");
    expect(text).toContain("p mmap a d 128K private offset=0");
    const again = parseScenario(text);
    expect(again.ok && again.scenario).toEqual(r.scenario);
  });
});

/** The statements of a text, or the diagnostics as LINE:COL: message if it has errors. */
function statementsOf(text: string): readonly Stmt[] {
  const r = parseScenario(text);
  if (!r.ok) throw new Error(r.diagnostics.map((d) => `${d.line}:${d.col}: ${d.message}`).join("\n"));
  return r.scenario.statements;
}

function hintOf(text: string): string | undefined {
  const r = parseScenario(text);
  if (r.ok) throw new Error("expected an error");
  return r.diagnostics[0]!.hint;
}

const MAPPED = `${HEAD}p mmap a d 16K\n`;

describe("language v2: new statements", () => {
  it("kernel DESIGN VERSION keeps the version, and leaves it out when the text names none", () => {
    expect(statementsOf("kernel upstream 6.12")[0]).toStrictEqual({
      op: "kernel",
      design: "upstream",
      version: "6.12",
    });
    expect(statementsOf("kernel upstream")[0]).toStrictEqual({ op: "kernel", design: "upstream" });
    expect(statementsOf("kernel seed 5.10")[0]).toStrictEqual({
      op: "kernel",
      design: "seed",
      version: "5.10",
    });
    for (const v of ["5.10", "6.2", "6.5", "6.12", "6.15", "7.3"]) {
      expect(statementsOf(`kernel remap ${v}`)[0]).toStrictEqual({
        op: "kernel",
        design: "remap",
        version: v,
      });
    }
  });

  it("devices up to 1T, and PCI addresses as device names everywhere a device is named", () => {
    expect(statementsOf("device npu0 32G\ndevice x 1T\ndevice y 1t")).toStrictEqual([
      { op: "device", dev: "npu0", size: 32 * 1024 ** 3 },
      { op: "device", dev: "x", size: 1024 ** 4 },
      { op: "device", dev: "y", size: 1024 ** 4 },
    ]);
    const st = statementsOf(
      "device 0000:01:00.0 1M\ndevice abcd:ff:1f.7 64k\nprocess p\np mmap a 0000:01:00.0 4K\nunbind 0000:01:00.0\nbind 0000:01:00.0\n",
    );
    expect(st[0]).toStrictEqual({ op: "device", dev: "0000:01:00.0", size: 1048576 });
    expect(st[1]).toStrictEqual({ op: "device", dev: "abcd:ff:1f.7", size: 65536 });
    expect(st[3]).toMatchObject({ op: "mmap", dev: "0000:01:00.0" });
    expect(st.slice(4)).toStrictEqual([
      { op: "unbind", dev: "0000:01:00.0" },
      { op: "bind", dev: "0000:01:00.0" },
    ]);
  });

  it("bind DEV", () => {
    expect(statementsOf("device d 1M\nunbind d\nbind d\nbind d\n").slice(1)).toStrictEqual([
      { op: "unbind", dev: "d" },
      { op: "bind", dev: "d" },
      // a second bind (EBUSY) is the simulator's business, not a scenario error
      { op: "bind", dev: "d" },
    ]);
  });

  it("P madvise MAP [OFF LEN] dontfork|dofork", () => {
    expect(
      statementsOf(
        `${MAPPED}p madvise a dontfork\np madvise a 4K 8k dofork\np madvise a 0 0 dontfork\n`,
      ).slice(3),
    ).toStrictEqual([
      { op: "madvise", proc: "p", map: "a", advice: "dontfork" },
      { op: "madvise", proc: "p", map: "a", off: 4096, len: 8192, advice: "dofork" },
      { op: "madvise", proc: "p", map: "a", off: 0, len: 0, advice: "dontfork" },
    ]);
  });

  it("inject FN ERRNO [after N]", () => {
    expect(
      statementsOf(
        "inject vm_insert_page ENOMEM\ninject vm_insert_page EBUSY after 3\ninject vmf_insert_mixed ENOMEM after 0\ninject gen_pool_alloc ENOMEM after 007\n",
      ),
    ).toStrictEqual([
      { op: "inject", fn: "vm_insert_page", errno: "ENOMEM" },
      { op: "inject", fn: "vm_insert_page", errno: "EBUSY", after: 3 },
      { op: "inject", fn: "vmf_insert_mixed", errno: "ENOMEM", after: 0 },
      { op: "inject", fn: "gen_pool_alloc", errno: "ENOMEM", after: 7 },
    ]);
  });

  it("a v1 text with a process named bind or inject keeps its meaning", () => {
    expect(
      statementsOf(
        "device d 1M\nprocess bind\nprocess inject\nbind mmap a d 4K\ninject fork c\nbind exit\n",
      ).slice(3),
    ).toStrictEqual([
      { op: "mmap", proc: "bind", map: "a", dev: "d", len: 4096, private: false },
      { op: "fork", proc: "inject", child: "c" },
      { op: "exit", proc: "bind" },
    ]);
    expect(errorOf("device d 1M\nprocess bind\nbind d")).toBe("3:6: unknown action 'd'");
    expect(hintOf("device d 1M\nprocess bind\nbind d")).toContain("'bind' names a process in this scenario");
  });
});

describe("language v2: cases that were scenario errors now run (the simulator gives the result)", () => {
  it.each([
    ["touch past the end of its label (SIGSEGV)", `${MAPPED}p touch a 16K`, { op: "touch", off: 16384 }],
    ["touch far past the end", `${MAPPED}p touch a 1T`, { op: "touch", off: 1024 ** 4 }],
    [
      "pin reaching past the end (EFAULT)",
      `${MAPPED}p pin io a 12K 8K`,
      { op: "pin", off: 12288, len: 8192 },
    ],
    ["munmap past the end (ok)", `${MAPPED}p munmap a 8K 1M`, { op: "munmap", off: 8192, len: 1048576 }],
    [
      "munmap OFF not a page multiple (EINVAL)",
      `${MAPPED}p munmap a 100 4K`,
      { op: "munmap", off: 100, len: 4096 },
    ],
    [
      "munmap LEN not a page multiple (rounded up)",
      `${MAPPED}p munmap a 0 5000`,
      { op: "munmap", off: 0, len: 5000 },
    ],
    ["munmap LEN 0 (EINVAL)", `${MAPPED}p munmap a 4K 0`, { op: "munmap", off: 4096, len: 0 }],
    ["madvise past the end (ENOMEM)", `${MAPPED}p madvise a 8K 64K dontfork`, { op: "madvise", off: 8192 }],
    [
      "mmap offset= not a page multiple (EINVAL)",
      `${HEAD}p mmap a d 4K offset=100`,
      { op: "mmap", offset: 100 },
    ],
  ])("%s", (_what, text, expected) => {
    expect(statementsOf(text).at(-1)).toMatchObject(expected);
  });
});

describe("language v2: errors", () => {
  it.each([
    [
      "kernel upstream 5.10",
      "1:17: design 'upstream' does not run in kernel 5.10: it has 6.2, 6.5, 6.12, 6.15, 7.3",
    ],
    ["kernel seed 7.3", "1:13: design 'seed' does not run in kernel 7.3: it has only 5.10"],
    ["kernel fault 6.12", "1:14: design 'fault' does not run in kernel 6.12: it has only 5.10"],
    ["kernel upstream 6.1", "1:17: unknown kernel version '6.1'"],
    ["kernel upstream v6.12", "1:17: unknown kernel version 'v6.12'"],
    ["kernel upstream 7.3 7.3", "1:21: unexpected '7.3'"],
    ["kernel huge 6.12", "1:13: design 'huge' does not run in kernel 6.12: it has only 7.3"],
    ["kernel huge-v1 5.10", "1:16: design 'huge-v1' does not run in kernel 5.10: it has only 7.3"],
    ["kernel hugepage", "1:8: unknown design 'hugepage'"],
    ["device 0000:0A:00.0 1M", "1:8: '0000:0A:00.0' is not a PCI address"],
    ["device 0000:01:20.0 1M", "1:8: '0000:01:20.0' is not a PCI address"],
    ["device 0000:01:00.8 1M", "1:8: '0000:01:00.8' is not a PCI address"],
    ["device 0000:01:00 1M", "1:8: '0000:01:00' is not a PCI address"],
    ["device 01:00.0 1M", "1:8: '01:00.0' is not a PCI address"],
    ["device 0000:01:00.0 1M\ndevice 0000:01:00.0 1M", "2:8: device '0000:01:00.0' is already declared"],
    ["device 0000:01:00.0 1M\nunbind 0000:02:00.0", "2:8: unknown device '0000:02:00.0'"],
    ["process 0000:01:00.0", "1:9: '0000:01:00.0' is not a valid process name"],
    ["device x 1T\ndevice y 0x10000001000", "2:10: device size 0x10000001000 is over 1T"],
    ["page 64K\ndevice d 4k", "2:10: device size 4k is not a multiple of the page size (64K)"],
    ["bind nvme0", "1:6: unknown device 'nvme0'"],
    ["bind", "1:6: missing device name"],
    ["device d 1M\nbind d d", "2:8: unexpected 'd'"],
    [`${MAPPED}p madvise a`, "4:13: missing advice"],
    [`${MAPPED}p madvise a nofork`, "4:13: unknown advice 'nofork'"],
    [`${MAPPED}p madvise b dontfork`, "4:11: process 'p' has no mapping 'b'"],
    [`${MAPPED}p madvise a 4K dontfork`, "4:13: madvise with an offset needs a length too"],
    [`${MAPPED}p madvise a 100 4K dontfork`, "4:13: offset 100 is not a multiple of the page size (4K)"],
    [`${MAPPED}p madvise a 0 5000 dontfork`, "4:15: length 5000 is not a multiple of the page size (4K)"],
    [`${MAPPED}p madvise a 0 4K`, "4:18: missing advice"],
    [`${MAPPED}p madvise a 0 4K dontfork dofork`, "4:27: unexpected 'dofork'"],
    [`${MAPPED}p madvise a dontfork 0 4K`, "4:22: unexpected '0'"],
    ["inject", "1:1: missing kernel function"],
    ["inject vm_insert_pages ENOMEM", "1:8: 'vm_insert_pages' is not a function p2pviz can make fail"],
    ["inject gen_pool_alloc EBUSY", "1:23: gen_pool_alloc cannot fail with 'EBUSY'"],
    ["inject vm_insert_page enomem", "1:23: vm_insert_page cannot fail with 'enomem'"],
    ["inject vm_insert_page", "1:23: missing errno"],
    ["inject vm_insert_page ENOMEM later 3", "1:30: unexpected 'later'"],
    ["inject vm_insert_page ENOMEM after", "1:36: missing count after 'after'"],
    ["inject vm_insert_page ENOMEM after 4K", "1:36: '4K' is not a count"],
    ["inject vm_insert_page ENOMEM after -1", "1:36: '-1' is not a count"],
    ["inject vm_insert_page ENOMEM after 2147483648", "1:36: count 2147483648 is over 2147483647"],
    [
      "inject vm_insert_page ENOMEM after 99999999999999999999999",
      "1:36: count 99999999999999999999999 is over 2147483647",
    ],
    ["inject vm_insert_page ENOMEM after 1 2", "1:38: unexpected '2'"],
  ])("%j -> %s", (text, expected) => {
    expect(errorOf(text)).toBe(expected);
  });

  it("hints say what would be right", () => {
    expect(hintOf("kernel seed 7.3")).toBe("without a version, seed runs in 5.10");
    expect(hintOf("kernel upstream 6.1")).toBe(
      "versions: 5.10, 6.2, 6.5, 6.12, 6.15, 7.3; upstream runs in 6.2, 6.5, 6.12, 6.15, 7.3",
    );
    expect(hintOf("kernel hugepage")).toBe("designs: upstream, seed, rfc-v1, fault, remap, huge, huge-v1");
    expect(hintOf("device 0000:0A:00.0 1M")).toBe("PCI addresses are lower-case hex: write 0000:0a:00.0");
    expect(hintOf("inject gen_pool_alloc EBUSY")).toBe("gen_pool_alloc can fail with ENOMEM");
    expect(hintOf("inject vmf_insert ENOMEM")).toBe(
      "functions: vm_insert_page (ENOMEM, EBUSY), vmf_insert_mixed (ENOMEM), gen_pool_alloc (ENOMEM)",
    );
  });

  it("everything version 1 rejected that v2 does not run is still an error", () => {
    expect(errorOf(`${HEAD}p exit\np madvise a dontfork`)).toBe("4:1: process 'p' exited at line 3");
    expect(errorOf(`${HEAD}p madvise a dontfork`)).toBe("3:11: process 'p' has no mapping 'a'");
    expect(errorOf(`${MAPPED}p pin io a 0 0`)).toBe("4:14: pin length must be at least one page");
    expect(errorOf(`${MAPPED}p pin io a 0 5000`)).toBe(
      "4:14: length 5000 is not a multiple of the page size (4K)",
    );
  });
});

describe("language v2: printing", () => {
  it("parse(print(ast)) gives the same AST for every new statement", () => {
    const r = parseScenario(
      "kernel upstream 6.12\npage 4K\ndevice 0000:01:00.0 1t\ndevice npu0 32g\nprocess p\np mmap a 0000:01:00.0 64k offset=100\np madvise a dontfork\np madvise a 4K 8K dofork\np touch a 1M\np munmap a 100 5000\np munmap a 0 0\ninject vm_insert_page EBUSY after 2\ninject gen_pool_alloc ENOMEM\nunbind 0000:01:00.0\nbind 0000:01:00.0\n",
    );
    if (!r.ok) throw new Error(JSON.stringify(r.diagnostics));
    const text = printScenario(r.scenario);
    expect(text).toContain("kernel upstream 6.12\n");
    expect(text).toContain("device 0000:01:00.0 1T\n");
    expect(text).toContain("device npu0 32G\n");
    expect(text).toContain("p mmap a 0000:01:00.0 64K offset=100\n");
    expect(text).toContain("p madvise a 4K 8K dofork\n");
    expect(text).toContain("p munmap a 100 5000\n");
    expect(text).toContain("inject vm_insert_page EBUSY after 2\n");
    const again = parseScenario(text);
    expect(again.ok && again.scenario).toStrictEqual(r.scenario);
  });
});

describe("language v2: property", () => {
  it("parse(print(ast)) is the identity on generated v2 scenarios, and print is a fixed point", () => {
    fc.assert(
      fc.property(arbDesign, arbChoices, fc.constantFrom(4096, 65536), (design, choices, page) => {
        const text = scenarioFrom(design, choices, page, { v2: true });
        const r = parseScenario(text);
        if (!r.ok) throw new Error(`${text}\n${JSON.stringify(r.diagnostics)}`);
        const printed = printScenario(r.scenario);
        const again = parseScenario(printed);
        expect(again.ok && again.scenario).toStrictEqual(r.scenario);
        expect(again.ok && printScenario(again.scenario)).toBe(printed);
      }),
      { numRuns: 300 },
    );
  });

  it("the v2 generator uses every statement v2 adds", () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(arbDesign, arbChoices, (design, choices) => {
        const r = parseScenario(scenarioFrom(design, choices, 4096, { v2: true }));
        if (r.ok)
          for (const st of r.scenario.statements)
            seen.add(st.op === "kernel" && st.version ? "kernel-version" : st.op);
      }),
      { numRuns: 200, seed: 42 },
    );
    for (const op of ["kernel-version", "bind", "madvise", "inject", "unbind", "touch", "munmap", "pin"]) {
      expect(seen).toContain(op);
    }
  });
});
