/**
 * The kernel context every modelled function works in: the state, the version's rules, the driver
 * (the mapping design), and the plumbing that turns effects into trace records and findings.
 *
 * The files beside this one are named after the kernel files they model (mm/genalloc.ts for
 * lib/genalloc.c, mm/memory.ts for mm/memory.c, ...); each exports functions that take this context.
 */

import type { Design, InjectFn, KernelVersion } from "../scenario/ast.ts";
import type { P2pDriver } from "./drivers/driver.ts";
import {
  applyEvent,
  applyLoop,
  type EventInit,
  type KernelEvent,
  type Loop,
  type LoopBodyEvent,
  type LoopBodyInit,
} from "./events.ts";
import { RecordStore } from "./records.ts";
import type { RangeSet } from "./runs.ts";
import {
  type DeviceState,
  emptyState,
  type KernelState,
  type Label,
  type ProcessState,
  Snapshotter,
  type StateSnapshot,
  type Vma,
} from "./state.ts";
import { VERSIONS, type VersionRules } from "./versions.ts";

export type FindingKind =
  | "use-after-free"
  | "leak"
  | "unbind-hang"
  | "stale-mapping"
  | "alias"
  | "pgref-leak"
  | "stale-refcount"
  | "refcount-underflow"
  | "double-free"
  | "pgref-imbalance"
  // huge.md §8: the huge-folio designs
  | "fork-not-shared"
  | "pin-holds-folio"
  | "huge-fallback"
  | "split-after-unbind"
  | "unaligned-refused";

export interface SimFinding {
  readonly step: number;
  readonly line: number;
  readonly kind: FindingKind;
  readonly device: string;
  readonly page: number;
  readonly pages: number;
  readonly text: string;
}

export interface SimCheckpoint {
  /** state before step `step` (= after `step` events) */
  readonly step: number;
  /** index of the first record not applied */
  readonly record: number;
  /** the state (made on demand from shared parts: read it, don't mutate it) */
  readonly state: KernelState;
}

/** A checkpoint over a StateSnapshot: its state is made when read. */
class Checkpoint implements SimCheckpoint {
  constructor(
    readonly step: number,
    readonly record: number,
    private readonly snap: StateSnapshot,
  ) {}
  get state(): KernelState {
    return this.snap.state;
  }
}

/** GUP_PIN_COUNTING_BIAS (include/linux/mm.h): a FOLL_PIN on an order-0 page adds 1024 refs. */
export const GUP_PIN_COUNTING_BIAS = 1024;
/** Top of the simulated user address space: mappings are placed top-down below it. */
export const MMAP_TOP = 2 ** 47;
export const MMAP_MIN_ADDR = 0x10000;
/** Where device k's p2pmem BAR sits in physical memory (a 64-bit BAR), for pfns. */
export const BAR_BASE = 0x40_0000_0000;
/** 1 TiB apart: the largest device fits */
export const BAR_STRIDE = 0x100_0000_0000;

/** Thrown when a run reaches its record budget; the trace keeps what ran. */
export class EventBudgetExceeded extends Error {}

/** A statement ended early with this errno or signal. */
export class Outcome {
  constructor(readonly result: string) {}
}

/** Finding gathered during a statement, merged with its neighbours when the statement ends. */
interface PendingFinding {
  kind: FindingKind;
  dev: number;
  page: number;
  pages: number;
  fn: string;
  /** sentence; `{pages}` is replaced by the page range after merging */
  text: string;
}

export interface SimOptions {
  /** stop with EventBudgetExceeded after this many stored records */
  readonly maxRecords?: number;
  /** take a checkpoint at least this many records apart (grows with the state's size) */
  readonly checkpointEvery?: number;
}

