/**
 * Browser benchmark (issue 10, item 5): load, step, scrub and End latency in headless Chromium on the
 * `huge` scenario of bench/run.ts (eight 32 GiB devices mapped whole, forked, pinned, partly
 * unmapped) and on a 1M-page device, against the default app's load, and the pool redraw time at 1M
 * pages. Medians and p95 of several runs.
 *
 *   npm run bench:browser [-- --json] [-- --runs N] [-- --build] [-- --dist DIR]
 *                         [-- --only million|huge|hugeFolios|poolRedraw1M]   (SV_DEBUG=1: each step)
 *                         [-- --breakdown]
 *
 * Uses dist/ (builds it when missing or with --build), serves it with `vite preview` on
 * $P2PVIZ_BENCH_PORT (default 4182) and drives /usr/bin/chromium (or $CHROMIUM) with playwright-core.
 * Two figures per interaction, from the input event (captured on window before the app sees it)
 * until the step readout shows the new step, a task has run (React commits and its effects, the pool
 * grid's drawing included, run before it) and the next frame has been rendered (its
 * requestAnimationFrame work, style, layout and paint on the main thread):
 *  - `step`, `scrub`, ...: the main thread's work in that span, from Chrome's trace (its top-level
 *    tasks, the one holding the input event from its start): what must fit in a frame for the step
 *    to be drawn in the next one;
 *  - `stepCpu`, `scrubCpu`, `endCpu`: the CPU time the main thread got in those tasks, which leaves
 *    out the time other processes took its core on a loaded machine (on two shared cores, a
 *    step's tasks by the wall clock vary by 2x from run to run);
 *  - `...Wall`: the same span by the clock, waits for the display's next frame included. Chromium
 *    holds the page's tasks after an input until it has drawn a frame, so this counts up to a frame
 *    of idle waiting; `floor` is the same measure on a blank page whose key handler only rewrites
 *    the readout, in the same run.
 * --breakdown traces with Blink's and the compositor's detailed categories and prints, per scenario,
 * the main thread's self time by trace event in the slowest steps and on average (where a step's
 * time goes: script, layout, paint, commit...). The detailed trace slows
 * every frame: its figures are for finding causes, not for the README.
 */
