/**
 * What the real Linux kernel did with the recorded presets (kernel-lab/recordings, issue 7): the
 * app shows a "checked against Linux" badge when the scenario on screen is a recorded preset run as
 * upstream, in the version that stands for the recording's kernel, and every statement matches the model (or differs only as a listed exception), and the
 * kernel-code panel shows the real kernel's result for the current statement.
 */

import exceptionsFile from "../../kernel-lab/recordings/exceptions.json";
import type { ConformanceException } from "../real/compare.ts";
import { isLabKernel, modelVersionFor } from "../real/kernel-version.ts";
import { type PresetStatus, presetStatus } from "../real/preset-status.ts";
import type { Recording } from "../real/recording.ts";
import type { Design, KernelVersion } from "../scenario/ast.ts";

const recordings = Object.values(
  import.meta.glob("../../kernel-lab/recordings/*/presets/*.json", { eager: true, import: "default" }),
) as Recording[];

const exceptions = (exceptionsFile as unknown as { exceptions: ConformanceException[] }).exceptions;
const statuses = new Map<Recording, PresetStatus>();

/**
 * The real-kernel status of this scenario text as it runs on screen (design and kernel version of
 * its trace), or null if that run was not checked against a recording: only upstream at 6.12 or
 * 7.3, on a text the lab recorded on the kernel that version stands for (6.12.117, 7.3.4).
 */
export function realStatusOf(
  text: string,
  design: Design | undefined,
  version: KernelVersion | undefined,
): PresetStatus | null {
  if (design !== "upstream") return null; // a real kernel implements only upstream
  if (!version || !isLabKernel(version)) return null; // the lab builds 6.12 and 7.3 only
  // the recording on the kernel this run's version stands for
  const rec = recordings.find((r) => r.scenario === text && modelVersionFor(r.kernel) === version);
  if (!rec) return null;
  let status = statuses.get(rec);
  if (!status) {
    status = presetStatus(rec, exceptions);
    statuses.set(rec, status);
  }
  return status;
}