export class Kernel {
  readonly state: KernelState;
  readonly rules: VersionRules;
  /** the trace's records, packed (records.ts) */
  readonly records = new RecordStore();
  readonly findings: SimFinding[] = [];
  readonly checkpoints: SimCheckpoint[] = [];
  line = 0;
  nextVmaId = 0;
  /** per process: lowest address handed out so far (addresses are never reused, see do_mmap) */
  readonly mmapBase: number[] = [];
  readonly procByName = new Map<string, number>();
  readonly devByName = new Map<string, number>();
  readonly pinByName = new Map<string, number>();
  /** per process: its pins (indexes into state.pins), in creation order */
  readonly pinsOf: number[][] = [];
  /** per process: label lookups, filled as labels are made or first found through the parent */
  readonly labelIndex: Map<string, Label>[] = [];
  /** per device: pages whose references changed during the current statement (for the leak check) */
  touched: RangeSet[] = [];
  /** per device: pages already reported as leaked and not freed since */
  readonly leaked: RangeSet[] = [];
  /** per device: pgmap references a kernel bug leaked (failed vm_insert_page before 6220694c52a5) */
  readonly leakedPgrefs: number[] = [];
  /** armed fault injections: per function, the successful calls left before each one fires */
  readonly injections = new Map<InjectFn, { errno: string; after: number }[]>();
  private pending: PendingFinding[] = [];
  private readonly snapshots = new Snapshotter();
  private steps = 0;
  private readonly maxRecords: number;
  private readonly checkpointEvery: number;
  private nextCheckpoint: number;

  constructor(
    readonly design: Design,
    readonly version: KernelVersion,
    readonly pageSize: number,
    readonly driver: P2pDriver,
    opts: SimOptions = {},
  ) {
    this.state = emptyState(design, pageSize, version);
    this.rules = VERSIONS[version];
    this.maxRecords = opts.maxRecords ?? 20_000_000;
    this.checkpointEvery = opts.checkpointEvery ?? 512;
    this.checkpoints.push(new Checkpoint(0, 0, this.snapshots.take(this.state)));
    this.nextCheckpoint = this.checkpointEvery;
  }

  /** Total steps (per-page events) so far. */
  get stepCount(): number {
    return this.steps;
  }

  // ---------------------------------------------------------------- records

  /** After a record was stored: count its steps, take a checkpoint when due, check the budget. */
  private pushed(steps: number): void {
    this.steps += steps;
    const n = this.records.length;
    if (n >= this.nextCheckpoint) {
      this.checkpoints.push(new Checkpoint(this.steps, n, this.snapshots.take(this.state)));
      // A checkpoint costs a copy of the state: space them by the state's size so copying stays a
      // small fraction of the run (take() weighs it: device runs, live PTE runs and VMAs, pins, pmaps).
      this.nextCheckpoint = n + Math.max(this.checkpointEvery, this.snapshots.weight >> 2);
    }
    if (n >= this.maxRecords) throw new EventBudgetExceeded();
  }

  /** One event: applied to the state and recorded. */
  emit(init: EventInit): void {
    // The init object is applied and packed as it is: no copy, and no `line` added to it (a
    // property added to a literal gives it a new hidden class and a property store of its own,
    // per event); the record takes the line from here.
    applyEvent(this.state, init as KernelEvent);
    this.records.push(init, this.line);
    this.pushed(1);
  }

  /**
   * A kernel loop over n consecutive pages: `body` is iteration 0 (iteration i acts on page + i,
   * vpn + i). Stored once; applied to the state as range updates.
   */
  loop(n: number, body: LoopBodyInit[]): void {
    if (n <= 0 || body.length === 0) return;
    if (n === 1) {
      for (let j = 0; j < body.length; j++) {
        const b = body[j]!;
        applyEvent(this.state, b as LoopBodyEvent);
        this.records.push(b, this.line);
        this.pushed(1);
      }
      return;
    }
    const loop: Loop = { kind: "loop", line: this.line, n, body: body as LoopBodyEvent[] };
    applyLoop(this.state, loop, 0, n * body.length);
    this.records.pushLoop(this.line, n, loop.body);
    this.pushed(n * body.length);
  }