import { type ChildProcess, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { runText } from "../src/trace/run.ts";
import { startPreview } from "./preview.ts";
import { hugeScenario, MILLION, textLink } from "./scenarios.ts";

const ROOT = resolve(import.meta.dirname, "..");
const args = process.argv.slice(2);
const json = args.includes("--json");
const runsAt = args.indexOf("--runs");
const RUNS = runsAt >= 0 ? Math.max(1, Number(args[runsAt + 1])) : 5;
const PORT = Number(process.env.P2PVIZ_BENCH_PORT) || 4182;
/** --only million|huge|hugeFolios: measure one scenario (and the default load), for a quick look */
const onlyAt = args.indexOf("--only");
const ONLY = onlyAt >= 0 ? args[onlyAt + 1]! : null;
const skip = (name: string) => ONLY !== null && ONLY !== name;
/** the built app to serve (--dist DIR, default dist/): a before/after pair measured alike */
const distAt = args.indexOf("--dist");
const DIST = distAt >= 0 ? resolve(args[distAt + 1]!) : resolve(ROOT, "dist");
const BASE = `http://127.0.0.1:${PORT}/`;
const BREAKDOWN = args.includes("--breakdown");
const log = (s: string) => {
  if (!json) console.log(s);
  else console.error(s);
};

function percentile(xs: readonly number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!;
}
const round = (x: number) => Math.round(x * 100) / 100;
const stats = (xs: readonly number[]) => ({
  medianMs: round(percentile(xs, 0.5)),
  p95Ms: round(percentile(xs, 0.95)),
  n: xs.length,
});

function link(text: string): string {
  return textLink(BASE, text);
}

function serve(): Promise<ChildProcess> {
  return startPreview(ROOT, DIST, PORT);
}

/**
 * Arms a one-shot timer in the page: from the next `type` input event to the end of the first frame
 * that shows the new step (the first frame whose requestAnimationFrame callbacks find the readout
 * changed; a task posted from there runs once that frame's style, layout and paint are done).
 */
async function arm(page: Page, type: "keydown" | "pointerdown"): Promise<void> {
  // a string, not a function: tsx would wrap a function's inner functions in a helper the page lacks
  await page.evaluate(`(() => {
    const type = ${JSON.stringify(type)};
    const el = document.querySelector('[data-testid="step"]');
    const before = el.textContent;
    const tick = () => new Promise((r) => {
      const c = new MessageChannel();
      c.port1.onmessage = () => r();
      c.port2.postMessage(0);
    });
    const frame = () => new Promise((r) => requestAnimationFrame(r));
    window.__lat = new Promise((resolveLat) => {
      const on = async () => {
        window.removeEventListener(type, on, true);
        const t0 = performance.now();
        performance.mark("p2p-in");
        // the app handles the event after this listener (capture on window runs first)
        let frames = 0;
        do {
          await frame();
          frames++;
        } while (el.textContent === before && performance.now() - t0 < 10000);
        await tick();
        window.__parts = [frames];
        performance.mark("p2p-out");
        resolveLat(performance.now() - t0);
      };
      window.addEventListener(type, on, true);
    });
  })()`);
}
/** SV_DEBUG: how many frames the last interaction took to show its step */
const parts = (page: Page) => page.evaluate("JSON.stringify(window.__parts)");
const latency = (page: Page) => page.evaluate(() => (window as unknown as { __lat: Promise<number> }).__lat);

async function stepText(page: Page): Promise<string> {
  return (await page.getByTestId("step").textContent()) ?? "";
}

async function open(page: Page, text: string | null): Promise<number> {
  // the step count to wait for, from the engine here, before the clock starts (not part of the load)
  const r = text === null ? null : runText(text);
  const total = r?.ok ? r.trace.steps : -1;
  // a new document each time: going from one link to another that differs only after '#' is a
  // same-document navigation (the app's hashchange), not a load
  await page.goto("about:blank");
  const t0 = performance.now();
  await page.goto(text === null ? BASE : link(text));
  if (text === null) await page.getByTestId("step").waitFor();
  else {
    await page.waitForFunction(
      (want) => document.querySelector('[data-testid="step"]')?.textContent?.endsWith(`/ ${want}`),
      total,
      { timeout: 120000, polling: 20 },
    );
  }
  // the panels drawn: the pool's svg present
  await page.locator("section.pool svg").first().waitFor({ timeout: 60000 });
  return performance.now() - t0;
}

/** A trace event of Chrome's (the fields read here). */
interface TraceEvent {
  readonly name: string;
  readonly ph: string;
  readonly ts: number;
  readonly dur?: number;
  /** the thread's CPU time in the event */
  readonly tdur?: number;
  readonly tid: number;
}

/** An interaction's main-thread work: wall time of its tasks, and the CPU time the thread got in them. */
export interface Work {
  readonly busy: number;
  readonly cpu: number;
}

/**
 * The main thread's work in each armed interaction, in order, from a trace holding their `p2p-in`
 * and `p2p-out` marks: the union of its top-level tasks inside the span, the task that holds the
 * input from its start (the input's dispatch before our listener is the step's too). `busy` is the
 * tasks' wall time; `cpu` the CPU time the thread got in them (a task cut by the span counts its
 * CPU in proportion), which leaves out the time other processes of a loaded machine took the core.
 */
export function busyTimes(events: readonly TraceEvent[]): Work[] {
  const { tasks, spans } = interactionSpans(events);
  const out: Work[] = [];
  for (const { input, from, to: end } of spans) {
    let at = from;
    let us = 0;
    let cpu = 0;
    for (const t of tasks) {
      const from = Math.max(at, t.ts);
      const to = Math.min(end, t.ts + t.dur!);
      if (to > from) {
        us += to - from;
        cpu += (t.tdur ?? t.dur!) * ((to - from) / t.dur!);
        at = to; // nested and overlapping tasks count once
      }
    }
    out.push({ busy: round(us / 1000), cpu: round(cpu / 1000) });
    if (process.env.SV_DEBUG)
      log(
        `busy ${round(us / 1000)} ms (cpu ${round(cpu / 1000)}) over ${round((end - from) / 1000)} ms: ${tasks
          .filter((t) => t.ts + t.dur! > from && t.ts < end && t.dur! > 100)
          .map((t) => `${round((t.ts - input) / 1000)}+${round(t.dur! / 1000)}`)
          .join(" ")}`,
      );
  }
  return out;
}

/**
 * Each armed interaction's span on the main thread (the thread of its marks), in order: from the
 * start of the task that holds its `p2p-in` mark (the input's dispatch is the interaction's too),
 * or the mark itself, to its `p2p-out` mark; with the thread's top-level tasks.
 */
function interactionSpans(events: readonly TraceEvent[]): {
  tid: number;
  tasks: TraceEvent[];
  spans: { input: number; from: number; to: number }[];
} {
  const marks = events.filter((e) => e.name === "p2p-in" || e.name === "p2p-out").sort((a, b) => a.ts - b.ts);
  const tid = marks[0]?.tid ?? -1;
  const tasks = events
    .filter((e) => e.tid === tid && e.ph === "X" && e.dur && e.name === "ThreadControllerImpl::RunTask")
    .sort((a, b) => a.ts - b.ts);
  const spans: { input: number; from: number; to: number }[] = [];
  for (let i = 0; i + 1 < marks.length; i++) {
    const a = marks[i]!;
    const b = marks[i + 1]!;
    if (a.name !== "p2p-in" || b.name !== "p2p-out") continue;
    const holder = tasks.find((t) => t.ts <= a.ts && a.ts <= t.ts + t.dur!);
    spans.push({ input: a.ts, from: holder ? holder.ts : a.ts, to: b.ts });
  }
  return { tid, tasks, spans };
}

/** Runs `act` under Chrome's tracing and returns the busy time of each interaction it armed. */
async function traced(
  browser: Browser,
  page: Page,
  act: () => Promise<void>,
  kinds?: () => readonly string[],
): Promise<Work[]> {
  const detail = BREAKDOWN
    ? ["devtools.timeline", "disabled-by-default-devtools.timeline", "blink", "cc", "v8"]
    : [];
  await browser.startTracing(page, { categories: ["toplevel", "blink.user_timing", ...detail] });
  await act();
  const events = JSON.parse((await browser.stopTracing()).toString()).traceEvents as TraceEvent[];
  const work = busyTimes(events);
  if (BREAKDOWN && kinds) breakdown(events, kinds(), work);
  return work;
}

/**
 * --breakdown: the main thread's self time by trace event name in each armed step (its span as
 * busyTimes counts it), for the slowest steps (by their `work`) and on average over the steps.
 */
function breakdown(events: readonly TraceEvent[], kinds: readonly string[], work: readonly Work[]): void {
  const { tid, spans } = interactionSpans(events);
  const xs = events
    .filter((e) => e.tid === tid && e.ph === "X" && e.dur)
    .sort((a, b) => a.ts - b.ts || b.dur! - a.dur!);
  const steps: { i: number; busy: number; self: Map<string, number> }[] = [];
  for (const [i, { from, to }] of spans.entries()) {
    if (kinds[i] !== "step") continue;
    const self = new Map<string, number>();
    const stack: TraceEvent[] = [];
    for (const e of xs) {
      if (e.ts < from || e.ts >= to) continue;
      while (stack.length && stack[stack.length - 1]!.ts + stack[stack.length - 1]!.dur! <= e.ts) stack.pop();
      const parent = stack[stack.length - 1];
      if (parent) self.set(parent.name, (self.get(parent.name) ?? 0) - e.dur!);
      self.set(e.name, (self.get(e.name) ?? 0) + e.dur!);
      stack.push(e);
    }
    steps.push({ i, busy: work[i]?.busy ?? 0, self });
  }
  const top = (m: Map<string, number>, n: number, per = 1) =>
    [...m]
      .sort((x, y) => y[1] - x[1])
      .slice(0, n)
      .map(([name, us]) => `${name.replace("ThreadControllerImpl::", "")} ${round(us / 1000 / per)}`)
      .join(", ");
  // in order: which steps are slow (the first ones from Home, or the ones after a scrub)
  log(`  each step's work (ms), by interaction: ${steps.map((s) => `${s.i}:${round(s.busy)}`).join(" ")}`);
  for (const s of [...steps].sort((x, y) => y.busy - x.busy).slice(0, 5))
    log(`  slow step (interaction ${s.i}): ${round(s.busy)} ms: ${top(s.self, 8)}`);
  // the steps from Home and those right after a scrub (into a loop of millions of pages) apart:
  // the second kind is the slower
  const afterScrub = (i: number) => kinds[i - 1] === "scrub";
  for (const [what, group] of [
    ["steps from Home", steps.filter((s) => !afterScrub(s.i))],
    ["steps after a scrub", steps.filter((s) => afterScrub(s.i))],
  ] as const) {
    if (group.length === 0) continue;
    const total = new Map<string, number>();
    for (const s of group) for (const [name, us] of s.self) total.set(name, (total.get(name) ?? 0) + us);
    const busy = group.reduce((a, s) => a + s.busy, 0) / group.length;
    log(`  mean over ${group.length} ${what}, ${round(busy)} ms: ${top(total, 14, group.length)}`);
  }
}

/** The harness's own cost: a blank page whose key handler only rewrites the readout, measured alike. */
async function floorBench(browser: Browser, page: Page) {
  await page.goto("about:blank");
  await page.setContent(
    `<div data-testid="step">0</div><script>addEventListener("keydown", () => { const s = document.querySelector('[data-testid="step"]'); s.textContent = String(+s.textContent + 1); });</script>`,
  );
  const walls: number[] = [];
  const steps = async () => {
    for (let i = 0; i < 40; i++) {
      await arm(page, "keydown");
      await page.keyboard.press("ArrowRight");
      walls.push(await latency(page));
    }
  };
  await steps();
  const stepWall = stats(walls);
  const work = await traced(browser, page, steps);
  return { step: stats(work.map((w) => w.busy)), stepCpu: stats(work.map((w) => w.cpu)), stepWall };
}

type Kind = "step" | "end" | "back" | "home" | "scrub";

async function scenarioBench(browser: Browser, page: Page, name: string, text: string) {
  const loads: number[] = [];
  for (let r = 0; r < RUNS; r++) loads.push(await open(page, text));
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  /** each armed interaction in order, with its wall time */
  let done: { kind: Kind; wall: number }[] = [];
  const measure = async (kind: Kind, type: "keydown" | "pointerdown", input: () => Promise<void>) => {
    const before = process.env.SV_DEBUG ? await stepText(page) : "";
    await arm(page, type);
    await input();
    done.push({ kind, wall: await latency(page) });
    if (process.env.SV_DEBUG)
      log(
        `${kind} ${before} -> ${await stepText(page)}: ${done[done.length - 1]!.wall} ${await parts(page)}`,
      );
  };
  const interactions = async () => {
    await page.keyboard.press("Home");
    done = [];
    // steps from the start and from inside the biggest loop
    for (let i = 0; i < 20; i++) await measure("step", "keydown", () => page.keyboard.press("ArrowRight"));
    for (let r = 0; r < RUNS; r++) {
      await measure("end", "keydown", () => page.keyboard.press("End"));
      await measure("back", "keydown", () => page.keyboard.press("ArrowLeft"));
      await measure("home", "keydown", () => page.keyboard.press("Home"));
    }
    const box = await page.getByTestId("timeline").boundingBox();
    if (!box) return;
    for (let i = 1; i <= 4 * RUNS; i++) {
      const x = box.x + 10 + ((i * 0.618) % 1) * (box.width - 20);
      await measure("scrub", "pointerdown", () => page.mouse.click(x, box.y + box.height / 2));
      // and a step forward from there: inside a loop of millions of pages
      await measure("step", "keydown", () => page.keyboard.press("ArrowRight"));
    }
  };
  // twice, the same interactions: by the clock untraced (tracing slows the frames), then traced
  await interactions();
  const walls = done;
  if (BREAKDOWN) log(`${name}, where the steps' time goes (--breakdown):`);
  const busy = await traced(browser, page, interactions, () => done.map((d) => d.kind));
  if (busy.length !== done.length)
    throw new Error(`${name}: the trace holds ${busy.length} interactions, ${done.length} were measured`);
  log(`${name}: ${await stepText(page)}`);
  const of = (kind: Kind) => stats(busy.filter((_, i) => done[i]!.kind === kind).map((w) => w.busy));
  const cpuOf = (kind: Kind) => stats(busy.filter((_, i) => done[i]!.kind === kind).map((w) => w.cpu));
  const wallOf = (kind: Kind) => stats(walls.filter((d) => d.kind === kind).map((d) => d.wall));
  return {
    load: stats(loads),
    step: of("step"),
    stepBack: of("back"),
    scrub: of("scrub"),
    end: of("end"),
    stepCpu: cpuOf("step"),
    scrubCpu: cpuOf("scrub"),
    endCpu: cpuOf("end"),
    stepWall: wallOf("step"),
    scrubWall: wallOf("scrub"),
    endWall: wallOf("end"),
  };
}

async function poolRedraw(page: Page): Promise<ReturnType<typeof stats>> {
  await open(page, MILLION);
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await page.keyboard.press("End");
  const grid = page.getByTestId("pool-grid");
  await grid.waitFor();
  const box = (await grid.boundingBox())!;
  const times: number[] = [];
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  for (let i = 0; i < 6 * RUNS; i++) {
    const before = await grid.getAttribute("data-zoom");
    await page.mouse.wheel(0, i % 8 < 4 ? -100 : 100);
    await page.waitForFunction(
      (b) => document.querySelector('[data-testid="pool-grid"]')?.getAttribute("data-zoom") !== b,
      before,
      { polling: 5 },
    );
    times.push(
      await page.evaluate(
        () => (window as unknown as { __p2pvizPool: { lastMs: number } }).__p2pvizPool.lastMs,
      ),
    );
  }
  return stats(times);
}

async function main() {
  if (distAt < 0 && (args.includes("--build") || !existsSync(resolve(ROOT, "dist/index.html")))) {
    log("building dist/ ...");
    const b = spawnSync(process.execPath, [resolve(ROOT, "node_modules/vite/bin/vite.js"), "build"], {
      cwd: ROOT,
      stdio: json ? ["ignore", 2, 2] : "inherit",
    });
    if (b.status !== 0) throw new Error("vite build failed");
  }
  const server = await serve();
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: ["--no-sandbox"],
  });
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    page.on("console", (m) => {
      if (m.type() === "error") errors.push(m.text());
    });
    const defaults: number[] = [];
    for (let r = 0; r < RUNS; r++) defaults.push(await open(page, null));
    const defaultLoad = stats(defaults);
    log(`default app load: median ${defaultLoad.medianMs} ms`);
    const million = skip("million") ? null : await scenarioBench(browser, page, "1M-page device", MILLION);
    if (million) log(`1M pages: ${JSON.stringify(million)}`);
    const huge = skip("huge")
      ? null
      : await scenarioBench(browser, page, "huge (8 x 32 GiB)", hugeScenario());
    if (huge) log(`huge: ${JSON.stringify(huge)}`);
    // the RFC's case under the proposed huge design (issue 13): eight 32 GiB NPUs mapped with PUD folios
    const rfc = readFileSync("public/presets/huge/rfc-eight-npus.p2p", "utf8");
    const hugeFolios = skip("hugeFolios")
      ? null
      : await scenarioBench(browser, page, "huge design, 8 x 32 GiB", rfc);
    if (hugeFolios) log(`huge design: ${JSON.stringify(hugeFolios)}`);
    const redraw = skip("poolRedraw1M") ? null : await poolRedraw(page);
    const floor = await floorBench(browser, page);
    log(`floor (a blank page's readout): ${JSON.stringify(floor)}`);
    if (redraw) log(`pool redraw at 1M pages: ${JSON.stringify(redraw)}`);
    if (errors.length) log(`console errors: ${errors.join(" | ")}`);
    const ratio = (r: Awaited<ReturnType<typeof scenarioBench>> | null) =>
      r && { ...r, loadRatio: round(r.load.medianMs / defaultLoad.medianMs) };
    const out = {
      format: "p2pviz-bench-browser/2",
      runs: RUNS,
      defaultLoad,
      floor,
      million: ratio(million),
      huge: ratio(huge),
      hugeFolios: ratio(hugeFolios),
      poolRedraw1M: redraw,
      consoleErrors: errors.length,
    };
    console.log(json ? JSON.stringify(out) : JSON.stringify(out, null, 2));
  } finally {
    await browser.close();
    if (server.pid) process.kill(-server.pid, "SIGTERM");
  }
}

await main();
