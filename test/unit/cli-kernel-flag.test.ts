/** --kernel DESIGN@VERSION: what the CLI passes to the run (the version beside the design). */
import { describe, expect, it } from "vitest";
import { UsageError } from "../../src/cli/args.ts";
import { kernelFlag, runOptions } from "../../src/cli/scenario-file.ts";

describe("kernelFlag / runOptions", () => {
  it("passes the version on as `version` next to `design`, and nothing for a design alone", () => {
    expect(runOptions(kernelFlag("upstream@6.12"))).toStrictEqual({ design: "upstream", version: "6.12" });
    expect(runOptions(kernelFlag("rfc-v1@5.10"))).toStrictEqual({ design: "rfc-v1", version: "5.10" });
    expect(runOptions(kernelFlag("seed"))).toStrictEqual({ design: "seed" });
    expect(runOptions(kernelFlag(undefined))).toStrictEqual({});
  });

  it("refuses what the kernel statement refuses", () => {
    for (const v of ["linux", "huge@6.12", "huge-v1@5.10", "seed@7.3", "upstream@6", "upstream@", "@6.12"]) {
      expect(() => kernelFlag(v)).toThrow(UsageError);
    }
  });
});
