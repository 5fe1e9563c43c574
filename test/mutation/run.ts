/**
 * `npm run mutate [-- --full] [-- --only ID,ID]`: applies each mutation of test/mutation/mutations.ts
 * in a temporary copy of the repository (never the working tree; node_modules hard-linked) and runs
 * the unit tests there. A mutation is "killed" when a test fails.
 *
 * By default each mutation first runs the kernel subset (SUBSET below, stopping at the first
 * failure); a mutation that survives the subset is run again against the whole unit suite before it
 * is called a survivor. `--full` runs the whole suite for every mutation.
 * Every run stops at its first failing test (--bail=1): a mutation needs one failure to be killed.
 * The report goes to stdout and to test/mutation/last-run.json (in the working tree).
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { stripVTControlCharacters } from "node:util";
import { MUTATIONS, type Mutation } from "./mutations.ts";

export const SUBSET = [
  "test/unit/kernel-code-lines.test.ts",
  "test/unit/kernel-designs.test.ts",
  "test/unit/kernel-upstream.test.ts",
  "test/unit/kernel-v2-statements.test.ts",
  "test/unit/kernel-versions.test.ts",
  "test/unit/properties.test.ts",
  "test/unit/real-conformance.test.ts",
  "test/unit/cursor.test.ts",
];

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const args = process.argv.slice(2);
const full = args.includes("--full");
const onlyAt = args.indexOf("--only");
const only = onlyAt >= 0 ? new Set((args[onlyAt + 1] ?? "").split(",")) : undefined;

function copyRepo(): string {
  const dir = mkdtempSync(join(tmpdir(), "p2pviz-mutate-"));
  // Tracked and untracked (not ignored) files: the run sees the working tree as it is.
  const files = execFileSync("git", ["ls-files", "-co", "--exclude-standard", "-z"], { cwd: root })
    .toString()
    .split("\0")
    .filter((f) => f && !f.startsWith("node_modules/"));
  const tar = spawnSync("sh", ["-c", `tar -cf - --null -T - | tar -xf - -C '${dir}'`], {
    cwd: root,
    input: files.join("\0"),
  });
  if (tar.status !== 0) throw new Error(`copying the repository failed: ${tar.stderr}`);
  execFileSync("cp", ["-al", join(root, "node_modules"), join(dir, "node_modules")]);
  return dir;
}

function vitest(dir: string, files: string[], bail: boolean): { ok: boolean; failed: number } {
  const r = spawnSync(
    join(dir, "node_modules/.bin/vitest"),
    ["run", "--reporter=dot", ...(bail ? ["--bail=1"] : []), ...files],
    { cwd: dir, encoding: "utf8", maxBuffer: 1 << 28 },
  );
  const out = `${r.stdout}${r.stderr}`;
  const m = /Tests\s+(?:\S*\s)*?(\d+) failed/.exec(stripVTControlCharacters(out));
  return { ok: r.status === 0, failed: m ? Number(m[1]) : r.status === 0 ? 0 : -1 };
}

interface Result {
  id: string;
  file: string;
  rule: string;
  status: "killed" | "survived";
  by: "subset" | "full";
  failed: number;
  ms: number;
}

function main(): void {
  const list = MUTATIONS.filter((m) => !only || only.has(m.id));
  const dir = copyRepo();
  const cleanUp = () => {
    rmSync(dir, { recursive: true, force: true });
    process.exit(130);
  };
  process.on("SIGINT", cleanUp);
  process.on("SIGTERM", cleanUp);
  const results: Result[] = [];
  try {
    for (const m of list) results.push(runOne(dir, m));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const killed = results.filter((r) => r.status === "killed").length;
  const survivors = results.filter((r) => r.status === "survived");
  const files = new Set(results.map((r) => r.file));
  console.log(
    `\n${killed} of ${results.length} mutations killed, ${survivors.length} survived, over ${files.size} files of src/kernel`,
  );
  for (const s of survivors) console.log(`  SURVIVED ${s.id} (${s.file}): ${s.rule}`);
  if (!only)
    writeFileSync(
      join(root, "test/mutation/last-run.json"),
      `${JSON.stringify({ mode: full ? "full" : "subset-then-full", killed, total: results.length, results }, null, 1)}\n`,
    );
  process.exitCode = survivors.length === 0 ? 0 : 1;
}

function runOne(dir: string, m: Mutation): Result {
  const path = join(dir, m.file);
  const original = readFileSync(path, "utf8");
  const at = original.indexOf(m.search);
  if (at < 0 || original.indexOf(m.search, at + 1) >= 0)
    throw new Error(`${m.id}: the search text must occur exactly once in ${m.file}`);
  const t0 = Date.now();
  writeFileSync(path, original.slice(0, at) + m.replace + original.slice(at + m.search.length));
  try {
    let by: Result["by"] = full ? "full" : "subset";
    let r = vitest(dir, full ? [] : SUBSET, true);
    if (r.ok && !full) {
      by = "full";
      r = vitest(dir, [], true);
    }
    const res: Result = {
      id: m.id,
      file: m.file,
      rule: m.rule,
      status: r.ok ? "survived" : "killed",
      by,
      failed: r.failed,
      ms: Date.now() - t0,
    };
    console.log(
      `${res.status === "killed" ? "killed  " : "SURVIVED"} ${m.id.padEnd(36)} ${by.padEnd(6)} ${String(r.failed).padStart(4)} failing  ${(res.ms / 1000).toFixed(1)}s`,
    );
    return res;
  } finally {
    writeFileSync(path, original);
  }
}

main();
