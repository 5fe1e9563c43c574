/**
 * The `s=` payload of a v1 link: the scenario text, tagged with a one-character scheme.
 *
 *   `t` + compact escape of the text  (plain: readable, best for short texts)
 *   `z` + base64url( CRC-24 of the UTF-8 text, 3 bytes big-endian ++ raw deflate, level 9,
 *                    with the frozen dictionary DICTIONARY_Z1 )
 *
 * A scheme, once shipped, is frozen: its tag, its escape rules and (for `z`) its dictionary never
 * change, because links made with it must open forever. A better dictionary is a new tag.
 *
 * fflate quirks checked here (STYLE.md §5): inflateSync throws on some damage but returns different
 * bytes without complaint on other damage (a flipped bit in a literal), and given an `out` buffer it
 * silently truncates. So: the CRC catches silent damage, and the size cap is enforced by giving an
 * `out` buffer one byte larger than the cap and refusing a result that fills it.
 */
import { deflateSync, inflateSync } from "fflate";
import {
  base64urlDecode,
  base64urlEncode,
  CUT_HINT,
  crc24,
  isWellFormed,
  percentDecode,
  utf8Decode,
  utf8Encode,
} from "./bytes.ts";
import { DICTIONARY_Z1 } from "./dictionary.ts";
import { ShareFailure, shown } from "./errors.ts";

/** The largest scenario text (UTF-8 bytes) a link may carry, in either direction. */
export const MAX_TEXT_BYTES = 1 << 20;

const Z1_DICT = utf8Encode(DICTIONARY_Z1);

/** Characters the plain scheme writes as themselves; all are safe unescaped in a URL fragment. */
const PLAIN_KEEP = /[A-Za-z0-9\-_.,:=/]/;
const PLAIN_MAP = { "+": " ", "~": "\n" } as const;

export function encodePlain(text: string): string {
  let out = "";
  for (const ch of text) {
    if (ch === " ") out += "+";
    else if (ch === "\n") out += "~";
    else if (PLAIN_KEEP.test(ch)) out += ch;
    else for (const b of utf8Encode(ch)) out += `%${b.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return `t${out}`;
}

export function encodeDeflate(text: string): string {
  const raw = utf8Encode(text);
  const z = deflateSync(raw, { level: 9, dictionary: Z1_DICT });
  const crc = crc24(raw);
  const bytes = new Uint8Array(3 + z.length);
  bytes[0] = crc >> 16;
  bytes[1] = (crc >> 8) & 0xff;
  bytes[2] = crc & 0xff;
  bytes.set(z, 3);
  return `z${base64urlEncode(bytes)}`;
}

/** The shorter of the two schemes (plain when they tie, since it is readable). */
export function encodePayload(text: string): string {
  if (!isWellFormed(text)) {
    throw new ShareFailure(
      "bad-text",
      "The scenario text holds a broken Unicode character (a lone surrogate) and cannot be put in a link.",
    );
  }
  const size = utf8Encode(text).length;
  if (size > MAX_TEXT_BYTES) {
    throw new ShareFailure(
      "too-large",
      `The scenario is ${size} bytes; a link can carry at most ${MAX_TEXT_BYTES} bytes.`,
      "Share the .p2p file instead.",
    );
  }
  const plain = encodePlain(text);
  const z = encodeDeflate(text);
  return z.length < plain.length ? z : plain;
}

export function decodePayload(payload: string): string {
  const tag = payload[0];
  const body = payload.slice(1);
  if (tag === "t") {
    const text = percentDecode(body, PLAIN_MAP);
    checkSize(utf8Encode(text).length);
    return text;
  }
  if (tag === "z") return inflateZ1(body);
  if (tag === undefined) {
    throw new ShareFailure("missing-key", "The link's scenario field 's=' is empty.", CUT_HINT);
  }
  throw new ShareFailure(
    "unknown-scheme",
    `The scenario in this link is stored with scheme '${shown(tag)}', which this version of p2pviz does not know.`,
    "The link may come from a newer p2pviz, or it was changed by hand.",
  );
}

function checkSize(n: number): void {
  if (n > MAX_TEXT_BYTES) {
    throw new ShareFailure(
      "too-large",
      `The scenario in this link is over ${MAX_TEXT_BYTES} bytes, more than p2pviz opens from a link.`,
    );
  }
}

function inflateZ1(body: string): string {
  const bytes = base64urlDecode(body);
  const damaged = (why: string) =>
    new ShareFailure("corrupt", `The compressed scenario in this link is damaged (${why}).`, CUT_HINT);
  if (bytes.length < 4) throw damaged("it is too short to hold anything");
  const want = (bytes[0]! << 16) | (bytes[1]! << 8) | bytes[2]!;
  const out = new Uint8Array(MAX_TEXT_BYTES + 1);
  let raw: Uint8Array;
  try {
    raw = inflateSync(bytes.subarray(3), { out, dictionary: Z1_DICT });
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    throw damaged(msg === "unexpected EOF" ? "it ends too early, so it was probably cut" : `deflate: ${msg}`);
  }
  checkSize(raw.length);
  if (crc24(raw) !== want) throw damaged("its checksum does not match, so it was changed or cut");
  return utf8Decode(raw);
}
