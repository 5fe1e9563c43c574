/**
 * A seeded corpus of scenarios for recorded conformance: fork chains, partial munmaps at the front,
 * middle and back, fragmentation, refusals, unbind with live mappings in several processes, and
 * several devices. The same seed always gives the same text. Every scenario is valid under the
 * language (the caller checks with runText). A successful `pin` is followed at once by its
 * `unpin`: the lab holds a pin across statements only with an I/O throttled to last about 24 s
 * (docs/real-kernel.md), too slow for a corpus. The presets and kernel-lab/scenarios cover held pins.
 */

export const CORPUS_KINDS = [
  "fork-chain",
  "partial-munmap",
  "fragmentation",
  "refusals",
  "unbind-live",
  "multi-device",
  "random-walk",
] as const;
export type CorpusKind = (typeof CORPUS_KINDS)[number];

/** mulberry32: small, seedable, good enough for test generation */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const K = 1024;

function size(bytes: number): string {
  if (bytes > 0 && bytes % (1 << 20) === 0) return `${bytes / (1 << 20)}M`;
  if (bytes > 0 && bytes % K === 0) return `${bytes / K}K`;
  return String(bytes);
}

interface Label {
  name: string;
  dev: string;
  pages: number;
  /** pages still mapped (by offset), for choosing touches and munmaps that mean something */
  mapped: boolean[];
}

interface Proc {
  name: string;
  alive: boolean;
  labels: Label[];
}

class Gen {
  readonly lines: string[] = [];
  readonly procs: Proc[] = [];
  readonly devs: { name: string; pages: number; bound: boolean }[] = [];
  private n = 0;
  constructor(readonly r: () => number) {}
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.r() * (hi - lo + 1));
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.r() * xs.length)]!;
  }
  chance(p: number): boolean {
    return this.r() < p;
  }
  fresh(prefix: string): string {
    return `${prefix}${this.n++}`;
  }
  emit(s: string): void {
    this.lines.push(s);
  }
  device(pages: number): string {
    const name = `nvme${this.devs.length}`;
    this.devs.push({ name, pages, bound: true });
    this.emit(`device ${name} ${size(pages * 4096)}`);
    return name;
  }
  process(): Proc {
    const p: Proc = { name: this.fresh("p"), alive: true, labels: [] };
    this.procs.push(p);
    this.emit(`process ${p.name}`);
    return p;
  }
  alive(): Proc[] {
    return this.procs.filter((p) => p.alive);
  }
  mmap(p: Proc, dev: string, pages: number, extra = ""): Label {
    const l: Label = { name: this.fresh("m"), dev, pages, mapped: Array(pages).fill(true) };
    p.labels.push(l);
    this.emit(`${p.name} mmap ${l.name} ${dev} ${size(pages * 4096)}${extra}`);
    return l;
  }
  touch(p: Proc, l: Label, page: number): void {
    this.emit(`${p.name} touch ${l.name} ${size(page * 4096 + this.int(0, 4095))}`);
  }
  munmap(p: Proc, l: Label, first?: number, count?: number): void {
    if (first === undefined || count === undefined) {
      l.mapped.fill(false);
      this.emit(`${p.name} munmap ${l.name}`);
      return;
    }
    for (let i = first; i < first + count && i < l.pages; i++) l.mapped[i] = false;
    this.emit(`${p.name} munmap ${l.name} ${size(first * 4096)} ${size(count * 4096)}`);
  }
  fork(p: Proc): Proc {
    const c: Proc = {
      name: this.fresh("c"),
      alive: true,
      labels: p.labels.map((l) => ({ ...l, mapped: [...l.mapped] })),
    };
    this.procs.push(c);
    this.emit(`${p.name} fork ${c.name}`);
    return c;
  }
  exit(p: Proc): void {
    p.alive = false;
    this.emit(`${p.name} exit`);
  }
  /** a pin and, at once, its unpin (the lab does both inside one O_DIRECT read) */
  pinNow(p: Proc, l: Label, first: number, count: number, opts = ""): void {
    const pin = this.fresh("io");
    this.emit(`${p.name} pin ${pin} ${l.name} ${size(first * 4096)} ${size(count * 4096)}${opts}`);
    this.emit(`unpin ${pin}`);
  }
  unbind(dev: string): void {
    const d = this.devs.find((x) => x.name === dev)!;
    d.bound = false;
    this.emit(`unbind ${dev}`);
  }
  labelsOf(p: Proc): Label[] {
    return p.labels;
  }
}

function devicePages(g: Gen): number {
  return g.pick([64, 128, 256, 256, 384, 512, 1024]);
}

