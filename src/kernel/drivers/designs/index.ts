/** The registry of mapping designs: one line per driver object. */
import type { Design } from "../../../scenario/ast.ts";
import type { P2pDriver } from "../driver.ts";
import { fault } from "./fault.ts";
import { huge } from "./huge.ts";
import { hugeV1 } from "./huge-v1.ts";
import { remap } from "./remap.ts";
import { rfcV1 } from "./rfc-v1.ts";
import { seed } from "./seed.ts";
import { upstream } from "./upstream.ts";

export const DRIVERS: Record<Design, P2pDriver> = {
  upstream,
  seed,
  "rfc-v1": rfcV1,
  fault,
  remap,
  huge,
  "huge-v1": hugeV1,
};
