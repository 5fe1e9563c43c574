/**
 * Every share-link format version p2pviz ever shipped: one decoder each, kept forever, and one pure
 * migration from each version to the next (Compiler Explorer's `loadState` falls through
 * `case 1 → 2 → 3`; tldraw keeps `testSchema.v0.ts` beside `v1`). Never edit a shipped decoder or
 * migration: add version N+1, its decoder, and `migrateVNtoVN1`, and bump CURRENT_VERSION.
 *
 *   v0  the readable, hand-written form: `#text=<URL-encoded scenario>[&step=N][&page=DEV:P][&panel=NAME]`.
 *       It has no `v=` field. No link was ever generated before `v=1` existed, so every v0 link is
 *       one somebody wrote by hand (docs/url-format.md).
 *   v1  `#v=1&s=<payload>[&design=D][&page=DEV:P][&panel=NAME]&step=N`, written by the app and the CLI.
 *   v2  v1 plus compare mode (issue 6): `[&vs=D][&s2=<payload>]` after `design`; either one makes the
 *       link a comparison, whose `step` is the aligned step of both sides. `migrateV1toV2` adds no
 *       comparison.
 *   v3  v2 for language v2 and the scale engine: `design` and `vs` may name a kernel version,
 *       `design=upstream@6.12`; `page` may name a PCI-address device, `page=0000:01:00.0:3` (the page
 *       number follows the last ':'), and a page up to 2^28 - 1 (1T of 4K pages); and `step` counts
 *       the events of the scale engine (historical designs in their 5.10 kernel). `migrateV2toV3` adds
 *       nothing. Also embed mode: `[&embed=1[&from=A][&to=B]]` after `panel`, before `step`: the
 *       panels and stepping controls only, for an iframe, with an optional step range that playing
 *       loops over. The encoder writes v3 for every link, because what `step` counts changed.
 *
 * What every version keeps: the scenario text, byte for byte, hence the same statements. A v0-v2
 * `step` counts the events of the first engine; opening such a link maps it to the same statement
 * and pool in today's numbering (src/share/migrate-step.ts, with the first engine kept in
 * src/legacy/), which needs the engines and so is done by the callers that run the scenario.
 */
import { DESIGNS, type Design, type KernelVersion } from "../scenario/ast.ts";
import { PCI_ADDRESS, readKernel } from "../scenario/parse.ts";
import { percentDecode } from "./bytes.ts";
import { ShareFailure, shown } from "./errors.ts";
import { decodePayload } from "./payload.ts";

export const CURRENT_VERSION = 3;

/** A selected page: DEV's page number INDEX (0-based, in the device's own page numbering). */
export interface PageRef {
  readonly dev: string;
  readonly index: number;
}

/** What a v0 (hand-written) link says. */
export interface ShareV0 {
  readonly text: string;
  readonly step: number;
  readonly page?: PageRef;
  readonly panel?: string;
}

/** What a v1 link says; also the current in-memory form, ShareState. */
export interface ShareV1 {
  /** the scenario text, exactly as it was shared (comments, blank lines and all) */
  readonly text: string;
  /** 0-based: the view after events[step] (team-rules.md, "Step semantics") */
  readonly step: number;
  /** a design chosen in the app over the scenario's own `kernel` statement */
  readonly design?: Design;
  readonly page?: PageRef;
  /** the panel the sharer had focused */
  readonly panel?: string;
}

/** Side B of a comparison: at least one of the two is present. */
export interface CompareRef {
  /** side B's design (`vs=`); absent = the `kernel` line of side B's scenario */
  readonly design?: Design;
  /** side B's scenario text (`s2=`); absent = the same text as side A */
  readonly text?: string;
}

/** What a v2 link says. */
export interface ShareV2 extends ShareV1 {
  /** compare mode: side A is `text` (with `design`), side B this; `step` is then the aligned step */
  readonly compare?: CompareRef;
}

/** Side B of a v3 comparison: v2's, plus the kernel version of its design. */
export interface CompareRefV3 extends CompareRef {
  /** the kernel version of `design` (`vs=D@V`); only with `design`; absent = the design's default */
  readonly version?: KernelVersion;
}

/** Embed mode (v3): no editor and no toolbar; playing loops over steps from..to when given. */
export interface EmbedRef {
  /** first step of the loop (default 0) */
  readonly from?: number;
  /** last step of the loop (default the last step) */
  readonly to?: number;
}

/** What a v3 link says; also the current in-memory form, ShareState. */
export interface ShareV3 extends ShareV2 {
  /** the kernel version of `design` (`design=D@V`); only with `design`; absent = the design's default */
  readonly version?: KernelVersion;
  readonly compare?: CompareRefV3;
  readonly embed?: EmbedRef;
}

