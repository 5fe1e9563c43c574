/** `p2pviz real FILE`: the scenario on a real Linux kernel (7.3.4 or 6.12.117) in QEMU and on the model, side by side. */

import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { compareRun, modelTraceFor } from "../real/compare.ts";
import { formatComparison } from "../real/format.ts";
import { GuestFatal } from "../real/guest-output.ts";
import {
  bootScenario,
  ensureInitramfs,
  ensureKernel,
  isLabKernel,
  LAB_DIR,
  LAB_KERNELS,
  LabError,
  type LabKernel,
  labKernelFor,
  missingTools,
  planScenario,
} from "../real/lab.ts";
import { asUpstream, loadExceptions } from "../real/recording.ts";
import { parseArgs, UsageError } from "./args.ts";
import { type CliIO, type Command, EXIT_ENV, EXIT_OK, EXIT_USAGE } from "./io.ts";
import { runScenarioFile, usageFailure } from "./scenario-file.ts";

const HELP = `Usage: p2pviz real FILE [--linux 6.12|7.3] [--setup] [--json] [--as-upstream] [--no-patch] [--timeout SECONDS]

Runs a scenario (FILE, or - for standard input) on a real Linux kernel with
CONFIG_PCI_P2PDMA=y, booted in QEMU with one emulated NVMe controller per 'device' whose
Controller Memory Buffer is the p2pmem (behind a PCIe switch, with a second controller whose
I/O holds the pins), and on the model; prints both side by side, one
statement a line, and marks every difference (≠; ~ for a difference listed in
kernel-lab/recordings/exceptions.json; ? for a statement user space cannot express).

The kernel: 'kernel upstream 6.12' runs on Linux 6.12.117; 'kernel upstream 7.3', 'kernel
upstream' or no version runs on Linux 7.3.4; --linux overrides.

On a fresh Debian machine, --setup (or kernel-lab/setup.sh) first installs the packages the lab
needs with apt-get and fetches the kernel sources. The first run builds the kernel (about 5-10
minutes on 2 cores, cached in $KLAB_CACHE_DIR or kernel-lab/cache/); later runs take a few seconds.

Options:
  --linux K         run on Linux K (6.12 or 7.3) whatever the scenario's kernel line says
  --setup           run kernel-lab/setup.sh first (apt-get install; needs root or sudo)
  --json            print kernel, model and comparison as JSON (format "p2pviz-real/1")
  --as-upstream     run a scenario of another design as 'upstream' (Linux implements only that)
  --no-patch        use a kernel without the observation-only debug_pages patch (no refcounts)
  --timeout S       give QEMU at most S seconds (default 120)
  -h, --help        this help

Exit status: 0 when both ran (differences are results); 1 when the lab cannot run here or the
scenario cannot be expressed on a real kernel; 2 for a scenario error or bad usage.
`;

