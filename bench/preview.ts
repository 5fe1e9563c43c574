/** The built app served for the browser benchmarks (vite preview), shared by browser.ts, profile-browser.ts and step-trace.ts. */
import { type ChildProcess, spawn } from "node:child_process";
import { resolve } from "node:path";

/** Refuses a port something already answers on: it would serve another build than the one asked for. */
export async function portFree(base: string): Promise<void> {
  try {
    await fetch(base);
  } catch {
    return;
  }
  throw new Error(`${base} already answers (a server left running?): not measuring another build`);
}

/**
 * `vite preview` of `dist` on `port`, in a process group of its own (kill -pid stops it), once it
 * answers; what it printed is in the error when it exits or never answers.
 */
export async function startPreview(root: string, dist: string, port: number): Promise<ChildProcess> {
  const base = `http://127.0.0.1:${port}/`;
  await portFree(base);
  const s = spawn(
    process.execPath,
    [
      resolve(root, "node_modules/vite/bin/vite.js"),
      "preview",
      "--outDir",
      dist,
      "--host",
      "127.0.0.1",
      "--port",
      String(port),
      "--strictPort",
    ],
    { cwd: root, stdio: ["ignore", "pipe", "pipe"], detached: true },
  );
  let out = "";
  s.stdout?.on("data", (d) => (out += String(d)));
  s.stderr?.on("data", (d) => (out += String(d)));
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(base)).ok) return s;
    } catch {
      // not up yet
    }
    if (s.exitCode !== null) throw new Error(`vite preview exited:\n${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`vite preview did not answer on ${base}:\n${out}`);
}