/** Fields of a fragment: raw (still escaped) values, in the order they appear. */
export type Fields = ReadonlyArray<readonly [key: string, value: string]>;

/** The largest step a link may name; traces are far shorter, the app checks the real bound. */
export const MAX_STEP = 999_999_999;
/** A device is at most 4G of pages of at least 4K (scenario-language.md v1): 2^20 pages (link formats v1, v2). */
export const MAX_PAGE_INDEX = 1024 * 1024 - 1;
/** Language v2: a device is at most 1T of pages of at least 4K, 2^28 pages (link format v3). */
export const MAX_PAGE_INDEX_V3 = 2 ** 28 - 1;
export const NAME = /^[a-z][a-z0-9_-]{0,31}$/;
export const PANEL = /^[a-z][a-z0-9-]{0,31}$/;

/** Keys that a later format version will define, so today's decoder can say so. */
const FUTURE_KEYS: Readonly<Record<string, string>> = {
  vs: "comparison with a second design",
  s2: "a second scenario to compare",
  embed: "embed mode (the panels without the editor, for an iframe)",
  from: "a step range to play in embed mode",
  to: "a step range to play in embed mode",
};

function field(fields: Fields, key: string): string | undefined {
  for (const [k, v] of fields) if (k === key) return v;
  return undefined;
}

function checkKeys(fields: Fields, allowed: readonly string[], version: number): void {
  const seen = new Set<string>();
  for (const [k] of fields) {
    if (seen.has(k)) {
      throw new ShareFailure("duplicate-key", `The link has '${shown(k)}=' twice, so it is ambiguous.`);
    }
    seen.add(k);
    if (allowed.includes(k)) continue;
    const future = FUTURE_KEYS[k];
    if (future) {
      throw new ShareFailure(
        "unknown-key",
        `The link asks for ${future} ('${k}='), which link format v${version} does not have.`,
        "It was probably made by a newer p2pviz; open it there.",
      );
    }
    throw new ShareFailure(
      "unknown-key",
      `The link has a field '${shown(k)}=' that p2pviz does not know (link format v${version} allows ${allowed.join(", ")}).`,
      "The link may have been changed by hand.",
    );
  }
}

function plainField(raw: string): string {
  return percentDecode(raw, {});
}

function parseStep(raw: string | undefined, canonical: boolean): number {
  if (raw === undefined) {
    throw new ShareFailure("missing-key", "The link has no 'step=' field, so it was probably cut short.");
  }
  const s = plainField(raw);
  const ok = canonical ? /^(0|[1-9][0-9]{0,8})$/.test(s) : /^[0-9]{1,9}$/.test(s);
  if (!ok) {
    throw new ShareFailure(
      "bad-step",
      `The link's step '${shown(s)}' is not a whole number from 0 to ${MAX_STEP}.`,
      "The step counts from 0, like the step box in the app.",
    );
  }
  return Number(s);
}

function parsePage(raw: string | undefined, canonical: boolean): PageRef | undefined {
  if (raw === undefined) return undefined;
  const s = plainField(raw);
  const m = /^([^:]*):([0-9]{1,7})$/.exec(s);
  const dev = m?.[1];
  const index = m ? Number(m[2]) : Number.NaN;
  if (
    !m ||
    !dev ||
    !NAME.test(dev) ||
    !(index <= MAX_PAGE_INDEX) ||
    (canonical && m[2]!.length > 1 && m[2]!.startsWith("0"))
  ) {
    throw new ShareFailure(
      "bad-field",
      `The link's page '${shown(s)}' is not DEVICE:PAGE (a device name and a page number).`,
      "For example page=nvme0:3.",
    );
  }
  return { dev, index };
}

function parsePanel(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  const s = plainField(raw);
  if (!PANEL.test(s)) {
    throw new ShareFailure("bad-field", `The link's panel '${shown(s)}' is not a panel name.`);
  }
  return s;
}

function parseDesign(raw: string | undefined): Design | undefined {
  if (raw === undefined) return undefined;
  const s = plainField(raw);
  if (!(DESIGNS as readonly string[]).includes(s)) {
    throw new ShareFailure(
      "bad-field",
      `The link asks for design '${shown(s)}', which p2pviz does not know.`,
      `Designs: ${DESIGNS.join(", ")}.`,
    );
  }
  return s as Design;
}

/** v0: the readable form. `+` is a space, as in URLSearchParams; step defaults to 0 (the start). */
export function decodeV0(fields: Fields): ShareV0 {
  checkKeys(fields, ["text", "step", "page", "panel"], 0);
  const rawText = field(fields, "text");
  if (rawText === undefined) {
    throw new ShareFailure("missing-key", "The link has no scenario ('text=' or 's=').");
  }
  const text = percentDecode(rawText, { "+": " " });
  const rawStep = field(fields, "step");
  const step = rawStep === undefined ? 0 : parseStep(rawStep, false);
  const page = parsePage(field(fields, "page"), false);
  const panel = parsePanel(field(fields, "panel"));
  return { text, step, ...(page && { page }), ...(panel && { panel }) };
}

