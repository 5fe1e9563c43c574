/** Prints a scenario in canonical form; parseScenario(printScenario(s)) gives back s. */
import type { Scenario, Stmt } from "./ast.ts";
import { formatSize } from "./size.ts";

export function printStatement(s: Stmt): string {
  switch (s.op) {
    case "kernel":
      return s.version ? `kernel ${s.design} ${s.version}` : `kernel ${s.design}`;
    case "page":
      return `page ${formatSize(s.size)}`;
    case "device":
      return `device ${s.dev} ${formatSize(s.size)}`;
    case "process":
      return `process ${s.proc}`;
    case "mmap":
      return [
        `${s.proc} mmap ${s.map} ${s.dev} ${formatSize(s.len)}`,
        s.private ? " private" : "",
        s.offset === undefined ? "" : ` offset=${formatSize(s.offset)}`,
      ].join("");
    case "touch":
      return `${s.proc} touch ${s.map} ${formatSize(s.off)}`;
    case "pin":
      return [
        `${s.proc} pin ${s.pin} ${s.map} ${formatSize(s.off)} ${formatSize(s.len)}`,
        s.longterm ? " longterm" : "",
        s.nop2p ? " nop2p" : "",
      ].join("");
    case "unpin":
      return `unpin ${s.pin}`;
    case "fork":
      return `${s.proc} fork ${s.child}`;
    case "munmap":
      return s.off === undefined
        ? `${s.proc} munmap ${s.map}`
        : `${s.proc} munmap ${s.map} ${formatSize(s.off)} ${formatSize(s.len!)}`;
    case "exit":
      return `${s.proc} exit`;
    case "unbind":
      return `unbind ${s.dev}`;
    case "bind":
      return `bind ${s.dev}`;
    case "madvise":
      return s.off === undefined
        ? `${s.proc} madvise ${s.map} ${s.advice}`
        : `${s.proc} madvise ${s.map} ${formatSize(s.off)} ${formatSize(s.len!)} ${s.advice}`;
    case "inject":
      return s.after === undefined
        ? `inject ${s.fn} ${s.errno}`
        : `inject ${s.fn} ${s.errno} after ${s.after}`;
  }
}

export function printScenario(s: Scenario): string {
  return s.statements.map((st) => `${printStatement(st)}\n`).join("");
}