function forkChain(g: Gen): void {
  const dev = g.device(devicePages(g));
  const root = g.process();
  const a = g.mmap(root, dev, g.int(1, 32));
  g.touch(root, a, g.int(0, a.pages - 1));
  let cur = root;
  const depth = g.int(2, 4);
  for (let i = 0; i < depth; i++) {
    const c = g.fork(cur);
    if (g.chance(0.5)) g.mmap(c, dev, g.int(1, 16));
    if (g.chance(0.4)) g.munmap(cur, g.pick(cur.labels));
    cur = c;
  }
  // tear down in a random order, touching what the survivors still map
  const order = g.alive().sort(() => g.r() - 0.5);
  for (const p of order) {
    if (g.chance(0.5) && p.labels.length) {
      const l = g.pick(p.labels);
      g.touch(p, l, g.int(0, l.pages - 1));
    }
    if (g.chance(0.3) && p.labels.length) {
      const l = g.pick(p.labels);
      const first = g.int(0, l.pages - 1);
      g.munmap(p, l, first, g.int(1, l.pages - first));
    }
    g.exit(p);
  }
  g.mmap(g.process(), dev, g.int(1, 8));
}

function partialMunmap(g: Gen): void {
  const dev = g.device(devicePages(g));
  const p = g.process();
  const a = g.mmap(p, dev, g.int(8, 48));
  const where = g.pick(["front", "middle", "back", "all3"] as const);
  const n = a.pages;
  const cuts: [number, number][] = [];
  if (where === "front" || where === "all3") cuts.push([0, g.int(1, 3)]);
  if (where === "middle" || where === "all3") {
    const s = g.int(3, n - 4);
    cuts.push([s, g.int(1, Math.min(3, n - 3 - s))]);
  }
  if (where === "back" || where === "all3") {
    const k = g.int(1, 3);
    cuts.push([n - k, k]);
  }
  if (g.chance(0.5)) g.fork(p);
  for (const [s, k] of cuts) {
    g.munmap(p, a, s, k);
    g.touch(p, a, s); // in the hole: SIGSEGV
  }
  // touch what is left, and reuse the holes with first-fit mmaps
  const left = a.mapped.map((m, i) => (m ? i : -1)).filter((i) => i >= 0);
  if (left.length) g.touch(p, a, g.pick(left));
  for (let i = 0; i < g.int(1, 3); i++) g.mmap(p, dev, g.int(1, 3));
  if (g.chance(0.5)) g.pinNow(p, a, left[0] ?? 0, 1);
  const child = g.procs.find((x) => x !== p && x.alive);
  if (child) g.exit(child);
  g.munmap(p, a);
  g.exit(p);
}

function fragmentation(g: Gen): void {
  const pages = g.pick([64, 128, 256]);
  const dev = g.device(pages);
  const p = g.process();
  const parts: Label[] = [];
  let used = 0;
  while (used < pages) {
    const k = Math.min(pages - used, g.int(4, Math.max(4, pages >> 2)));
    parts.push(g.mmap(p, dev, k));
    used += k;
  }
  g.mmap(p, dev, 1); // pool full: ENOMEM
  // free every other piece, and a page out of the middle of one kept piece
  parts.forEach((l, i) => {
    if (i % 2 === 1) g.munmap(p, l);
  });
  const kept = parts.filter((_, i) => i % 2 === 0 && parts[i]!.pages >= 3);
  if (kept.length) {
    const l = g.pick(kept);
    g.munmap(p, l, 1, 1);
  }
  const holes = parts.filter((_, i) => i % 2 === 1).map((l) => l.pages);
  const biggest = Math.max(1, ...holes);
  g.mmap(p, dev, biggest + 1); // the free total may allow it, no single run does: ENOMEM
  g.mmap(p, dev, biggest); // fits the largest hole exactly
  g.mmap(p, dev, 1); // first fit: the lowest hole
  g.exit(p);
  g.mmap(g.process(), dev, pages); // everything came back
}

function refusals(g: Gen): void {
  const pages = devicePages(g);
  const dev = g.device(pages);
  const p = g.process();
  const a = g.mmap(p, dev, g.int(1, 16));
  g.emit(`${p.name} mmap ${g.fresh("m")} ${dev} ${size(g.int(1, 8) * 4096)} private`);
  g.emit(
    `${p.name} mmap ${g.fresh("m")} ${dev} ${size(g.int(1, 8) * 4096)} offset=${size(g.int(1, 4) * 4096)}`,
  );
  const big = g.mmap(p, dev, pages + g.int(1, 16)); // ENOMEM: a failed label names an empty range
  g.touch(p, big, 0); // SIGSEGV
  g.emit(`${p.name} pin ${g.fresh("io")} ${big.name} 0 4K`); // EFAULT
  g.munmap(p, big); // ok
  g.emit(`${p.name} mmap ${g.fresh("m")} ${dev} 5000`); // rounded up to 2 pages
  g.emit(`${p.name} pin ${g.fresh("io")} ${a.name} 0 4K nop2p`); // EREMOTEIO
  g.emit(`${p.name} pin ${g.fresh("io")} ${a.name} 0 4K longterm nop2p`); // EFAULT on 6.12
  g.pinNow(p, a, 0, Math.min(a.pages, g.int(1, 4)));
  g.emit(`unbind ${dev}`);
  g.emit(`unbind ${dev}`); // ENODEV
  g.emit(`${p.name} mmap ${g.fresh("m")} ${dev} 4K`); // ENODEV
  g.exit(p);
}

