/**
 * Random valid scenarios for property tests: a list of small integer tuples is turned into
 * statements by an interpreter that tracks which names exist, so every scenario parses and
 * fast-check can shrink the tuple list.
 */
import fc from "fast-check";
import { DESIGN_VERSIONS, DESIGNS, type Design, type KernelVersion } from "../../src/scenario/ast.ts";
import { formatSize } from "../../src/scenario/size.ts";

export type Choice = [number, number, number, number];

export function scenarioFrom(design: Design, choices: readonly Choice[], page = 4096): string {
  const out = [`kernel ${design}`];
  if (page !== 4096) out.push(`page ${formatSize(page)}`);
  const devices: { name: string; pages: number }[] = [];
  const devPages = [64, 32, 16];
  for (let i = 0; i < 2; i++) {
    devices.push({ name: `d${i}`, pages: devPages[i]! });
    out.push(`device d${i} ${formatSize(devPages[i]! * page)}`);
  }
  interface P {
    name: string;
    alive: boolean;
    labels: Map<string, number>;
  }
  const procs: P[] = [{ name: "p0", alive: true, labels: new Map() }];
  out.push("process p0");
  const pins: { name: string; held: boolean }[] = [];
  let labelN = 0;
  for (const [a, b, c, d] of choices) {
    const alive = procs.filter((p) => p.alive);
    const p = alive[b % Math.max(1, alive.length)];
    const kind = a % 12;
    if (!p || kind === 0) {
      if (procs.length < 6) {
        const name = `p${procs.length}`;
        procs.push({ name, alive: true, labels: new Map() });
        out.push(`process ${name}`);
      }
      continue;
    }
    const labels = [...p.labels.entries()];
    const label = labels[c % Math.max(1, labels.length)];
    switch (kind) {
      case 1:
      case 2:
      case 3: {
        const dev = devices[d % devices.length]!;
        const pages = 1 + (c % 12);
        const name = `m${labelN++}`;
        const extra = d % 17 === 5 ? " private" : d % 19 === 7 ? ` offset=${formatSize(page)}` : "";
        p.labels.set(name, pages);
        out.push(`${p.name} mmap ${name} ${dev.name} ${formatSize(pages * page)}${extra}`);
        break;
      }
      case 4:
        if (label) out.push(`${p.name} touch ${label[0]} ${formatSize((d % label[1]) * page)}`);
        break;
      case 5:
        if (label) {
          const off = d % label[1];
          const len = 1 + (c % (label[1] - off));
          const name = `io${pins.length}`;
          const flags = a % 7 === 5 ? " nop2p" : a % 11 === 5 ? " longterm" : "";
          pins.push({ name, held: true });
          out.push(
            `${p.name} pin ${name} ${label[0]} ${formatSize(off * page)} ${formatSize(len * page)}${flags}`,
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
        if (label) out.push(`${p.name} munmap ${label[0]}`);
        break;
      case 9:
      case 10:
        if (label && label[1] > 1) {
          const off = d % label[1];
          const len = 1 + (c % (label[1] - off));
          out.push(`${p.name} munmap ${label[0]} ${formatSize(off * page)} ${formatSize(len * page)}`);
        }
        break;
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

export const arbChoices = fc.array(fc.tuple(fc.nat(1000), fc.nat(1000), fc.nat(1000), fc.nat(1000)), {
  maxLength: 40,
});
export const arbDesign = fc.constantFrom(...DESIGNS);

/** A design and one of the kernel versions it runs in (DESIGN_VERSIONS): every pair is reachable. */
export const arbDesignVersion = fc.constantFrom(
  ...DESIGNS.flatMap((d) => DESIGN_VERSIONS[d].map((v) => [d, v] as [Design, KernelVersion])),
);
