import { beforeEach, describe, expect, it } from "vitest";
import { handleStepKey } from "../../src/app/stepKeys.ts";
import { stateAtStep } from "../../src/store/cursors.ts";
import {
  carryStep,
  clampStep,
  nextStatementStep,
  opIndexAt,
  prevStatementStep,
  SPEEDS,
  stepLabel,
} from "../../src/store/selectors.ts";
import { loadScenario, setStep, useStore } from "../../src/store/store.ts";
import { stateAt } from "../../src/trace/cursor.ts";
import { allEvents } from "../../src/trace/trace.ts";
import { run } from "./helpers.ts";

const BASIC = `kernel upstream
device nvme0 1M
process p
p mmap a nvme0 64K
p fork c
p munmap a
c exit
`;

const s = () => useStore.getState();

beforeEach(() => {
  useStore.setState({
    trace: null,
    diagnostics: [],
    step: 0,
    playing: false,
    speedIndex: 3,
    design: null,
    version: null,
    selected: null,
  });
});

/** A failed vm_insert_page() in p2pmem_alloc_mmap(), then an unbind (README §8 "failed insert"). */
const FAILED_INSERT = `kernel upstream
device nvme0 1M
process p
inject vm_insert_page ENOMEM after 2
p mmap a nvme0 16K
unbind nvme0
`;

describe("store", () => {
  it("loadScenario runs the text and puts the cursor at the asked step", () => {
    loadScenario(BASIC, { step: 5 });
    const t = s().trace!;
    expect(t.steps).toBe(run(BASIC).steps);
    expect(s().step).toBe(5);
    expect(s().text).toBe(BASIC);
    expect(stepLabel(s().step, t)).toBe(`Step 5 / ${t.steps}`);
  });

  it("setStep clamps to the trace; stepBy, first and last move the cursor", () => {
    loadScenario(BASIC);
    const n = s().trace!.steps;
    setStep(10_000);
    expect(s().step).toBe(n - 1);
    setStep(-3);
    expect(s().step).toBe(0);
    s().stepBy(2);
    expect(s().step).toBe(2);
    s().last();
    expect(s().step).toBe(n - 1);
    s().first();
    expect(s().step).toBe(0);
  });

  it("statement stepping lands on each statement's first step, forward and back", () => {
    loadScenario(BASIC);
    const t = s().trace!;
    const starts = t.ops.map((o) => o.firstStep);
    const visited = [0];
    for (let i = 0; i < t.ops.length + 2; i++) {
      s().nextStatement();
      visited.push(s().step);
    }
    expect(visited).toEqual(expect.arrayContaining(starts.filter((x) => x > 0)));
    expect(s().step).toBe(t.steps - 1);
    s().setStep(starts[3]!);
    s().prevStatement();
    expect(s().step).toBe(starts[2]);
    s().setStep(starts[3]! + 1);
    s().prevStatement();
    expect(s().step).toBe(starts[3]);
  });

  it("a scenario error keeps the last good trace and reports the diagnostic", () => {
    loadScenario(BASIC, { step: 7 });
    const good = s().trace;
    s().setText(`${BASIC}p mmap b nvme9 4K\n`);
    s().run();
    expect(s().trace).toBe(good);
    expect(s().step).toBe(7);
    expect(s().diagnostics[0]?.line).toBe(8);
    expect(s().diagnostics[0]?.message).toMatch(/nvme9/);
    s().setText(BASIC);
    s().run();
    expect(s().diagnostics).toEqual([]);
    expect(s().trace).not.toBe(good);
    expect(s().step).toBe(7);
  });

  it("a text, design and version that ran already are not run again (a link, then the editor's run)", () => {
    loadScenario(BASIC, { step: 5 });
    const t = s().trace;
    const version = s().traceVersion;
    s().select({ dev: 0, page: 3 });
    // the editor runs what it is given, 250 ms after a new text: the link's text ran already
    s().run();
    expect([s().trace, s().traceVersion, s().step, s().selected]).toEqual([
      t,
      version,
      5,
      { dev: 0, page: 3 },
    ]);
    // the same link again (Back, or pasted): same trace, its step, no selection
    loadScenario(BASIC, { step: 9 });
    expect([s().trace, s().traceVersion, s().step, s().selected]).toEqual([t, version, 9, null]);
    // another design, or a trace taken off the screen (a bad link), runs again
    s().setDesign("seed");
    expect(s().traceVersion).toBe(version + 1);
    s().setDesign(null);
    expect(s().trace).not.toBe(t);
    const again = s().trace;
    useStore.setState({ trace: null, text: BASIC });
    s().run();
    expect(s().trace).not.toBe(null);
    expect(s().trace).not.toBe(again);
  });

  it("setDesign reruns the same statements under another design", () => {
    loadScenario(BASIC);
    s().setDesign("seed");
    expect(s().trace!.design).toBe("seed");
    expect(s().trace!.steps).toBe(run(BASIC, "seed").steps);
    s().setDesign(null);
    expect(s().trace!.design).toBe("upstream");
  });

  it("setVersion reruns the design on screen in that kernel version (versions.ts failedInsert: 6.5 leaks the pgmap ref, 7.3 is clean)", () => {
    loadScenario(FAILED_INSERT);
    expect([s().trace!.design, s().trace!.version]).toEqual(["upstream", "7.3"]);
    expect(s().trace!.findings).toEqual([]);
    s().setVersion("6.5");
    // the version pins the design it was chosen for, as `design=upstream@6.5` and `--kernel upstream@6.5` do
    expect([s().design, s().version]).toEqual(["upstream", "6.5"]);
    expect([s().trace!.design, s().trace!.version]).toEqual(["upstream", "6.5"]);
    expect(s().trace!.findings.map((f) => f.kind)).toEqual(["pgref-leak", "unbind-hang"]);
    expect(s().trace!.ops.at(-1)!.result).toBe("blocked");
    // back to the scenario's own version
    s().setVersion(null);
    expect([s().design, s().version, s().trace!.version]).toEqual(["upstream", null, "7.3"]);
  });

  it("setVersion ignores a version the design does not run in; setDesign and a preset drop the version", () => {
    loadScenario(FAILED_INSERT);
    s().setVersion("6.12");
    const t = s().trace;
    s().setVersion("5.10"); // upstream never ran in 5.10 (DESIGN_VERSIONS)
    expect([s().version, s().trace]).toEqual(["6.12", t]);
    s().setDesign("seed");
    expect([s().design, s().version, s().trace!.version]).toEqual(["seed", null, "5.10"]);
    s().setDesign("upstream");
    s().setVersion("6.2");
    s().loadScenario(BASIC, { step: 0, design: null });
    expect([s().design, s().version, s().trace!.version]).toEqual([null, null, "7.3"]);
    // a link's pair is taken as it is, a pair the design lacks is not
    s().loadScenario(BASIC, { design: "upstream", version: "6.15" });
    expect(s().trace!.version).toBe("6.15");
    s().loadScenario(BASIC, { design: "seed", version: "6.15" });
    expect([s().version, s().trace!.version]).toEqual([null, "5.10"]);
  });

  it("play from the last step starts over; pause stops; speed stays in range", () => {
    loadScenario(BASIC);
    s().last();
    s().play();
    expect(s().playing).toBe(true);
    expect(s().step).toBe(0);
    s().togglePlay();
    expect(s().playing).toBe(false);
    for (let i = 0; i < 20; i++) s().faster();
    expect(s().speedIndex).toBe(SPEEDS.length - 1);
    for (let i = 0; i < 20; i++) s().slower();
    expect(s().speedIndex).toBe(0);
  });

  it("a step key notifies the store's subscribers once: pause() sets nothing when nothing plays", () => {
    loadScenario(BASIC);
    let notified = 0;
    const stop = useStore.subscribe(() => notified++);
    handleStepKey({ key: "ArrowRight", shiftKey: false, ctrlKey: false, metaKey: false, altKey: false }, s());
    expect(notified).toBe(1);
    s().play();
    notified = 0;
    s().pause();
    expect([notified, s().playing]).toEqual([1, false]);
    stop();
  });
});

