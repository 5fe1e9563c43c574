/** "checked against Linux 7.3.4": shown while the scenario on screen is a recorded preset that matches. */
import { useStore } from "../store/store.ts";
import { useRealStatus } from "./real-status-lazy.ts";

export function RealBadge() {
  const text = useStore((s) => s.text);
  const design = useStore((s) => s.trace?.design);
  const realStatusOf = useRealStatus();
  const status = realStatusOf?.(text, design);
  if (!status?.checked) return null;
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