/** v1: `step` is required and must be the last field, so a link cut anywhere earlier is an error. */
export function decodeV1(fields: Fields): ShareV1 {
  checkKeys(fields, ["v", "s", "design", "page", "panel", "step"], 1);
  const s = field(fields, "s");
  if (s === undefined) throw new ShareFailure("missing-key", "The link has no scenario field 's='.");
  const rawStep = field(fields, "step");
  if (rawStep !== undefined && fields[fields.length - 1]![0] !== "step") {
    throw new ShareFailure(
      "malformed",
      "In this link 'step=' is not the last field, which p2pviz never writes.",
      "The link was probably changed by hand; ask for it again.",
    );
  }
  const step = parseStep(rawStep, true);
  const text = decodePayload(s);
  const design = parseDesign(field(fields, "design"));
  const page = parsePage(field(fields, "page"), true);
  const panel = parsePanel(field(fields, "panel"));
  return { text, step, ...(design && { design }), ...(page && { page }), ...(panel && { panel }) };
}

/** v2: v1's fields plus `vs` and `s2`, either of which makes the link a comparison. */
export function decodeV2(fields: Fields): ShareV2 {
  checkKeys(fields, ["v", "s", "design", "vs", "s2", "page", "panel", "step"], 2);
  const s = field(fields, "s");
  if (s === undefined) throw new ShareFailure("missing-key", "The link has no scenario field 's='.");
  const rawStep = field(fields, "step");
  if (rawStep !== undefined && fields[fields.length - 1]![0] !== "step") {
    throw new ShareFailure(
      "malformed",
      "In this link 'step=' is not the last field, which p2pviz never writes.",
      "The link was probably changed by hand; ask for it again.",
    );
  }
  const step = parseStep(rawStep, true);
  const text = decodePayload(s);
  const design = parseDesign(field(fields, "design"));
  const vs = parseDesign(field(fields, "vs"));
  const rawS2 = field(fields, "s2");
  if (rawS2 === "") {
    throw new ShareFailure("missing-key", "The link's second scenario 's2=' is empty.");
  }
  const text2 = rawS2 === undefined ? undefined : decodePayload(rawS2);
  const page = parsePage(field(fields, "page"), true);
  const panel = parsePanel(field(fields, "panel"));
  const compare: CompareRef | undefined =
    vs !== undefined || text2 !== undefined
      ? { ...(vs && { design: vs }), ...(text2 !== undefined && { text: text2 }) }
      : undefined;
  return {
    text,
    step,
    ...(design && { design }),
    ...(compare && { compare }),
    ...(page && { page }),
    ...(panel && { panel }),
  };
}

/** v3's `page`: a name or a PCI address, then ':' and a page number up to MAX_PAGE_INDEX_V3. */
function parsePageV3(raw: string | undefined): PageRef | undefined {
  if (raw === undefined) return undefined;
  const s = plainField(raw);
  const m = /^(.*):(0|[1-9][0-9]{0,8})$/.exec(s);
  const dev = m?.[1] ?? "";
  const index = m ? Number(m[2]) : Number.NaN;
  if (!m || !(NAME.test(dev) || PCI_ADDRESS.test(dev)) || !(index <= MAX_PAGE_INDEX_V3)) {
    throw new ShareFailure(
      "bad-field",
      `The link's page '${shown(s)}' is not DEVICE:PAGE (a device name or PCI address and a page number).`,
      "For example page=nvme0:3 or page=0000:01:00.0:3.",
    );
  }
  return { dev, index };
}

/** v3's `design`/`vs`: DESIGN or DESIGN@VERSION, checked as the scenario's `kernel` statement is. */
function parseKernel(raw: string | undefined): { design: Design; version?: KernelVersion } | undefined {
  if (raw === undefined) return undefined;
  const s = plainField(raw);
  const at = s.indexOf("@");
  const k = readKernel(at < 0 ? s : s.slice(0, at), at < 0 ? undefined : s.slice(at + 1));
  if ("error" in k) {
    throw new ShareFailure(
      "bad-field",
      `The link asks for ${shown(s)}: ${shown(k.error, 160)}.`,
      `${k.hint}.`,
    );
  }
  return k;
}

