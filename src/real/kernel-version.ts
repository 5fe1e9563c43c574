/**
 * Which real kernel a scenario runs on, and which model version stands for a recorded kernel.
 * No Node APIs: the app imports it through preset-status.ts.
 */

/** Something the lab needs is missing or failed; the message says what to do. */
export class LabError extends Error {}

/** The kernels the lab builds (kernel-lab/kernels.sh): Debian's linux-source-6.12 and -7.3. */
export const LAB_KERNELS = ["6.12", "7.3"] as const;
export type LabKernel = (typeof LAB_KERNELS)[number];
/** the kernel a scenario runs on when its `kernel` line names no version */
export const DEFAULT_LAB_KERNEL: LabKernel = "7.3";

export function isLabKernel(v: string): v is LabKernel {
  return (LAB_KERNELS as readonly string[]).includes(v);
}

const KERNEL_LINE = /^(\s*kernel\s+[a-z0-9-]+)(\s+)(\d+\.\d+)\b(.*)$/;

/**
 * The lab kernel a scenario asks for, from its `kernel` line: `kernel upstream 6.12` runs on 6.12;
 * `kernel upstream 7.3`, `kernel upstream` or no `kernel` line runs on 7.3. Any other version is a
 * LabError (the lab builds only these two). Until src/scenario parses `kernel DESIGN VERSION`, this
 * reads the text itself.
 */
export function labKernelFor(text: string): LabKernel {
  for (const raw of text.split("\n")) {
    const line = raw.replace(/#.*/, "");
    const m = KERNEL_LINE.exec(line);
    if (m) {
      const v = m[3] ?? "";
      if (isLabKernel(v)) return v;
      throw new LabError(
        `kernel version ${v}: the lab builds Linux ${LAB_KERNELS.join(" and ")} only (p2pviz real --linux picks one)`,
      );
    }
    if (/^\s*kernel\b/.test(line)) return DEFAULT_LAB_KERNEL;
  }
  return DEFAULT_LAB_KERNEL;
}

/**
 * The text without the version of its `kernel` line (same line numbers), for the model, whose
 * parser does not know `kernel DESIGN VERSION` yet; the guest ignores the version.
 */
export function withoutKernelVersion(text: string): string {
  return text
    .split("\n")
    .map((l) => {
      const m = KERNEL_LINE.exec(l);
      return m ? `${m[1]}${m[4]}` : l;
    })
    .join("\n");
}
/**
 * The model version that stands for a recorded kernel release ("6.12.117" -> "6.12", "7.3.4" ->
 * "7.3"): the ONE place that maps them.
 */
export function modelVersionFor(kernelRelease: string): LabKernel {
  for (const k of LAB_KERNELS) if (kernelRelease === k || kernelRelease.startsWith(`${k}.`)) return k;
  throw new Error(
    `no model version stands for Linux ${kernelRelease} (the lab runs ${LAB_KERNELS.join(" and ")})`,
  );
}
