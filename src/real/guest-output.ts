/**
 * What the lab guest (kernel-lab/guest/p2prun.c) printed, as data. The guest prints one
 * `P2PRUN STEP <line> <result> <dev>=<bytes|gone> ...` line per statement and, when the kernel has
 * the observation-only debug_pages patch, `P2PRUN REFS <line> <dev> <first-last:ref:map> ... free
 * <ref:count> ...` (the allocated pages, then how many free pages rest at each refcount).
 * Everything else on the serial console (firmware banners, kernel messages) is ignored.
 */

/** A run of consecutive allocated pages with the same refcount and mapcount (pool page indices). */
export interface RefRun {
  readonly first: number;
  readonly last: number;
  readonly ref: number;
  readonly map: number;
}

export interface RealStatement {
  /** 1-based source line */
  readonly line: number;
  /** the statement's source text, without comment */
  readonly text: string;
  /** "ok", an errno name, "SIGBUS"/"SIGSEGV", "short:N" (a partial O_DIRECT), or "UNSUPPORTED" */
  readonly result: string;
  /** sysfs `available` of each declared device in bytes after the statement; null once p2pmem/ is gone */
  readonly available: Readonly<Record<string, number | null>>;
  /** allocated pages below the scenario's device size, from p2pmem/debug_pages; null when gone */
  readonly refcounts?: Readonly<Record<string, readonly RefRun[] | null>>;
  /**
   * free pages of each device's pool by refcount ({"1": 250} = 250 free pages at refcount 1), from
   * p2pmem/debug_pages; null when gone; absent when the patch predates the free-page tally
   */
  readonly freeRefcounts?: Readonly<Record<string, Readonly<Record<string, number>> | null>>;
  /** a `pin` whose O_DIRECT read the lab kept in flight until its `unpin` (a held pin) */
  readonly held?: true;
}

export interface RealRun {
  readonly format: "p2pviz-real/1";
  /** `uname -r` in the guest */
  readonly kernel: string;
  readonly debugPages: boolean;
  readonly statements: readonly RealStatement[];
  readonly notes: readonly string[];
  /** guest uptime (s) when the scenario started and when the guest finished */
  readonly guestStart?: number;
  readonly guestEnd?: number;
}

/** The guest stopped before running the scenario (a statement it cannot run, a missing device). */
export class GuestFatal extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(line > 0 ? `line ${line}: ${message}` : message);
  }
}

/**
 * The guest's own output in a console log: every `P2PRUN ...` line, from "P2PRUN" on, in order
 * (firmware banners and kernel messages dropped). parseGuestOutput(guestLines(c).join("\n"), text)
 * equals parseGuestOutput(c, text); recordings store these lines and their sha256.
 */
export function guestLines(consoleText: string): string[] {
  const out: string[] = [];
  for (const raw of consoleText.split(/\r?\n/)) {
    const at = raw.indexOf("P2PRUN ");
    if (at >= 0) out.push(raw.slice(at).trimEnd());
  }
  return out;
}

/** the note the lab (not the guest) adds to a run whose first boot never reached the guest program */
export const BOOT_RETRY_NOTE = "the first boot never reached the guest program and was retried";

