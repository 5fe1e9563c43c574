/** `p2pviz link` takes the public base URL from --base, P2PVIZ_BASE, or .p2pvizrc.json (cwd, then home). */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { type ConfigSource, chooseBase } from "../../src/cli/config.ts";
import { main } from "../../src/cli/main.ts";

const FILE = resolve(import.meta.dirname, "../../public/presets/seed-leak.p2p");

function source(env: Record<string, string>, files: Record<string, string>): ConfigSource {
  return { env, cwd: "/work/here", home: "/home/me", read: (p) => files[p] };
}

async function link(args: string[], config?: ConfigSource) {
  let out = "";
  let err = "";
  const code = await main(["link", FILE, ...args], {
    out: (t) => {
      out += t;
    },
    err: (t) => {
      err += t;
    },
    readInput: (p) => readFileSync(p, "utf8"),
    ...(config && { config: () => config }),
  });
  return { code, out, err };
}

describe("p2pviz link: the base URL", () => {
  it("--base wins over the environment and the config files", async () => {
    const cfg = source(
      { P2PVIZ_BASE: "https://env.example/" },
      { "/work/here/.p2pvizrc.json": '{"base":"https://cwd.example/"}' },
    );
    const r = await link(["--base", "https://flag.example/app/"], cfg);
    expect(r.out).toMatch(/^https:\/\/flag\.example\/app\/#v=3&/);
  });

  it("P2PVIZ_BASE, then ./.p2pvizrc.json, then ~/.p2pvizrc.json, then the preview address", () => {
    const cwd = { "/work/here/.p2pvizrc.json": '{"base":"https://cwd.example/"}' };
    const home = { "/home/me/.p2pvizrc.json": '{"base":"https://home.example/p2pviz/"}' };
    expect(
      chooseBase(undefined, source({ P2PVIZ_BASE: "https://env.example/" }, { ...cwd, ...home })),
    ).toEqual({
      ok: true,
      base: "https://env.example/",
      from: "P2PVIZ_BASE",
    });
    expect(chooseBase(undefined, source({}, { ...cwd, ...home }))).toMatchObject({
      base: "https://cwd.example/",
    });
    expect(chooseBase(undefined, source({}, home))).toMatchObject({
      base: "https://home.example/p2pviz/",
      from: "/home/me/.p2pvizrc.json",
    });
    expect(chooseBase(undefined, source({}, {}))).toMatchObject({
      base: "http://127.0.0.1:4173/",
      from: "default",
    });
  });

  it("the link uses the configured base", async () => {
    const r = await link(
      [],
      source({}, { "/home/me/.p2pvizrc.json": '{"base":"https://me.github.io/p2pviz/"}' }),
    );
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^https:\/\/me\.github\.io\/p2pviz\/#v=3&s=/);
  });

  it("a broken config file or a bad URL is a usage error that names it", async () => {
    const bad = await link([], source({}, { "/work/here/.p2pvizrc.json": "{nope" }));
    expect(bad.code).toBe(2);
    expect(bad.err).toContain("/work/here/.p2pvizrc.json is not JSON");
    const nobase = await link([], source({}, { "/work/here/.p2pvizrc.json": '{"url":"x"}' }));
    expect(nobase.code).toBe(2);
    expect(nobase.err).toContain('has no "base" string');
    const notUrl = await link([], source({ P2PVIZ_BASE: "example.org" }, {}));
    expect(notUrl.code).toBe(2);
    expect(notUrl.err).toContain("is not an absolute URL");
  });

  it("the real command reads P2PVIZ_BASE and .p2pvizrc.json in its working directory", () => {
    const dir = mkdtempSync(join(tmpdir(), "p2pviz-rc-"));
    const bin = resolve(import.meta.dirname, "../../bin/p2pviz.mjs");
    const env = { ...process.env, HOME: dir, P2PVIZ_BASE: "" };
    writeFileSync(join(dir, ".p2pvizrc.json"), '{"base": "https://rc.example/p2pviz/"}');
    const fromRc = execFileSync(process.execPath, [bin, "link", FILE], { cwd: dir, env, encoding: "utf8" });
    expect(fromRc).toMatch(/^https:\/\/rc\.example\/p2pviz\/#v=3&/);
    const fromEnv = execFileSync(process.execPath, [bin, "link", FILE], {
      cwd: dir,
      env: { ...env, P2PVIZ_BASE: "https://env.example/x/" },
      encoding: "utf8",
    });
    expect(fromEnv).toMatch(/^https:\/\/env\.example\/x\/#v=3&/);
  }, 30_000);
});

describe("hosting", () => {
  it("the Pages workflow builds with npm ci && npm run build and publishes dist/", () => {
    const wf = readFileSync(resolve(import.meta.dirname, "../../.github/workflows/pages.yml"), "utf8");
    expect(wf).toContain("run: npm ci && npm run build");
    expect(wf).toMatch(/upload-pages-artifact@v\d+\s+with:\s+path: dist\n/);
    expect(wf).toContain("actions/deploy-pages@");
  });
});
