/**
 * Run-length storage for per-page state, so that the model's cost follows the number of distinct
 * page ranges a scenario makes, not the number of pages: a 32 GiB BAR mapped whole is one run.
 *
 * PageRuns: the struct pages of one device, as maximal runs of consecutive pages whose fields agree.
 * PteTable: a process's page table, as runs of consecutive virtual pages that map consecutive pages
 * of one device with one PTE kind.
 */

/** The per-page fields of a device's struct pages (and the genpool bit). */
export const PAGE_FIELDS = [
  "allocated",
  "owner",
  "refcount",
  "mapcount",
  "ptes",
  "pins",
  "order",
  "pincount",
] as const;
export type PageField = (typeof PAGE_FIELDS)[number];
const NF = PAGE_FIELDS.length;
const F: Record<PageField, number> = {
  allocated: 0,
  owner: 1,
  refcount: 2,
  mapcount: 3,
  ptes: 4,
  pins: 5,
  order: 6,
  pincount: 7,
};

/** One page's fields, as a plain object (for reading). */
export interface PageInfo {
  /** genpool bit: 1 when allocated */
  readonly allocated: number;
  /** pmap that owns the page (rfc-v1, fault, remap), or -1 */
  readonly owner: number;
  /** struct page _refcount */
  readonly refcount: number;
  /** _mapcount + 1: rmap count from vm_insert_page and fork of normal PTEs */
  readonly mapcount: number;
  /** PTEs of any kind that point at the page, in all processes */
  readonly ptes: number;
  /** held pins that include the page */
  readonly pins: number;
  /**
   * folio order (0 = a base page). A large folio's refcount, mapcount (its entire mapcount: PMD/PUD
   * mappings) and pincount are the head's, replicated on every page of the folio so runs stay long;
   * the kernel's tails have refcount 0 (views and JSON print them so).
   */
  readonly order: number;
  /** folio _pincount (large folios only, include/linux/mm.h folio_has_pincount()); 0 for base pages */
  readonly pincount: number;
}

/** A maximal run of pages [start, start + length) that agree on every field. */
export interface PageRun extends PageInfo {
  readonly start: number;
  readonly length: number;
}

/**
 * An interval map over pages [0, size): `starts[k]` is the first page of run k, and the run's
 * fields are `vals[k * NF ...]`. Updates split runs at the range's ends and merge neighbours that
 * become equal, so the number of runs stays the number of distinct ranges.
 */
export class PageRuns {
  private starts: number[];
  private vals: number[];

  constructor(
    readonly size: number,
    init: PageInfo = {
      allocated: 0,
      owner: -1,
      refcount: 0,
      mapcount: 0,
      ptes: 0,
      pins: 0,
      order: 0,
      pincount: 0,
    },
  ) {
    this.starts = size > 0 ? [0] : [];
    this.vals = size > 0 ? PAGE_FIELDS.map((f) => init[f]) : [];
  }

  clone(): PageRuns {
    const c = Object.create(PageRuns.prototype) as PageRuns;
    (c as { size: number }).size = this.size;
    c.starts = this.starts.slice();
    c.vals = this.vals.slice();
    return c;
  }

  /** How many runs: the cost of this device's state. */
  get runCount(): number {
    return this.starts.length;
  }

