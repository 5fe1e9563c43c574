/**
 * `remap`: an MMIO-style driver (§3.4): one allocation, io_remap_pfn_range() with
 * VM_IO|VM_PFNMAP, PFNMAP PTEs that hold no page references, memory freed by vm_ops->close.
 */
import { PTE_PFNMAP } from "../../state.ts";
import type { P2pDriver } from "../driver.ts";
import { reportStaleMappings } from "../p2pdma.ts";
import { pciFreeP2pmem, pmapPgrefs, pmapVmOps } from "./pmap.ts";
import { pmapMmap } from "./rfc-v1.ts";

export const remap: P2pDriver = {
  design: "remap",
  summary: "MMIO-style driver: one allocation, io_remap_pfn_range(), VM_IO|VM_PFNMAP, freed by vm_ops->close",
  pte: PTE_PFNMAP,
  mmapFn: "pci_mmap_p2pmem",
  pgoffCheck: true,
  dirtyTracked: false,
  mmap: (k, p, vma, n) => pmapMmap(k, p, vma, n, PTE_PFNMAP),
  vmOps: pmapVmOps(pciFreeP2pmem),
  unbindMappings: reportStaleMappings,
  pgrefExtras: pmapPgrefs,
  leakFn: "put_page",
};
