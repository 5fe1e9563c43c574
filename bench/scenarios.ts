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
