/**
 * The page-look patterns, defined once per document and referenced by every panel as
 * url(#p2p-look-LOOK). Each pattern is the look's colour plus a glyph, so looks stay apart for
 * colour-blind users and in greyscale.
 */

import { LOOK_STYLE } from "./palette.ts";

const T = 6; // tile size in px

export function PatternDefs() {
  return (
    <svg width="0" height="0" aria-hidden="true" style={{ position: "absolute" }}>
      <defs>
        <pattern id="p2p-look-free" width={T} height={T} patternUnits="userSpaceOnUse">
          <rect width={T} height={T} fill={LOOK_STYLE.free.fill} />
        </pattern>
        <pattern id="p2p-look-allocated" width={T} height={T} patternUnits="userSpaceOnUse">
          <rect width={T} height={T} fill={LOOK_STYLE.allocated.fill} />
          <path
            d={`M0,${T} L${T},0 M-1,1 L1,-1 M${T - 1},${T + 1} L${T + 1},${T - 1}`}
            stroke="#005a8c"
            strokeWidth="1"
          />
        </pattern>
        <pattern id="p2p-look-mapped" width={T} height={T} patternUnits="userSpaceOnUse">
          <rect width={T} height={T} fill={LOOK_STYLE.mapped.fill} />
          <circle cx={T / 2} cy={T / 2} r="1.3" fill="#ffffff" />
        </pattern>
        <pattern id="p2p-look-pinned" width={T} height={T} patternUnits="userSpaceOnUse">
          <rect width={T} height={T} fill={LOOK_STYLE.pinned.fill} />
          <path d={`M${T / 2},1 V${T - 1} M1,${T / 2} H${T - 1}`} stroke="#000000" strokeWidth="1.2" />
        </pattern>
        <pattern id="p2p-look-freed-in-use" width={T} height={T} patternUnits="userSpaceOnUse">
          <rect width={T} height={T} fill={LOOK_STYLE["freed-in-use"].fill} />
          <path d={`M1,1 L${T - 1},${T - 1} M${T - 1},1 L1,${T - 1}`} stroke="#ffffff" strokeWidth="1.2" />
        </pattern>
        <pattern id="p2p-look-gone" width={T} height={T} patternUnits="userSpaceOnUse">
          <rect width={T} height={T} fill={LOOK_STYLE.gone.fill} />
          <path d={`M0,${T / 2} H${T}`} stroke="#6b6b6b" strokeWidth="1" />
        </pattern>
        <pattern id="p2p-pte-devmap" width={T} height={T} patternUnits="userSpaceOnUse">
          <rect width={T} height={T} fill="#cc79a7" fillOpacity="0.35" />
          <path d={`M0,${T} L${T},0`} stroke="#a8407e" strokeWidth="1" />
        </pattern>
        <pattern id="p2p-pte-pfnmap" width={T} height={T} patternUnits="userSpaceOnUse">
          <rect width={T} height={T} fill="#009e73" fillOpacity="0.3" />
          <circle cx={T / 2} cy={T / 2} r="1" fill="#007a5a" />
        </pattern>
      </defs>
    </svg>
  );
}
