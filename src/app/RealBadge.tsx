/** "checked against Linux 6.12.117": shown while the scenario on screen is a recorded preset that matches. */
import { useStore } from "../store/store.ts";
import { useRealStatus } from "./real-status-lazy.ts";

export function RealBadge() {
  const text = useStore((s) => s.text);
  const design = useStore((s) => s.trace?.design);
  const realStatusOf = useRealStatus();
  const status = realStatusOf?.(text, design);
  if (!status?.checked) return null;
  const known = status.knownDifferences;
  return (
    <span
      className="real-badge"
      data-testid="real-badge"
      title={`Every statement of this scenario was run on a real Linux ${status.kernel} kernel in QEMU and matches the model${known ? `, except ${known} listed difference${known === 1 ? "" : "s"} (held pins: see docs/real-kernel.md)` : ""}.`}
    >
      checked against Linux {status.kernel}
    </span>
  );
}
