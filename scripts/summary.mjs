// Prints the plain closing line CI reads: "tests: N passed, N failed".
// A test file that fails to load (a syntax error, a throw at import, a failing beforeAll) has no
// failed test of its own in vitest's JSON, only a failed file: it counts as one failure, as does a
// report that is missing (the run never wrote it).
import { existsSync, readFileSync } from "node:fs";

let passed = 0;
let failed = 0;
let skipped = 0;
for (const file of process.argv.slice(2)) {
  if (!existsSync(file)) {
    console.error(`summary: ${file} is missing: counted as a failure`);
    failed++;
    continue;
  }
  const r = JSON.parse(readFileSync(file, "utf8"));
  passed += r.numPassedTests ?? 0;
  failed += r.numFailedTests ?? 0;
  skipped += (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
  for (const t of r.testResults ?? []) {
    const failedTests = (t.assertionResults ?? []).filter((a) => a.status === "failed").length;
    if (t.status === "failed" && failedTests === 0) {
      console.error(`summary: ${t.name} failed to load or run: ${(t.message ?? "").split("\n")[0]}`);
      failed++;
    }
  }
}
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exitCode = failed > 0 || passed === 0 ? 1 : 0;
