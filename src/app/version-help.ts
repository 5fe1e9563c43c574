/**
 * What a kernel version changes, in one line, for the version switch and the note under the
 * editor: read from the version rules (src/kernel/versions.ts, ../shared/kernel/README.md §6 and
 * §8), never written by hand per version, so the help cannot drift from what the model does.
 */

import { VERSIONS, type VersionRules } from "../kernel/versions.ts";
import type { Design, KernelVersion } from "../scenario/ast.ts";

const FAILED_INSERT: Record<VersionRules["failedInsert"], string> = {
  clean: "a failed vm_insert_page() is undone cleanly",
  "leak-pgref": "a failed vm_insert_page() leaks a pgmap ref (a later unbind hangs)",
  "leak-pgref-stale-ref":
    "a failed vm_insert_page() leaks a pgmap ref (unbind hangs) and leaves the page at 1",
};

/** The version with the real kernels it stands for: "6.5 (6.5-6.11)". */
export function versionLabel(version: KernelVersion): string {
  return `${version} (${VERSIONS[version].stands})`;
}

/**
 * One line on what this version does differently: the refcount free pages rest at (and whether
 * p2pmem_alloc_mmap() sets it to 1 before each insert), what a failed insert leaves behind, the
 * errno of a longterm P2P pin, and the name of the free hook.
 */
export function versionNote(version: KernelVersion): string {
  const v = VERSIONS[version];
  const rest = `free pages rest at refcount ${v.freeRefcount}${v.setPageCountBeforeInsert ? ", set to 1 before insert" : ""}`;
  return `Linux ${v.version}: ${rest}; ${FAILED_INSERT[v.failedInsert]}; longterm P2P pin ${v.longtermP2p.errno}; ${v.pageFreeFn}()`;
}

/** The lab's real kernels a version stands for, by model version (kernel-lab builds these two). */
const REAL_KERNELS: Partial<Record<KernelVersion, string>> = { "6.12": "6.12.117", "7.3": "7.3.4" };

/**
 * What a run that was not checked against a real kernel is, said plainly (for the place the
 * "checked against Linux" badge takes when a run was checked).
 */
export function provenance(design: Design, version: KernelVersion): string {
  if (design !== "upstream") {
    return `${design} modelled on Linux ${version}: Linux implements only upstream, so it was not run on a real kernel`;
  }
  const real = REAL_KERNELS[version];
  return real
    ? `modelled from the source of Linux ${version}; this scenario was not run on Linux ${real} (p2pviz real runs it)`
    : `modelled from the source of Linux ${version}, not run on a real kernel`;
}
