/**
 * What the real Linux kernel did with the recorded presets (kernel-lab/recordings, issue 7): the
 * app shows a "checked against Linux" badge when the scenario on screen is a recorded preset run as
 * upstream and every statement matches the model (or differs only as a listed exception), and the
 * kernel-code panel shows the real kernel's result for the current statement.
 */

import exceptionsFile from "../../kernel-lab/recordings/exceptions.json";
import type { ConformanceException } from "../real/compare.ts";
import { labKernelFor, modelVersionFor } from "../real/kernel-version.ts";
import { type PresetStatus, presetStatus } from "../real/preset-status.ts";
import type { Recording } from "../real/recording.ts";
import type { Design } from "../scenario/ast.ts";

const recordings = Object.values(
  import.meta.glob("../../kernel-lab/recordings/*/presets/*.json", { eager: true, import: "default" }),
) as Recording[];

const exceptions = (exceptionsFile as unknown as { exceptions: ConformanceException[] }).exceptions;
const statuses = new Map<Recording, PresetStatus>();

/** The real-kernel status of this scenario text under this design, or null if it was not recorded. */
export function realStatusOf(text: string, design: Design | undefined): PresetStatus | null {
  if (design !== "upstream") return null; // a real kernel implements only upstream
  let want: string | undefined;
  try {
    want = labKernelFor(text);
  } catch {
    return null; // a kernel version the lab does not run
  }
  // the recording on the kernel this text asks for (7.3 unless its kernel line says 6.12)
  const rec = recordings.find((r) => r.scenario === text && modelVersionFor(r.kernel) === want);
  if (!rec) return null;
  let status = statuses.get(rec);
  if (!status) {
    status = presetStatus(rec, exceptions);
    statuses.set(rec, status);
  }
  return status;
}
