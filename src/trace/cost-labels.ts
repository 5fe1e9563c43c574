/**
 * What each counter of ../shared/kernel/huge.md §6.3 (src/trace/cost.ts) counts, in one sentence:
 * the tooltip of the Cost tab's columns and of the compare summary's cost columns.
 */
import type { COST_FIELDS } from "./cost.ts";

export const COST_TITLES: Readonly<Record<(typeof COST_FIELDS)[number], string>> = {
  installCalls:
    "install calls: vm_insert_page / vmf_insert_mixed per page, remap's per-PTE set, or one huge-folio insert per folio",
  pte: "page-table entries set (4 KiB leaves), fork's copies included",
  pmd: "PMD leaves set (2 MiB folios)",
  pud: "PUD leaves set (1 GiB folios)",
  tablePages: "page-table pages allocated (__pte_alloc, __pmd_alloc, __pud_alloc), 4 KiB each",
  structPagesInit: "struct pages (re)initialised: set_page_count on each page, or folio formation",
  pgrefOps: "pgmap percpu_ref gets and puts for pages",
  genpoolAllocs: "gen_pool_alloc calls",
  genpoolFrees: "gen_pool_free calls",
  entriesCopied: "entries copied into a child at fork (copy_present_pte)",
};
