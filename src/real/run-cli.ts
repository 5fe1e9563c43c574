/**
 * kernel-lab/run.sh FILE: boots the real kernel on one scenario and prints what it did as JSON
 * ({ kernel, statements: [{ line, text, result, available, refcounts? }], notes }), without the
 * model. `p2pviz real` is the side-by-side view.
 */
import { readFileSync } from "node:fs";
import { GuestFatal } from "./guest-output.ts";
import {
  bootScenario,
  ensureInitramfs,
  ensureKernel,
  isLabKernel,
  LabError,
  labKernelFor,
  missingTools,
  planScenario,
} from "./lab.ts";

async function main(argv: string[]): Promise<number> {
  const li = argv.indexOf("--linux");
  const linuxOpt = li >= 0 ? argv[li + 1] : undefined;
  const file = argv.find((a, i) => !a.startsWith("--") && !(li >= 0 && i === li + 1));
  if (!file || (linuxOpt !== undefined && !isLabKernel(linuxOpt))) {
    console.error("usage: kernel-lab/run.sh FILE [--linux 6.12|7.3] [--no-patch] [--console]");
    return 2;
  }
  const text = readFileSync(file === "-" ? 0 : file, "utf8");
  planScenario(text);
  const linux = linuxOpt !== undefined && isLabKernel(linuxOpt) ? linuxOpt : labKernelFor(text);
  const missing = missingTools(linux);
  if (missing) throw new LabError(missing);
  const kernel = ensureKernel({ kernel: linux, noPatch: argv.includes("--no-patch") });
  const boot = await bootScenario(text, { kernel, initramfs: ensureInitramfs() });
  if (argv.includes("--console")) process.stderr.write(boot.console);
  const { statements, notes } = boot.run;
  process.stdout.write(
    `${JSON.stringify({ kernel: boot.run.kernel, qemu: boot.qemu, variant: kernel.variant, wallMs: boot.wallMs, statements, notes }, null, 1)}\n`,
  );
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    if (e instanceof LabError || e instanceof GuestFatal) {
      console.error(`run.sh: ${e.message}`);
      process.exitCode = 1;
    } else throw e;
  },
);
