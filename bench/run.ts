/**
 * npm run bench [-- --json]: the engine's speed and size, as ratios measured in the same run.
 *
 *   loop        a minimal typed-array alloc/refcount loop: what a page costs with no model at all
 *   irregular   about a million events of small mmaps, forks, pins and partial munmaps
 *   tenMillion  an irregular scenario of at least ten million events
 *   huge        eight 32 GiB devices, each mapped whole, then forked, pinned and partly unmapped
 *
 * The machines are shared and noisy: each time is the median of several runs. With --json the last
 * line is one object of format "p2pviz-bench/1".
 */
import { TraceCursor } from "../src/trace/cursor.ts";
import { runText } from "../src/trace/run.ts";
import type { Trace } from "../src/trace/trace.ts";

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const json = process.argv.includes("--json");
const log = (s: string) => {
  if (!json) console.log(s);
  else console.error(s);
};

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(s.length * p))]!;
}

/** Forced GC (node --expose-gc, set by the npm script), then heapUsed + arrayBuffers in MiB. */
function heapMiB(): number {
  (globalThis as { gc?: () => void }).gc?.();
  const m = process.memoryUsage();
  return (m.heapUsed + m.arrayBuffers) / 2 ** 20;
}

/** mmap, fork, pin, partial munmap, unpin, exit, in a loop: about 277 events a cycle. */
export function irregularScenario(cycles: number): string {
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

function runOnce(text: string): { trace: Trace; ms: number } {
  const t0 = performance.now();
  const r = runText(text);
  const ms = performance.now() - t0;
  if (!r.ok) throw new Error(JSON.stringify(r.diagnostics));
  return { trace: r.trace, ms };
}

function timed(text: string, runs = RUNS): { trace: Trace; runMs: number } {
  runOnce(text); // warm-up
  const times: number[] = [];
  let trace: Trace | undefined;
  for (let i = 0; i < runs; i++) {
    const r = runOnce(text);
    times.push(r.ms);
    trace = r.trace;
  }
  return { trace: trace!, runMs: median(times) };
}

/** Random far seeks from a fresh cursor: the p95 in ms. */
function seekP95(trace: Trace, n = 400): number {
  let seed = 42;
  const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const cursor = new TraceCursor(trace);
  const ms: number[] = [];
  for (let i = 0; i < n; i++) {
    const step = Math.floor(rand() * trace.steps);
    const t0 = performance.now();
    cursor.seek(step);
    ms.push(performance.now() - t0);
  }
  return percentile(ms, 0.95);
}

/** The minimal loop: per page, set a genpool bit, a refcount up and down, a PTE: typed arrays only. */
function loopEventsPerSec(pages = 4_000_000): number {
  const times: number[] = [];
  let sink = 0;
  for (let r = 0; r < RUNS; r++) {
    const bits = new Uint8Array(pages);
    const ref = new Int32Array(pages);
    const pte = new Float64Array(pages);
    const t0 = performance.now();
    for (let i = 0; i < pages; i++) {
      bits[i] = 1;
      ref[i]! += 1;
      pte[i] = i * 4096;
      ref[i]! += 1;
      ref[i]! -= 1;
    }
    times.push(performance.now() - t0);
    sink += ref[pages - 1]!;
  }
  if (sink < 0) console.log(sink);
  // five events a page, as p2pmem_alloc_mmap emits (genpool bit, insert ref, PTE, pgref, put)
  return (pages * 5) / (median(times) / 1000);
}

const loop = { eventsPerSec: Math.round(loopEventsPerSec()) };
log(`loop: ${loop.eventsPerSec.toLocaleString("en-US")} events/s (typed arrays, no model)`);

// irregular: today's million-event bench
const irr = timed(irregularScenario(3600));
const events = irr.trace.steps;
const heapAfter = heapMiB();
let bytesPerEvent: number;
{
  const before = heapMiB();
  const keep = runOnce(irregularScenario(3600)).trace;
  bytesPerEvent = ((heapMiB() - before) * 2 ** 20) / keep.steps;
  if (keep.steps < 0) console.log(keep);
}
// replay: a cursor from step 0 to the end, record by record
const replayTimes: number[] = [];
for (let i = 0; i < 3; i++) {
  const c = new TraceCursor({ ...irr.trace, checkpoints: irr.trace.checkpoints.slice(0, 1) });
  const t0 = performance.now();
  c.seek(irr.trace.steps - 1);
  replayTimes.push(performance.now() - t0);
}
const stepFwd: number[] = [];
const stepBack: number[] = [];
{
  const cursor = new TraceCursor(irr.trace);
  let at = Math.floor(events / 2);
  cursor.seek(at);
  for (let i = 0; i < 4000; i++) {
    const fwd = i % 2 === 0;
    const t0 = performance.now();
    cursor.seek((at += fwd ? 1 : -1));
    (fwd ? stepFwd : stepBack).push(performance.now() - t0);
  }
}
const irregular = {
  events,
  runMs: Math.round(irr.runMs),
  eventsPerSec: Math.round((events / irr.runMs) * 1000),
  bytesPerEvent: Math.round(bytesPerEvent * 10) / 10,
  replayMs: Math.round(median(replayTimes) * 10) / 10,
  seekP95Ms: Math.round(seekP95(irr.trace) * 100) / 100,
  stepForwardUs: Math.round(median(stepFwd) * 1000 * 10) / 10,
  stepBackUs: Math.round(median(stepBack) * 1000 * 10) / 10,
};
log(
  `irregular: ${events.toLocaleString("en-US")} events in ${irregular.runMs} ms (${irregular.eventsPerSec.toLocaleString("en-US")}/s, ${(irregular.eventsPerSec / loop.eventsPerSec).toFixed(3)}x the loop), ${irregular.bytesPerEvent} B/event, replay ${irregular.replayMs} ms, seek p95 ${irregular.seekP95Ms} ms (${(irregular.seekP95Ms / irregular.replayMs).toFixed(4)}x replay), step ${irregular.stepForwardUs} µs forward / ${irregular.stepBackUs} µs back (heap ${heapAfter.toFixed(0)} MiB)`,
);

// ten million events
const ten = timed(irregularScenario(36_500), 3);
const tenMillion = { events: ten.trace.steps, runMs: Math.round(ten.runMs), heapMiB: Math.round(heapMiB()) };
log(
  `tenMillion: ${tenMillion.events.toLocaleString("en-US")} events in ${tenMillion.runMs} ms, heap ${tenMillion.heapMiB} MiB`,
);

// eight 32 GiB devices
let huge: Record<string, number> | null = null;
{
  const r = runText(hugeScenario());
  if (!r.ok) {
    log(`huge: cannot run yet: ${r.diagnostics[0]?.message}`);
  } else {
    const h = timed(hugeScenario());
    huge = {
      devices: 8,
      mappedBytes: 8 * 32 * 2 ** 30,
      steps: h.trace.steps,
      runMs: Math.round(h.runMs * 10) / 10,
      heapMiB: Math.round(heapMiB()),
      seekP95Ms: Math.round(seekP95(h.trace) * 100) / 100,
    };
    log(
      `huge: 8 x 32 GiB, ${huge.steps!.toLocaleString("en-US")} steps in ${huge.runMs} ms, heap ${huge.heapMiB} MiB, seek p95 ${huge.seekP95Ms} ms`,
    );
  }
}

if (json) console.log(JSON.stringify({ format: "p2pviz-bench/1", loop, irregular, tenMillion, huge }));
