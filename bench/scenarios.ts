/** Scenarios the node and the browser benchmarks share (a module of its own: importing run.ts runs it). */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";

/** Eight 32 GiB devices, each mapped whole, then forked, pinned and partly unmapped. */
export function hugeScenario(devices = 8): string {
  const out = ["kernel upstream"];
  for (let d = 0; d < devices; d++) out.push(`device npu${d} 32G`);
  out.push("process p");
  for (let d = 0; d < devices; d++) out.push(`p mmap m${d} npu${d} 32G`);
  out.push("p fork c");
  for (let d = 0; d < devices; d++) out.push(`c pin io${d} m${d} 1G 1G`);
  for (let d = 0; d < devices; d++) out.push(`p munmap m${d} 4G 8G`);
  out.push("c exit");
  for (let d = 0; d < devices; d++) out.push(`unpin io${d}`);
  return `${out.join("\n")}\n`;
}

/** A 4G device (1,048,576 pages) mapped whole, pinned and half unmapped: the 1M-page browser case. */
export const MILLION =
  "kernel upstream\ndevice big 4G\nprocess p\np mmap a big 4G\np pin io a 40M 8K\np munmap a 1G 1G\n";

/** The app's link that opens `text` (the hand-written `#text=` form, one line per `%0A`). */
export function textLink(base: string, text: string): string {
  const body = text
    .split("\n")
    .map((l) => encodeURIComponent(l).replace(/%20/g, "+"))
    .join("%0A");
  return `${base}#text=${body}`;
}

/** What a browser bench opens: --million, --rfc (the RFC's eight NPUs under `huge`), else hugeScenario(). */
export function scenarioOf(args: readonly string[], root: string): string {
  if (args.includes("--million")) return MILLION;
  if (args.includes("--rfc"))
    return readFileSync(resolve(root, "public/presets/huge/rfc-eight-npus.p2p"), "utf8");
  return hugeScenario();
}
