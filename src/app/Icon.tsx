/** Transport icons as tiny inline SVGs (no icon font, no emoji fallback surprises). */

const PATHS = {
  first: "M3 3h2v10H3z M13 3v10L6 8z",
  prevStmt: "M8 3v10L1 8z M15 3v10L8 8z",
  prev: "M12 3v10L4 8z",
  play: "M4 3v10l9-5z",
  pause: "M4 3h3v10H4z M9 3h3v10H9z",
  next: "M4 3v10l8-5z",
  nextStmt: "M1 3v10l7-5z M8 3v10l7-5z",
  last: "M3 3v10l7-5z M11 3h2v10h-2z",
} as const;

export function Icon({ name }: { readonly name: keyof typeof PATHS }) {
  return (
    <svg width="16" height="16" viewBox="0 0 16 16" aria-hidden="true" focusable="false">
      <path d={PATHS[name]} fill="currentColor" />
    </svg>
  );
}