function unbindLive(g: Gen): void {
  const dev = g.device(devicePages(g));
  const root = g.process();
  const a = g.mmap(root, dev, g.int(2, 24));
  const procs = [root];
  for (let i = 0; i < g.int(1, 3); i++) procs.push(g.fork(g.pick(procs)));
  for (const p of procs) if (g.chance(0.5)) g.mmap(p, dev, g.int(1, 8));
  if (g.chance(0.5)) g.munmap(root, a, 0, 1);
  g.unbind(dev);
  for (const p of procs) {
    const l = g.pick(p.labels);
    g.touch(p, l, g.int(0, l.pages - 1)); // SIGBUS, or SIGSEGV in a hole
  }
  g.emit(`${root.name} pin ${g.fresh("io")} ${a.name} ${size((a.pages - 1) * 4096)} 4K`); // EFAULT
  g.emit(`${g.pick(procs).name} mmap ${g.fresh("m")} ${dev} 4K`); // ENODEV
  g.munmap(root, a);
  for (const p of procs.sort(() => g.r() - 0.5)) g.exit(p);
}

function multiDevice(g: Gen): void {
  const n = g.int(2, 3);
  const devs: string[] = [];
  for (let i = 0; i < n; i++) devs.push(g.device(g.pick([16, 64, 128, 256, 512])));
  const p = g.process();
  const q = g.process();
  for (const d of devs) {
    g.mmap(p, d, g.int(1, 12));
    if (g.chance(0.5)) g.mmap(q, d, g.int(1, 12));
  }
  const c = g.fork(p);
  const gone = g.pick(devs);
  if (g.chance(0.7)) g.unbind(gone);
  for (const l of c.labels) g.touch(c, l, g.int(0, l.pages - 1));
  g.exit(p);
  for (const d of devs) g.mmap(q, d, g.int(1, 16));
  g.exit(c);
  g.exit(q);
}

function randomWalk(g: Gen): void {
  const devs = [g.device(devicePages(g))];
  if (g.chance(0.4)) devs.push(g.device(g.pick([32, 128, 512])));
  g.process();
  const steps = g.int(12, 30);
  for (let i = 0; i < steps; i++) {
    const alive = g.alive();
    if (alive.length === 0) {
      g.process();
      continue;
    }
    const p = g.pick(alive);
    const labels = g.labelsOf(p);
    const x = g.r();
    const bound = g.devs.filter((d) => d.bound);
    if (x < 0.3 || labels.length === 0) {
      const d = g.pick(g.devs);
      g.mmap(p, d.name, g.int(1, Math.max(1, d.pages >> 2)), g.chance(0.08) ? " private" : "");
    } else if (x < 0.45) {
      const l = g.pick(labels);
      g.touch(p, l, g.int(0, l.pages - 1));
    } else if (x < 0.6) {
      const l = g.pick(labels);
      if (g.chance(0.4)) g.munmap(p, l);
      else {
        const first = g.int(0, l.pages - 1);
        g.munmap(p, l, first, g.int(1, l.pages - first));
      }
    } else if (x < 0.72 && alive.length < 5) {
      g.fork(p);
    } else if (x < 0.82) {
      g.exit(p);
    } else if (x < 0.92) {
      const l = g.pick(labels);
      const first = g.int(0, l.pages - 1);
      const mapped = l.mapped.slice(first).findIndex((m) => !m);
      const count = mapped < 0 ? l.pages - first : Math.max(1, mapped);
      g.pinNow(p, l, first, Math.min(count, 8), g.chance(0.25) ? " nop2p" : "");
    } else if (x < 0.95 && bound.length) {
      g.unbind(g.pick(bound).name);
    } else {
      g.process();
    }
  }
}

const BUILDERS: Record<CorpusKind, (g: Gen) => void> = {
  "fork-chain": forkChain,
  "partial-munmap": partialMunmap,
  fragmentation,
  refusals,
  "unbind-live": unbindLive,
  "multi-device": multiDevice,
  "random-walk": randomWalk,
};

/** The scenario of one seed; the kind cycles with the seed so that every kind is covered. */
export function corpusScenario(seed: number): { kind: CorpusKind; text: string } {
  const kind = CORPUS_KINDS[seed % CORPUS_KINDS.length]!;
  const g = new Gen(rng(seed * 7919 + 17));
  BUILDERS[kind](g);
  const text = [
    `# p2pviz real-kernel corpus, seed ${seed} (${kind}); generated by src/real/corpus.ts`,
    "kernel upstream",
    ...g.lines,
    "",
  ].join("\n");
  return { kind, text };
}
