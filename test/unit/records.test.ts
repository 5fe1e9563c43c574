/** The packed record store (src/kernel/records.ts): what goes in comes out, in numbers. */
import { describe, expect, it } from "vitest";
import type { KernelEvent } from "../../src/kernel/events.ts";
import { FIELDS, KIND_NAMES, RecordStore } from "../../src/kernel/records.ts";
import { eventsOf } from "../../src/trace/trace.ts";
import { run } from "./helpers.ts";

describe("RecordStore", () => {
  it("round-trips events, 53-bit fields (pte, vpn) and booleans exactly", () => {
    const s = new RecordStore();
    const evs: KernelEvent[] = [
      {
        kind: "pte-set",
        fn: "insert_page_into_pte_locked",
        line: 3,
        proc: 1,
        vpn: 2 ** 35 - 7,
        pte: 0x40_0000_0000 * 4096 + 5,
        rmap: 1,
      },
      { kind: "page-ref", fn: "vm_insert_page", line: 4, dev: 0, page: 123, delta: -1024, to: 1 },
      {
        kind: "vma-split",
        fn: "__split_vma",
        line: 5,
        proc: 0,
        vma: { id: 1, start: 0, end: 8192, pgoff: 0, flags: 3, dev: 0, pmap: -1, label: "a" },
        at: 4096,
        newId: 2,
        newBelow: true,
        upperPgoff: 1,
      },
      { kind: "note", fn: "p2pviz", line: 6, text: "hello" },
    ];
    for (const e of evs) s.push(e);
    s.pushLoop(7, 3, [
      { kind: "genpool-free", fn: "gen_pool_free_owner", line: 7, dev: 2, page: 9, owner: -1 },
    ]);
    s.trim();
    expect(s.length).toBe(5);
    expect([...s].slice(0, 4)).toEqual(evs);
    expect(s.get(4)).toEqual({
      kind: "loop",
      line: 7,
      n: 3,
      body: [{ kind: "genpool-free", fn: "gen_pool_free_owner", line: 7, dev: 2, page: 9, owner: -1 }],
    });
    expect(s.kindOf(4)).toBe("loop");
    expect([s.end(3), s.end(4)]).toEqual([4, 7]);
    expect(s.indexOfStep(5)).toBe(4);
  });

  it("keeps kernel function names apart from field strings: 70,000 distinct names don't push a function past 16 bits", () => {
    // fn is a Uint16 column: when names, errnos and notes shared its table, the 65,537th string
    // made a function first seen after it come back as another one.
    const s = new RecordStore();
    for (let i = 0; i < 70_000; i++) s.push({ kind: "note", fn: "should_fail", line: 1, text: `n${i}` });
    const long = `a sentence longer than forty characters, stored without hashing it (${"x".repeat(30)})`;
    s.push({ kind: "note", fn: "a_function_seen_late", line: 2, text: long });
    s.push({ kind: "note", fn: "should_fail", line: 3, text: long });
    s.trim();
    expect(s.get(70_000)).toEqual({ kind: "note", fn: "a_function_seen_late", line: 2, text: long });
    expect(s.get(70_001)).toEqual({ kind: "note", fn: "should_fail", line: 3, text: long });
    expect(s.get(69_999)).toEqual({ kind: "note", fn: "should_fail", line: 1, text: "n69999" });
  });

  it("refuses a value that does not fit a 32-bit field instead of storing it wrong", () => {
    const s = new RecordStore();
    expect(() => s.push({ kind: "genpool-add", fn: "gen_pool_add_owner", line: 1, dev: 2 ** 40 })).toThrow(
      /does not fit 32 bits/,
    );
  });

  it("lists every event kind once", () => {
    expect(new Set(KIND_NAMES).size).toBe(Object.keys(FIELDS).length);
  });

  it("a trace stores numbers: a 32 GiB mmap costs bytes, not objects per page", () => {
    const t = run("kernel upstream\ndevice d 32G\nprocess p\np mmap a d 32G\np munmap a\n");
    expect(t.steps).toBeGreaterThan(8 * 2 ** 20 * 3);
    expect(t.records.bytes).toBeLessThan(4096);
    const few = [...eventsOf(t, 0, 5)];
    expect(few).toHaveLength(5);
  });
});
