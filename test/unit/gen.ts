/**
 * Random valid scenarios for property tests: a list of small integer tuples is turned into
 * statements by an interpreter that tracks which names exist, so every scenario parses and
 * fast-check can shrink the tuple list.
 *
 * With `v2`, the scenarios also use what language v2 adds (a kernel version, a PCI-address device,
 * lower-case and T suffixes, bind, madvise, inject, offsets past the end of a label, unaligned munmap
 * and mmap offsets). The simulator does not run those statements yet, so only parse/print tests use
 * them.
 */
import fc from "fast-check";
import {
  DESIGN_VERSIONS,
  DESIGNS,
  type Design,
  INJECT_ERRNOS,
  type KernelVersion,
} from "../../src/scenario/ast.ts";
import { formatSize } from "../../src/scenario/size.ts";

export type Choice = [number, number, number, number];

export interface GenOptions {
  /** also generate the statements and forms language v2 adds */
  readonly v2?: boolean;
}

/** A size in a form v2 reads but print does not write: lower-case suffix, or hex with a suffix. */
function v2Size(n: number, pick: number): string {
  const canonical = formatSize(n);
  if (pick % 3 === 0) return canonical.toLowerCase();
  if (pick % 3 === 1 && n % 1024 === 0) return `0x${(n / 1024).toString(16)}k`;
  return canonical;
}

export function scenarioFrom(
  design: Design,
  choices: readonly Choice[],
  page = 4096,
  opts: GenOptions = {},
): string {
  const v2 = opts.v2 === true;
  const first = choices[0] ?? [0, 0, 0, 0];
  const versions = DESIGN_VERSIONS[design];
  const version = v2 && first[0] % 3 !== 0 ? versions[first[1] % versions.length] : undefined;
  const out = [version ? `kernel ${design} ${version}` : `kernel ${design}`];
  if (page !== 4096) out.push(`page ${formatSize(page)}`);
  const devices: { name: string; pages: number }[] = [];
  // The huge designs get devices of 4 and 2 PMD folios and, now and then, PMD-sized mappings and
  // folio-aligned partial munmaps, so their folio paths run (huge.md §7).
  const huge = design === "huge" || design === "huge-v1";
  const unit = huge ? (page === 65536 ? 8192 : 512) : 1;
  const devPages = huge ? [4 * unit, 2 * unit, unit] : [64, 32, 16];
  for (let i = 0; i < 2; i++) {
    const name = v2 && i === 1 ? "0000:01:00.0" : `d${i}`;
    devices.push({ name, pages: devPages[i]! });
    out.push(
      `device ${name} ${v2 ? v2Size(devPages[i]! * page, first[2] + i) : formatSize(devPages[i]! * page)}`,
    );
  }
  if (v2 && first[3] % 4 === 0) out.push(`device big ${first[3] % 8 === 0 ? "1T" : "32g"}`);
  interface P {
    name: string;
    alive: boolean;
    labels: Map<string, number>;
  }
  const procs: P[] = [{ name: "p0", alive: true, labels: new Map() }];
  out.push("process p0");
  const pins: { name: string; held: boolean; dev: number }[] = [];
  /** the device index of each label (names are unique across processes, forks share them) */
  const labelDev = new Map<string, number>();
  let labelN = 0;
  for (const [a, b, c, d] of choices) {
    const alive = procs.filter((p) => p.alive);
    const p = alive[b % Math.max(1, alive.length)];
    const kind = a % 14;
    if (!p || kind === 0) {
      if (procs.length < 6) {
        const name = `p${procs.length}`;
        procs.push({ name, alive: true, labels: new Map() });
        out.push(`process ${name}`);
      }
      continue;
    }
    // A pin needs a mapping: from a process with none, the pin is taken by one that has some.
    const q =
      (kind === 5 || kind === 13) && p.labels.size === 0 ? (alive.find((x) => x.labels.size > 0) ?? p) : p;
    const labels = [...q.labels.entries()];
    const label = labels[c % Math.max(1, labels.length)];
    if (v2 && (a + d) % 3 === 0) {
      const line = v2Statement(q.name, label, devices, page, [a, b, c, d]);
      if (line) out.push(line);
      continue;
    }
    switch (kind) {
      case 1:
      case 2:
      case 3: {
        const dev = devices[d % devices.length]!;
        // now and then a mapping larger than what is left of the pool (ENOMEM)
        const pages =
          huge && d % 3 !== 1
            ? unit * (1 + (c % 2))
            : d % 13 === 4
              ? 24 + (c % 24) + (huge ? 4 * unit : 0)
              : 1 + (c % 12);
        const name = `m${labelN++}`;
        labelDev.set(name, d % devices.length);
        const extra =
          d % 17 === 5
            ? " private"
            : d % 19 === 7
              ? ` offset=${formatSize(page)}`
              : v2 && d % 23 === 3
                ? " offset=100" // v2: not a page multiple, EINVAL
                : "";
        p.labels.set(name, pages);
        out.push(`${p.name} mmap ${name} ${dev.name} ${formatSize(pages * page)}${extra}`);
        break;
      }
      case 4:
        if (label) out.push(`${p.name} touch ${label[0]} ${formatSize((d % label[1]) * page)}`);
        break;
      case 5:
      case 13:
        if (label) {
          const off = d % label[1];
          const len = 1 + (c % (label[1] - off)) + (v2 ? a % 3 : 0); // v2: may reach past the end (EFAULT)
          const name = `io${pins.length}`;
          const flags = a % 13 === 5 ? " nop2p" : a % 17 === 5 ? " longterm" : "";
          pins.push({ name, held: true, dev: labelDev.get(label[0])! });
          out.push(
            `${q.name} pin ${name} ${label[0]} ${formatSize(off * page)} ${formatSize(len * page)}${flags}`,
          );
        }
        break;
      case 6: {
        const held = pins.filter((x) => x.held);
        const pin = held[d % Math.max(1, held.length)];
        if (pin) {
          pin.held = false;
          out.push(`unpin ${pin.name}`);
        }
        break;
      }
      case 7:
        if (procs.length < 8) {
          const name = `p${procs.length}`;
          procs.push({ name, alive: true, labels: new Map(p.labels) });
          out.push(`${p.name} fork ${name}`);
        }
        break;
      case 8:
        if (label) {
          out.push(`${p.name} munmap ${label[0]}`);
          p.labels.delete(label[0]); // gone: later choices pick a label still mapped
        }
        break;
      case 9:
      case 10:
        if (label && label[1] > 1) {
          // a third of them cut the front of the label (the fault design's alias case)
          const aligned = huge && label[1] % unit === 0 && d % 2 === 0;
          const off = aligned ? unit * (d % (label[1] / unit)) : d % 3 === 0 ? 0 : d % label[1];
          const len = aligned ? unit * (1 + (c % ((label[1] - off) / unit))) : 1 + (c % (label[1] - off));
          out.push(`${p.name} munmap ${label[0]} ${formatSize(off * page)} ${formatSize(len * page)}`);
          // and then a load from what is left above the hole
          if (d % 3 === 0 && len < label[1])
            out.push(`${p.name} touch ${label[0]} ${formatSize(len * page)}`);
        }
        break;
      case 12: {
        // unbind: mostly the device of a pin still held, so the unbind waits for that pin
        const held = pins.filter((x) => x.held);
        if (held.length > 0 && c % 3 !== 0) out.push(`unbind ${devices[held[d % held.length]!.dev]!.name}`);
        else if (label) out.push(`${p.name} touch ${label[0]} 0`);
        break;
      }
      default:
        if (d % 5 === 0) out.push(`unbind ${devices[c % devices.length]!.name}`);
        else if (d % 5 === 1) {
          p.alive = false;
          out.push(`${p.name} exit`);
        } else if (label) out.push(`${p.name} touch ${label[0]} 0`);
    }
  }
  return `${out.join("\n")}\n`;
}

