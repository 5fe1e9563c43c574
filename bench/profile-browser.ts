/**
 * Where the time of a step (or a load) goes in headless Chromium, for finding what to make faster;
 * bench/browser.ts is the measure, this is the magnifying glass. Usage:
 *
 *   npx tsx bench/profile-browser.ts [--huge | --million | --rfc] [what] [how] [--dist DIR]
 *
 * what is profiled (after the link opens and settles):
 *   --n N           N key presses (30), each until the next frame; --keys K1,K2 the keys, in turn
 *                   (ArrowRight,ArrowLeft: back and forth over one event); --skip K presses first
 *   --at STEP       open the link at that step (a step the bench found slow); --mid clicks the
 *                   timeline at 40% instead; --nowait steps at once, as the first steps after a load
 *   --scrub         N clicks on the timeline instead of key presses; --load one opening of the link
 *   --after-scrub   (CPU profile) each key press right after a click on the timeline, the click
 *                   not profiled: the steps that follow a jump into a loop of millions of pages
 *   --css TEXT      a style sheet added first (to try a CSS change without a build)
 * how:
 *   (default)       CPU profile: self and inclusive time per function (--top N; --callers NAME:
 *                   the call paths into NAME; --lines CHUNK: self samples by line in a chunk)
 *   --trace         main-thread time per trace event and per thread (style, layout, paint, ...),
 *                   what invalidated layout and what each paint covered
 *   --mutations     the DOM each step changes, by panel, element and kind of change
 *   --alloc         bytes allocated per step, by allocating function (V8's sampling heap profiler,
 *                   garbage included): what feeds the collector whose pauses make slow steps
 *
 * An unminified build (npx vite build --minify false --outDir DIR) gives readable function names.
 */

import { resolve } from "node:path";
import { chromium } from "playwright-core";
import { startPreview } from "./preview.ts";
import { scenarioOf, textLink } from "./scenarios.ts";

/** A trace event of Chrome's tracing (the fields read here). */
interface TraceEvent {
  readonly name: string;
  readonly ph: string;
  readonly ts: number;
  readonly dur: number;
  readonly tdur?: number;
  readonly tid: number;
  readonly args?: {
    readonly beginData?: { readonly dirtyObjects?: number; readonly totalObjects?: number };
    readonly elementCount?: number;
  };
}
/** A node of a CDP CPU profile (the fields read here). */
interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly children?: readonly number[];
}
/** A node of a CDP sampling heap profile (the fields read here). */
interface AllocNode {
  readonly callFrame: ProfileNode["callFrame"];
  readonly selfSize: number;
  readonly children: readonly AllocNode[];
}
interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** Profiles taken one after another as one (node ids renumbered; one root each). */
function mergeProfiles(parts: readonly CpuProfile[]): CpuProfile {
  const nodes: ProfileNode[] = [];
  const samples: number[] = [];
  const timeDeltas: number[] = [];
  let offset = 0;
  for (const p of parts) {
    let most = 0;
    for (const n of p.nodes) {
      most = Math.max(most, n.id);
      nodes.push({ ...n, id: n.id + offset, children: (n.children ?? []).map((c) => c + offset) });
    }
    for (const id of p.samples) samples.push(id + offset);
    timeDeltas.push(...p.timeDeltas);
    offset += most + 1;
  }
  return { nodes, samples, timeDeltas };
}

const ROOT = resolve(import.meta.dirname, "..");
const args = process.argv.slice(2);
const opt = (k: string, d: string) => (args.includes(k) ? args[args.indexOf(k) + 1]! : d);
const PORT = Number(process.env.P2PVIZ_BENCH_PORT) || 4182;
const BASE = `http://127.0.0.1:${PORT}/`;
const dist = opt("--dist", "dist");
const N = Number(opt("--n", "30"));
/** --keys K1,K2: the keys pressed, in turn (ArrowRight,ArrowLeft: back and forth over one event) */
const keys = opt("--keys", "ArrowRight").split(",");
const key = keys.join(",");

const text = scenarioOf(args, ROOT);
// --at STEP: open the link at that step (to profile a step that the bench found slow)
const link = textLink(BASE, text) + (args.includes("--at") ? `&step=${opt("--at", "0")}` : "");

