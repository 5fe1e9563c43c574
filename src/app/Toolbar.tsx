/** Presets menu, design switch and kernel version switch. */

import { useState } from "react";
import { DESIGN_VERSIONS, DESIGNS, type Design, type KernelVersion } from "../scenario/ast.ts";
import { useStore } from "../store/store.ts";
import { loadPresetText, usePresetIndex } from "./presets.ts";
import { versionNote } from "./version-help.ts";

export function PresetMenu() {
  const { presets, error, setError } = usePresetIndex();
  const [chosen, setChosen] = useState("");
  const loadScenario = useStore((s) => s.loadScenario);

  const choose = async (url: string) => {
    setChosen(url);
    const p = presets.find((x) => x.url === url);
    if (!p) return;
    try {
      // a preset shows its own `kernel` design: drop any design override
      loadScenario(await loadPresetText(p), { step: 0, design: null });
      setError(null);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };

  return (
    <label className="presets">
      <span>Preset</span>
      <select
        data-testid="presets"
        value={chosen}
        onChange={(e) => void choose(e.target.value)}
        disabled={presets.length === 0}
        title={error ?? undefined}
      >
        <option value="">{presets.length ? "choose a scenario…" : error ? "no presets" : "loading…"}</option>
        {presets.map((p) => (
          <option key={p.url} value={p.url}>
            {p.title}
          </option>
        ))}
      </select>
    </label>
  );
}

export function DesignSwitch() {
  const design = useStore((s) => s.trace?.design ?? null);
  const override = useStore((s) => s.design);
  const setDesign = useStore((s) => s.setDesign);
  return (
    <fieldset className="designs" data-testid="design-switch">
      <legend>Design</legend>
      {DESIGNS.map((d: Design) => (
        <button
          key={d}
          type="button"
          aria-pressed={design === d}
          className={design === d ? "on" : undefined}
          onClick={() => setDesign(d)}
          data-design={d}
        >
          {d}
        </button>
      ))}
      {override && (
        <button
          type="button"
          className="linkish"
          onClick={() => setDesign(null)}
          title="Use the scenario's own kernel statement"
        >
          as written
        </button>
      )}
    </fieldset>
  );
}

/**
 * The kernel version beside the design: the versions the design on screen runs in (versions.ts);
 * a historical design shows its one, 5.10. Choosing one reruns the scenario in it and the link
 * carries it with the design (`design=upstream@6.12`); the design switch's "as written" goes back
 * to the scenario's own kernel line. Its description says what the version changes, in one line.
 */
export function VersionSwitch() {
  const trace = useStore((s) => s.trace);
  const setVersion = useStore((s) => s.setVersion);
  if (!trace) return null;
  const versions = DESIGN_VERSIONS[trace.design];
  const only = versions.length === 1;
  return (
    <label className="kernel-version" title={versionNote(trace.version)}>
      <span>Kernel</span>
      <select
        data-testid="version-switch"
        value={trace.version}
        aria-describedby="version-note"
        aria-disabled={only || undefined}
        onChange={(e) => {
          const v = e.target.value as KernelVersion;
          if (versions.includes(v)) setVersion(v);
        }}
      >
        {versions.map((v) => (
          <option key={v} value={v} title={versionNote(v)}>
            {v}
          </option>
        ))}
      </select>
      <span id="version-note" className="visually-hidden">
        {versionNote(trace.version)}
      </span>
    </label>
  );
}
