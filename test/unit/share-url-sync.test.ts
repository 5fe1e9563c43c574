/**
 * The URL sync policy (src/store/url-sync.ts) without a browser: a fake location and history record
 * every pushState/replaceState, so the rules are checked one by one: a link opens at its step, a bad
 * link shows its error and no scenario, stepping replaces the entry, a new scenario pushes one,
 * typing in a burst shares one, Back reopens, a too-large scenario leaves no stale link.
 * (test/e2e/share-links.test.ts checks the same in Chromium.)
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { decodeShareLink, encodeShareLink } from "../../src/share/codec.ts";

const BASE = "http://127.0.0.1:4173/";
const PRESETS = join(import.meta.dirname, "../../public/presets");
const basic = readFileSync(join(PRESETS, "upstream-basic.p2p"), "utf8");
const leak = readFileSync(join(PRESETS, "seed-leak.p2p"), "utf8");

/** A fake window: location, history with entries, and popstate/hashchange listeners. */
function fakeBrowser(startUrl: string) {
  const entries = [startUrl];
  let index = 0;
  const calls: string[] = [];
  const listeners = new Map<string, Set<() => void>>();
  const loc = () => new URL(entries[index]!);
  const location = {
    get hash() {
      return loc().hash;
    },
    get origin() {
      return loc().origin;
    },
    get pathname() {
      return loc().pathname;
    },
    get search() {
      return loc().search;
    },
  };
  const history = {
    pushState(_s: unknown, _t: string, url: string) {
      entries.splice(index + 1, entries.length, url);
      index++;
      calls.push("push");
    },
    replaceState(_s: unknown, _t: string, url: string) {
      entries[index] = url;
      calls.push("replace");
    },
    get length() {
      return entries.length;
    },
  };
  const fire = (type: string) => {
    for (const f of listeners.get(type) ?? []) f();
  };
  const window = {
    addEventListener(type: string, f: () => void) {
      if (!listeners.has(type)) listeners.set(type, new Set());
      listeners.get(type)!.add(f);
    },
    removeEventListener(type: string, f: () => void) {
      listeners.get(type)?.delete(f);
    },
  };
  return {
    location,
    history,
    window,
    calls,
    entries,
    url: () => entries[index]!,
    back() {
      index--;
      fire("popstate");
    },
    forward() {
      index++;
      fire("popstate");
    },
  };
}

/** A Storage in memory (localStorage, sessionStorage). */
function fakeStorage(): Storage {
  const m = new Map<string, string>();
  return {
    get length() {
      return m.size;
    },
    clear: () => m.clear(),
    getItem: (k: string) => m.get(k) ?? null,
    key: (i: number) => [...m.keys()][i] ?? null,
    removeItem: (k: string) => void m.delete(k),
    setItem: (k: string, v: string) => void m.set(k, String(v)),
  };
}

type Fake = ReturnType<typeof fakeBrowser>;
let fake: Fake;
let stop: (() => void) | undefined;

/** Fresh modules (the store reads storage at import) on a fake browser showing `url`. */
async function boot(url: string) {
  fake = fakeBrowser(url);
  vi.stubGlobal("location", fake.location);
  vi.stubGlobal("history", fake.history);
  vi.stubGlobal("window", fake.window);
  vi.stubGlobal("requestAnimationFrame", (f: () => void) => setTimeout(f, 0));
  vi.stubGlobal("document", { querySelector: () => null });
  vi.resetModules();
  const sync = await import("../../src/store/url-sync.ts");
  const { useStore } = await import("../../src/store/store.ts");
  sync.primeFromLocation();
  // what the Editor does on mount: run the text it shows
  useStore.getState().run();
  stop = sync.startUrlSync();
  await settle();
  return { sync, useStore };
}

/** Long enough for a pending write: the quiet time, a frame and an idle task. */
async function settle() {
  await vi.advanceTimersByTimeAsync(600);
}

