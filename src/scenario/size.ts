/**
 * Sizes and offsets in the scenario language: decimal bytes, hex, or a binary suffix K, M, G, T in
 * either case, as the kernel's memparse() (lib/cmdline.c) reads them.
 *
 * Where this differs from memparse, on purpose: a leading 0 is decimal (memparse's base 0 would read
 * `010` as octal 8; version 1 read it as 10, and a text keeps its meaning), the suffixes P and E are
 * refused (the language stops at T), and a value over 2^52 is refused, so every size is an exact
 * JavaScript number and an address plus an offset stays exact.
 */

const K = 1024;
const SUFFIX: Readonly<Record<string, number>> = { K, M: K ** 2, G: K ** 3, T: K ** 4 };
/** The largest size or offset the language reads (4096T). */
export const MAX_SIZE = 2 ** 52;

/** Parses a size token; returns the byte count or an error message. */
export function parseSize(tok: string): number | { error: string; hint?: string } {
  let value: number;
  let m: RegExpExecArray | null;
  if ((m = /^0x([0-9a-fA-F]+)([kmgtKMGT]?)$/.exec(tok))) {
    if (m[1]!.replace(/^0+/, "").length > 13) return tooLarge(tok);
    value = Number.parseInt(m[1]!, 16) * unit(m[2]!);
  } else if ((m = /^([0-9]+)([kmgtKMGT]?)$/.exec(tok))) {
    if (m[1]!.replace(/^0+/, "").length > 16) return tooLarge(tok);
    value = Number(m[1]) * unit(m[2]!);
  } else if (/^(0x[0-9a-fA-F]+|[0-9]+)[pPeE]$/.test(tok)) {
    return {
      error: `size '${clip(tok)}' has a suffix the language does not read`,
      hint: "the suffixes are K, M, G and T (1T = 1024G)",
    };
  } else {
    return {
      error: `'${clip(tok)}' is not a size`,
      hint: "sizes are decimal bytes (65536), hex (0x10000) or a number with K, M, G or T (64K)",
    };
  }
  if (!Number.isSafeInteger(value) || value > MAX_SIZE) return tooLarge(tok);
  return value;
}

function unit(suffix: string): number {
  return suffix ? SUFFIX[suffix.toUpperCase()]! : 1;
}

function tooLarge(tok: string): { error: string } {
  return { error: `size '${clip(tok)}' is too large` };
}

/** Canonical form: the largest exact binary suffix (upper case), else decimal. */
export function formatSize(n: number): string {
  if (n > 0) {
    for (const s of ["T", "G", "M", "K"] as const) {
      const u = SUFFIX[s]!;
      if (n % u === 0) return `${n / u}${s}`;
    }
  }
  return String(n);
}

/** A token shortened for error messages, so a 1 MB token does not make a 1 MB message. */
export function clip(tok: string, max = 40): string {
  return tok.length > max ? `${tok.slice(0, max)}…` : tok;
}
