/**
 * Running the two sides of a comparison: pure (no store, no DOM), shared by the compare store, the
 * share-link checks and the CLI. A link's `step` counts on side A's trace, or on the aligned
 * timeline of both sides when the link is a comparison (docs/url-format.md, v2).
 */

import type { Design, Diagnostic, KernelVersion } from "../scenario/ast.ts";
import type { ShareState } from "../share/codec.ts";
import { alignedTotal, type Comparison, compareTraces } from "../trace/diff.ts";
import { runText } from "../trace/run.ts";
import type { Trace } from "../trace/trace.ts";

export type SideBOutcome =
  | { readonly ok: true; readonly comparison: Comparison }
  | { readonly ok: false; readonly diagnostics: readonly Diagnostic[] };

/**
 * Labels for the two sides: the design names; one design in two kernel versions, with the
 * versions ("upstream 6.5", "upstream 7.3"); told apart as A and B when both run the same.
 */
export function sideLabels(a: Trace, b: Trace): [string, string] {
  if (a.design !== b.design) return [a.design, b.design];
  if (a.version !== b.version) return [`${a.design} ${a.version}`, `${b.design} ${b.version}`];
  return [`A (${a.design})`, `B (${b.design})`];
}

function safeRun(
  text: string,
  design: Design | null | undefined,
  version?: KernelVersion | null,
): ReturnType<typeof runText> {
  try {
    return runText(text, { ...(design && { design }), ...(version && { version }) });
  } catch (e) {
    // an engine exception is a bug, not a scenario error: show it where errors go
    const message = `internal error: ${e instanceof Error ? e.message : String(e)}`;
    return { ok: false, diagnostics: [{ line: 1, col: 1, endCol: 1, message }] };
  }
}

/** Runs side B (`textB` or A's text, under `designB` or its own kernel line) and compares it with `a`. */
export function runSideB(
  a: Trace,
  textA: string,
  designB: Design | null,
  textB: string | null,
  versionB: KernelVersion | null = null,
): SideBOutcome {
  const out = safeRun(textB ?? textA, designB, versionB);
  if (!out.ok) return { ok: false, diagnostics: out.diagnostics };
  const [la, lb] = sideLabels(a, out.trace);
  return { ok: true, comparison: compareTraces(a, out.trace, la, lb) };
}

export type ShareRun =
  | {
      readonly ok: true;
      readonly a: Trace;
      /** present for a comparison link */
      readonly comparison?: Comparison;
      /** the steps the link's `step` counts in: A's events, or the aligned total of a comparison */
      readonly total: number;
    }
  | { readonly ok: false; readonly side: "a" | "b"; readonly diagnostics: readonly Diagnostic[] };

/** Runs what a share link holds, so its step can be checked against the real run. */
export function runShare(state: ShareState): ShareRun {
  const a = safeRun(state.text, state.design, state.version);
  if (!a.ok) return { ok: false, side: "a", diagnostics: a.diagnostics };
  if (!state.compare) return { ok: true, a: a.trace, total: a.trace.steps };
  const b = runSideB(
    a.trace,
    state.text,
    state.compare.design ?? null,
    state.compare.text ?? null,
    state.compare.version ?? null,
  );
  if (!b.ok) return { ok: false, side: "b", diagnostics: b.diagnostics };
  return { ok: true, a: a.trace, comparison: b.comparison, total: alignedTotal(b.comparison) };
}
