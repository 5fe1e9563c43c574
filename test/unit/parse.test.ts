/** The scenario language v1: every kind of bad input is a located diagnostic, never a default. */
import { describe, expect, it } from "vitest";
import { parseScenario } from "../../src/scenario/parse.ts";
import { printScenario } from "../../src/scenario/print.ts";
import { parseSize } from "../../src/scenario/size.ts";

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
  it("refuses lower-case suffixes, junk and absurd sizes with a message", () => {
    expect(parseSize("64k")).toMatchObject({ error: expect.stringContaining("lower-case") });
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
    ["device d 8G", "1:10: device size 8G is over 4G"],
    ["device d 0", "1:10: device size must be at least one page"],
    ["device d 1M\ndevice d 1M", "2:8: device 'd' is already declared"],
    ["device D 1M", "1:8: 'D' is not a valid device name"],
    ["device d", "1:10: missing device size"],
    ["process p\nprocess p", "2:9: process 'p' already exists"],
    ["process unbind", "1:9: 'unbind' is a keyword and cannot name a process"],
    [`${HEAD}p mmap a nvme9 4K`, "3:10: unknown device 'nvme9'"],
    [`${HEAD}q mmap a d 4K`, "3:1: unknown process 'q'"],
    [`${HEAD}p mmap a d 4K\np mmap a d 4K`, "4:8: process 'p' already has a mapping 'a'"],
    [`${HEAD}p mmap a d 4K offset=100`, "3:15: offset offset=100 is not a multiple of the page size (4K)"],
    [`${HEAD}p mmap a d 4K shared`, "3:15: unexpected 'shared'"],
    [`${HEAD}p mmap a d 4K private private`, "3:23: unexpected 'private'"],
    [`${HEAD}p frob a`, "3:3: unknown action 'frob'"],
    [`${HEAD}p touch b 0`, "3:9: process 'p' has no mapping 'b'"],
    [`${HEAD}p mmap a d 4K\np touch a 4K`, "4:11: offset 4K is past the end of 'a' (4K)"],
    [`${HEAD}p mmap a d 8K\np munmap a 4K 8K`, "4:15: range 4K+8K is past the end of 'a' (8K)"],
    [`${HEAD}p mmap a d 8K\np munmap a 4K`, "4:12: munmap with an offset needs a length too"],
    [`${HEAD}p mmap a d 8K\np munmap a 100 4K`, "4:12: offset 100 is not a multiple of the page size (4K)"],
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