describe("selectors", () => {
  const t = run(BASIC);

  it("opIndexAt finds the statement of every step", () => {
    for (let step = 0; step < t.steps; step++) {
      const i = opIndexAt(t, step);
      const op = t.ops[i]!;
      expect(op.firstStep <= step && step <= op.lastStep).toBe(true);
      expect(allEvents(t)[step]!.line).toBe(op.line);
    }
  });

  it("next and previous statement are inverse at statement starts", () => {
    for (const op of t.ops.slice(1, -1)) {
      expect(prevStatementStep(t, nextStatementStep(t, op.firstStep))).toBe(op.firstStep);
    }
  });

  it("carryStep keeps the statement and the offset inside it", () => {
    const edited = run(`${BASIC}# a comment at the end\n`);
    const op = t.ops[3]!;
    expect(carryStep(t, op.firstStep + 2, edited)).toBe(edited.ops[3]!.firstStep + 2);
    const seed = run(BASIC, "seed");
    const c = carryStep(t, op.lastStep, seed);
    expect(opIndexAt(seed, c)).toBe(3);
  });

  it("clampStep handles an empty trace and non-numbers", () => {
    expect(clampStep(null, 5)).toBe(0);
    expect(clampStep(t, Number.NaN)).toBe(0);
    expect(clampStep(t, 2.7)).toBe(2);
  });
});

describe("cursors", () => {
  it("stateAtStep (one reused cursor) equals a fresh replay, in any seek order", () => {
    const t = run(BASIC);
    const n = t.steps;
    const order = [n - 1, 0, Math.floor(n / 2), 3, n - 2, 1, Math.floor(n / 3), n - 1];
    for (const step of order) {
      const live = stateAtStep(t, step);
      const fresh = stateAt(t, step);
      const dev = (st: typeof live) =>
        st.devices.map((d) => [d.freePages, d.pgref, d.pageRuns.field("refcount", 0, d.pages)]);
      expect(dev(live)).toEqual(dev(fresh));
      expect(live.processes.map((p) => p.vmas.length)).toEqual(fresh.processes.map((p) => p.vmas.length));
    }
  });
});
