/**
 * p2pviz command line: a view of the same engine the browser app uses. Each command lives in its
 * own module, loaded only when asked for.
 */
import { type CliIO, type Command, EXIT_OK, EXIT_USAGE, nodeIO, OutputClosed } from "./io.ts";

const COMMANDS: Record<string, { summary: string; load: () => Promise<{ command: Command }> }> = {
  run: { summary: "run a scenario and print its trace and findings", load: () => import("./cmd-run.ts") },
  link: { summary: "print a share URL for a scenario", load: () => import("./cmd-link.ts") },
  open: { summary: "print the scenario and step inside a share URL", load: () => import("./cmd-open.ts") },
  diff: { summary: "compare a scenario under two designs", load: () => import("./cmd-diff.ts") },
  real: {
    summary: "run a scenario on a real Linux kernel in QEMU and on the model",
    load: () => import("./cmd-real.ts"),
  },
};

export const USAGE = `p2pviz: watch PCI P2PDMA memory being mapped into user space, one page at a time

Usage: p2pviz COMMAND [ARGS]

Commands:
${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(6)} ${c.summary}`)
  .join("\n")}

Run 'p2pviz COMMAND --help' for a command's options.
Scenario language: docs/scenario-language.md
`;

export async function main(argv: string[], io: CliIO = nodeIO): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    io.out(USAGE);
    return name === undefined ? EXIT_USAGE : EXIT_OK;
  }
  const entry = COMMANDS[name];
  if (!entry) {
    io.err(`p2pviz: unknown command '${name}'\n\n${USAGE}`);
    return EXIT_USAGE;
  }
  const { command } = await entry.load();
  try {
    return await command(rest, io);
  } catch (e) {
    if (e instanceof OutputClosed) return EXIT_OK;
    throw e;
  }
}

// Run directly with tsx (npm run p2pviz -- ...).
if (import.meta.url === `file://${process.argv[1]}`) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
