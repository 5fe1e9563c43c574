/**
 * Byte-level helpers for the share codec: strict UTF-8, strict base64url, percent escapes and a
 * CRC-24 check. Pure TypeScript (no DOM, no Buffer) so the same code runs in the CLI and the app.
 * Every decoder here rejects what it does not understand instead of guessing: `decodeURIComponent`
 * and `atob` are not used because their error behaviour is a throw of a generic error, and atob
 * accepts padding and whitespace variants that would make two different links mean the same thing.
 */
import { ShareFailure } from "./errors.ts";

const encoder = new TextEncoder();
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** True when the string has no lone UTF-16 surrogate (so it survives UTF-8 unchanged). */
export function isWellFormed(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (!(d >= 0xdc00 && d <= 0xdfff)) return false;
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) return false;
  }
  return true;
}

export function utf8Encode(s: string): Uint8Array {
  return encoder.encode(s);
}

/** Strict UTF-8: overlong forms, surrogates and truncated sequences are errors, a BOM is kept. */
export function utf8Decode(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new ShareFailure(
      "not-utf8",
      "The scenario in this link is not valid UTF-8 text.",
      "The link was probably cut or changed after it was made; ask for it again.",
    );
  }
}

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const B64_INDEX = new Int16Array(128).fill(-1);
for (let i = 0; i < B64.length; i++) B64_INDEX[B64.charCodeAt(i)] = i;

/** RFC 4648 §5 base64url without padding. */
export function base64urlEncode(bytes: Uint8Array): string {
  let out = "";
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out += B64[n >> 18]! + B64[(n >> 12) & 63]! + B64[(n >> 6) & 63]! + B64[n & 63]!;
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i]! << 16;
    out += B64[n >> 18]! + B64[(n >> 12) & 63]!;
  } else if (rest === 2) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
    out += B64[n >> 18]! + B64[(n >> 12) & 63]! + B64[(n >> 6) & 63]!;
  }
  return out;
}

/**
 * Strict base64url: only the 64 letters, no padding, no length of 4k+1, and unused trailing bits
 * must be zero (so every byte string has exactly one spelling and a dropped last letter is caught).
 */
export function base64urlDecode(s: string): Uint8Array {
  const bad = (why: string) =>
    new ShareFailure("corrupt", `The compressed scenario in this link is damaged (${why}).`, CUT_HINT);
  if (s.length % 4 === 1) throw bad("its length is impossible for base64url, so it was probably cut");
  const out = new Uint8Array(Math.floor((s.length * 3) / 4));
  let o = 0;
  let acc = 0;
  let bits = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const v = c < 128 ? B64_INDEX[c]! : -1;
    if (v < 0) throw bad(`'${s[i]}' at position ${i + 1} is not a base64url letter`);
    acc = ((acc << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
  }
  if ((acc & ((1 << bits) - 1)) !== 0)
    throw bad("its last letter has stray bits, so it was probably cut or changed");
  return out;
}

export const CUT_HINT =
  "Links are sometimes cut by mail programs at a line break: copy the whole link, or ask for it again.";

/**
 * Decodes %XX escapes to UTF-8 bytes, then to a string. Every other character stands for itself
 * (after UTF-8 encoding), except the ones `map` rewrites (the compact plain scheme uses `+` for a
 * space and `~` for a newline; the hand-written form uses `+` for a space, as URLSearchParams does).
 */
export function percentDecode(s: string, map: Readonly<Record<string, string>>): string {
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (ch === "%") {
      const hex = s.slice(i + 1, i + 3);
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) {
        throw new ShareFailure(
          "bad-escape",
          `The scenario text in this link has a broken escape '${s.slice(i, i + 3)}' at position ${i + 1}.`,
          "A '%' must be followed by two hex digits; write a literal '%' as %25.",
        );
      }
      bytes.push(Number.parseInt(hex, 16));
      i += 2;
      continue;
    }
    const mapped = map[ch];
    const code = s.charCodeAt(i);
    if (mapped !== undefined) {
      for (const b of utf8Encode(mapped)) bytes.push(b);
    } else if (code < 0x80) {
      bytes.push(code);
    } else {
      // A raw non-ASCII character (a link pasted into the CLI): its own UTF-8 bytes.
      const cp = s.codePointAt(i)!;
      const one = String.fromCodePoint(cp);
      for (const b of utf8Encode(one)) bytes.push(b);
      i += one.length - 1;
    }
  }
  return utf8Decode(Uint8Array.from(bytes));
}

/**
 * CRC-24 (OpenPGP, RFC 4880 §6.1) of the bytes. Raw deflate has no checksum, and an inflater fed
 * a changed stream may return different text without any error: this check is what catches that.
 */
export function crc24(bytes: Uint8Array): number {
  let crc = 0xb704ce;
  for (let i = 0; i < bytes.length; i++) {
    crc ^= bytes[i]! << 16;
    for (let k = 0; k < 8; k++) {
      crc <<= 1;
      if (crc & 0x1000000) crc ^= 0x1864cfb;
    }
  }
  return crc & 0xffffff;
}
