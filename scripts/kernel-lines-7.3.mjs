#!/usr/bin/env node
// Reads function ranges out of an extracted Debian linux-source-7.3 7.3.4-1~bpo13+1 tree
// (kernel-lab/kernels.sh; fetched as kernel-lab/setup.sh does) and writes
// test/fixtures/linux-7.3.4-lines.json: per file its sha256 and line count, and the first and last
// line of every cited definition, so the unit tests can check the 7.3.4 ranges of
// src/panels/kernel-sources.ts without the tarball or the network.
//   node scripts/kernel-lines-7.3.mjs /work/linux-src/linux-source-7.3
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";

const root = process.argv[2];
if (!root) throw new Error("usage: kernel-lines-7.3.mjs LINUX_SOURCE_7_3_DIR");
const mk = readFileSync(resolve(root, "Makefile"), "utf8");
const ver = ["VERSION", "PATCHLEVEL", "SUBLEVEL"]
  .map((k) => mk.match(new RegExp(`^${k} = (\\d+)`, "m"))[1])
  .join(".");
if (ver !== "7.3.4") throw new Error(`tree is ${ver}, not 7.3.4`);

/** [file, symbol]: the definitions the kernel-code panel cites in 7.3.4 */
const WANT = [
  ["include/linux/memremap.h", "zone_device_folio_init"],
  ["include/linux/percpu-refcount.h", "percpu_ref_tryget_many"],
  ["include/linux/percpu-refcount.h", "percpu_ref_put_many"],
  ["mm/huge_memory.c", "insert_pmd"],
  ["mm/huge_memory.c", "insert_pud"],
  ["mm/huge_memory.c", "vmf_insert_folio_pmd"],
  ["mm/huge_memory.c", "vmf_insert_folio_pud"],
  ["mm/huge_memory.c", "zap_huge_pmd"],
  ["mm/huge_memory.c", "zap_huge_pud"],
  ["mm/huge_memory.c", "copy_huge_pmd"],
  ["mm/huge_memory.c", "copy_huge_pud"],
  ["mm/gup.c", "gup_fast_pmd_leaf"],
  ["mm/gup.c", "gup_fast_pud_leaf"],
  ["mm/gup.c", "gup_put_folio"],
  ["mm/gup.c", "try_grab_folio"],
  ["mm/gup.c", "follow_huge_pud"],
  ["mm/gup.c", "follow_huge_pmd"],
  ["lib/genalloc.c", "gen_pool_first_fit_align"],
  ["lib/genalloc.c", "gen_pool_first_fit"],
  ["lib/genalloc.c", "gen_pool_alloc_algo_owner"],
  ["mm/mm_init.c", "memmap_init_compound"],
  ["mm/memory.c", "copy_page_range"],
  ["mm/memory.c", "vma_needs_copy"],
  ["mm/memremap.c", "free_zone_device_folio"],
  ["drivers/pci/p2pdma.c", "p2pdma_folio_free"],
  ["mm/vma.c", "vms_gather_munmap_vmas"],
  ["mm/vma.c", "__split_vma"],
];

const out = { source: "linux-source-7.3 7.3.4-1~bpo13+1 (Debian trixie-backports)", files: {} };
for (const [file, sym] of WANT) {
  const text = readFileSync(resolve(root, file), "utf8");
  const lines = text.split("\n");
  const f = (out.files[file] ??= {
    sha256: createHash("sha256").update(text).digest("hex"),
    lines: lines.length - (text.endsWith("\n") ? 1 : 0),
    defs: {},
  });
  // the first definition (not a prototype): NAME( at the line start or after the type, then a body
  const re = new RegExp(`^(?:[A-Za-z_].*[ *])?${sym.replace(/[$]/g, "\\$&")}\\(`);
  let from = -1;
  for (let i = 0; i < lines.length && from < 0; i++) {
    if (!re.test(lines[i])) continue;
    let j = i;
    while (j < lines.length && !/[;{]\s*$/.test(lines[j]) && !/^\{/.test(lines[j])) j++;
    if (/;\s*$/.test(lines[j])) continue; // a prototype
    from = /^[a-z_]/.test(lines[i]) && lines[i].startsWith(sym) ? i - 1 : i; // type on the line before
  }
  if (from < 0) throw new Error(`${sym} not defined in ${file}`);
  let to = from;
  while (lines[to] !== "}") to++;
  f.defs[sym] = { from: from + 1, to: to + 1, first: lines[from], last: lines[to] };
}
writeFileSync(
  resolve(import.meta.dirname, "../test/fixtures/linux-7.3.4-lines.json"),
  `${JSON.stringify(out, null, 2)}\n`,
);
for (const [file, f] of Object.entries(out.files))
  for (const [s, d] of Object.entries(f.defs)) console.log(`${s}: ${file} ${d.from}-${d.to}  | ${d.first}`);
