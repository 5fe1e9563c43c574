/**
 * The panels a link may focus (`panel=`), by link name, with the CSS class of the app's section
 * that shows each. The codec accepts any well-formed name (so a panel added later needs no new
 * format version); the CLI and the app check the name against this list.
 */
export const PANELS: Readonly<Record<string, string>> = {
  pool: "pool",
  spaces: "spaces",
  refs: "refs",
  code: "code",
  findings: "findings-panel",
  time: "time",
};

export const PANEL_NAMES: readonly string[] = Object.keys(PANELS);
