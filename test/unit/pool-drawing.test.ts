/**
 * The pool grid's cell paths (src/panels/pool-drawing.ts cellPaths): each look's path, read back
 * command by command, draws one square at each cell of that look and nowhere else, whatever the
 * looks, the columns and the column's place; the free cells' outlines sit a quarter pixel inside.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { LOOK_CODE } from "../../src/panels/common.ts";
import { NLOOK } from "../../src/panels/pool-cells.ts";
import { type Column, cellPaths, TOP } from "../../src/panels/pool-drawing.ts";

/** The squares a path draws: the absolute top-left corner and the side of each closed subpath. */
function squares(d: string): { x: number; y: number; side: number }[] {
  const out: { x: number; y: number; side: number }[] = [];
  const re = /([Mm])(-?[\d.]+) (-?[\d.]+)h(-?[\d.]+)v(-?[\d.]+)h(-?[\d.]+)z/y;
  let x = 0;
  let y = 0;
  let at = 0;
  while (at < d.length) {
    re.lastIndex = at;
    const m = re.exec(d);
    if (!m) throw new Error(`unexpected path data at ${at}: ${d.slice(at, at + 40)}`);
    const [, cmd, a, b, h, v, back] = m;
    // after z the current point is the subpath's start: a relative move is from the last square
    x = cmd === "M" ? Number(a) : x + Number(a);
    y = cmd === "M" ? Number(b) : y + Number(b);
    expect(Number(v)).toBe(Number(h));
    expect(Number(back)).toBe(-Number(h));
    out.push({ x, y, side: Number(h) });
    at = re.lastIndex;
  }
  return out;
}

function column(look: Uint8Array, cols: number, size: number, x: number): Column {
  return {
    dev: 0,
    name: "d",
    pages: look.length,
    x,
    grid: { first: 0, ppc: 1, n: look.length, look, counts: new Float64Array(look.length * NLOOK) },
    size,
    cols,
    lifecycle: "bound",
    folios: [],
  };
}

describe("cellPaths", () => {
  it("each look's path draws a square at each of its cells, relative moves included, and the free cells' outlines inside them", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 400, max: NLOOK - 1 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 6, max: 20 }),
        fc.integer({ min: 0, max: 2000 }).map((q) => q / 4),
        (look, cols, size, x) => {
          const col = column(look, cols, size, x);
          const side = size - 1;
          const { looks, free } = cellPaths(col, side, true);
          const at = (i: number) => ({ x: x + (i % cols) * size, y: TOP + Math.floor(i / cols) * size });
          for (let code = 0; code < NLOOK; code++) {
            const want = [...look.keys()].filter((i) => look[i] === code).map((i) => ({ ...at(i), side }));
            expect(squares(looks[code]!)).toEqual(want);
          }
          const wantFree = [...look.keys()]
            .filter((i) => look[i] === LOOK_CODE.free)
            .map((i) => ({ x: at(i).x + 0.25, y: at(i).y + 0.25, side: side - 0.5 }));
          expect(squares(free)).toEqual(wantFree);
        },
      ),
    );
  });

  it("no outlines when the cells are too small for them", () => {
    const col = column(new Uint8Array([LOOK_CODE.free, LOOK_CODE.free]), 2, 6, 0);
    expect(cellPaths(col, 5, false).free).toBe("");
    expect(squares(cellPaths(col, 5, false).looks[LOOK_CODE.free]!)).toEqual([
      { x: 0, y: TOP, side: 5 },
      { x: 6, y: TOP, side: 5 },
    ]);
  });
});
