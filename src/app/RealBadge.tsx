/**
 * The scenario's standing, beside "Scenario runs.": "checked against Linux 7.3.4" while the scenario
 * on screen is a recorded preset that matches, or, for a design that Linux never merged (the
 * huge-folio proposals of ../shared/kernel/huge.md), "proposal, not merged; modelled from the
 * review" with a link to the review itself. Any other run gets a plain
 * note instead (ModelNote.tsx). A proposal can never be checked: no kernel runs it (proposal.ts).
 */
import { useStore } from "../store/store.ts";
import { ModelNote } from "./ModelNote.tsx";
import { isProposal, PROPOSAL_EVIDENCE_URL } from "./proposal.ts";
import { useRealStatus } from "./real-status-lazy.ts";

/** "proposal, not merged; modelled from the review", with the review linked. */
export function ProposalBadge({ design }: { readonly design: string }) {
  return (
    <span
      className="proposal-badge"
      data-testid="proposal-badge"
      title={`${design}: posted and reviewed on linux-pci, never merged; no real kernel can check it`}
    >
      proposal, not merged; modelled from the{" "}
      <a href={PROPOSAL_EVIDENCE_URL} target="_blank" rel="noreferrer" data-testid="proposal-evidence">
        review
      </a>
    </span>
  );
}

export function RealBadge() {
  const text = useStore((s) => s.text);
  const design = useStore((s) => s.trace?.design);
  const version = useStore((s) => s.trace?.version);
  const realStatusOf = useRealStatus();
  if (isProposal(design)) return <ProposalBadge design={design!} />;
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
