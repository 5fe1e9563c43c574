/**
 * Where the app is published, for `p2pviz link`: `--base URL`, else the P2PVIZ_BASE environment
 * variable, else `.p2pvizrc.json` in the current directory, else `.p2pvizrc.json` in the home
 * directory (`{"base": "https://example.org/p2pviz/"}`), else the local preview address.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { DEFAULT_BASE } from "../share/codec.ts";

export const RC_FILE = ".p2pvizrc.json";

/** What the lookup may read; the CLI passes the process's, tests their own. */
export interface ConfigSource {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  readonly home: string | undefined;
  /** a file's text, or undefined when there is no such file */
  readonly read: (path: string) => string | undefined;
}

export type BaseChoice =
  | { readonly ok: true; readonly base: string; readonly from: string }
  | { readonly ok: false; readonly message: string };

export function readIfExists(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw e;
  }
}

export const processConfig = (): ConfigSource => ({
  env: process.env,
  cwd: process.cwd(),
  home: process.env.HOME,
  read: readIfExists,
});

/** The base URL to put in links, and where it came from. */
export function chooseBase(flag: string | undefined, src: ConfigSource | undefined): BaseChoice {
  if (flag !== undefined) return { ok: true, base: flag, from: "--base" };
  if (!src) return { ok: true, base: DEFAULT_BASE, from: "default" };
  const env = src.env.P2PVIZ_BASE;
  if (env !== undefined && env !== "") return { ok: true, base: env, from: "P2PVIZ_BASE" };
  const dirs = [src.cwd, ...(src.home && src.home !== src.cwd ? [src.home] : [])];
  for (const dir of dirs) {
    const path = join(dir, RC_FILE);
    const text = src.read(path);
    if (text === undefined) continue;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return { ok: false, message: `${path} is not JSON (expected {"base": "https://.../"})` };
    }
    const base = (json as { base?: unknown } | null)?.base;
    if (typeof base !== "string" || base === "") {
      return { ok: false, message: `${path} has no "base" string (expected {"base": "https://.../"})` };
    }
    return { ok: true, base, from: path };
  }
  return { ok: true, base: DEFAULT_BASE, from: "default" };
}
