/**
 * The kernel-code panel's highlighted line agrees with what the kernel did: for every step of every
 * preset under every design, of the real-kernel corpus scenarios, and of generated scenarios, the
 * line names the errno or signal the statement ended with (and no other), a touch through a present
 * PTE stands on the no-fault line, and the line does what the event says (a reference taken or
 * put, a PTE set or cleared, a page allocated or freed ...).
 */
import { readdirSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { KernelEvent } from "../../src/kernel/events.ts";
import { codeContext, codeView, KERNEL_CODE } from "../../src/panels/kernel-code.ts";
import {
  DEFAULT_SOURCE_URL,
  DESIGN_KERNEL,
  hasRange,
  KERNEL_SOURCES,
  LINES_READ_AT,
  simulatedKernel,
  sourceUrl,
  sourceUrlTemplate,
} from "../../src/panels/kernel-sources.ts";
import { DESIGNS } from "../../src/scenario/ast.ts";
import { MODELLED_FUNCTIONS } from "../../src/trace/describe.ts";
import type { Trace } from "../../src/trace/trace.ts";
import { arbChoices, scenarioFrom } from "./gen.ts";
import { run } from "./helpers.ts";

const ROOT = resolve(import.meta.dirname, "../..");

function texts(dir: string): [string, string][] {
  const d = resolve(ROOT, dir);
  return readdirSync(d)
    .filter((f) => f.endsWith(".p2p"))
    .sort()
    .map((f) => [f, readFileSync(resolve(d, f), "utf8")]);
}

/** errnos and signals a line or a sentence names: -EINVAL -> EINVAL, VM_FAULT_SIGBUS -> SIGBUS */
function outcomes(s: string): Set<string> {
  const out = new Set<string>();
  for (const m of s.matchAll(/-(E[A-Z]{3,})\b/g)) out.add(m[1]!);
  for (const m of s.matchAll(/(?:\b|_)(SIGBUS|SIGSEGV)\b/g)) out.add(m[1]!);
  return out;
}

/** What the highlighted line must say for the event to agree with it. */
function expectedWords(e: KernelEvent, trace: Trace): RegExp | undefined {
  switch (e.kind) {
    case "page-ref":
      return e.delta > 0 ? /get|inc|add|set_page_count|atomic_set|\+/ : /put|sub|dec|drop|free|-1024/;
    case "pgref":
      return e.delta > 0 ? /get|tryget|inc/ : /put|kill|drop|dec/;
    case "pgref-kill":
      return /kill/;
    case "pte-set":
      return /set_pte|insert/;
    case "pte-clear":
      return /clear|zap|unmap/;
    case "genpool-alloc":
      return /alloc|set bits/;
    case "genpool-free":
      return /free/;
    case "page-free":
      return /page_free/;
    case "vma-create":
      return /vma|vm_area/;
    case "vma-remove":
      return /remove|free|unmap/;
    case "vma-split":
      return /split|vm_start|vm_end/;
    case "vma-flags":
      return /VM_|flags/;
    case "fault":
      return /pte_none|fault/;
    case "pin-page":
      return /grab|GUP_PIN_COUNTING_BIAS|1024/;
    case "unpin-page":
      return /unpin|sub|1024/;
    case "pin-create":
      return /pin|gup/i;
    case "pmap-create":
      return /kref_init/;
    case "pmap-kref":
      return e.delta > 0 ? /kref_get|open/ : /kref_put|close/;
    case "pmap-first":
      return e.to >= 0 ? /kaddr = / : /put_page|free/;
    case "process-add":
      return /dup_task_struct|copy/;
    case "process-exit":
      return /exit/;
    case "device-state":
      return e.to === "unbinding" ? /remove|unbound/ : /unbound|remove_group/;
    case "label-add":
      // do_mmap refuses a zero length or an unaligned offset before any address is chosen
      return e.label.len === 0 ? /return -EINVAL/ : /get_unmapped_area/;
    case "folio-ref":
      return e.delta > 0 ? /get|grab|add|atomic_set|set_page_count|\+/ : /put|sub|free|-/;
    case "folio-init":
      return /folio|compound|set_page_count/;
    case "leaf-set":
      return /set_pmd_at|set_pud_at|insert/;
    case "leaf-clear":
      return /clear|zap/;
    case "folio-free":
      return /free/;
    case "genpool-miss":
      return /no free run|NULL/;
    case "fallback":
      return /fall/;
    case "finding": {
      const kind = trace.findings[e.finding]?.kind;
      if (kind === "pin-holds-folio") return /folio|pin/;
      if (kind === "fork-not-shared") return /vma_needs_copy|copy/;
      if (kind === "huge-fallback") return /align|fall/;
      if (kind === "split-after-unbind") return /ENODEV|kernfs_get_active/;
      if (kind === "unaligned-refused") return /unaligned|IS_ALIGNED/;
      if (kind === "use-after-free") return /alloc|free/;
      if (kind === "leak") return /NULL|free|put|BUG/;
      if (kind === "unbind-hang") return /wait|block/;
      if (kind === "stale-mapping") return /present|ref_add|unbound|unmap/;
      if (kind === "alias") return /vm_start/;
      return undefined;
    }
    default:
      return undefined;
  }
}

interface Checked {
  steps: number;
  combos: Set<string>;
}

/** Checks every step of `trace`; returns the problems found, one line each. */
function check(name: string, trace: Trace, seen: Checked): string[] {
  const problems: string[] = [];
  for (const op of trace.ops) {
    for (let step = op.firstStep; step <= op.lastStep; step++) {
      const ctx = codeContext(trace, step)!;
      const e = ctx.event;
      const view = codeView(ctx);
      seen.steps++;
      seen.combos.add(`${e.fn}/${e.kind}/${op.result}`);
      const where = `${name} line ${op.line} '${op.text}' => ${op.result}, step ${step} ${e.fn}/${e.kind}`;
      if (view.hl < 0) {
        problems.push(`${where}: no excerpt`);
        continue;
      }
      const line = view.lines[view.hl]!;
      const said = outcomes(line);
      const noted = e.kind === "note" ? outcomes(e.text) : new Set<string>();
      // 1. a line that names errnos or signals names the statement's result, or the note's
      if (said.size > 0 && !said.has(op.result) && ![...noted].some((x) => said.has(x))) {
        problems.push(`${where}: the line '${line}' names ${[...said]} but the statement ended ${op.result}`);
      }
      // 2. the statement's end, and a note giving a reason, name its errno or signal
      const ends = e.kind === "result" || (e.kind === "pin-status" && e.to === "failed");
      if (ends && op.result !== "ok" && op.result !== "blocked" && !said.has(op.result)) {
        problems.push(`${where}: the line '${line}' does not name ${op.result}`);
      }
      for (const x of noted) {
        if ((x === op.result || x.startsWith("SIG")) && !said.has(x)) {
          problems.push(`${where}: the note says ${x} but the line '${line}' does not`);
        }
      }
      if (ends && op.result === "blocked" && !/block/.test(line)) {
        problems.push(`${where}: the statement blocked, the line '${line}' does not say so`);
      }
      // 3. a touch: no fault through a present PTE, a retried load after a fault
      const st = trace.scenario.statements[op.index];
      if (st?.op === "touch" && e.fn === "do_user_addr_fault" && op.result === "ok") {
        const want = ctx.faulted ? /retried/ : /present/;
        if (!want.test(line)) problems.push(`${where}: the line '${line}' should match ${want}`);
      }
      // 4. the line does what the event did
      const w = expectedWords(e, trace);
      if (w && !w.test(line)) problems.push(`${where}: the line '${line}' should match ${w}`);
    }
  }
  return problems;
}

describe("kernel-code panel: the highlighted line agrees with the event and its outcome", () => {
  const seen: Checked = { steps: 0, combos: new Set() };

  for (const [f, text] of texts("public/presets")) {
    it(`preset ${f}, every step under every design`, () => {
      const problems = DESIGNS.flatMap((d) => check(`${f} (${d})`, run(text, d), seen));
      expect(problems.slice(0, 20)).toEqual([]);
    });
  }

  // proposal presets (public/presets/huge) under their own design; the big ones are left to cli-run
  const proposals = (
    JSON.parse(readFileSync(resolve(ROOT, "public/presets/index.json"), "utf8")) as {
      file: string;
      proposal?: boolean;
      big?: boolean;
    }[]
  ).filter((p) => p.proposal && !p.big);
  for (const p of proposals) {
    it(`proposal preset ${p.file}, every step`, () => {
      const text = readFileSync(resolve(ROOT, "public/presets", p.file), "utf8");
      expect(check(p.file, run(text), seen).slice(0, 20)).toEqual([]);
    });
  }

  it("the real-kernel corpus scenarios, every step under every design", () => {
    const problems = texts("kernel-lab/scenarios").flatMap(([f, text]) =>
      DESIGNS.flatMap((d) => check(`${f} (${d})`, run(text, d), seen)),
    );
    expect(problems.slice(0, 20)).toEqual([]);
  });

  it("generated scenarios, every step", () => {
    const problems: string[] = [];
    fc.check(
      fc.property(fc.constantFrom(...DESIGNS), arbChoices, (d, choices) => {
        const text = scenarioFrom(d, choices);
        const found = check(`generated (${d})\n${text}\n`, run(text), seen);
        // the first failing scenario is the one reported (shrinking would overwrite it)
        if (problems.length === 0) problems.push(...found);
        return found.length === 0;
      }),
      { numRuns: 150, seed: 20261204, endOnFailure: true },
    );
    expect(problems.slice(0, 5)).toEqual([]);
  });

  it("covers every event kind and every statement outcome", () => {
    const kinds = new Set([...seen.combos].map((c) => c.split("/")[1]));
    const results = new Set([...seen.combos].map((c) => c.split("/")[2]));
    for (const k of [
      "design",
      "device-add",
      "genpool-add",
      "pgref",
      "pgref-kill",
      "device-state",
      "process-add",
      "process-exit",
      "label-add",
      "vma-create",
      "vma-remove",
      "vma-split",
      "vma-flags",
      "genpool-alloc",
      "genpool-free",
      "page-ref",
      "pte-set",
      "pte-clear",
      "pmap-create",
      "pmap-kref",
      "pmap-first",
      "pin-create",
      "pin-page",
      "unpin-page",
      "pin-status",
      "fault",
      "page-free",
      "note",
      "result",
      "finding",
      // the huge designs' (generated scenarios run them)
      "folio-init",
      "folio-ref",
      "leaf-set",
      "leaf-clear",
      "folio-free",
      "genpool-miss",
      "fallback",
    ]) {
      expect(kinds, k).toContain(k);
    }
    for (const r of [
      "ok",
      "EINVAL",
      "ENOMEM",
      "ENODEV",
      "EFAULT",
      "EREMOTEIO",
      "SIGBUS",
      "SIGSEGV",
      "blocked",
    ]) {
      expect(results, r).toContain(r);
    }
    expect(seen.steps).toBeGreaterThan(10_000);
  });
});

describe("kernel-code panel: touch takes the path the kernel took", () => {
  const line = (text: string, n: number, design?: (typeof DESIGNS)[number]) => {
    const t = run(text, design);
    const op = t.ops.find((o) => o.line === n)!;
    const v = codeView(codeContext(t, op.lastStep)!);
    return v.lines[v.hl];
  };
  const base = "kernel upstream\ndevice nvme0 1M\nprocess fio\nfio mmap buf nvme0 8K\n";
  it("a present PTE: no fault", () => {
    expect(line(`${base}fio touch buf 0\n`, 5)).toMatch(/present: the MMU completes the load, no fault/);
  });
  it("after an unbind: SIGBUS, not SIGSEGV", () => {
    expect(line(`${base}unbind nvme0\nfio touch buf 0\n`, 6)).toMatch(
      /VM_FAULT_SIGBUS: do_sigbus\(\) -> SIGBUS/,
    );
  });
  it("outside any VMA: SIGSEGV", () => {
    expect(line(`${base}fio munmap buf\nfio touch buf 0\n`, 6)).toMatch(
      /!vma: bad_area_nosemaphore\(\) -> SIGSEGV/,
    );
  });
  it("the fault design's first touch: the load is retried after the fault", () => {
    expect(line(`${base}fio touch buf 0\n`, 5, "fault")).toMatch(/retried/);
  });
  it("MMF_HAS_PINNED is set by the GUP entry, not inside try_grab_folio", () => {
    expect(KERNEL_CODE.try_grab_folio!.lines.join("\n")).not.toMatch(/MMF_HAS_PINNED/);
    expect(KERNEL_CODE.pin_user_pages!.lines.join("\n")).toMatch(/mm_set_has_pinned_flag/);
  });
});

describe("kernel-code panel: source files and line ranges", () => {
  it("every modelled function has a file and either a line range or a reason for none", () => {
    for (const fn of MODELLED_FUNCTIONS) {
      const s = KERNEL_SOURCES[fn];
      expect(s, fn).toBeDefined();
      if (s && hasRange(s)) {
        expect(s.from, fn).toBeGreaterThan(0);
        expect(s.to, fn).toBeGreaterThanOrEqual(s.from);
        expect(s.file, fn).toMatch(/^(mm|drivers|lib|kernel|fs|include|arch)\/[a-z0-9_/.-]+\.[ch]$/);
      } else if (s) {
        expect(s.note.length, fn).toBeGreaterThan(10);
      }
    }
    expect(Object.keys(KERNEL_SOURCES).sort()).toEqual([...MODELLED_FUNCTIONS].sort());
  });

  it("links to the version the lines were read in, through the template", () => {
    const r = KERNEL_SOURCES.p2pmem_alloc_mmap!;
    if (!hasRange(r)) throw new Error("p2pmem_alloc_mmap has a range");
    expect(sourceUrl(DEFAULT_SOURCE_URL, LINES_READ_AT, r)).toBe(
      "https://elixir.bootlin.com/linux/v6.12.117/source/drivers/pci/p2pdma.c#L92",
    );
    expect(sourceUrl("https://git.example/{VERSION}/{FILE}?l={LINE}-{END}", "6.12.117", r)).toBe(
      "https://git.example/6.12.117/drivers/pci/p2pdma.c?l=92-163",
    );
    expect(sourceUrlTemplate(null, undefined)).toBe(DEFAULT_SOURCE_URL);
    expect(sourceUrlTemplate("javascript:alert(1)//{FILE}", undefined)).toBe(DEFAULT_SOURCE_URL);
    expect(sourceUrlTemplate(null, "https://src.example/{FILE}#{LINE}")).toBe(
      "https://src.example/{FILE}#{LINE}",
    );
  });

  it("every design says which Linux it simulates", () => {
    expect(DESIGN_KERNEL.upstream.version).toBe("7.3.4");
    for (const d of ["seed", "rfc-v1", "fault"] as const) expect(DESIGN_KERNEL[d].version).toBe("5.10");
  });

  it("says the version a run was switched to (versions.ts), not its design's default", () => {
    expect(simulatedKernel("upstream", "7.3").version).toBe("7.3.4");
    expect(simulatedKernel("upstream", "6.12").version).toBe("6.12.117");
    expect(simulatedKernel("upstream", "6.5")).toEqual({
      version: "6.5",
      what: "p2pmem_alloc_mmap() in Linux 6.5-6.11",
    });
    expect(simulatedKernel("seed", "5.10")).toBe(DESIGN_KERNEL.seed);
    expect(simulatedKernel("remap", "6.15").version).toBe("6.15");
  });
});
