/**
 * Share links: the whole state a link carries lives in the URL fragment, so there is no server and
 * the fragment never reaches one. Pure TypeScript, no DOM: the CLI and the app share it.
 *
 *   encodeShareLink(state, { base })  -> { ok, url, fragment } | { ok: false, error }
 *   decodeShareLink(urlOrFragment)    -> { ok, state, version } | { ok: false, error }
 *
 * Both are total: they return a ShareError for every bad input and never throw (fuzzed in
 * test/unit/share-fuzz.test.ts), and decoding never substitutes a default for anything it could
 * not read. The decoded text is data: callers render it as text and parse it as a scenario.
 * Format versions and migrations: versions.ts; payload schemes: payload.ts; docs/url-format.md.
 */

import { DESIGN_VERSIONS, DESIGNS, type Design, type KernelVersion } from "../scenario/ast.ts";
import { PCI_ADDRESS } from "../scenario/parse.ts";
import { isWellFormed } from "./bytes.ts";
import { type ShareError, ShareFailure, shown } from "./errors.ts";
import { encodePayload } from "./payload.ts";
import {
  CURRENT_VERSION,
  decodeVersion,
  type Fields,
  MAX_PAGE_INDEX_V3,
  MAX_STEP,
  NAME,
  PANEL,
  type ShareV3,
} from "./versions.ts";

export type { ShareError, ShareErrorCode } from "./errors.ts";
export type { CompareRef, CompareRefV3, EmbedRef, PageRef } from "./versions.ts";
export { CURRENT_VERSION, MAX_STEP } from "./versions.ts";

/** What a link opens: the current format's content. */
export type ShareState = ShareV3;

/**
 * The format version a state is written in. Before v3 the encoder wrote the lowest version that
 * held the state; v3 changed what `step` counts, so every new link is v3 (docs/url-format.md).
 */
export function versionFor(_state: ShareState): number {
  return 3;
}

/** `D` or `D@V` for a link's design field; throws ShareFailure for an unknown design or a pair it lacks. */
function kernelField(design: Design, version: KernelVersion | undefined): string {
  if (!(DESIGNS as readonly string[]).includes(design)) {
    throw new ShareFailure("bad-field", `'${shown(design)}' is not a design.`);
  }
  if (version === undefined) return design;
  if (!DESIGN_VERSIONS[design].includes(version)) {
    throw new ShareFailure("bad-field", `Design '${design}' does not run in kernel '${shown(version)}'.`);
  }
  return `${design}@${version}`;
}

/** The longest URL the encoder makes: beyond it, mail programs and chat tools start to mangle links. */
export const MAX_URL_CHARS = 8000;
/** The longest fragment the decoder reads (hand-written links may be longer than generated ones). */
export const MAX_FRAGMENT_CHARS = 65536;
/** The address `vite preview` serves the app at (package.json "preview"). */
export const DEFAULT_BASE = "http://127.0.0.1:4173/";

export type EncodeResult =
  | { readonly ok: true; readonly url: string; readonly fragment: string }
  | { readonly ok: false; readonly error: ShareError };

export type DecodeResult =
  | {
      readonly ok: true;
      readonly state: ShareState;
      /** the format version the link was written in (0 = the hand-written `text=` form) */
      readonly version: number;
    }
  | { readonly ok: false; readonly error: ShareError };

function fail(e: unknown): { ok: false; error: ShareError } {
  if (e instanceof ShareFailure) return { ok: false, error: e.toError() };
  // A bug in this module, not a bad link: still a plain message, never a crash of the caller.
  const msg = e instanceof Error ? e.message : String(e);
  return {
    ok: false,
    error: { code: "corrupt", message: `This link could not be read (${shown(msg, 120)}).` },
  };
}

