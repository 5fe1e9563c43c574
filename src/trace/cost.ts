/**
 * The counters of ../shared/kernel/huge.md §6.3, per statement, for every design, computed from the
 * trace's records (a loop of n iterations counts n times its body, without expanding it), so the
 * cost of a 32 GiB mapping is its number of records, not its 8,388,608 pages.
 *
 * What each counter counts, in the events the engine records:
 * - installCalls: calls that install a user mapping entry: each `pte-set` made by a driver's insert
 *   (vm_insert_page -> insert_page, vmf_insert_mixed, remap_pfn_range's per-PTE set). Fork copies
 *   (copy_present_pte) are `entriesCopied`, not installs.
 * - pte / pmd / pud: entries set at each level: `pte-set` PTEs, `leaf-set` PMD or PUD leaves (the
 *   huge designs' insert_pmd() / insert_pud(), one install call each).
 * - tablePages: page-table pages allocated (__pte_alloc, __pmd_alloc, __pud_alloc): a table is
 *   counted the first time an entry is set under it in a process. The model never reuses a virtual
 *   address (mmap.ts hands addresses out top down) and does not model free_pgtables, so "first
 *   time" is "newly allocated" for every mmap (huge.md §6.3 assumes an empty, aligned range).
 * - structPagesInit: struct pages (re)initialised: `set_page_count` page-ref events (6.15+ upstream
 *   sets each page's count to 1 before vm_insert_page()), the 2^O pages of each `folio-init` at mmap
 *   (huge: zone_device_folio_init()), and huge-v1's set_page_count() of each head.
 * - pgrefOps: pgmap (percpu_ref) operations for pages: every `pgref` event except the
 *   tryget_live / put bracket of a driver call, the probe's devm_memremap_pages and the unbind's
 *   kill / memunmap_pages (huge.md §6.4 counts N gets for upstream's mmap and N puts at munmap).
 * - genpoolAllocs / genpoolFrees: gen_pool_alloc / gen_pool_free calls. A call covers a
 *   contiguous range, which the engine records as one event or a loop of one genpool event per
 *   page; a loop whose body holds other events too (upstream's per-page page_free) is one call per
 *   iteration.
 * - entriesCopied: entries copied into a child at fork (copy_present_pte).
 */
import type { KernelEvent, LoopBodyEvent, TraceRecord } from "../kernel/events.ts";
import { PTE_PUD, pteKind } from "../kernel/state.ts";
import type { Trace } from "./trace.ts";

export interface Cost {
  installCalls: number;
  pte: number;
  pmd: number;
  pud: number;
  tablePages: number;
  structPagesInit: number;
  pgrefOps: number;
  genpoolAllocs: number;
  genpoolFrees: number;
  entriesCopied: number;
}

export const COST_FIELDS = [
  "installCalls",
  "pte",
  "pmd",
  "pud",
  "tablePages",
  "structPagesInit",
  "pgrefOps",
  "genpoolAllocs",
  "genpoolFrees",
  "entriesCopied",
] as const satisfies readonly (keyof Cost)[];

export function zeroCost(): Cost {
  return {
    installCalls: 0,
    pte: 0,
    pmd: 0,
    pud: 0,
    tablePages: 0,
    structPagesInit: 0,
    pgrefOps: 0,
    genpoolAllocs: 0,
    genpoolFrees: 0,
    entriesCopied: 0,
  };
}

/** pgref functions that are not per-page operations (see the header). */
const PGREF_BRACKET = new Set([
  "percpu_ref_tryget_live_rcu",
  "percpu_ref_put",
  "devm_memremap_pages",
  "percpu_ref_kill",
  "memunmap_pages",
]);

/** Fork's copy of a present PTE (kernel/fork.ts). */
const COPY_FNS = new Set(["copy_present_pte"]);

/** log2 of the entries of one page-table page: 512 with 4 KiB pages, 8192 with arm64's 64 KiB granule. */
function tableShift(pageSize: number): number {
  return Math.log2(pageSize / 8);
}

/**
 * Page tables populated per process and level: table index -> present. Levels: 0 = PTE tables
 * (vpn >> s), 1 = PMD tables (vpn >> 2s), 2 = PUD tables (vpn >> 3s); the PGD is the mm's own.
 */
class Tables {
  private readonly seen = new Map<number, Set<number>[]>();
  constructor(private readonly shift: number) {}

  /** Entries set at vpns [vpn, vpn + n) of process p at `level` (0 = PTE): new table pages. */
  populate(p: number, vpn: number, n: number, level: number): number {
    let sets = this.seen.get(p);
    if (!sets) this.seen.set(p, (sets = [new Set(), new Set(), new Set()]));
    let added = 0;
    for (let l = level; l < 3; l++) {
      const sh = this.shift * (l + 1);
      const lo = Math.floor(vpn / 2 ** sh);
      const hi = Math.floor((vpn + n - 1) / 2 ** sh);
      const s = sets[l]!;
      for (let t = lo; t <= hi; t++) {
        if (!s.has(t)) {
          s.add(t);
          added++;
        }
      }
    }
    return added;
  }
}

