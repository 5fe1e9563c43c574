/**
 * "checked against Linux 7.3.4": shown while the run on screen (its design and kernel version) is
 * one the lab recorded and it matches. Any other run says plainly what it is: a model, not run on
 * a real kernel. The lines a recording could not check are named.
 */
import { useStore } from "../store/store.ts";
import { useRealStatus } from "./real-status-lazy.ts";
import { provenance, versionNote } from "./version-help.ts";

export function RealBadge() {
  const text = useStore((s) => s.text);
  const design = useStore((s) => s.trace?.design);
  const version = useStore((s) => s.trace?.version);
  const realStatusOf = useRealStatus();
  if (!realStatusOf || !design || !version) return null; // the recordings load on first use
  const status = realStatusOf(text, design, version);
  if (!status?.checked) {
    return (
      <span className="model-note" data-testid="model-note" title={versionNote(version)}>
        {provenance(design, version)}
      </span>
    );
  }
  const known = status.knownDifferences;
  const notChecked = [...status.unchecked.keys()];
  const lines = `line${notChecked.length === 1 ? "" : "s"} ${notChecked.join(", ")}`;
  return (
    <>
      <span
        className="real-badge"
        data-testid="real-badge"
        title={`Every statement of this scenario was run on a real Linux ${status.kernel} kernel in QEMU and matches the model${known ? `, except ${known} listed difference${known === 1 ? "" : "s"} (see docs/real-kernel.md)` : ""}.${notChecked.length ? ` ${notChecked.length} statement${notChecked.length === 1 ? "" : "s"} (${lines}) cannot be expressed in user space and ${notChecked.length === 1 ? "was" : "were"} not checked.` : ""}`}
      >
        checked against Linux {status.kernel}
      </span>
      {notChecked.length > 0 && (
        <span className="model-note" data-testid="real-unchecked">
          {lines} not checked: user space cannot express {notChecked.length === 1 ? "it" : "them"}
        </span>
      )}
    </>
  );
}
