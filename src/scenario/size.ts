/** Sizes and offsets in the scenario language: decimal bytes, hex, or a binary suffix K, M, G. */

const K = 1024;
const SUFFIX: Record<string, number> = { K, M: K * K, G: K * K * K };

/** Parses a size token; returns the byte count or an error message. */
export function parseSize(tok: string): number | { error: string; hint?: string } {
  let value: number;
  let m: RegExpExecArray | null;
  if ((m = /^0x([0-9a-fA-F]+)$/.exec(tok))) {
    if (m[1]!.replace(/^0+/, "").length > 13) return { error: `size '${clip(tok)}' is too large` };
    value = Number.parseInt(m[1]!, 16);
  } else if ((m = /^([0-9]+)([KMG]?)$/.exec(tok))) {
    if (m[1]!.replace(/^0+/, "").length > 16) return { error: `size '${clip(tok)}' is too large` };
    value = Number(m[1]) * (m[2] ? SUFFIX[m[2]]! : 1);
  } else if (/^[0-9]+[kmg]$/.test(tok)) {
    return {
      error: `size '${clip(tok)}' has a lower-case suffix`,
      hint: `write ${tok.slice(0, -1)}${tok.slice(-1).toUpperCase()}`,
    };
  } else {
    return {
      error: `'${clip(tok)}' is not a size`,
      hint: "sizes are decimal bytes (65536), hex (0x10000) or a number with K, M or G (64K)",
    };
  }
  if (!Number.isSafeInteger(value) || value > 2 ** 52) return { error: `size '${clip(tok)}' is too large` };
  return value;
}

/** Canonical form: the largest exact binary suffix, else decimal. */
export function formatSize(n: number): string {
  if (n > 0) {
    for (const s of ["G", "M", "K"] as const) {
      const unit = SUFFIX[s]!;
      if (n % unit === 0) return `${n / unit}${s}`;
    }
  }
  return String(n);
}

/** A token shortened for error messages, so a 1 MB token does not make a 1 MB message. */
export function clip(tok: string, max = 40): string {
  return tok.length > max ? `${tok.slice(0, max)}…` : tok;
}
