/** Numbers as a person reads them in the panels and the summaries. */

// One formatter for every count: toLocaleString("en-US") builds the locale's formatter again at
// each call, 5 us in Node and more in Chromium, and the timeline and the readouts format several
// counts at every step.
const COUNT = new Intl.NumberFormat("en-US");
const BRIEF = new Intl.NumberFormat("en-US", { maximumFractionDigits: 2 });

/** A count with thousands separators: 8,388,608. */
export function formatCount(n: number): string {
  return COUNT.format(n);
}

const UNITS = ["bytes", "KiB", "MiB", "GiB", "TiB"] as const;

/** A byte count in the largest binary unit it reaches, to two decimal places at most: 512 MiB, 1.25 MiB. */
export function formatBytes(n: number): string {
  if (n === 0) return "0 bytes";
  let u = 0;
  while (u < UNITS.length - 1 && n >= 1024 ** (u + 1)) u++;
  const v = n / 1024 ** u;
  const shown = Number.isInteger(v) ? formatCount(v) : BRIEF.format(v);
  return `${shown} ${UNITS[u]}`;
}
