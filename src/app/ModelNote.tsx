/**
 * Beside the "checked against Linux" badge (RealBadge.tsx), in plain words (issue 11 item 3,
 * issue 14 item 2): what a run that was not checked against a real kernel is (a historical design,
 * another kernel version, a scenario the lab did not record), and which lines of a checked preset
 * the recording could not check; and what an older kernel version changes.
 */
import { defaultVersion } from "../scenario/ast.ts";
import { useStore } from "../store/store.ts";
import { useRealStatus } from "./real-status-lazy.ts";
import { provenance, versionNote } from "./version-help.ts";

/** The run on screen was not checked: what it is. Its title says what its kernel version changes. */
export function ModelNote() {
  const design = useStore((s) => s.trace?.design);
  const version = useStore((s) => s.trace?.version);
  if (!design || !version) return null;
  return (
    <span className="model-note" data-testid="model-note" title={versionNote(version)}>
      {provenance(design, version)}
    </span>
  );
}

/** The lines of a checked preset that user space cannot express, so the recording did not check. */
export function UncheckedLines() {
  const text = useStore((s) => s.text);
  const design = useStore((s) => s.trace?.design);
  const version = useStore((s) => s.trace?.version);
  const status = useRealStatus()?.(text, design, version);
  const lines = status?.checked ? [...status.unchecked.keys()] : [];
  if (lines.length === 0) return null;
  const one = lines.length === 1;
  return (
    <span className="model-note" data-testid="real-unchecked">
      {`line${one ? "" : "s"} ${lines.join(", ")} not checked: user space cannot express ${one ? "it" : "them"}`}
    </span>
  );
}

/**
 * What the kernel version of the run changes, in one line, while it is not its design's newest
 * (chosen with the version switch or written in the `kernel` line): the refcount at rest, what a
 * failed insert leaves behind, the longterm pin errno, the free hook.
 */
export function VersionLine() {
  const design = useStore((s) => s.trace?.design);
  const version = useStore((s) => s.trace?.version);
  if (!design || !version || version === defaultVersion(design)) return null;
  return (
    <span className="model-note" data-testid="version-line">
      {versionNote(version)}
    </span>
  );
}