  /** Index of the run holding `page` (binary search). */
  private find(page: number): number {
    const s = this.starts;
    let lo = 0;
    let hi = s.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (s[mid]! <= page) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  get(field: PageField, page: number): number {
    return this.vals[this.find(page) * NF + F[field]]!;
  }

  at(page: number): PageInfo {
    const k = this.find(page);
    return this.info(k);
  }

  private info(k: number): PageInfo {
    const v = this.vals;
    const b = k * NF;
    return {
      allocated: v[b]!,
      owner: v[b + 1]!,
      refcount: v[b + 2]!,
      mapcount: v[b + 3]!,
      ptes: v[b + 4]!,
      pins: v[b + 5]!,
      order: v[b + 6]!,
      pincount: v[b + 7]!,
    };
  }

  private end(k: number): number {
    return k + 1 < this.starts.length ? this.starts[k + 1]! : this.size;
  }

  /** Makes `page` the start of a run (splitting the run that holds it); returns that run's index. */
  private split(page: number): number {
    if (page >= this.size) return this.starts.length;
    const k = this.find(page);
    if (this.starts[k] === page) return k;
    replaceAt(this.starts, k + 1, 0, 1, page);
    // Run k + 1 starts as a copy of run k's fields.
    const v = this.vals;
    const len = v.length;
    for (let f = 0; f < NF; f++) v.push(0);
    for (let j = len - 1; j >= (k + 1) * NF; j--) v[j + NF] = v[j]!;
    for (let f = 0; f < NF; f++) v[(k + 1) * NF + f] = v[k * NF + f]!;
    return k + 1;
  }

  private same(a: number, b: number): boolean {
    const v = this.vals;
    for (let f = 0; f < NF; f++) if (v[a * NF + f] !== v[b * NF + f]) return false;
    return true;
  }

  /** Merges runs a..b (inclusive, clamped) with their equal neighbours. */
  private merge(a: number, b: number): void {
    const lo = Math.max(1, a);
    for (let k = Math.min(b, this.starts.length - 1); k >= lo; k--) {
      if (this.same(k - 1, k)) {
        replaceAt(this.starts, k, 1, 0);
        const v = this.vals;
        for (let j = k * NF; j + NF < v.length; j++) v[j] = v[j + NF]!;
        v.length -= NF;
      }
    }
  }

  /** Applies `op` to the field of every page in [from, from + n): add `delta` or set `value`. */
  private update(from: number, n: number, field: PageField, set: boolean, x: number): void {
    if (n <= 0) return;
    const a = this.split(from);
    const b = this.split(from + n);
    const f = F[field];
    for (let k = a; k < b; k++) {
      const i = k * NF + f;
      this.vals[i] = set ? x : this.vals[i]! + x;
    }
    this.merge(a, b);
  }

  add(field: PageField, from: number, n: number, delta: number): void {
    if (delta !== 0) this.update(from, n, field, false, delta);
  }

  set(field: PageField, from: number, n: number, value: number): void {
    this.update(from, n, field, true, value);
  }

  /** Run k's fields over pages [start, start + length), as one object. */
  private run(k: number, start: number, length: number): PageRun {
    const v = this.vals;
    const b = k * NF;
    return {
      start,
      length,
      allocated: v[b]!,
      owner: v[b + 1]!,
      refcount: v[b + 2]!,
      mapcount: v[b + 3]!,
      ptes: v[b + 4]!,
      pins: v[b + 5]!,
      order: v[b + 6]!,
      pincount: v[b + 7]!,
    };
  }

  /** The whole run holding `page` (one binary search, no list). */
  runAt(page: number): PageRun {
    const k = this.find(page);
    const start = this.starts[k]!;
    return this.run(k, start, this.end(k) - start);
  }

  /** The runs that overlap [from, from + n), clipped to it, in page order. */
  runs(from = 0, n = this.size - from): PageRun[] {
    const out: PageRun[] = [];
    if (n <= 0) return out;
    const to = from + n;
    for (let k = this.find(from); k < this.starts.length && this.starts[k]! < to; k++) {
      const start = Math.max(from, this.starts[k]!);
      const end = Math.min(to, this.end(k));
      out.push(this.run(k, start, end - start));
    }
    return out;
  }

  /**
   * The first page of the lowest stretch of at least `n` consecutive pages whose `field` is 0, or
   * -1 (a scan of the runs that makes no objects: genalloc's first fit).
   */
  firstZeroStretch(field: PageField, n: number): number {
    const f = F[field];
    const s = this.starts;
    let start = -1;
    for (let k = 0; k < s.length; k++) {
      if (this.vals[k * NF + f] !== 0) {
        start = -1;
        continue;
      }
      if (start < 0) start = s[k]!;
      if (this.end(k) - start >= n) return start;
    }
    return -1;
  }

  /** One field of pages [from, to), expanded (for tests and small views). */
  field(field: PageField, from: number, to: number): number[] {
    const out: number[] = [];
    for (const r of this.runs(from, to - from)) for (let i = 0; i < r.length; i++) out.push(r[field]);
    return out;
  }

  /** Pages in [from, from + n) whose field satisfies `pred`, counted by runs. */
  count(pred: (r: PageInfo) => boolean, from = 0, n = this.size): number {
    let c = 0;
    for (const r of this.runs(from, n)) if (pred(r)) c += r.length;
    return c;
  }
}

/**
 * Entry kinds, as §1 of the kernel reference names them, plus the huge leaves of huge.md §2: a PMD
 * leaf (insert_pmd(), mm/huge_memory.c) maps a whole PMD-order folio, a PUD leaf (insert_pud()) a
 * PUD-order one. A leaf is stored as the run of the virtual pages it covers, with its kind, so the
 * page table stays runs; a run of leaf kind is a whole number of leaves.
 */
export const PTE_NORMAL = 0;
export const PTE_DEVMAP = 1;
export const PTE_PFNMAP = 2;
export const PTE_PMD = 3;
export const PTE_PUD = 4;
export type PteKind =
  | typeof PTE_NORMAL
  | typeof PTE_DEVMAP
  | typeof PTE_PFNMAP
  | typeof PTE_PMD
  | typeof PTE_PUD;
export const PTE_KIND_NAMES = ["normal", "devmap", "pfnmap", "pmd", "pud"] as const;

/** A huge leaf (PMD or PUD) rather than a PTE. */
export const isLeafKind = (kind: PteKind): boolean => kind === PTE_PMD || kind === PTE_PUD;

/** What one page adds to a packed entry: entries pack as page * PTE_PAGE + device * 8 + kind. */
export const PTE_PAGE = 8192;
/** An entry packed in one number: page * 8192 + device * 8 + kind (devices < 1024, kinds < 8). */
export function packPte(dev: number, page: number, kind: PteKind): number {
  return page * PTE_PAGE + dev * 8 + kind;
}
export const pteDev = (p: number): number => (p % PTE_PAGE) >> 3;
export const ptePage = (p: number): number => Math.floor(p / PTE_PAGE);
export const pteKind = (p: number): PteKind => (p % 8) as PteKind;

/** A run of PTEs: virtual pages [vpn, vpn + length) map pages [page, page + length) of `dev`. */
export interface PteRun {
  readonly vpn: number;
  readonly length: number;
  readonly dev: number;
  readonly page: number;
  readonly kind: PteKind;
}

/** A PteRun as a literal of one shape (a spread's copy has a hidden class of its own: slower paths). */
function pteRun(vpn: number, length: number, dev: number, page: number, kind: PteKind): PteRun {
  return { vpn, length, dev, page, kind };
}

/**
 * A process's page table as sorted, non-overlapping runs. Setting a range that continues its
 * neighbour (next vpn, next page, same device and kind) extends that run, so a mapping inserted page
 * by page is still one run.
 */
export class PteTable {
  private runs_: PteRun[] = [];
  private count = 0;

