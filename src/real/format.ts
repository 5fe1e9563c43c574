/** Side-by-side text of a Comparison, for `p2pviz real` and the recording tools. */
import type { Comparison, PoolView, StatementComparison } from "./compare.ts";

function pool(v: PoolView | undefined): string {
  return v === undefined ? "-" : String(v);
}

function poolCell(s: StatementComparison, dev: string): string {
  const r = pool(s.realFree[dev]);
  const m = pool(s.modelFree[dev]);
  return r === m ? r : `${r}|${m}`;
}

/**
 * One row per statement: line, statement, the kernel's result, the model's result, and each
 * device's free pages ("kernel|model" when they differ). A row that differs starts with "≠" ("~"
 * when every difference is a listed exception); "?" marks a statement the lab cannot express.
 */
export function formatComparison(c: Comparison, header: string): string {
  const devs = [
    ...new Set(c.statements.flatMap((s) => [...Object.keys(s.realFree), ...Object.keys(s.modelFree)])),
  ];
  const textW = Math.min(44, Math.max(9, ...c.statements.map((s) => s.text.length)));
  const resW = Math.max(6, ...c.statements.flatMap((s) => [s.realResult.length, s.modelResult.length]));
  const lineW = Math.max(4, ...c.statements.map((s) => String(s.line).length));
  const out: string[] = [header, ""];
  const cols = [
    "  ",
    "line".padStart(lineW),
    "statement".padEnd(textW),
    "kernel".padEnd(resW),
    "model".padEnd(resW),
    ...devs.map((d) => `${d} free`),
  ];
  out.push(cols.join("  ").trimEnd());
  const notes: string[] = [];
  for (const s of c.statements) {
    const open = s.differs.filter((f) => !s.excepted[f]);
    const mark = s.unchecked ? "? " : open.length ? "≠ " : s.differs.length ? "~ " : "  ";
    const text = s.text.length > textW ? `${s.text.slice(0, textW - 1)}…` : s.text;
    const row = [
      mark,
      String(s.line).padStart(lineW),
      text.padEnd(textW),
      s.realResult.padEnd(resW),
      s.modelResult.padEnd(resW),
      ...devs.map((d) => poolCell(s, d).padEnd(`${d} free`.length)),
    ];
    const flags: string[] = [];
    if (s.differs.includes("refs")) flags.push("refs differ");
    out.push(`${row.join("  ")}${flags.length ? `  (${flags.join(", ")})` : ""}`.trimEnd());
    if (s.unchecked) notes.push(`line ${s.line}: not checked: ${s.unchecked}`);
    for (const f of s.differs) {
      const what =
        f === "result"
          ? `result: kernel ${s.realResult}, model ${s.modelResult}`
          : f === "pool"
            ? `free pages: kernel ${devs.map((d) => `${d}=${pool(s.realFree[d])}`).join(" ")}, model ${devs.map((d) => `${d}=${pool(s.modelFree[d])}`).join(" ")}`
            : `refcounts: ${s.refsDetail ?? ""}`;
      notes.push(
        `line ${s.line}: ${s.excepted[f] ? "known difference" : "DIFFERENCE"}: ${what}${s.excepted[f] ? ` (${s.excepted[f]})` : ""}`,
      );
    }
  }
  out.push("");
  const n = c.statements.length;
  const matching = c.statements.filter((s) => s.differs.length === 0 && !s.unchecked).length;
  out.push(
    `${n} statements: ${matching} match, ${c.mismatches} unexplained difference(s), ${c.excepted} known difference(s), ${c.unchecked} not checked.`,
  );
  if (notes.length) out.push("", ...notes);
  return `${out.join("\n")}\n`;
}