/** v3: v2's fields, with kernel versions in `design`/`vs` and v2 device names and sizes in `page`. */
export function decodeV3(fields: Fields): ShareV3 {
  checkKeys(fields, ["v", "s", "design", "vs", "s2", "page", "panel", "embed", "from", "to", "step"], 3);
  const s = field(fields, "s");
  if (s === undefined) throw new ShareFailure("missing-key", "The link has no scenario field 's='.");
  const rawStep = field(fields, "step");
  if (rawStep !== undefined && fields[fields.length - 1]![0] !== "step") {
    throw new ShareFailure(
      "malformed",
      "In this link 'step=' is not the last field, which p2pviz never writes.",
      "The link was probably changed by hand; ask for it again.",
    );
  }
  const step = parseStep(rawStep, true);
  const text = decodePayload(s);
  const a = parseKernel(field(fields, "design"));
  const b = parseKernel(field(fields, "vs"));
  const rawS2 = field(fields, "s2");
  if (rawS2 === "") {
    throw new ShareFailure("missing-key", "The link's second scenario 's2=' is empty.");
  }
  const text2 = rawS2 === undefined ? undefined : decodePayload(rawS2);
  const page = parsePageV3(field(fields, "page"));
  const panel = parsePanel(field(fields, "panel"));
  const compare: CompareRefV3 | undefined =
    b !== undefined || text2 !== undefined
      ? {
          ...(b && { design: b.design }),
          ...(b?.version && { version: b.version }),
          ...(text2 !== undefined && { text: text2 }),
        }
      : undefined;
  const embed = parseEmbed(fields);
  return {
    text,
    step,
    ...(a && { design: a.design }),
    ...(a?.version && { version: a.version }),
    ...(compare && { compare }),
    ...(page && { page }),
    ...(panel && { panel }),
    ...(embed && { embed }),
  };
}

/** v3's `embed=1` and its optional `from`/`to` step range (embed mode, for an iframe). */
function parseEmbed(fields: Fields): EmbedRef | undefined {
  const rawEmbed = field(fields, "embed");
  const rawFrom = field(fields, "from");
  const rawTo = field(fields, "to");
  if (rawEmbed === undefined) {
    if (rawFrom !== undefined || rawTo !== undefined) {
      throw new ShareFailure(
        "bad-field",
        "The link has 'from=' or 'to=' without 'embed=1'; they only apply to embed mode.",
      );
    }
    return undefined;
  }
  if (plainField(rawEmbed) !== "1") {
    throw new ShareFailure(
      "bad-field",
      `The link's embed '${shown(plainField(rawEmbed))}' is not 1.`,
      "Embed mode is embed=1.",
    );
  }
  const bound = (raw: string | undefined, key: string): number | undefined => {
    if (raw === undefined) return undefined;
    const s = plainField(raw);
    if (!/^(0|[1-9][0-9]{0,8})$/.test(s)) {
      throw new ShareFailure(
        "bad-step",
        `The link's ${key} '${shown(s)}' is not a step from 0 to ${MAX_STEP}.`,
      );
    }
    return Number(s);
  };
  const from = bound(rawFrom, "from");
  const to = bound(rawTo, "to");
  if (from !== undefined && to !== undefined && from > to) {
    throw new ShareFailure("bad-step", `The link's step range from=${from} to=${to} runs backwards.`);
  }
  const embed: EmbedRef = { ...(from !== undefined && { from }), ...(to !== undefined && { to }) };
  return embed;
}

/** v0 → v1: the same fields; v1 adds only the optional design override, which v0 never has. */
export function migrateV0toV1(s: ShareV0): ShareV1 {
  return { ...s };
}

/** v1 → v2: the same fields; a v1 link is never a comparison. */
export function migrateV1toV2(s: ShareV1): ShareV2 {
  return { ...s };
}

/** v2 → v3: the same fields; a v2 link names no kernel version (each design's default) and is never embedded. */
export function migrateV2toV3(s: ShareV2): ShareV3 {
  return { ...s };
}

/**
 * VERSIONS[n] decodes format vN; MIGRATIONS[n] turns vN into vN+1. Typed loosely here because the
 * chain is walked generically; each function above is typed precisely.
 */
export const VERSIONS: ReadonlyArray<(fields: Fields) => unknown> = [decodeV0, decodeV1, decodeV2, decodeV3];
export const MIGRATIONS: ReadonlyArray<(s: never) => unknown> = [migrateV0toV1, migrateV1toV2, migrateV2toV3];

/** Decodes fields of format `version` and migrates the result up to the current version. */
export function decodeVersion(version: number, fields: Fields): ShareV3 {
  const decode = VERSIONS[version];
  if (!decode) {
    throw new ShareFailure(
      "unknown-version",
      `This link uses format version ${version}, which this p2pviz does not know (it reads versions 0 to ${CURRENT_VERSION}).`,
      "It may come from a newer p2pviz; update, or ask for a link from this version.",
    );
  }
  let state: unknown = decode(fields);
  for (let v = version; v < CURRENT_VERSION; v++) state = MIGRATIONS[v]!(state as never);
  return state as ShareV3;
}