  note(fn: string, text: string): void {
    this.emit({ kind: "note", fn, text });
  }

  // ---------------------------------------------------------------- lookups

  dev(i: number): DeviceState {
    return this.state.devices[i]!;
  }

  proc(i: number): ProcessState {
    return this.state.processes[i]!;
  }

  devIndex(name: string): number {
    return this.devByName.get(name)!;
  }

  procIndex(name: string): number {
    return this.procByName.get(name)!;
  }

  /** The label `name` of process p (its own or inherited), cached so long fork chains stay cheap. */
  label(p: number, name: string): Label {
    const index = this.labelIndex[p]!;
    let l = index.get(name);
    if (!l) {
      l = this.proc(p).labels.get(name)!;
      index.set(name, l);
    }
    return l;
  }

  findVma(p: number, addr: number): Vma | undefined {
    for (const v of this.proc(p).vmas) if (addr >= v.start && addr < v.end) return v;
    return undefined;
  }

  findVmaById(p: number, id: number): Vma | undefined {
    return this.proc(p).vmas.find((v) => v.id === id);
  }

  // ---------------------------------------------------------------- findings

  /** Pages whose references changed: the leak check looks at them when the statement ends. */
  touch(dev: number, page: number, n = 1): void {
    this.touched[dev]!.add(page, n);
  }

  find(kind: FindingKind, dev: number, page: number, pages: number, fn: string, text: string): void {
    this.pending.push({ kind, dev, page, pages, fn, text });
  }

  beginStatement(line: number): void {
    this.line = line;
    for (const t of this.touched) t.clear();
  }

  /** Merges the pending findings into runs of pages and records them. */
  flushFindings(): void {
    const pend = this.pending;
    if (pend.length === 0) return;
    this.pending = [];
    // Group by what the finding says (in the order first seen), then by page, so runs merge.
    const order = new Map<string, number>();
    for (const f of pend) if (!order.has(f.text)) order.set(f.text, order.size);
    pend.sort((a, b) => order.get(a.text)! - order.get(b.text)! || a.dev - b.dev || a.page - b.page);
    let i = 0;
    while (i < pend.length) {
      const f = pend[i]!;
      let end = f.page + f.pages;
      let j = i + 1;
      while (j < pend.length) {
        const g = pend[j]!;
        if (g.text !== f.text || g.kind !== f.kind || g.dev !== f.dev || g.page !== end) break;
        end += g.pages;
        j++;
      }
      const n = end - f.page;
      const range = n === 1 ? `page ${f.page}` : `pages ${f.page}-${end - 1}`;
      const index = this.findings.length;
      this.findings.push({
        step: this.steps,
        line: this.line,
        kind: f.kind,
        device: this.dev(f.dev).name,
        page: f.page,
        pages: n,
        text: f.text.replace("{pages}", range),
      });
      this.emit({ kind: "finding", fn: f.fn, finding: index });
      i = j;
    }
  }

  // ---------------------------------------------------------------- fault injection

  /**
   * should_fail() of the kernel's fault-injection framework, for `fn`: how many calls succeed before
   * the next armed injection fires (Infinity when none is armed).
   */
  injectPeek(fn: InjectFn): number {
    let min = Number.POSITIVE_INFINITY;
    for (const a of this.injections.get(fn) ?? []) min = Math.min(min, a.after);
    return min;
  }

  /** `ok` calls of `fn` succeeded, then (when `failed`) one failed: returns the injected errno. */
  injectConsume(fn: InjectFn, ok: number, failed: boolean): string | undefined {
    const armed = this.injections.get(fn) ?? [];
    for (const a of armed) a.after -= ok;
    if (!failed) return undefined;
    const i = armed.findIndex((a) => a.after === 0);
    const [hit] = armed.splice(i, 1);
    return hit!.errno;
  }
}