/** The fragment (without '#') for a state, in the current format. Throws ShareFailure. */
export function formatFragment(state: ShareState): string {
  if (typeof state.text !== "string" || !isWellFormed(state.text)) {
    throw new ShareFailure("bad-text", "The scenario text cannot be put in a link.");
  }
  if (!Number.isInteger(state.step) || state.step < 0 || state.step > MAX_STEP) {
    throw new ShareFailure("bad-step", `Step ${state.step} is not a whole number from 0 to ${MAX_STEP}.`);
  }
  const parts = [`v=${versionFor(state)}`, `s=${encodePayload(state.text)}`];
  if (state.version !== undefined && state.design === undefined) {
    throw new ShareFailure("bad-field", "A kernel version needs the design it belongs to.");
  }
  if (state.design !== undefined) parts.push(`design=${kernelField(state.design, state.version)}`);
  if (state.compare !== undefined) {
    const { design, version, text } = state.compare;
    if (design === undefined && text === undefined) {
      throw new ShareFailure("bad-field", "A comparison needs side B's design or scenario text (or both).");
    }
    if (version !== undefined && design === undefined) {
      throw new ShareFailure("bad-field", "Side B's kernel version needs the design it belongs to.");
    }
    if (design !== undefined) parts.push(`vs=${kernelField(design, version)}`);
    if (text !== undefined) {
      if (typeof text !== "string" || !isWellFormed(text)) {
        throw new ShareFailure("bad-text", "Side B's scenario text cannot be put in a link.");
      }
      parts.push(`s2=${encodePayload(text)}`);
    }
  }
  if (state.page !== undefined) {
    const { dev, index } = state.page;
    if (
      !(NAME.test(dev) || PCI_ADDRESS.test(dev)) ||
      !Number.isInteger(index) ||
      index < 0 ||
      index > MAX_PAGE_INDEX_V3
    ) {
      throw new ShareFailure("bad-field", `Page '${shown(`${dev}:${index}`)}' is not DEVICE:PAGE.`);
    }
    parts.push(`page=${dev}:${index}`);
  }
  if (state.panel !== undefined) {
    if (!PANEL.test(state.panel))
      throw new ShareFailure("bad-field", `'${shown(state.panel)}' is not a panel name.`);
    parts.push(`panel=${state.panel}`);
  }
  if (state.embed !== undefined) {
    parts.push("embed=1");
    const { from, to } = state.embed;
    for (const [key, n] of [
      ["from", from],
      ["to", to],
    ] as const) {
      if (n === undefined) continue;
      if (!Number.isInteger(n) || n < 0 || n > MAX_STEP) {
        throw new ShareFailure("bad-step", `The embed's ${key} ${n} is not a step from 0 to ${MAX_STEP}.`);
      }
      parts.push(`${key}=${n}`);
    }
    if (from !== undefined && to !== undefined && from > to) {
      throw new ShareFailure("bad-step", `The embed's step range ${from} to ${to} runs backwards.`);
    }
  }
  parts.push(`step=${state.step}`);
  return parts.join("&");
}

/** The base URL with any fragment removed; must be absolute. */
function cleanBase(base: string): string {
  let u: URL;
  try {
    u = new URL(base);
  } catch {
    throw new ShareFailure(
      "bad-base",
      `'${shown(base, 80)}' is not an absolute URL.`,
      `For example ${DEFAULT_BASE}`,
    );
  }
  u.hash = "";
  return u.href;
}

export interface EncodeOptions {
  /** where the app is served; default DEFAULT_BASE */
  readonly base?: string;
}

/** A share URL for the state, or a ShareError (for example "too-large" past MAX_URL_CHARS). */
export function encodeShareLink(state: ShareState, opts: EncodeOptions = {}): EncodeResult {
  try {
    const base = cleanBase(opts.base ?? DEFAULT_BASE);
    const fragment = formatFragment(state);
    const url = `${base}#${fragment}`;
    if (url.length > MAX_URL_CHARS) {
      throw new ShareFailure(
        "too-large",
        `This scenario makes a ${url.length}-character link, over the ${MAX_URL_CHARS}-character limit that mail programs and browsers keep intact.`,
        "Download the scenario as a .p2p file and share the file instead.",
      );
    }
    return { ok: true, url, fragment };
  } catch (e) {
    return fail(e);
  }
}

