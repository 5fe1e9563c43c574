/**
 * "checked against Linux 7.3.4": shown while the run on screen (its design and kernel version) is a
 * recorded preset that matches. Any other run gets a plain note instead (ModelNote.tsx).
 */
import { useStore } from "../store/store.ts";
import { ModelNote } from "./ModelNote.tsx";
import { useRealStatus } from "./real-status-lazy.ts";

export function RealBadge() {
  const text = useStore((s) => s.text);
  const design = useStore((s) => s.trace?.design);
  const version = useStore((s) => s.trace?.version);
  const realStatusOf = useRealStatus();
  const status = realStatusOf?.(text, design, version);
  if (!status?.checked) return realStatusOf ? <ModelNote /> : null;
  const known = status.knownDifferences;
  const notChecked = status.unchecked.size;
  return (
    <span
      className="real-badge"
      data-testid="real-badge"
      title={`Every statement of this scenario was run on a real Linux ${status.kernel} kernel in QEMU and matches the model${known ? `, except ${known} listed difference${known === 1 ? "" : "s"} (see docs/real-kernel.md)` : ""}.${notChecked ? ` ${notChecked} statement${notChecked === 1 ? "" : "s"} (line ${[...status.unchecked.keys()].join(", ")}) cannot be expressed in user space and ${notChecked === 1 ? "was" : "were"} not checked.` : ""}`}
    >
      checked against Linux {status.kernel}
    </span>
  );
}
