/**
 * D3 helpers of the panels that redraw at every step (address spaces, refcounts): write to the DOM
 * only what changed. Kept out of common.ts, which is part of the initial JavaScript; these load with
 * the panels.
 */

import type { Selection } from "d3-selection";

/**
 * The elements of `sel` whose attribute `name` was last set (through here) to something other than
 * `value(d)`: what a transition has to move. Animating only those keeps a step that changes one row from interrupting and restarting a
 * transition on every element of the panel (each one a timer callback per frame).
 */
// biome-ignore lint/suspicious/noExplicitAny: d3 selection generics are irrelevant here
export function differing<S extends Selection<any, any, any, any>>(
  sel: S,
  name: string,
  // biome-ignore lint/suspicious/noExplicitAny: the datum type of S
  value: (d: any) => string | number,
): S {
  // biome-ignore lint/suspicious/noExplicitAny: the datum type of S
  return sel.filter(function (this: Element, d: any) {
    // the last target asked for, not the attribute: mid-transition the attribute is in between, and
    // d3 writes interpolated transforms in its own spelling ("translate(4, 0)")
    const targets = ((this as Element & { __p2pTargets?: Record<string, string> }).__p2pTargets ??= {});
    const v = String(value(d));
    if (targets[name] === v) return false;
    targets[name] = v;
    return true;
  }) as S;
}

/**
 * selection.text(), but a node whose text is already `value(d)` is left alone: d3 replaces the text
 * node even when the string is the same, and the browser then shapes and lays the text out again
 * (2 ms a step on the refcount table and the address lanes of a big trace).
 */
// biome-ignore lint/suspicious/noExplicitAny: d3 selection generics are irrelevant here
export function keepText<S extends Selection<any, any, any, any>>(
  sel: S,
  // biome-ignore lint/suspicious/noExplicitAny: the datum type of S
  value: string | ((d: any, i: number) => string),
): S {
  // biome-ignore lint/suspicious/noExplicitAny: the datum type of S
  sel.each(function (this: Element, d: any, i: number) {
    const t = typeof value === "function" ? value(d, i) : value;
    if (this.textContent !== t) this.textContent = t;
  });
  return sel;
}

/** Forgets the targets differing() recorded (for leaving elements: one that comes back moves again). */
// biome-ignore lint/suspicious/noExplicitAny: d3 selection generics are irrelevant here
export function forgetTargets<S extends Selection<any, any, any, any>>(sel: S): S {
  sel.each(function (this: Element & { __p2pTargets?: Record<string, string> }) {
    this.__p2pTargets = {};
  });
  return sel;
}

/**
 * A coordinate as written to the DOM: to a hundredth of a pixel. Inside a kernel loop over millions
 * of pages a step moves a run's edge by a millionth of a pixel, which nobody can see but which,
 * written, costs the browser a layout and a paint of the panel.
 */
export function roundPx(n: number): number {
  return Math.round(n * 100) / 100;
}

/**
 * selection.attr(), but an element whose attribute already reads `value(d)` is left alone (null
 * removes it, as in d3). The browser invalidates style and layout on every setAttribute, even of an
 * equal value: a panel that rewrote each row's every attribute at each step paid for the whole
 * table's layout to change one row (about 4 ms a step on the 256 folio rows of the RFC's case).
 * Numbers are written as roundPx() rounds them.
 */
// biome-ignore lint/suspicious/noExplicitAny: d3 selection generics are irrelevant here
export function keepAttr<S extends Selection<any, any, any, any>>(
  sel: S,
  name: string,
  // biome-ignore lint/suspicious/noExplicitAny: the datum type of S
  value: string | number | null | ((d: any, i: number) => string | number | null),
): S {
  // biome-ignore lint/suspicious/noExplicitAny: the datum type of S
  sel.each(function (this: Element, d: any, i: number) {
    const v = typeof value === "function" ? value(d, i) : value;
    if (v === null) {
      if (this.hasAttribute(name)) this.removeAttribute(name);
    } else {
      const s = String(typeof v === "number" ? roundPx(v) : v);
      if (this.getAttribute(name) !== s) this.setAttribute(name, s);
    }
  });
  return sel;
}

/** selection.classed(name, value), writing only where the class is not already as asked. */
// biome-ignore lint/suspicious/noExplicitAny: d3 selection generics are irrelevant here
export function keepClass<S extends Selection<any, any, any, any>>(
  sel: S,
  name: string,
  // biome-ignore lint/suspicious/noExplicitAny: the datum type of S
  value: (d: any, i: number) => boolean,
): S {
  // biome-ignore lint/suspicious/noExplicitAny: the datum type of S
  sel.each(function (this: Element, d: any, i: number) {
    const on = value(d, i);
    if (this.classList.contains(name) !== on) this.classList.toggle(name, on);
  });
  return sel;
}
