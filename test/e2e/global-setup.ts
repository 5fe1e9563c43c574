/**
 * Serves the built app with `vite preview` on 127.0.0.1:4173 and starts one headless Chromium
 * (Debian's /usr/bin/chromium, through playwright-core). Tests connect to it over its websocket;
 * every test gets a new browser context, so storage starts empty. Playwright gives the browser a
 * fresh temporary user-data-dir of its own and deletes it on close.
 *
 * Two traps on a shared machine: another run may hold port 4173 (we wait for it to go, and check
 * that the server answering is ours), and someone may rebuild dist/ mid-run (we serve a private
 * copy of dist/ taken at the start).
 */

import { type ChildProcess, spawn } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { createConnection } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { type BrowserServer, chromium } from "playwright-core";
import type { TestProject } from "vitest/node";

export const HOST = "127.0.0.1";
/** 4173 by default (the port `vite preview` uses); P2PVIZ_E2E_PORT picks another when a shared machine has it taken. */
export const PORT = Number(process.env.P2PVIZ_E2E_PORT) || 4173;
export const CHROMIUM = "/usr/bin/chromium";
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

declare module "vitest" {
  export interface ProvidedContext {
    wsEndpoint: string;
    baseUrl: string;
  }
}

function portTaken(port: number): Promise<boolean> {
  return new Promise((done) => {
    const c = createConnection({ host: HOST, port });
    c.once("connect", () => {
      c.destroy();
      done(true);
    });
    c.once("error", () => done(false));
  });
}

/** Waits (up to `ms`) for another e2e run to release the port. */
async function waitForFreePort(port: number, ms = 10 * 60_000): Promise<void> {
  const until = Date.now() + ms;
  while (await portTaken(port)) {
    if (Date.now() > until)
      throw new Error(`port ${port} is still taken after ${ms / 1000} s: another e2e run?`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/** ANSI colour escapes (built from a string: a control character in a regex literal is a lint error) */
const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, "g");

async function waitForHttp(url: string, server: ChildProcess, log: () => string, ms = 20_000): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (server.exitCode !== null) throw new Error(`vite preview exited (${server.exitCode}):\n${log()}`);
    try {
      const r = await fetch(url);
      // vite prints its URL once it listens: only then is the answer from our server
      // colour codes stripped: with CI=true vite colours its output, splitting the address
      if (r.ok && log().replace(ANSI, "").includes(`${HOST}:${PORT}`)) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`vite preview did not answer on ${url} within ${ms} ms:\n${log()}`);
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const root = resolve(import.meta.dirname, "../..");
  if (!existsSync(resolve(root, "dist/index.html"))) {
    throw new Error(
      "dist/index.html is missing: run `npx vite build` before the e2e tests (npm run e2e does)",
    );
  }
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} is missing: apt-get install -y chromium fonts-dejavu-core (scripts/test.sh does)`,
    );
  }
  const served = mkdtempSync(join(tmpdir(), "p2pviz-e2e-dist-"));
  cpSync(resolve(root, "dist"), served, { recursive: true });
  let output = "";
  let server: ChildProcess;
  const spawnServer = (): ChildProcess => {
    output = "";
    const s = spawn(
      process.execPath,
      [
        resolve(root, "node_modules/vite/bin/vite.js"),
        "preview",
        "--host",
        HOST,
        "--port",
        String(PORT),
        "--strictPort",
        "--outDir",
        served,
      ],
      {
        cwd: root,
        stdio: ["ignore", "pipe", "pipe"],
        detached: true,
        env: { ...process.env, NO_COLOR: "1" },
      },
    );
    s.stdout?.on("data", (d) => (output += String(d)));
    s.stderr?.on("data", (d) => (output += String(d)));
    return s;
  };
  const stopServer = () => {
    if (server.exitCode === null && server.pid) {
      try {
        process.kill(-server.pid, "SIGTERM"); // its own process group: vite and anything it spawned
      } catch {
        server.kill("SIGTERM");
      }
    }
    rmSync(served, { recursive: true, force: true });
  };
  let browser: BrowserServer | undefined;
  const baseUrl = `http://${HOST}:${PORT}/`;
  // Another run can take the port between our check and vite's listen: then wait for it again.
  for (let attempt = 1; ; attempt++) {
    await waitForFreePort(PORT);
    server = spawnServer();
    try {
      await waitForHttp(baseUrl, server, () => output);
      break;
    } catch (e) {
      const taken = output.includes(`Port ${PORT} is already in use`);
      if (!taken || attempt >= 5) {
        stopServer();
        throw e;
      }
    }
  }
  try {
    browser = await chromium.launchServer({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
    project.provide("wsEndpoint", browser.wsEndpoint());
    project.provide("baseUrl", baseUrl);
  } catch (e) {
    stopServer();
    throw e;
  }
  return async () => {
    await browser?.close();
    stopServer();
  };
}