const server = await startPreview(ROOT, dist, PORT);
try {
  const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox"] });
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  page.on("console", (m) => m.type() === "error" && console.error("console:", m.text()));
  const loading = args.includes("--load");
  const panels = () => page.locator("section.pool svg").first().waitFor({ timeout: 120000 });
  if (loading) {
    // warm the browser's cache with the app's code, then profile a second opening of the link
    await page.goto(link);
    await panels();
    await page.goto("about:blank");
  } else {
    await page.goto(link);
    await panels();
    // --nowait: step at once, as a person who presses a key as soon as the panels show (the first steps)
    if (!args.includes("--nowait")) await page.waitForTimeout(1500);
  }
  if (args.includes("--mid")) {
    const tl = page.getByTestId("timeline");
    const b = (await tl.boundingBox())!;
    await page.mouse.click(b.x + b.width * 0.4, b.y + b.height / 2);
    await page.waitForTimeout(500);
  }
  // --css TEXT: a style sheet added before profiling (to try a CSS change without a build)
  if (args.includes("--css")) await page.addStyleTag({ content: opt("--css", "") });
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  /** what is profiled: N key presses, each until the next frame, or (--load) one opening of the link */
  const PER = loading ? 1 : N;
  const act = async () => {
    if (loading) {
      await page.goto(link);
      await panels();
      await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0))));
      return;
    }
    // --scrub: N clicks on the timeline (as bench/browser.ts scrubs) instead of key presses
    const tl = args.includes("--scrub") ? await page.getByTestId("timeline").boundingBox() : null;
    for (let i = 0; i < N; i++) {
      if (tl)
        await page.mouse.click(tl.x + 10 + (((i + 1) * 0.618) % 1) * (tl.width - 20), tl.y + tl.height / 2);
      else await page.keyboard.press(keys[i % keys.length]!);
      await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0))));
    }
  };
  // --skip K: K key presses before profiling (with --nowait: profile the (K+1)th step after the load)
  for (let i = 0; i < Number(opt("--skip", "0")); i++) {
    await page.keyboard.press(keys[i % keys.length]!);
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0))));
  }
  if (args.includes("--mutations")) {
    // --mutations: the DOM each step changes, by panel (the closest section's class) and kind of
    // change, per step: what a step that should touch little still rewrites
    // (a string: tsx's helper names for inner functions do not exist in the page)
    await page.evaluate(`(() => {
      window.__mut = new Map();
      function where(n) {
        const el = n instanceof Element ? n : (n && n.parentElement);
        const s = el && el.closest("section.panel, section, header, aside");
        return s ? s.tagName.toLowerCase() + "." + [...s.classList].join(".") : "(page)";
      }
      new MutationObserver((ms) => {
        for (const m of ms) {
          const tag = m.target instanceof Element ? " <" + m.target.tagName.toLowerCase() + ">" : "";
          const k = where(m.target) + tag + " " + m.type + (m.attributeName ? ":" + m.attributeName : "");
          const n = m.type === "childList" ? m.addedNodes.length + m.removedNodes.length : 1;
          window.__mut.set(k, (window.__mut.get(k) || 0) + n);
        }
      }).observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
    })()`);
    await act();
    const counts = await page.evaluate(() => [
      ...(window as unknown as { __mut: Map<string, number> }).__mut,
    ]);
    for (const [k, v] of counts.sort((a, b) => b[1] - a[1]).slice(0, 40))
      console.log(`${(v / PER).toFixed(1).padStart(8)} per step  ${k}`);
    await browser.close();
  } else if (args.includes("--alloc")) {
    const cdp = await page.context().newCDPSession(page);
    await cdp.send("HeapProfiler.enable");
    // every 1 KiB on average; with the GC'd samples kept, so garbage counts too
    await cdp.send("HeapProfiler.startSampling", {
      samplingInterval: 1024,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true,
    });
    await act();
    const { profile } = (await cdp.send("HeapProfiler.stopSampling")) as { profile: { head: AllocNode } };
    const self = new Map<string, number>();
    let all = 0;
    const walk = (n: AllocNode) => {
      const bytes = n.selfSize;
      all += bytes;
      const k = `${n.callFrame.functionName || "(anon)"} ${n.callFrame.url.split("/").pop()}:${n.callFrame.lineNumber + 1}`;
      if (bytes) self.set(k, (self.get(k) ?? 0) + bytes);
      for (const c of n.children) walk(c);
    };
    walk(profile.head);
    console.log(`allocated per step: ${(all / 1024 / PER).toFixed(1)} KiB`);
    for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, Number(opt("--top", "30"))))
      console.log(`${(v / 1024 / PER).toFixed(1).padStart(8)} KiB/step  ${k}`);
    await browser.close();
  } else if (args.includes("--trace")) {
    await browser.startTracing(page, {
      categories: [
        "devtools.timeline",
        "disabled-by-default-devtools.timeline",
        "disabled-by-default-devtools.timeline.invalidationTracking",
        "blink",
        "cc",
        "gpu",
        "viz",
      ],
    });
    await act();
    const buf = await browser.stopTracing();
    const events = JSON.parse(buf.toString()).traceEvents as TraceEvent[];
    const tot = new Map<string, number>();
    // self time per event name on the renderer main thread (the thread with the most FunctionCall time)
    const fc = new Map<number, number>();
    for (const e of events)
      if (e.name === "FunctionCall" && e.dur) fc.set(e.tid, (fc.get(e.tid) ?? 0) + e.dur);
    const main = [...fc].sort((a, b) => b[1] - a[1])[0]![0];
    const xs = events
      .filter((e) => e.ph === "X" && e.dur && e.tid === main)
      .sort((a, b) => a.ts - b.ts || b.dur - a.dur);
    const stack: TraceEvent[] = [];
    for (const e of xs) {
      while (stack.length && stack[stack.length - 1]!.ts + stack[stack.length - 1]!.dur <= e.ts) stack.pop();
      const p = stack[stack.length - 1];
      if (p) tot.set(p.name, (tot.get(p.name) ?? 0) - e.dur);
      tot.set(e.name, (tot.get(e.name) ?? 0) + e.dur);
      stack.push(e);
    }
    // main-thread busy time: wall (dur) and CPU (tdur) of the top-level tasks
    let wallUs = 0;
    let cpuUs = 0;
    let end = -1;
    for (const e of xs) {
      if (e.ts >= end) {
        wallUs += e.dur;
        cpuUs += e.tdur ?? 0;
        end = e.ts + e.dur;
      }
    }
    console.log(
      `main thread per step: ${(wallUs / 1000 / PER).toFixed(2)} ms busy, ${(cpuUs / 1000 / PER).toFixed(2)} ms CPU`,
    );
    // what the time depends on, counted (steady where the machine's noise is not): the layout
    // objects each layout found dirty (of all), and the elements each style recalc visited
    let dirty = 0;
    let total = 0;
    let styled = 0;
    const layoutCpu: number[] = [];
    for (const e of events) {
      if (e.tid !== main) continue;
      if (e.name === "Layout" && e.args?.beginData) {
        layoutCpu.push((e.tdur ?? 0) / 1000);
        dirty += e.args.beginData.dirtyObjects ?? 0;
        total = Math.max(total, e.args.beginData.totalObjects ?? 0);
      } else if (e.name === "UpdateLayoutTree") styled += e.args?.elementCount ?? 0;
    }
    console.log(
      `per step: ${(dirty / PER).toFixed(1)} layout objects dirty (of ${total}), ${(styled / PER).toFixed(1)} elements restyled; a layout's CPU median ${(layoutCpu.sort((a, b) => a - b)[layoutCpu.length >> 1] ?? 0).toFixed(2)} ms (${layoutCpu.length} layouts)`,
    );
    // why layout was needed: each invalidation's reason and node (a text changed, an SVG resource
    // invalidated ...), per step
    const why = new Map<string, number>();
    for (const e of events) {
      if (e.name !== "LayoutInvalidationTracking") continue;
      const d = (e.args as { data?: { reason?: string; nodeName?: string } } | undefined)?.data;
      const k = `${d?.reason ?? "?"}: ${d?.nodeName ?? "?"}`;
      why.set(k, (why.get(k) ?? 0) + 1);
    }
    for (const [k, n] of [...why].sort((a, b) => b[1] - a[1]).slice(0, 8))
      console.log(`    layout invalidated ${(n / PER).toFixed(2)} per step  ${k}`);
    // what each Paint painted: its clip (a panel's box, or the page's) with the time spent
    const paints = new Map<string, number>();
    for (const e of events) {
      if (e.tid !== main || e.name !== "Paint" || !e.dur) continue;
      const c = (e.args as { data?: { clip?: number[] } } | undefined)?.data?.clip;
      const k = c ? `x ${c[0]}-${c[2]} y ${c[1]}-${c[5]}` : "(no clip)";
      paints.set(k, (paints.get(k) ?? 0) + e.dur);
    }
    for (const [k, us] of [...paints].sort((a, b) => b[1] - a[1]).slice(0, 8))
      console.log(`    paint ${(us / 1000 / PER).toFixed(2)} ms/step  ${k}`);
    console.log(
      [...tot]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 40)
        .map(([k, v]) => `${(v / 1000 / PER).toFixed(2).padStart(8)} ms/step  ${k}`)
        .join("\n"),
    );
    await browser.close();
    process.exitCode = 0;
  } else {
    const cdp = await page.context().newCDPSession(page);
    await cdp.send("Profiler.enable");
    await cdp.send("Profiler.setSamplingInterval", { interval: 100 });
    const t0 = Date.now();
    let profile: CpuProfile;
    if (args.includes("--after-scrub")) {
      // one profile per key press, each after an unprofiled click, merged into one
      const tl = (await page.getByTestId("timeline").boundingBox())!;
      const parts: CpuProfile[] = [];
      for (let i = 0; i < N; i++) {
        await page.mouse.click(tl.x + 10 + (((i + 1) * 0.618) % 1) * (tl.width - 20), tl.y + tl.height / 2);
        await page.waitForTimeout(300);
        await cdp.send("Profiler.start");
        await page.keyboard.press(keys[i % keys.length]!);
        await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0))));
        parts.push(((await cdp.send("Profiler.stop")) as { profile: CpuProfile }).profile);
      }
      profile = mergeProfiles(parts);
    } else {
      await cdp.send("Profiler.start");
      await act();
      profile = ((await cdp.send("Profiler.stop")) as { profile: CpuProfile }).profile;
    }
    const wall = Date.now() - t0;
    const self = new Map<string, number>();
    const byId = new Map<number, ProfileNode>();
    for (const n of profile.nodes) byId.set(n.id, n);
    const dt = profile.timeDeltas as number[];
    const counts = new Map<number, number>();
    profile.samples.forEach((id: number, i: number) => {
      counts.set(id, (counts.get(id) ?? 0) + (dt[i] ?? 0));
    });
    // inclusive time too
    const parent = new Map<number, number>();
    for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
    const incl = new Map<string, number>();
    for (const [id, us] of counts) {
      const n = byId.get(id)!;
      const name = `${n.callFrame.functionName || "(anon)"} ${n.callFrame.url.split("/").pop()}:${n.callFrame.lineNumber + 1}`;
      self.set(name, (self.get(name) ?? 0) + us);
      const seen = new Set<string>();
      for (let p: number | undefined = id; p !== undefined; p = parent.get(p)) {
        const m = byId.get(p)!;
        const nm = `${m.callFrame.functionName || "(anon)"} ${m.callFrame.url.split("/").pop()}:${m.callFrame.lineNumber + 1}`;
        if (seen.has(nm)) continue;
        seen.add(nm);
        incl.set(nm, (incl.get(nm) ?? 0) + us);
      }
    }
    const top = (m: Map<string, number>) =>
      [...m]
        .sort((a, b) => b[1] - a[1])
        .slice(0, Number(opt("--top", "30")))
        .map(([k, v]) => `${(v / 1000 / PER).toFixed(2).padStart(8)} ms/step  ${k}`);
    console.log(
      `${loading ? "load" : `${N} x ${key}`}: ${wall} ms wall (${(wall / PER).toFixed(1)} per ${loading ? "load" : "step"} incl. harness)`,
    );
    // --callers NAME: the call paths into functions named NAME, with their time
    if (args.includes("--callers")) {
      const want = opt("--callers", "");
      const paths = new Map<string, number>();
      for (const [id, us] of counts) {
        const chain: string[] = [];
        for (let p: number | undefined = id; p !== undefined; p = parent.get(p)) {
          const m = byId.get(p)!;
          chain.push(`${m.callFrame.functionName || "(anon)"}:${m.callFrame.lineNumber + 1}`);
        }
        const at = chain.findIndex((c) => c.startsWith(`${want}:`));
        if (at < 0) continue;
        const k = chain.slice(at, at + 12).join(" < ");
        paths.set(k, (paths.get(k) ?? 0) + us);
      }
      for (const [k, us] of [...paths].sort((a, b) => b[1] - a[1]).slice(0, 10))
        console.log(`${(us / 1000 / PER).toFixed(2).padStart(8)} ms/step  ${k}`);
    }
    // --lines FILE: self samples by source line inside functions of FILE (a chunk's name)
    if (args.includes("--lines")) {
      const file = opt("--lines", "");
      const lines = new Map<string, number>();
      for (const n of profile.nodes as (ProfileNode & {
        positionTicks?: { line: number; ticks: number }[];
      })[]) {
        if (!n.callFrame.url.includes(file)) continue;
        for (const t of n.positionTicks ?? [])
          lines.set(
            `${n.callFrame.functionName || "(anon)"}:${t.line}`,
            (lines.get(`${n.callFrame.functionName || "(anon)"}:${t.line}`) ?? 0) + t.ticks,
          );
      }
      for (const [k, v] of [...lines].sort((a, b) => b[1] - a[1]).slice(0, 25))
        console.log(`${String(v).padStart(6)} samples  ${k}`);
    }
    console.log(`SELF:\n${top(self).join("\n")}`);
    console.log(`INCLUSIVE:\n${top(incl).join("\n")}`);
    await browser.close();
  }
} finally {
  if (server.pid) process.kill(-server.pid, "SIGTERM");
}
