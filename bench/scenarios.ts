/** Scenarios the node and the browser benchmarks share (a module of its own: importing run.ts runs it). */

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

/** Refuses a port something already answers on: it would serve another build than the one asked for. */
export async function portFree(base: string): Promise<void> {
  try {
    await fetch(base);
  } catch {
    return;
  }
  throw new Error(`${base} already answers (a server left running?): not measuring another build`);
}