/** Splits a fragment into raw key=value fields (values still escaped). Empty segments are skipped. */
export function splitFields(fragment: string): Fields {
  const fields: Array<readonly [string, string]> = [];
  for (const part of fragment.split("&")) {
    if (part === "") continue;
    const eq = part.indexOf("=");
    if (eq <= 0) {
      throw new ShareFailure(
        "malformed",
        `The link's '${shown(part)}' is not a key=value field.`,
        "A p2pviz link looks like #v=1&s=...&step=N, or #text=...&step=N when written by hand.",
      );
    }
    fields.push([part.slice(0, eq), part.slice(eq + 1)]);
  }
  return fields;
}

/** The fragment of a URL (text after the first '#'), or the input itself if it is a bare fragment. */
export function fragmentOf(input: string): string {
  const s = input.trim();
  const hash = s.indexOf("#");
  if (hash >= 0) return s.slice(hash + 1);
  if (/^[a-z][a-z0-9+.-]*:/i.test(s) && !/^[a-z0-9]+=/i.test(s)) {
    throw new ShareFailure(
      "empty",
      "This URL has no '#' part, so it holds no p2pviz scenario.",
      "A share link ends in #v=1&s=...&step=N.",
    );
  }
  return s;
}

/**
 * Reads a share link: a whole URL, a fragment with or without its '#', or location.hash.
 * A fragment with `v=N` is format vN; one without `v` but with `text=` is the hand-written v0 form.
 */
export function decodeShareLink(input: string): DecodeResult {
  try {
    if (typeof input !== "string") throw new ShareFailure("empty", "There is no link to open.");
    const fragment = fragmentOf(input);
    if (fragment.length > MAX_FRAGMENT_CHARS) {
      throw new ShareFailure(
        "too-large",
        `This link is ${fragment.length} characters long, more than the ${MAX_FRAGMENT_CHARS} p2pviz reads.`,
      );
    }
    if (fragment.includes("&amp;")) {
      // '&' never appears escaped in a p2pviz link: this one was copied out of HTML source
      throw new ShareFailure(
        "malformed",
        "This link has '&amp;' where '&' belongs: it was copied from the HTML of a page or mail.",
        "Replace each '&amp;' with '&', or copy the link from the page as shown rather than from its source.",
      );
    }
    const fields = splitFields(fragment);
    if (fields.length === 0)
      throw new ShareFailure("empty", "The link is empty: there is no scenario in it.");
    const v = fields.find(([k]) => k === "v");
    let version: number;
    if (v === undefined) {
      if (!fields.some(([k]) => k === "text")) {
        const keys = fields.map(([k]) => k).join(", ");
        throw new ShareFailure(
          "missing-key",
          `This link has no format version ('v=') and no scenario text ('text='); it has ${shown(keys, 80)}.`,
          "A p2pviz link looks like #v=1&s=...&step=N, or #text=...&step=N when written by hand.",
        );
      }
      version = 0;
    } else {
      if (fields[0]![0] !== "v") {
        throw new ShareFailure(
          "malformed",
          "In this link 'v=' is not the first field, which p2pviz never writes.",
        );
      }
      if (!/^[1-9][0-9]{0,5}$/.test(v[1])) {
        throw new ShareFailure(
          "unknown-version",
          `This link's format version '${shown(v[1])}' is not one p2pviz knows (it reads 1 to ${CURRENT_VERSION}).`,
        );
      }
      version = Number(v[1]);
    }
    return { ok: true, state: decodeVersion(version, fields), version };
  } catch (e) {
    return fail(e);
  }
}

/**
 * Checks a decoded step against the scenario's real length (which only running it tells). A step
 * past the end is an error to show, not something to clamp silently.
 */
export function checkStep(step: number, totalSteps: number): ShareError | undefined {
  if (step < totalSteps) return undefined;
  return {
    code: "bad-step",
    message:
      totalSteps === 0
        ? `The link asks for step ${step}, but this scenario has no steps.`
        : `The link asks for step ${step}, but this scenario has steps 0 to ${totalSteps - 1}.`,
    hint: "The scenario may have been edited after the link was made.",
  };
}
