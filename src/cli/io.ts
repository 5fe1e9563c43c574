/** What a CLI command may touch, so commands can be tested without a real terminal. */
import { readFileSync, writeSync } from "node:fs";
import { type ConfigSource, processConfig } from "./config.ts";

export interface CliIO {
  out(text: string): void;
  err(text: string): void;
  /** reads a file, or standard input for "-" */
  readInput(path: string): string;
  /** environment and config files (P2PVIZ_BASE, .p2pvizrc.json); none when absent */
  config?: () => ConfigSource;
}

/**
 * Standard output went away (`p2pviz run big.p2p | head`): the command stops writing and the
 * program exits quietly, as `cat` or `yes` would, instead of writing on for minutes or printing an
 * EPIPE stack.
 */
export class OutputClosed extends Error {
  constructor() {
    super("standard output closed");
  }
}

/** ms to wait when a non-blocking standard output is full (a pipe whose reader is slower) */
const FULL_WAIT_MS = 2;
const sleeper = new Int32Array(new SharedArrayBuffer(4));

/**
 * Writes all of `text` to file descriptor `fd` before returning: a long run's output is written
 * as it is made, so memory stays constant whatever the reader's speed (process.stdout would queue
 * what a slow pipe does not take), and a closed pipe is known at the write that failed.
 */
export function writeAll(fd: number, text: string): void {
  const bytes = Buffer.from(text, "utf8");
  let at = 0;
  while (at < bytes.length) {
    try {
      at += writeSync(fd, bytes, at);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === "EAGAIN") Atomics.wait(sleeper, 0, 0, FULL_WAIT_MS);
      else if (code === "EPIPE") throw new OutputClosed();
      else throw e;
    }
  }
}

export const nodeIO: CliIO = {
  out: (t) => writeAll(1, t),
  err: (t) => process.stderr.write(t),
  readInput: (path) => readFileSync(path === "-" ? 0 : path, "utf8"),
  config: processConfig,
};

/** Exit codes: 0 the scenario ran; 1 an environment problem; 2 bad input (scenario or usage). */
export const EXIT_OK = 0;
export const EXIT_ENV = 1;
export const EXIT_USAGE = 2;

export type Command = (args: string[], io: CliIO) => Promise<number> | number;
