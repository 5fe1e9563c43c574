/**
 * The run's standing, beside "Scenario runs.": checked against Linux, or a proposal, or what the
 * model is (RealBadge.tsx); the lines a recording could not check, and what the kernel version
 * changes (ModelNote.tsx). Loaded on first use (Editor.tsx): the badge needs the real-kernel
 * recordings, which load on first use too, so none of it belongs in the initial JavaScript.
 */
import { UncheckedLines, VersionLine } from "./ModelNote.tsx";
import { RealBadge } from "./RealBadge.tsx";

export default function RunStanding() {
  return (
    <>
      <RealBadge />
      <UncheckedLines />
      <VersionLine />
    </>
  );
}
