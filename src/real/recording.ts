/**
 * Recordings: what the real kernel did for one scenario, committed under
 * kernel-lab/recordings/<kernel>/<name>.json, so that the model can be checked against the kernel
 * without booting anything (test/unit/real-conformance.test.ts). Recordings are written only by
 * `npm run real:record` (src/real/record-cli.ts), never by hand.
 */
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { ConformanceException, Field } from "./compare.ts";
import type { RealRun } from "./guest-output.ts";
import { LAB_DIR } from "./lab.ts";

export const RECORDINGS_DIR = join(LAB_DIR, "recordings");
export const EXCEPTIONS_FILE = join(RECORDINGS_DIR, "exceptions.json");

export interface Recording {
  /** /2 adds lab, guestOutput and guestOutputSha256 */
  readonly format: "p2pviz-real-recording/1" | "p2pviz-real-recording/2";
  /** e.g. "presets/upstream-basic", "corpus/seed-0007" */
  readonly name: string;
  /** where the scenario came from */
  readonly source: string;
  /** the exact text the guest ran (a non-upstream preset is run with its `kernel` line as upstream) */
  readonly scenario: string;
  /** the kernel release (`uname -r` in the guest), e.g. "7.3.4" */
  readonly kernel: string;
  /** which lab kernel ran it ("6.12" or "7.3"; format /2) */
  readonly lab?: string;
  readonly qemu: string;
  /** "debug" (with the debug_pages patch) or "nopatch" */
  readonly variant: string;
  /** sha256 key of the kernel build (fragment + patch + source package) */
  readonly build: string;
  readonly run: RealRun;
  /** the guest's raw output, its P2PRUN lines (guestLines; format /2); `run` is parsed from it */
  readonly guestOutput?: readonly string[];
  /** sha256 (hex) of guestOutput joined with "\n": a hand edit of either shows (format /2) */
  readonly guestOutputSha256?: string;
  /** host wall time of the QEMU run (boot, scenario, poweroff), ms */
  readonly wallMs: number;
}

/** Replaces a non-upstream `kernel` line by `kernel upstream` (same line numbers). */
export function asUpstream(text: string): { text: string; from?: string } {
  let from: string | undefined;
  const lines = text.split("\n").map((l) => {
    const m = /^(\s*)kernel\s+([a-z0-9-]+)(.*)$/.exec(l);
    if (m && m[2] !== "upstream") {
      from = m[2];
      return `${m[1]}kernel upstream${m[3]}`;
    }
    return l;
  });
  return { text: lines.join("\n"), ...(from ? { from } : {}) };
}

export function listRecordings(dir = RECORDINGS_DIR): Recording[] {
  const out: Recording[] = [];
  if (!existsSync(dir)) return out;
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith(".json") && e.name !== "exceptions.json") {
        const r = JSON.parse(readFileSync(p, "utf8")) as Recording;
        if (r.format === "p2pviz-real-recording/1" || r.format === "p2pviz-real-recording/2") out.push(r);
      }
    }
  };
  walk(dir);
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

export function sha256Hex(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

const FIELDS: readonly Field[] = ["result", "pool", "refs"];

export function loadExceptions(file = EXCEPTIONS_FILE): ConformanceException[] {
  if (!existsSync(file)) return [];
  const raw = JSON.parse(readFileSync(file, "utf8")) as { exceptions?: unknown };
  const list = Array.isArray(raw.exceptions) ? raw.exceptions : [];
  return list.map((e, i) => {
    const x = e as Partial<ConformanceException>;
    if (
      typeof x.recording !== "string" ||
      typeof x.kernel !== "string" ||
      typeof x.line !== "number" ||
      typeof x.kernelValue !== "string" ||
      typeof x.modelValue !== "string" ||
      !FIELDS.includes(x.field as Field) ||
      typeof x.reason !== "string" ||
      x.reason.trim().length < 20
    ) {
      throw new Error(
        `${file}: exception #${i} needs recording, kernel, line, field (${FIELDS.join("/")}), kernelValue, modelValue and a reason`,
      );
    }
    return x as ConformanceException;
  });
}