  clone(): PteTable {
    const c = new PteTable();
    c.runs_ = this.runs_.slice();
    c.count = this.count;
    return c;
  }

  /** Number of PTEs present. */
  get size(): number {
    return this.count;
  }

  get runCount(): number {
    return this.runs_.length;
  }

  /** Index of the first run whose end is past vpn. */
  private lower(vpn: number): number {
    const r = this.runs_;
    let lo = 0;
    let hi = r.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (r[mid]!.vpn + r[mid]!.length <= vpn) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The packed PTE at vpn, or undefined. */
  get(vpn: number): number | undefined {
    const r = this.runs_[this.lower(vpn)];
    if (!r || r.vpn > vpn) return undefined;
    return packPte(r.dev, r.page + (vpn - r.vpn), r.kind);
  }

  /** Installs PTEs for [vpn, vpn + n) -> pages [page, page + n); the range must be empty. */
  set(vpn: number, n: number, dev: number, page: number, kind: PteKind): void {
    if (n <= 0) return;
    const r = this.runs_;
    const i = this.lower(vpn);
    this.count += n;
    const prev = r[i - 1];
    const next = r[i];
    const joinPrev =
      prev &&
      prev.vpn + prev.length === vpn &&
      prev.dev === dev &&
      prev.kind === kind &&
      prev.page + prev.length === page;
    const joinNext =
      next && next.vpn === vpn + n && next.dev === dev && next.kind === kind && next.page === page + n;
    if (joinPrev && joinNext) {
      replaceAt(r, i - 1, 2, 1, pteRun(prev.vpn, prev.length + n + next.length, dev, prev.page, kind));
    } else if (joinPrev) {
      r[i - 1] = pteRun(prev.vpn, prev.length + n, dev, prev.page, kind);
    } else if (joinNext) {
      r[i] = pteRun(vpn, n + next.length, dev, page, kind);
    } else {
      replaceAt(r, i, 0, 1, pteRun(vpn, n, dev, page, kind));
    }
  }

  /** Removes the PTEs in [vpn, vpn + n). */
  remove(vpn: number, n: number): void {
    const r = this.runs_;
    const end = vpn + n;
    const i = this.lower(vpn);
    let j = i;
    // What is kept: the part of the first run below vpn, the part of the last run above end.
    let below: PteRun | undefined;
    let above: PteRun | undefined;
    let gone = 0;
    while (j < r.length && r[j]!.vpn < end) {
      const x = r[j]!;
      if (x.vpn < vpn) below = pteRun(x.vpn, vpn - x.vpn, x.dev, x.page, x.kind);
      const xEnd = x.vpn + x.length;
      gone += Math.min(end, xEnd) - Math.max(vpn, x.vpn);
      if (xEnd > end) above = pteRun(end, xEnd - end, x.dev, x.page + (end - x.vpn), x.kind);
      j++;
    }
    if (below && above) replaceAt(r, i, j - i, 2, below, above);
    else if (below || above) replaceAt(r, i, j - i, 1, (below ?? above)!);
    else replaceAt(r, i, j - i, 0);
    this.count -= gone;
  }

  /** The runs overlapping [vpn, vpn + n), clipped to it. */
  runsIn(vpn: number, n: number): PteRun[] {
    const out: PteRun[] = [];
    const end = vpn + n;
    const r = this.runs_;
    for (let i = this.lower(vpn); i < r.length && r[i]!.vpn < end; i++) {
      const x = r[i]!;
      const a = Math.max(vpn, x.vpn);
      const b = Math.min(end, x.vpn + x.length);
      out.push({ vpn: a, length: b - a, dev: x.dev, page: x.page + (a - x.vpn), kind: x.kind });
    }
    return out;
  }

  /** All runs, in vpn order. */
  all(): readonly PteRun[] {
    return this.runs_;
  }

  /** Every present vpn (expanded: for tests and small views). */
  *keys(): IterableIterator<number> {
    for (const x of this.runs_) for (let i = 0; i < x.length; i++) yield x.vpn + i;
  }

  /** Every present PTE, packed (expanded: for tests and small views). */
  *values(): IterableIterator<number> {
    for (const x of this.runs_) for (let i = 0; i < x.length; i++) yield packPte(x.dev, x.page + i, x.kind);
  }
}

/**
 * arr.splice(i, del, a, b) for n <= 2 new items (a, then b), in place: splice makes an array of the
 * removed items on every call, and this is called on every range update.
 */
export function replaceAt<T>(arr: T[], i: number, del: number, n: 0 | 1 | 2, a?: T, b?: T): void {
  const len = arr.length;
  const shift = n - del;
  if (shift > 0) {
    for (let j = 0; j < shift; j++) arr.push(a as T);
    for (let j = len - 1; j >= i + del; j--) arr[j + shift] = arr[j]!;
  } else if (shift < 0) {
    for (let j = i + del; j < len; j++) arr[j + shift] = arr[j]!;
    arr.length = len + shift;
  }
  if (n > 0) arr[i] = a as T;
  if (n > 1) arr[i + 1] = b as T;
}

/** A set of integers as sorted, disjoint, non-adjacent ranges [start, end). */
export class RangeSet {
  private starts: number[] = [];
  private ends: number[] = [];

