/**
 * Why a share link could not be read or made. Every failure of the codec is one of these, with a
 * plain message meant for the person who clicked the link; nothing in src/share throws them across
 * its public API (decode and encode return results), and nothing ever falls back to a default
 * scenario (STYLE.md §5: Compiler Explorer #7169 / #223 are what that leads to).
 */

export type ShareErrorCode =
  /** the fragment is empty: there is no link to open */
  | "empty"
  /** the fragment is not a list of key=value fields */
  | "malformed"
  /** `v=` names a format version this build does not know (newer, or never existed) */
  | "unknown-version"
  /** a key no version of the format defines, or one this version does not allow */
  | "unknown-key"
  /** the same key twice */
  | "duplicate-key"
  /** a required key (the scenario, the step) is absent */
  | "missing-key"
  /** `step=` is not a whole number in range */
  | "bad-step"
  /** `page=`, `panel=` or `design=` is not well formed */
  | "bad-field"
  /** the payload's one-character scheme tag is not one this build knows */
  | "unknown-scheme"
  /** the payload is damaged: bad base64url, bad deflate stream, wrong checksum, truncated */
  | "corrupt"
  /** a percent escape is broken (`%G1`, a lone `%`) */
  | "bad-escape"
  /** the bytes are not valid UTF-8 */
  | "not-utf8"
  /** the link, or the scenario inside it, is bigger than the limits */
  | "too-large"
  /** the scenario text cannot be put in a link (for example it holds a lone UTF-16 surrogate) */
  | "bad-text"
  /** the base URL given to the encoder is not an absolute URL */
  | "bad-base";

export interface ShareError {
  readonly code: ShareErrorCode;
  /** one or two plain sentences, safe to show as text (never HTML) */
  readonly message: string;
  /** what the user can do about it */
  readonly hint?: string;
}

/** Internal: thrown inside the codec, caught at its public boundary and turned into a result. */
export class ShareFailure extends Error {
  constructor(
    readonly code: ShareErrorCode,
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = "ShareFailure";
  }

  toError(): ShareError {
    return this.hint === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, hint: this.hint };
  }
}

/** A user-supplied string shortened for a message, with control characters made visible. */
export function shown(s: string, max = 40): string {
  const cut = s.length > max ? `${s.slice(0, max)}…` : s;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: making control characters visible is the point
  return cut.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
}
