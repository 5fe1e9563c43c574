/**
 * npm run bench: engine speed on a scenario of about a million events, and the cost of reaching a
 * random step. The machines are shared and noisy, so each figure is the median of several runs.
 */
import { TraceCursor } from "../src/trace/cursor.ts";
import { runText } from "../src/trace/run.ts";
import type { Trace } from "../src/trace/trace.ts";

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(s.length * p))]!;
}

/** About a million events: mmap, fork, pin, partial munmap, unpin, exit, in a loop. */
export function millionEventScenario(cycles = 3600): string {
  const out = ["kernel upstream", "device nvme0 16M", "process p"];
  for (let i = 0; i < cycles; i++) {
    out.push(`p mmap m${i} nvme0 64K`);
    out.push(`p fork c${i}`);
    out.push(`c${i} pin io${i} m${i} 0 16K`);
    out.push(`p munmap m${i} 16K 16K`);
    out.push(`c${i} exit`);
    out.push(`unpin io${i}`);
    out.push(`p munmap m${i}`);
  }
  return `${out.join("\n")}\n`;
}

function runOnce(text: string): { trace: Trace; ms: number } {
  const t0 = performance.now();
  const r = runText(text);
  const ms = performance.now() - t0;
  if (!r.ok) throw new Error(JSON.stringify(r.diagnostics));
  return { trace: r.trace, ms };
}

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const text = millionEventScenario();
const times: number[] = [];
let trace: Trace | undefined;
runOnce(text); // warm-up
for (let i = 0; i < RUNS; i++) {
  const r = runOnce(text);
  times.push(r.ms);
  trace = r.trace;
}
const events = trace!.events.length;
const runMs = median(times);
console.log(
  `scenario: ${trace!.ops.length} statements, ${events.toLocaleString("en-US")} events, ${trace!.checkpoints.length} checkpoints`,
);
console.log(
  `run: median ${runMs.toFixed(0)} ms over ${RUNS} runs (min ${Math.min(...times).toFixed(0)}, max ${Math.max(...times).toFixed(0)})`,
);
console.log(
  `throughput: ${((events / runMs) * 1000).toLocaleString("en-US", { maximumFractionDigits: 0 })} events/s (target >= 1,000,000)`,
);

// Random access: seek a fresh cursor to random steps, one after another (each a far jump).
let seed = 42;
const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
const cursor = new TraceCursor(trace!);
const seekMs: number[] = [];
for (let i = 0; i < 400; i++) {
  const step = Math.floor(rand() * events);
  const t0 = performance.now();
  cursor.seek(step);
  seekMs.push(performance.now() - t0);
}
console.log(
  `random step: median ${median(seekMs).toFixed(2)} ms, p95 ${percentile(seekMs, 0.95).toFixed(2)} ms, max ${Math.max(...seekMs).toFixed(2)} ms over 400 seeks (target < 16 ms)`,
);

// Stepping: one event forward and back, as the player and the arrow keys do.
const stepMs: number[] = [];
let at = Math.floor(events / 2);
for (let i = 0; i < 2000; i++) {
  const t0 = performance.now();
  cursor.seek((at += i % 2 === 0 ? 1 : -1));
  stepMs.push(performance.now() - t0);
}
console.log(`single step: median ${(median(stepMs) * 1000).toFixed(1)} µs`);
const mem = process.memoryUsage();
console.log(`heap used after the run: ${(mem.heapUsed / 2 ** 20).toFixed(0)} MiB`);
