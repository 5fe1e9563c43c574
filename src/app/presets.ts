/**
 * The presets menu's data: public/presets/index.json (written with the presets) lists them. Its
 * entries may be file names or objects with a file/path/name and an optional title.
 */

import { useEffect, useState } from "react";

export interface Preset {
  /** path relative to the app, e.g. "presets/basic.p2p" */
  readonly url: string;
  readonly title: string;
}

function entry(e: unknown): Preset | null {
  const fromFile = (file: string, title?: unknown): Preset => {
    const clean = file.replace(/^\.?\/?(public\/)?(presets\/)?/, "");
    return {
      url: `presets/${clean}`,
      title: typeof title === "string" && title ? title : clean.replace(/\.p2p$/, ""),
    };
  };
  if (typeof e === "string") return e.endsWith(".p2p") ? fromFile(e) : fromFile(`${e}.p2p`);
  if (e && typeof e === "object") {
    const o = e as Record<string, unknown>;
    const file = o.file ?? o.path ?? o.url ?? o.name ?? o.id;
    if (typeof file !== "string") return null;
    const title = o.title ?? o.label ?? o.description;
    return fromFile(file.endsWith(".p2p") ? file : `${file}.p2p`, title);
  }
  return null;
}

/** Parses index.json in any of the shapes above; unknown entries are dropped. */
export function parsePresetIndex(json: unknown): Preset[] {
  const list = Array.isArray(json)
    ? json
    : json && typeof json === "object" && Array.isArray((json as { presets?: unknown }).presets)
      ? (json as { presets: unknown[] }).presets
      : [];
  return list.map(entry).filter((p): p is Preset => p !== null);
}

export async function loadPresetIndex(): Promise<Preset[]> {
  const r = await fetch("presets/index.json", { cache: "no-cache" });
  if (!r.ok) throw new Error(`presets/index.json: HTTP ${r.status}`);
  return parsePresetIndex(await r.json());
}

export async function loadPresetText(p: Preset): Promise<string> {
  const r = await fetch(p.url, { cache: "no-cache" });
  if (!r.ok) throw new Error(`${p.url}: HTTP ${r.status}`);
  return r.text();
}

/**
 * The preset index for a menu, loaded once on mount: the presets (empty until loaded) and the
 * error to show; a menu also sets the error when loading one preset's text fails.
 */
export function usePresetIndex(): {
  presets: Preset[];
  error: string | null;
  setError: (error: string | null) => void;
} {
  const [presets, setPresets] = useState<Preset[]>([]);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    loadPresetIndex().then(
      (p) => live && setPresets(p),
      (e: unknown) => live && setError(e instanceof Error ? e.message : String(e)),
    );
    return () => {
      live = false;
    };
  }, []);
  return { presets, error, setError };
}
