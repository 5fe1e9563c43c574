/** What a CLI command may touch, so commands can be tested without a real terminal. */
import { readFileSync } from "node:fs";
import { type ConfigSource, processConfig } from "./config.ts";

export interface CliIO {
  out(text: string): void;
  err(text: string): void;
  /** reads a file, or standard input for "-" */
  readInput(path: string): string;
  /** environment and config files (P2PVIZ_BASE, .p2pvizrc.json); none when absent */
  config?: () => ConfigSource;
}

export const nodeIO: CliIO = {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
  readInput: (path) => readFileSync(path === "-" ? 0 : path, "utf8"),
  config: processConfig,
};

/** Exit codes: 0 the scenario ran; 1 an environment problem; 2 bad input (scenario or usage). */
export const EXIT_OK = 0;
export const EXIT_ENV = 1;
export const EXIT_USAGE = 2;

export type Command = (args: string[], io: CliIO) => Promise<number> | number;