export const command: Command = async (args: string[], io: CliIO) => {
  let file: string;
  let json: boolean;
  let asUp: boolean;
  let noPatch: boolean;
  let setup: boolean;
  let timeoutS = 120;
  let linuxFlag: LabKernel | undefined;
  try {
    const a = parseArgs(
      args,
      ["--timeout", "--linux"],
      ["--json", "--help", "-h", "--as-upstream", "--no-patch", "--setup"],
    );
    if (a.flags.has("--help") || a.flags.has("-h")) {
      io.out(HELP);
      return EXIT_OK;
    }
    if (a.positionals.length !== 1)
      throw new UsageError("expected exactly one FILE (or - for standard input)");
    file = a.positionals[0]!;
    json = a.flags.has("--json");
    asUp = a.flags.has("--as-upstream");
    noPatch = a.flags.has("--no-patch");
    setup = a.flags.has("--setup");
    const l = a.flags.get("--linux");
    if (typeof l === "string") {
      if (!isLabKernel(l)) throw new UsageError(`bad --linux '${l}' (one of ${LAB_KERNELS.join(", ")})`);
      linuxFlag = l;
    }
    const t = a.flags.get("--timeout");
    if (typeof t === "string") {
      timeoutS = Number(t);
      if (!Number.isFinite(timeoutS) || timeoutS <= 0) throw new UsageError(`bad --timeout '${t}'`);
    }
  } catch (e) {
    return usageFailure(io, "real", HELP, e);
  }
  // the guest and the model run the same text (as upstream with --as-upstream); the model runs
  // again below in the version that stands for the kernel that booted
  let text = "";
  const ran = runScenarioFile(io, file, {}, (t) => {
    text = asUp ? asUpstream(t).text : t;
    return text;
  });
  if (!ran) return EXIT_USAGE;
  const { name } = ran;
  let trace = ran.trace;
  if (trace.design !== "upstream") {
    io.err(
      `p2pviz real: ${name} uses design '${trace.design}'; a real kernel implements only 'upstream'.\n` +
        "Use --as-upstream to run it as upstream on both sides.\n",
    );
    return EXIT_ENV;
  }
  try {
    planScenario(text);
    if (setup) {
      const r = spawnSync("bash", [join(LAB_DIR, "setup.sh")], { stdio: ["ignore", 2, 2] });
      if (r.status !== 0) throw new LabError("kernel-lab/setup.sh failed (see above)");
    }
    const missing = missingTools(linuxFlag ?? labKernelFor(text));
    if (missing) throw new LabError(missing);
    const progress = (s: string) => {
      if (s.trim()) io.err(s.endsWith("\n") ? s : `${s}\n`);
    };
    const linux = linuxFlag ?? labKernelFor(text);
    const kernel = ensureKernel({ kernel: linux, noPatch, log: progress });
    const initramfs = ensureInitramfs(progress);
    const boot = await bootScenario(text, { kernel, initramfs, timeoutMs: timeoutS * 1000 });
    const model = modelTraceFor(text, boot.run.kernel);
    if (model.ok) trace = model.trace;
    const cmp = compareRun(boot.run, trace, loadExceptions(), "");
    if (json) {
      io.out(
        `${JSON.stringify(
          {
            format: "p2pviz-real/1",
            file: name,
            kernel: boot.run.kernel,
            qemu: boot.qemu,
            variant: kernel.variant,
            wallMs: boot.wallMs,
            statements: boot.run.statements,
            notes: boot.run.notes,
            comparison: cmp,
          },
          null,
          1,
        )}\n`,
      );
    } else {
      const header =
        `${name}: Linux ${boot.run.kernel} in QEMU ${boot.qemu} (${(boot.wallMs / 1000).toFixed(1)} s, ` +
        `${kernel.variant === "debug" ? "with" : "without"} the debug_pages patch) against the model (upstream in its ${trace.version} kernel, free pages included)`;
      io.out(formatComparison(cmp, header));
      if (boot.run.notes.length)
        io.out(`\nKernel notes:\n${boot.run.notes.map((n) => `  ${n}`).join("\n")}\n`);
      io.out(
        "\nPins: a pin whose unpin is the next statement is one O_DIRECT read (pinned and unpinned inside\n" +
          "pread); any other pin is an O_DIRECT read from a second controller (behind the same PCIe switch)\n" +
          "that the lab keeps in flight on a throttled namespace until\n" +
          "its unpin (or until its process exits). nop2p is vmsplice, longterm nop2p io_uring buffer\n" +
          "registration; longterm with FOLL_PCI_P2PDMA has no user-space call.\n",
      );
    }
    return EXIT_OK;
  } catch (e) {
    if (e instanceof LabError || e instanceof GuestFatal) {
      io.err(`p2pviz real: ${e.message}\n`);
      return EXIT_ENV;
    }
    if (e instanceof Error && /guest (printed nothing|stopped)/.test(e.message)) {
      io.err(`p2pviz real: ${e.message}\n`);
      return EXIT_ENV;
    }
    throw e;
  }
};
