/**
 * The scenario language v1 as data (../shared/scenario-language.md is the contract).
 *
 * The AST carries no source positions, so that parse(print(ast)) deep-equals ast; positions live in
 * the parallel `spans` array of a ParseResult.
 */

export const DESIGNS = ["upstream", "seed", "rfc-v1", "fault", "remap"] as const;
export type Design = (typeof DESIGNS)[number];

export const PAGE_SIZES = [4096, 65536] as const;

export type Stmt =
  | { readonly op: "kernel"; readonly design: Design }
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
  | { readonly op: "unbind"; readonly dev: string };

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

/** The page size a scenario asks for (`page` statement), or the language default 4K. */
export function pageSizeOf(s: Scenario): number {
  for (const st of s.statements) if (st.op === "page") return st.size;
  return 4096;
}