/** Source lines of a scenario without comments, by 1-based line number. */
export function sourceLines(text: string): Map<number, string> {
  const m = new Map<number, string>();
  text.split("\n").forEach((raw, i) => {
    const t = raw.replace(/#.*/, "").trim().replace(/\s+/g, " ");
    if (t) m.set(i + 1, t);
  });
  return m;
}

function parseRuns(words: readonly string[], devPages: number | undefined): RefRun[] | null {
  if (words.length === 1 && words[0] === "gone") return null;
  const runs: RefRun[] = [];
  for (const w of words) {
    const m = /^(\d+)-(\d+):(-?\d+):(-?\d+)$/.exec(w);
    if (!m) continue; // "+" marks a listing cut at the sysfs page limit
    const first = Number(m[1]);
    let last = Number(m[2]);
    if (devPages !== undefined) {
      // pages at or past the scenario's device size belong to the lab's filler mapping
      if (first >= devPages) continue;
      last = Math.min(last, devPages - 1);
    }
    runs.push({ first, last, ref: Number(m[3]), map: Number(m[4]) });
  }
  return runs;
}

/**
 * Parses the guest's console output. `scenarioText` supplies each statement's text. Throws
 * GuestFatal when the guest refused the scenario, and an Error when the output is cut short.
 */
export function parseGuestOutput(output: string, scenarioText: string): RealRun {
  const src = sourceLines(scenarioText);
  let kernel = "";
  let debugPages = false;
  let ended = false;
  let guestStart: number | undefined;
  let guestEnd: number | undefined;
  const notes: string[] = [];
  const devPages = new Map<string, number>();
  const statements: RealStatement[] = [];
  const refs = new Map<number, Record<string, RefRun[] | null>>();
  const freeRefs = new Map<number, Record<string, Record<string, number> | null>>();
  let sawFree = false;
  const heldLines = new Set<number>();
  for (const raw of output.split(/\r?\n/)) {
    const at = raw.indexOf("P2PRUN ");
    if (at < 0) continue;
    const line = raw.slice(at + 7).trim();
    const words = line.split(/\s+/);
    const kind = words[0];
    if (kind === "KERNEL") kernel = words[1] ?? "";
    else if (kind === "DEBUG_PAGES") debugPages = words[1] === "1";
    else if (kind === "START") guestStart = Number(words[1]);
    else if (kind === "FATAL") {
      throw new GuestFatal(Number(words[1]), words.slice(2).join(" "));
    } else if (kind === "FILLER") {
      // FILLER dev cmb=N size=N pages=A-B
      const dev = words[1] ?? "";
      const size = Number((words.find((w) => w.startsWith("size=")) ?? "size=0").slice(5));
      const cmb = Number((words.find((w) => w.startsWith("cmb=")) ?? "cmb=0").slice(4));
      const pages = (words.find((w) => w.startsWith("pages=")) ?? "pages=?").slice(6);
      devPages.set(dev, size / 4096);
      notes.push(
        `device ${dev}: the NVMe CMB is ${cmb} bytes (a power of two >= 2 MiB); a filler mapping holds pool pages ${pages} so that 'available' starts at the scenario's ${size}`,
      );
    } else if (kind === "DEVICE") {
      const dev = words[1] ?? "";
      const cmb = Number((words.find((w) => w.startsWith("cmb=")) ?? "cmb=0").slice(4));
      if (!devPages.has(dev)) devPages.set(dev, cmb / 4096);
    } else if (kind === "PROBE") {
      // PROBE <name> <what> <result>: a probe outside the language (guest/p2prun.c)
      notes.push(`probe ${words.slice(1).join(" ")}`);
    } else if (kind === "UNBOUND") {
      // UNBOUND <line> <dev> <result> after N ms: a blocked unbind returned
      notes.push(
        `line ${words[1]}: the blocked unbind of ${words[2]} returned (${words.slice(3).join(" ")})`,
      );
    } else if (kind === "HELD") {
      heldLines.add(Number(words[1]));
    } else if (kind === "NOTE") {
      notes.push(`line ${words[1]}: ${words.slice(2).join(" ")}`);
    } else if (kind === "TIMING") {
      notes.push(words.slice(1).join(" "));
    } else if (kind === "DMESG") {
      const msg = line.slice(6).trim();
      if (/WARNING|BUG|Oops|I\/O error|fail/.test(msg)) notes.push(`dmesg: ${msg.replace(/^<\d>/, "")}`);
    } else if (kind === "STEP") {
      const n = Number(words[1]);
      const available: Record<string, number | null> = {};
      for (const w of words.slice(3)) {
        const eq = w.indexOf("=");
        if (eq < 0) continue;
        const v = w.slice(eq + 1);
        available[w.slice(0, eq)] = v === "gone" ? null : Number(v);
      }
      statements.push({ line: n, text: src.get(n) ?? "", result: words[2] ?? "?", available });
    } else if (kind === "REFS") {
      const n = Number(words[1]);
      const dev = words[2] ?? "";
      const r = refs.get(n) ?? {};
      const rest = words.slice(3);
      const fi = rest.indexOf("free");
      r[dev] = parseRuns(fi >= 0 ? rest.slice(0, fi) : rest, devPages.get(dev));
      refs.set(n, r);
      if (rest.length === 1 && rest[0] === "gone") {
        const f = freeRefs.get(n) ?? {};
        f[dev] = null;
        freeRefs.set(n, f);
      } else if (fi >= 0) {
        sawFree = true;
        const tally: Record<string, number> = {};
        let filler = 0;
        let cut = false;
        for (const w of rest.slice(fi + 1)) {
          const m = /^(-?\d+):(\d+)$/.exec(w);
          if (m) tally[m[1] ?? ""] = Number(m[2]);
          else if (w.startsWith("filler=")) filler = Number(w.slice(7));
          else if (w === "+") cut = true;
        }
        // "filler=N": N of the free pages are the lab's zapped filler (a blocked unbind); they
        // rest at the free refcount, which is unambiguous only when all free pages share one
        const keys = Object.keys(tally);
        const f = freeRefs.get(n) ?? {};
        if (cut || (filler > 0 && keys.length !== 1)) {
          // not comparable: leave the device out
        } else {
          const k = keys[0] ?? "";
          if (filler > 0) tally[k] = (tally[k] ?? 0) - filler;
          if (tally[k] === 0) delete tally[k];
          f[dev] = tally;
        }
        freeRefs.set(n, f);
      }
    } else if (kind === "END") {
      ended = true;
      const up = words.find((w) => w.startsWith("uptime="));
      if (up) guestEnd = Number(up.slice(7));
    }
  }
  if (!kernel) throw new Error("the guest printed nothing (did the kernel boot? see the console log)");
  if (!ended) {
    const last = statements.at(-1);
    throw new Error(
      `the guest stopped before the end of the scenario (last statement reported: ${last ? `line ${last.line}` : "none"})`,
    );
  }
  const withRefs = statements.map((s) => ({
    ...s,
    ...(debugPages ? { refcounts: refs.get(s.line) ?? {} } : {}),
    ...(debugPages && sawFree ? { freeRefcounts: freeRefs.get(s.line) ?? {} } : {}),
    ...(heldLines.has(s.line) ? { held: true as const } : {}),
  }));
  return {
    format: "p2pviz-real/1",
    kernel,
    debugPages,
    statements: withRefs,
    notes,
    ...(guestStart !== undefined ? { guestStart } : {}),
    ...(guestEnd !== undefined ? { guestEnd } : {}),
  };
}