  /** Index of the first range whose end is >= x. */
  private lower(x: number): number {
    let lo = 0;
    let hi = this.ends.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.ends[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  add(from: number, n: number): void {
    if (n <= 0) return;
    let a = from;
    let b = from + n;
    const i = this.lower(a);
    let j = i;
    while (j < this.starts.length && this.starts[j]! <= b) {
      a = Math.min(a, this.starts[j]!);
      b = Math.max(b, this.ends[j]!);
      j++;
    }
    replaceAt(this.starts, i, j - i, 1, a);
    replaceAt(this.ends, i, j - i, 1, b);
  }

  delete(from: number, n: number): void {
    if (n <= 0) return;
    const to = from + n;
    const i = this.lower(from + 1);
    let j = i;
    const ks: number[] = [];
    const ke: number[] = [];
    while (j < this.starts.length && this.starts[j]! < to) {
      if (this.starts[j]! < from) {
        ks.push(this.starts[j]!);
        ke.push(from);
      }
      if (this.ends[j]! > to) {
        ks.push(to);
        ke.push(this.ends[j]!);
      }
      j++;
    }
    this.starts.splice(i, j - i, ...ks);
    this.ends.splice(i, j - i, ...ke);
  }

  /** The parts of [from, from + n) that are NOT in the set, as [start, length] pairs. */
  missing(from: number, n: number): [number, number][] {
    const out: [number, number][] = [];
    let at = from;
    const to = from + n;
    for (let i = this.lower(from + 1); i < this.starts.length && this.starts[i]! < to && at < to; i++) {
      if (this.starts[i]! > at) out.push([at, this.starts[i]! - at]);
      at = Math.max(at, this.ends[i]!);
    }
    if (at < to) out.push([at, to - at]);
    return out;
  }

  /** All ranges, as [start, length] pairs. */
  ranges(): [number, number][] {
    return this.starts.map((s, i) => [s, this.ends[i]! - s]);
  }

  clear(): void {
    this.starts.length = 0;
    this.ends.length = 0;
  }

  /** Number of ranges. */
  get size(): number {
    return this.starts.length;
  }

  /** Range i's start and length (0 <= i < size), without making a list. */
  startOf(i: number): number {
    return this.starts[i]!;
  }
  lengthOf(i: number): number {
    return this.ends[i]! - this.starts[i]!;
  }
}
