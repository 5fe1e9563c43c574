/**
 * The scenario language v1 as data (../shared/scenario-language.md is the contract).
 *
 * The AST carries no source positions, so that parse(print(ast)) deep-equals ast; positions live in
 * the parallel `spans` array of a ParseResult.
 */

export const DESIGNS = ["upstream", "seed", "rfc-v1", "fault", "remap", "huge", "huge-v1"] as const;
export type Design = (typeof DESIGNS)[number];

/**
 * Designs the language names that this version of p2pviz does not simulate (none since the
 * huge-folio proposals of ../shared/kernel/huge.md are simulated). The parser refuses them with a
 * clear message rather than running something else.
 */
export const UNSIMULATED_DESIGNS = [] as const;

/**
 * Kernel versions (language v2 `kernel DESIGN VERSION`): behaviour epochs, each standing for a range
 * of real kernels (../shared/scenario-language.md "Kernel versions", ../shared/kernel/README.md §8).
 */
export const KERNEL_VERSIONS = ["5.10", "6.2", "6.5", "6.12", "6.15", "7.3"] as const;
export type KernelVersion = (typeof KERNEL_VERSIONS)[number];

/** Which versions each design runs in, newest last; the last one is the default. */
export const DESIGN_VERSIONS: Record<Design, readonly KernelVersion[]> = {
  upstream: ["6.2", "6.5", "6.12", "6.15", "7.3"],
  seed: ["5.10"],
  "rfc-v1": ["5.10"],
  fault: ["5.10"],
  remap: KERNEL_VERSIONS,
  // proposals on top of 7.3 (scenario-language.md "Kernel versions"; huge.md §0)
  huge: ["7.3"],
  "huge-v1": ["7.3"],
};

export function defaultVersion(design: Design): KernelVersion {
  const vs = DESIGN_VERSIONS[design];
  return vs[vs.length - 1]!;
}

/** Kernel functions `inject` can make fail, with the errnos each may return (language v2). */
export const INJECT_ERRNOS = {
  vm_insert_page: ["ENOMEM", "EBUSY"],
  vmf_insert_mixed: ["ENOMEM"],
  gen_pool_alloc: ["ENOMEM"],
} as const;
export type InjectFn = keyof typeof INJECT_ERRNOS;

export type Advice = "dontfork" | "dofork";

export const PAGE_SIZES = [4096, 65536] as const;

export type Stmt =
  | {
      readonly op: "kernel";
      readonly design: Design;
      /** v2: the kernel version; undefined when the statement names none (the design's default) */
      readonly version?: KernelVersion;
    }
  | { readonly op: "page"; readonly size: number }
  | { readonly op: "device"; readonly dev: string; readonly size: number }
  | { readonly op: "process"; readonly proc: string }
  | {
      readonly op: "mmap";
      readonly proc: string;
      readonly map: string;
      readonly dev: string;
      readonly len: number;
      readonly private: boolean;
      /** file offset in bytes; undefined when the statement does not say `offset=` */
      readonly offset?: number;
    }
  | { readonly op: "touch"; readonly proc: string; readonly map: string; readonly off: number }
  | {
      readonly op: "pin";
      readonly proc: string;
      readonly pin: string;
      readonly map: string;
      readonly off: number;
      readonly len: number;
      readonly longterm: boolean;
      readonly nop2p: boolean;
    }
  | { readonly op: "unpin"; readonly pin: string }
  | { readonly op: "fork"; readonly proc: string; readonly child: string }
  | {
      readonly op: "munmap";
      readonly proc: string;
      readonly map: string;
      /** both present for a partial munmap, both absent for the whole label */
      readonly off?: number;
      readonly len?: number;
    }
  | { readonly op: "exit"; readonly proc: string }
  | { readonly op: "unbind"; readonly dev: string }
  /** v2: the driver is bound again (pci_p2pdma_add_resource with a fresh pgmap and pool) */
  | { readonly op: "bind"; readonly dev: string }
  /** v2: madvise(MADV_DONTFORK / MADV_DOFORK) on all of MAP or on LEN bytes at OFF */
  | {
      readonly op: "madvise";
      readonly proc: string;
      readonly map: string;
      readonly off?: number;
      readonly len?: number;
      readonly advice: Advice;
    }
  /** v2: after `after` more successful calls, the next call of `fn` fails once with `errno` */
  | {
      readonly op: "inject";
      readonly fn: InjectFn;
      readonly errno: string;
      /** undefined when the statement has no `after N` (the same as 0) */
      readonly after?: number;
    };

export type StmtOp = Stmt["op"];

export interface Scenario {
  readonly statements: readonly Stmt[];
}

/** Where a statement stands in the source text (1-based line and columns, endCol exclusive). */
export interface Span {
  readonly line: number;
  readonly col: number;
  readonly endCol: number;
}

export interface Diagnostic {
  readonly line: number;
  readonly col: number;
  readonly endCol: number;
  readonly message: string;
  readonly hint?: string;
}

export type ParseResult =
  | {
      readonly ok: true;
      readonly scenario: Scenario;
      /** spans[i] is where statements[i] stands */
      readonly spans: readonly Span[];
    }
  | { readonly ok: false; readonly diagnostics: readonly Diagnostic[] };

/** The design a scenario asks for (`kernel` statement), or the language default. */
export function designOf(s: Scenario): Design {
  for (const st of s.statements) if (st.op === "kernel") return st.design;
  return "upstream";
}

/** The kernel version a scenario asks for, or its design's default (the newest it has). */
export function versionOf(s: Scenario, design: Design = designOf(s)): KernelVersion {
  for (const st of s.statements) if (st.op === "kernel" && st.version) return st.version;
  return defaultVersion(design);
}

/** The page size a scenario asks for (`page` statement), or the language default 4K. */
export function pageSizeOf(s: Scenario): number {
  for (const st of s.statements) if (st.op === "page") return st.size;
  return 4096;
}
