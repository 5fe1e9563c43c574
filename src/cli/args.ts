import { PCI_ADDRESS } from "../scenario/parse.ts";
/** A tiny argument reader: flags with values, boolean flags and positionals, with clear errors. */
export interface ParsedArgs {
  positionals: string[];
  flags: Map<string, string | true>;
}

export class UsageError extends Error {}

export function parseArgs(
  args: string[],
  valued: readonly string[],
  booleans: readonly string[],
): ParsedArgs {
  const positionals: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === "-" || !a.startsWith("-")) {
      positionals.push(a);
      continue;
    }
    const eq = a.indexOf("=");
    const key = eq > 0 ? a.slice(0, eq) : a;
    if (valued.includes(key)) {
      const v = eq > 0 ? a.slice(eq + 1) : args[++i];
      if (v === undefined) throw new UsageError(`${key} needs a value`);
      flags.set(key, v);
    } else if (booleans.includes(key) && eq < 0) {
      flags.set(key, true);
    } else {
      throw new UsageError(`unknown option '${a}'`);
    }
  }
  return { positionals, flags };
}

/** `--page DEV:P`: a device name and a page number (from 0). */
export function pageFlag(v: string | true | undefined): { dev: string; index: number } | undefined {
  if (v === undefined || v === true) return undefined;
  // the page number follows the last ':', since a PCI address has ':' in it (0000:01:00.0:3)
  const m = /^(.*):([0-9]{1,9})$/.exec(v);
  if (!m || !(/^[a-z][a-z0-9_-]{0,31}$/.test(m[1]!) || PCI_ADDRESS.test(m[1]!)))
    throw new UsageError(
      `--page must be DEV:P, a device name or PCI address and a page number (like nvme0:3), not '${v}'`,
    );
  return { dev: m[1]!, index: Number(m[2]) };
}