/** The state carried across records while counting: tables, and the genpool call being extended. */
interface Acc {
  readonly tables: Tables;
  /** the open gen_pool call: kind, fn, device and the page after its range */
  open: { kind: string; fn: string; dev: number; next: number } | null;
}

function genpoolCall(
  c: Cost,
  acc: Acc,
  e: Extract<LoopBodyEvent, { kind: "genpool-alloc" | "genpool-free" }>,
  n: number,
  alone: boolean,
): void {
  const field = e.kind === "genpool-alloc" ? "genpoolAllocs" : "genpoolFrees";
  if (!alone) {
    // One call per iteration (a page_free callback frees its page).
    c[field] += n;
    acc.open = null;
    return;
  }
  const o = acc.open;
  if (!(o && o.kind === e.kind && o.fn === e.fn && o.dev === e.dev && o.next === e.page)) c[field]++;
  acc.open = { kind: e.kind, fn: e.fn, dev: e.dev, next: e.page + n };
}

/** Adds an event repeated `n` times (iterations 0..n-1 of a loop, or n = 1) to `c`. */
function addEvent(c: Cost, acc: Acc, e: KernelEvent, n: number, alone: boolean): void {
  switch (e.kind) {
    case "pte-set": {
      if (COPY_FNS.has(e.fn)) c.entriesCopied += n;
      else c.installCalls += n;
      c.pte += n;
      c.tablePages += acc.tables.populate(e.proc, e.vpn, n, 0);
      break;
    }
    case "leaf-set": {
      // insert_pmd() / insert_pud(): one install call and one leaf per folio; a PMD leaf lives in
      // a PMD table (level 1), a PUD leaf in a PUD table (level 2).
      const pud = pteKind(e.pte) === PTE_PUD;
      c.installCalls += n;
      if (pud) c.pud += n;
      else c.pmd += n;
      c.tablePages += acc.tables.populate(e.proc, e.vpn, n * e.pages, pud ? 2 : 1);
      break;
    }
    case "folio-init":
      // zone_device_folio_init() rewrites all 2^O struct pages; the probe's memmap_init_compound()
      // is device set-up, not counted (as upstream's memmap init is not).
      if (e.fn !== "memmap_init_compound") c.structPagesInit += n * e.pages;
      break;
    case "folio-ref":
      // huge-v1: set_page_count() on each head only
      if (e.fn === "set_page_count") c.structPagesInit += n;
      break;
    case "folio-free":
      // p2pdma_folio_free(): one gen_pool_free_owner() of the whole folio
      c.genpoolFrees += n;
      acc.open = null;
      break;
    case "genpool-miss":
      // a failed aligned try is a gen_pool_alloc call too (huge.md §6.3 "1 + failed aligned tries")
      c.genpoolAllocs += n;
      break;
    case "page-ref":
      if (e.fn === "set_page_count") c.structPagesInit += n;
      break;
    case "pgref":
      if (!PGREF_BRACKET.has(e.fn)) c.pgrefOps += n;
      break;
    case "genpool-alloc":
    case "genpool-free":
      genpoolCall(c, acc, e, n, alone);
      return;
    default:
      break;
  }
}

function addRecord(c: Cost, acc: Acc, r: TraceRecord): void {
  const body: readonly KernelEvent[] = r.kind === "loop" ? r.body : [r];
  const n = r.kind === "loop" ? r.n : 1;
  const alone = body.length === 1;
  // Any record but a lone genpool event (or a loop of one) ends the gen_pool call being extended.
  if (!alone || (body[0]!.kind !== "genpool-alloc" && body[0]!.kind !== "genpool-free")) acc.open = null;
  for (const e of body) addEvent(c, acc, e, n, alone);
}

/**
 * The §6.3 counters of each statement of `t` (index = statement index in t.ops). Costs O(records)
 * plus the page-table pages touched.
 */
export function opCosts(t: Trace): Cost[] {
  const acc: Acc = { tables: new Tables(tableShift(t.pageSize)), open: null };
  return t.ops.map((op) => {
    const c = zeroCost();
    acc.open = null;
    for (let i = op.firstRecord; i < op.endRecord; i++) addRecord(c, acc, t.records.get(i));
    return c;
  });
}

/** The sum of several costs (running totals, a whole run). */
export function sumCosts(cs: readonly Cost[]): Cost {
  const out = zeroCost();
  for (const c of cs) for (const f of COST_FIELDS) out[f] += c[f];
  return out;
}
