/**
 * The write-only-what-changed helpers of the panels that redraw at every step (src/panels/d3-keep.ts):
 * an attribute, class or text already as asked is not written again (the browser would invalidate
 * style and layout for it), anything else is.
 */
import { selectAll } from "d3-selection";
import { describe, expect, it } from "vitest";
import { keepAttr, keepClass, keepText, roundPx } from "../../src/panels/d3-keep.ts";

/** An element with attributes, a class list and text, counting the writes. */
function fakeElement() {
  const attrs = new Map<string, string>();
  const classes = new Set<string>();
  const el = {
    writes: 0,
    text: "",
    get textContent() {
      return el.text;
    },
    set textContent(t: string) {
      el.writes++;
      el.text = t;
    },
    getAttribute: (k: string) => attrs.get(k) ?? null,
    hasAttribute: (k: string) => attrs.has(k),
    setAttribute(k: string, v: string) {
      el.writes++;
      attrs.set(k, v);
    },
    removeAttribute(k: string) {
      el.writes++;
      attrs.delete(k);
    },
    classList: {
      contains: (c: string) => classes.has(c),
      toggle(c: string, on: boolean) {
        el.writes++;
        if (on) classes.add(c);
        else classes.delete(c);
      },
    },
  };
  return el;
}

describe("d3-keep", () => {
  it("keepAttr writes an attribute only when its value differs, and removes it for null", () => {
    const els = [fakeElement(), fakeElement()];
    const sel = selectAll(els as unknown as Element[]).data([1, 2]);
    sel.call(keepAttr, "x", (d: number) => d * 10).call(keepAttr, "y", 5);
    expect(els.map((e) => [e.getAttribute("x"), e.getAttribute("y"), e.writes])).toEqual([
      ["10", "5", 2],
      ["20", "5", 2],
    ]);
    sel.call(keepAttr, "x", (d: number) => d * 10).call(keepAttr, "y", 5);
    expect(els.map((e) => e.writes)).toEqual([2, 2]);
    selectAll(els as unknown as Element[])
      .data([1, 3])
      .call(keepAttr, "x", (d: number) => d * 10)
      .call(keepAttr, "y", (d: number) => (d === 3 ? null : 5));
    expect(els.map((e) => [e.getAttribute("x"), e.getAttribute("y"), e.writes])).toEqual([
      ["10", "5", 2],
      ["30", null, 4],
    ]);
    selectAll(els as unknown as Element[]).call(keepAttr, "y", null);
    expect(els.map((e) => e.writes)).toEqual([3, 4]);
  });

  it("keepAttr writes numbers to a hundredth of a pixel: a step's millionth of a pixel is not written", () => {
    const el = fakeElement();
    const sel = selectAll([el] as unknown as Element[]);
    // a run's width in a 32 GiB mmap, one step apart
    sel.call(keepAttr, "width", 9.099681272506713);
    expect([el.getAttribute("width"), el.writes]).toEqual(["9.1", 1]);
    sel.call(keepAttr, "width", 9.09968661546707);
    expect(el.writes).toBe(1);
    sel.call(keepAttr, "width", 9.106);
    expect([el.getAttribute("width"), el.writes]).toEqual(["9.11", 2]);
    // strings are written as given
    sel.call(keepAttr, "d", "M0.123456,0");
    expect(el.getAttribute("d")).toBe("M0.123456,0");
    expect([roundPx(-4.005), roundPx(1e9 + 0.25)]).toEqual([-4, 1e9 + 0.25]);
  });

  it("keepClass toggles a class only when it is not already as asked; keepText rewrites only new text", () => {
    const el = fakeElement();
    const sel = selectAll([el] as unknown as Element[]).data([true]);
    sel.call(keepClass, "changed", (d: boolean) => d).call(keepClass, "changed", (d: boolean) => d);
    expect([el.classList.contains("changed"), el.writes]).toEqual([true, 1]);
    sel.call(keepText, "a").call(keepText, "a");
    expect([el.textContent, el.writes]).toEqual(["a", 2]);
    sel.call(keepClass, "changed", () => false).call(keepText, "b");
    expect([el.classList.contains("changed"), el.textContent, el.writes]).toEqual([false, "b", 4]);
  });
});
