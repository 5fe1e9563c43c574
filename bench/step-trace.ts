import { resolve } from "node:path";
import { chromium } from "playwright-core";
import { startPreview } from "./preview.ts";
import { scenarioOf, textLink } from "./scenarios.ts";

interface TE {
  name: string;
  ph: string;
  ts: number;
  dur?: number;
  tid: number;
  args?: { data?: { functionName?: string; url?: string; type?: string } };
}
const ROOT = resolve(import.meta.dirname, "..");
const args = process.argv.slice(2);
const opt = (k: string, d: string) => (args.includes(k) ? args[args.indexOf(k) + 1]! : d);
const PORT = Number(process.env.P2PVIZ_BENCH_PORT) || 4182;
const BASE = `http://127.0.0.1:${PORT}/`;
const text = scenarioOf(args, ROOT);
const link = textLink(BASE, text);
const server = await startPreview(ROOT, opt("--dist", "dist"), PORT);
try {
  const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox"] });
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  await page.goto(link);
  await page.locator("section.pool svg").first().waitFor({ timeout: 120000 });
  if (!args.includes("--nowait")) await page.waitForTimeout(1500);
  if (args.includes("--mid")) {
    const b = (await page.getByTestId("timeline").boundingBox())!;
    await page.mouse.click(b.x + b.width * 0.4, b.y + b.height / 2);
    await page.waitForTimeout(500);
  }
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  const key = opt("--keys", "ArrowRight");
  await browser.startTracing(page, {
    categories: [
      "devtools.timeline",
      "disabled-by-default-devtools.timeline",
      "blink.user_timing",
      ...(args.includes("--threads") ? ["toplevel", "cc", "gpu", "viz", "benchmark"] : []),
    ],
  });
  const N = Number(opt("--n", "6"));
  for (let i = 0; i < N; i++) {
    await page.evaluate(
      `window.addEventListener("keydown", () => performance.mark("key"), { capture: true, once: true })`,
    );
    await page.keyboard.press(key);
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 50))));
  }
  const events = JSON.parse((await browser.stopTracing()).toString()).traceEvents as TE[];
  const fc = new Map<number, number>();
  for (const e of events) if (e.name === "FunctionCall" && e.dur) fc.set(e.tid, (fc.get(e.tid) ?? 0) + e.dur);
  const main = [...fc].sort((a, b) => b[1] - a[1])[0]![0];
  const marks = events
    .filter((e) => e.name === "key" && e.tid === main)
    .map((e) => e.ts)
    .sort((a, b) => a - b);
  const xs = events.filter((e) => e.ph === "X" && e.dur && e.tid === main).sort((a, b) => a.ts - b.ts);
  for (let k = 0; k < marks.length; k++) {
    const t0 = marks[k]!;
    const t1 = marks[k + 1] ?? Number.POSITIVE_INFINITY;
    console.log(`--- step ${k}`);
    let end = -1;
    for (const e of xs) {
      if (e.ts < t0 - 20000 || e.ts >= t1 || e.ts < end) continue;
      if (e.ts + e.dur! < t0) continue;
      end = e.ts + e.dur!;
      const inner = xs
        .filter(
          (x) => x !== e && x.ts >= e.ts && x.ts + x.dur! <= end && x.dur! > Number(opt("--min", "300")),
        )
        .map(
          (x) =>
            `${x.name}${x.args?.data?.functionName ? `(${x.args.data.functionName})` : ""}${x.args?.data?.type ? `[${x.args.data.type}]` : ""} ${(x.dur! / 1000).toFixed(1)}`,
        )
        .slice(0, Number(opt("--max", "12")));
      if (e.dur! < 200) continue;
      console.log(
        `${((e.ts - t0) / 1000).toFixed(1).padStart(7)} +${(e.dur! / 1000).toFixed(2)} ${e.name}  ${inner.join(" | ")}`,
      );
    }
  }
  // --threads: each thread's busy time per step (top-level trace events), over all the steps
  if (args.includes("--threads")) {
    const names = new Map<string, string>();
    for (const e of events as (TE & { pid: number; args?: { name?: string } })[])
      if (e.ph === "M" && e.name === "thread_name") names.set(`${e.pid}:${e.tid}`, e.args?.name ?? "?");
    const busy = new Map<string, number>();
    const ends = new Map<string, number>();
    const t0 = marks[0]!;
    const all = (events as (TE & { pid: number })[])
      .filter((e) => e.ph === "X" && e.dur && e.ts >= t0)
      .sort((a, b) => a.ts - b.ts);
    for (const e of all) {
      const k = `${e.pid}:${e.tid}`;
      if (e.ts < (ends.get(k) ?? -1)) continue;
      ends.set(k, e.ts + e.dur!);
      const n = names.get(k) ?? k;
      busy.set(n, (busy.get(n) ?? 0) + e.dur!);
    }
    for (const [n, us] of [...busy].sort((a, b) => b[1] - a[1]).slice(0, 12))
      console.log(`${(us / 1000 / marks.length).toFixed(2).padStart(7)} ms/step  ${n}`);
    // what the busiest threads but the main one do: top-level event names
    const byName = new Map<string, number>();
    const seen = new Map<string, number>();
    for (const e of all) {
      const k = `${e.pid}:${e.tid}`;
      const n = names.get(k) ?? k;
      if (n === "CrRendererMain" || n === "CrBrowserMain") continue;
      if (e.ts < (seen.get(k) ?? -1)) continue;
      seen.set(k, e.ts + e.dur!);
      const key = `${n} ${e.name}`;
      byName.set(key, (byName.get(key) ?? 0) + e.dur!);
    }
    for (const [n, us] of [...byName].sort((a, b) => b[1] - a[1]).slice(0, 15))
      console.log(`${(us / 1000 / marks.length).toFixed(2).padStart(7)} ms/step    ${n}`);
  }
  if (args.includes("--paints"))
    for (const e of xs)
      if ((e.name === "Paint" || e.name === "Layout" || e.name === "UpdateLayoutTree") && e.ts >= marks[0]!)
        console.log(
          `${((e.ts - marks[0]!) / 1000).toFixed(1)} ${e.name} ${(e.dur! / 1000).toFixed(2)} ${JSON.stringify(e.args).slice(0, 300)}`,
        );
  await browser.close();
} finally {
  if (server.pid) process.kill(-server.pid, "SIGTERM");
}
