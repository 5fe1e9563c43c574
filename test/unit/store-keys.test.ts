import { beforeEach, describe, expect, it } from "vitest";
import { handleKey } from "../../src/app/keyboard.ts";
import { SPEEDS } from "../../src/store/selectors.ts";
import { loadScenario, useStore } from "../../src/store/store.ts";

const TEXT = `device d 1M
process p
p mmap a d 16K
p fork c
p munmap a
c exit
`;

const key = (k: string, shiftKey = false) =>
  handleKey({ key: k, shiftKey, ctrlKey: false, metaKey: false, altKey: false });
const s = () => useStore.getState();

beforeEach(() => {
  useStore.setState({ trace: null, diagnostics: [], step: 0, playing: false, speedIndex: 3, design: null });
  loadScenario(TEXT, { step: 0 });
});

describe("keyboard", () => {
  it("Left/Right step, Shift+Left/Right move by statement, Home/End jump", () => {
    const t = s().trace!;
    expect(key("ArrowRight")).toBe(true);
    expect(s().step).toBe(1);
    expect(key("ArrowRight", true)).toBe(true);
    const next = t.ops.find((o) => o.firstStep > 1)!.firstStep;
    expect(s().step).toBe(next);
    key("ArrowLeft");
    expect(s().step).toBe(next - 1);
    key("End");
    expect(s().step).toBe(t.steps - 1);
    key("ArrowLeft", true);
    expect(s().step).toBe(t.ops[t.ops.length - 1]!.firstStep);
    key("Home");
    expect(s().step).toBe(0);
    key("ArrowLeft");
    expect(s().step).toBe(0);
  });

  it("Space toggles play, and stepping by hand pauses", () => {
    key(" ");
    expect(s().playing).toBe(true);
    key(" ");
    expect(s().playing).toBe(false);
    key(" ");
    key("ArrowRight");
    expect(s().playing).toBe(false);
  });

  it("-/+ (and _/=) change the speed within its range", () => {
    key("+");
    expect(s().speedIndex).toBe(4);
    key("=");
    key("-");
    key("_");
    expect(s().speedIndex).toBe(3);
    for (let i = 0; i < 20; i++) key("+");
    expect(s().speedIndex).toBe(SPEEDS.length - 1);
  });

  it("ignores other keys and keys with Ctrl, Alt or Meta", () => {
    expect(key("a")).toBe(false);
    expect(
      handleKey({ key: "ArrowRight", shiftKey: false, ctrlKey: true, metaKey: false, altKey: false }),
    ).toBe(false);
    expect(s().step).toBe(0);
  });
});
