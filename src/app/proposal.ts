/**
 * Designs modelled from patches and review mails, not from a merged kernel: Hou Tao's "[PATCH 00/13]
 * Enable compound page for p2pdma memory" (linux-pci, 2025-12-20) as posted (`huge-v1`) and as the
 * maintainers asked for it in review (`huge`); only its two fixes were merged (huge.md §1, §11).
 * A proposal can never be checked against a real kernel: no kernel runs it.
 */
export const PROPOSAL_DESIGNS: ReadonlySet<string> = new Set(["huge", "huge-v1"]);

/** The review thread on the linux-pci archive (huge.md §11 lists every mail of it by archive id). */
export const PROPOSAL_EVIDENCE_URL =
  "https://lore.kernel.org/linux-pci/?q=s%3A%22Enable+compound+page+for+p2pdma+memory%22";

export function isProposal(design: string | undefined): boolean {
  return design !== undefined && PROPOSAL_DESIGNS.has(design);
}