/** One statement of what v2 adds, or undefined when the choice needs a label and there is none. */
function v2Statement(
  proc: string,
  label: [string, number] | undefined,
  devices: readonly { name: string }[],
  page: number,
  [a, b, c, d]: Choice,
): string | undefined {
  const dev = devices[c % devices.length]!.name;
  const fns = Object.keys(INJECT_ERRNOS) as (keyof typeof INJECT_ERRNOS)[];
  switch (b % 8) {
    case 0:
      return `bind ${dev}`;
    case 1: {
      const fn = fns[c % fns.length]!;
      const errnos = INJECT_ERRNOS[fn];
      return `inject ${fn} ${errnos[d % errnos.length]}${a % 2 ? ` after ${d % 5}` : ""}`;
    }
    case 2:
      return `unbind ${dev}`;
  }
  if (!label) return undefined;
  const [map, pages] = label;
  const advice = a % 2 ? "dontfork" : "dofork";
  switch (b % 8) {
    case 3:
      return `${proc} madvise ${map} ${advice}`;
    case 4: {
      // may reach past the end of the label (ENOMEM), or be empty
      const off = d % (pages + 2);
      const len = c % (pages + 2);
      return `${proc} madvise ${map} ${v2Size(off * page, a)} ${v2Size(len * page, d)} ${advice}`;
    }
    case 5:
      // past the end: SIGSEGV
      return `${proc} touch ${map} ${v2Size((pages + (d % 3)) * page + (c % page), a)}`;
    case 6:
      // any OFF and LEN: unaligned, empty or past the end
      return `${proc} munmap ${map} ${c % 3 ? (d % pages) * page : d % 5000} ${a % 4 ? (c % 20) * 1000 : 0}`;
    default:
      return `${proc} munmap ${map} ${formatSize((pages + (d % 3)) * page)} ${v2Size((1 + (c % 3)) * page, a)}`;
  }
}

/**
 * 4 to 40 choices, lengths spread over the whole range (size "max": fast-check's default size would
 * keep most scenarios at 10 choices or fewer, too short to reach pins held across an unbind).
 */
export const arbChoices = fc.array(fc.tuple(fc.nat(1000), fc.nat(1000), fc.nat(1000), fc.nat(1000)), {
  minLength: 4,
  maxLength: 40,
  size: "max",
});
export const arbDesign = fc.constantFrom(...DESIGNS);

/**
 * A design, each as likely as the others, and one of the kernel versions it runs in
 * (DESIGN_VERSIONS): every pair is reachable.
 */
export const arbDesignVersion: fc.Arbitrary<[Design, KernelVersion]> = arbDesign.chain((d) =>
  fc.constantFrom(...DESIGN_VERSIONS[d]).map((v) => [d, v] as [Design, KernelVersion]),
);