function linkOf(text: string, step: number): string {
  const r = encodeShareLink({ text, step }, { base: BASE });
  if (!r.ok) throw new Error(r.error.message);
  return r.url;
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  stop?.();
  stop = undefined;
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe("url sync", () => {
  it("opens a link at its step and keeps the URL saying the same", async () => {
    const { useStore, sync } = await boot(linkOf(basic, 7));
    const s = useStore.getState();
    expect(s.text).toBe(basic);
    expect(s.step).toBe(7);
    expect(sync.useLinkStore.getState().error).toBeNull();
    expect(fake.url()).toBe(linkOf(basic, 7));
    expect(fake.calls).toEqual([]); // nothing to rewrite
  });

  it("a hand-written link without step= opens at the start without running the first engine; with step= it maps the step", async () => {
    // the first engine keeps a state per page: mapping a step of a 32 GiB scenario costs seconds
    const legacy = await vi.importActual<typeof import("../../src/legacy/v1-trace/run.ts")>(
      "../../src/legacy/v1-trace/run.ts",
    );
    const runs = vi.fn(legacy.runText);
    vi.doMock("../../src/legacy/v1-trace/run.ts", () => ({ ...legacy, runText: runs }));
    try {
      const hand = `${BASE}#text=${basic.split("\n").map(encodeURIComponent).join("%0A")}`;
      const { useStore } = await boot(hand);
      expect(useStore.getState().text).toBe(basic);
      expect(useStore.getState().step).toBe(0);
      expect(runs).not.toHaveBeenCalled();
      stop?.();
      await boot(`${hand}&step=3`);
      expect(runs).toHaveBeenCalled();
    } finally {
      vi.doUnmock("../../src/legacy/v1-trace/run.ts");
    }
  });

  it("shows a bad link's error, with no scenario, and leaves the link in the address bar", async () => {
    const bad = `${BASE}#v=1&s=zAAAAAAAAAA&step=3`;
    const { useStore, sync } = await boot(bad);
    expect(sync.useLinkStore.getState().error?.code).toBe("corrupt");
    expect(useStore.getState().text).toBe("");
    expect(useStore.getState().trace).toBeNull();
    await settle();
    expect(fake.url()).toBe(bad);
    // typing a scenario answers the error, and the URL follows again
    useStore.getState().setText("kernel upstream\ndevice d 64K\n");
    useStore.getState().run();
    await settle();
    expect(sync.useLinkStore.getState().error).toBeNull();
    const d = decodeShareLink(fake.url());
    expect(d.ok && d.state.text).toBe("kernel upstream\ndevice d 64K\n");
  });

  it("replaces the entry while stepping and pushes one for a new scenario; Back reopens the old one", async () => {
    const { useStore } = await boot(linkOf(basic, 7));
    for (let i = 0; i < 5; i++) {
      useStore.getState().stepBy(1);
      await vi.advanceTimersByTimeAsync(100);
    }
    await settle();
    expect(fake.entries.length).toBe(1);
    expect(fake.url()).toBe(linkOf(basic, 12));
    expect(fake.calls.every((c) => c === "replace")).toBe(true);

    useStore.getState().loadScenario(leak, { step: 3, design: null });
    await settle();
    expect(fake.entries.length).toBe(2);
    expect(fake.url()).toBe(linkOf(leak, 3));

    fake.back();
    await settle();
    expect(useStore.getState().text).toBe(basic);
    expect(useStore.getState().step).toBe(12);
    expect(fake.entries.length).toBe(2); // reopening does not add an entry
    fake.forward();
    await settle();
    expect(useStore.getState().text).toBe(leak);
    expect(useStore.getState().step).toBe(3);
  });

  it("while a held key steps, writes nothing; the last step once still for URL_QUIET_MS", async () => {
    const { useStore, sync } = await boot(linkOf(basic, 0));
    await settle();
    const before = fake.calls.length;
    // a held arrow key: 60 steps 30 ms apart, 1.8 s
    for (let i = 0; i < 60; i++) {
      useStore.getState().stepBy(1);
      await vi.advanceTimersByTimeAsync(30);
    }
    expect(fake.calls.length - before).toBe(0);
    await settle();
    expect(fake.calls.length - before).toBe(1);
    expect(fake.url()).toBe(linkOf(basic, 60));
    // one step: written once the state has been still for URL_QUIET_MS, not before
    const one = fake.calls.length;
    useStore.getState().stepBy(1);
    await vi.advanceTimersByTimeAsync(sync.URL_QUIET_MS - 50);
    expect(fake.calls.length).toBe(one);
    await settle();
    expect(fake.calls.length).toBe(one + 1);
    expect(fake.url()).toBe(linkOf(basic, 61));
  });

  it("while playback runs, writes at most every URL_MAX_WAIT_MS, so the address bar follows it", async () => {
    const { useStore, sync } = await boot(linkOf(basic, 0));
    await settle();
    const before = fake.calls.length;
    useStore.setState({ playing: true });
    // playback's frames: 60 steps 30 ms apart, 1.8 s
    for (let i = 0; i < 60; i++) {
      useStore.getState().setStep(useStore.getState().step + 1);
      await vi.advanceTimersByTimeAsync(30);
    }
    const during = fake.calls.length - before;
    expect(during).toBeGreaterThanOrEqual(1);
    expect(during).toBeLessThanOrEqual(Math.ceil(1800 / sync.URL_MAX_WAIT_MS));
    useStore.getState().pause();
    await settle();
    expect(fake.url()).toBe(linkOf(basic, 60));
  });

  it("gives a burst of typing one history entry", async () => {
    const { useStore, sync } = await boot(linkOf(basic, 0));
    let text = basic;
    for (const ch of "# a note") {
      text += ch;
      useStore.getState().setText(text);
      await vi.advanceTimersByTimeAsync(150);
    }
    await settle();
    expect(fake.entries.length).toBe(2);
    // after a pause, the next edit is a new entry
    await vi.advanceTimersByTimeAsync(sync.TYPING_MS + 100);
    useStore.getState().setText(`${text}!`);
    await settle();
    expect(fake.entries.length).toBe(3);
  });

  it("leaves no link to an older scenario when the scenario is too large for one", async () => {
    const { useStore, sync } = await boot(linkOf(basic, 0));
    let seed = 5;
    let big = basic;
    for (let i = 0; i < 9000; i++) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      big += i % 80 === 0 ? "\n# " : String.fromCharCode(0x21 + (seed % 90));
    }
    useStore.getState().setText(big);
    await settle();
    expect(fake.url()).toBe(BASE);
    const cur = sync.useLinkStore.getState().current;
    expect(cur?.ok).toBe(false);
    if (cur && !cur.ok) expect(cur.error.code).toBe("too-large");
  });

  it("a reload of an older link this tab wrote keeps the newer saved edit (the write that landed mid-reload)", async () => {
    const local = fakeStorage();
    const session = fakeStorage();
    vi.stubGlobal("localStorage", local);
    vi.stubGlobal("sessionStorage", session);
    const { useStore } = await boot(linkOf(basic, 3));
    useStore.getState().setText(`${basic}p exit\n`);
    await settle();
    const older = fake.url(); // the address bar when the reload began
    useStore.getState().setText(`${basic}p exit\n# newest\n`);
    await settle(); // the throttled write lands while the reload is on its way
    expect(fake.url()).not.toBe(older);
    stop?.();
    const again = await boot(older);
    expect(again.useStore.getState().text).toBe(`${basic}p exit\n# newest\n`);
    // a link this tab did not write still wins over the saved text
    stop?.();
    const other = await boot(linkOf(leak, 2));
    expect(other.useStore.getState().text).toBe(leak);
  });

  it("a link's design@version opens in that version, the version switch goes into the link and is saved", async () => {
    const local = fakeStorage();
    vi.stubGlobal("localStorage", local);
    vi.stubGlobal("sessionStorage", fakeStorage());
    const r = encodeShareLink({ text: basic, step: 3, design: "upstream", version: "6.5" }, { base: BASE });
    if (!r.ok) throw new Error(r.error.message);
    const { useStore } = await boot(r.url);
    expect([useStore.getState().version, useStore.getState().trace?.version]).toEqual(["6.5", "6.5"]);
    useStore.getState().setVersion("6.12");
    await settle();
    const d = decodeShareLink(fake.url());
    expect(d.ok && [d.state.design, d.state.version]).toEqual(["upstream", "6.12"]);
    // saved beside the design it belongs to: a visit without a link runs in it again
    expect([local.getItem("p2pviz.design"), local.getItem("p2pviz.version")]).toEqual(["upstream", "6.12"]);
    stop?.();
    const again = await boot(BASE);
    expect(again.useStore.getState().trace?.version).toBe("6.12");
    // a saved version its design does not run in is dropped
    stop?.();
    local.setItem("p2pviz.version", "5.10");
    const bad = await boot(BASE);
    expect([bad.useStore.getState().version, bad.useStore.getState().trace?.version]).toEqual([null, "7.3"]);
  });

  it("starts without a link by writing the link of the scenario on screen into the same entry", async () => {
    const { useStore } = await boot(BASE);
    expect(fake.entries.length).toBe(1);
    const d = decodeShareLink(fake.url());
    expect(d.ok && d.state.text).toBe(useStore.getState().text);
  });
});
