/**
 * Export of what the app shows (browser only; the codec beside this file stays DOM-free):
 *  - the scenario as a .p2p file;
 *  - the current view as one standalone SVG: every panel under its title, in page order: the
 *    panels' own <svg> drawings with the page-look patterns and computed styles inlined (the app's
 *    stylesheet does not travel with a file), and the text panels (kernel code with its
 *    highlighted line, findings) as SVG text; above them the step, the pool summary and the
 *    narration;
 *  - the same SVG rasterised to PNG through a canvas (and to frames, for animate.ts).
 * Scenario text and names become SVG text nodes (textContent), never markup.
 */

import { DRAW_ALL_EVENT } from "../panels/common.ts";

const SVG_NS = "http://www.w3.org/2000/svg";

/** Style properties that decide how SVG shapes and text look. */
const STYLE_PROPS = [
  "fill",
  "fill-opacity",
  "stroke",
  "stroke-width",
  "stroke-opacity",
  "stroke-dasharray",
  "opacity",
  "font-family",
  "font-size",
  "font-weight",
  "font-style",
  "text-anchor",
  "dominant-baseline",
  "visibility",
  "display",
] as const;

export function download(name: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  a.rel = "noopener";
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function downloadScenario(text: string, name = "scenario.p2p"): void {
  download(name, new Blob([text], { type: "text/plain;charset=utf-8" }));
}

/** Copies computed styles of `from` and its descendants onto the matching nodes of `to`. */
function inlineStyles(from: Element, to: Element): void {
  const cs = getComputedStyle(from);
  const style: string[] = [];
  for (const p of STYLE_PROPS) {
    const v = cs.getPropertyValue(p);
    if (v) style.push(`${p}:${v}`);
  }
  to.setAttribute("style", style.join(";"));
  const a = from.children;
  const b = to.children;
  for (let i = 0; i < a.length && i < b.length; i++) inlineStyles(a[i]!, b[i]!);
}

function text(
  x: number,
  y: number,
  s: string,
  size: number,
  weight = "400",
  fill = "#1b1f24",
): SVGTextElement {
  const t = document.createElementNS(SVG_NS, "text");
  t.setAttribute("x", String(x));
  t.setAttribute("y", String(y));
  t.setAttribute("font-family", "DejaVu Sans, Arial, sans-serif");
  t.setAttribute("font-size", String(size));
  t.setAttribute("font-weight", weight);
  t.setAttribute("fill", fill);
  t.textContent = s;
  return t;
}

/** One line of a text panel: its text, and how it looks. */
interface TextLine {
  readonly text: string;
  readonly mono: boolean;
  readonly bold: boolean;
  /** the highlighted line (the kernel-code panel's current line) */
  readonly hl: boolean;
}

/** The lines a panel without a drawing shows (kernel code, findings), in order. */
function textLines(sec: Element): TextLine[] {
  const out: TextLine[] = [];
  let n = 0;
  for (const el of Array.from(sec.querySelectorAll(".panel-body p, .panel-body li, p.panel-body"))) {
    if (el.closest("li") && el.tagName !== "LI") continue; // a <p> inside a list item
    // what is not shown (the kernel-code panel keeps other functions' excerpts laid out, hidden)
    if (el.closest('[aria-hidden="true"]')) continue;
    const spans = el.tagName === "LI" ? Array.from(el.querySelectorAll("button > span")) : [];
    const text = (
      spans.length > 0 ? spans.map((x) => x.textContent?.trim() ?? "").join(" · ") : (el.textContent ?? "")
    )
      .replace(/\s+/g, " ")
      .trim();
    if (text === "") continue;
    const inCode = el.closest(".code-lines") !== null;
    out.push({
      text: inCode ? `${String(++n).padStart(2)}  ${text}` : text,
      mono: inCode || el.querySelector(".code-fn") !== null,
      bold: el.classList.contains("code-head"),
      hl: el.getAttribute("data-testid") === "code-line-current",
    });
  }
  return out;
}

/** Cuts a line into pieces of at most `max` characters, at spaces where it can. */
function cutLine(text: string, max: number): string[] {
  const out: string[] = [];
  let rest = text;
  while (rest.length > max) {
    let at = rest.lastIndexOf(" ", max);
    if (at < max / 2) at = max;
    out.push(rest.slice(0, at));
    rest = `    ${rest.slice(at).trimStart()}`;
  }
  out.push(rest);
  return out;
}

/** The height of what a panel's SVG shows: `data-height` where the SVG is taller than its drawing. */
function drawnHeight(svg: SVGSVGElement): number {
  const h = Number(svg.getAttribute("data-height"));
  return h > 0 ? h : svg.height.baseVal.value;
}

export interface ViewSvg {
  readonly svg: string;
  readonly width: number;
  readonly height: number;
}

/**
 * One SVG of the current view: every panel drawing inside `root` (svg[role=img] and the
 * timeline), each under its panel's heading (and its side, in compare mode). Throws if there is
 * nothing drawn to export.
 */
export function viewToSvg(root: ParentNode, caption: readonly string[]): ViewSvg {
  const PAD = 16;
  // panels that keep only the rows in sight in the DOM draw them all before they are copied
  if (typeof window !== "undefined") window.dispatchEvent(new Event(DRAW_ALL_EVENT));
  const sections = Array.from(root.querySelectorAll<HTMLElement>("section.panel"));
  type Part = { title: string; svg: SVGSVGElement } | { title: string; lines: TextLine[] };
  const parts: Part[] = [];
  let drawings = 0;
  for (const sec of sections) {
    const heading = sec.querySelector("h2, h3")?.textContent?.trim() ?? sec.getAttribute("aria-label") ?? "";
    // compare mode draws every panel twice, once per side: say which side
    const side = sec.parentElement?.closest("section[aria-label]")?.getAttribute("aria-label");
    const title = side ? `${side} · ${heading}` : heading;
    let drawn = false;
    for (const svg of Array.from(sec.querySelectorAll<SVGSVGElement>("svg"))) {
      const w = svg.width.baseVal.value;
      const h = drawnHeight(svg);
      if (w < 40 || h < 20) continue; // legend swatches and icons
      parts.push({ title, svg });
      drawn = true;
      drawings++;
    }
    // panels made of text (kernel code, findings) travel as SVG text
    if (!drawn) {
      const lines = textLines(sec);
      if (lines.length > 0) parts.push({ title, lines });
    }
  }
  if (drawings === 0) throw new Error("there is no drawing to export yet");

  const out = document.createElementNS(SVG_NS, "svg");
  out.setAttribute("xmlns", SVG_NS);
  const defs = document.querySelector("svg defs");
  if (defs) out.append(defs.cloneNode(true));
  const bg = document.createElementNS(SVG_NS, "rect");
  out.append(bg);

  const partWidth = (p: Part) => ("svg" in p ? p.svg.width.baseVal.value : 0);
  const width = Math.max(...parts.map(partWidth), 640);
  // ~7.5 px per character at 13 px: cut caption lines that would run past the drawings
  const maxChars = Math.floor(width / 7.5);
  let y = PAD;
  for (const [i, line] of caption.filter((l) => l !== "").entries()) {
    y += 16;
    const cut = line.length > maxChars ? `${line.slice(0, maxChars - 1)}…` : line;
    out.append(text(PAD, y, cut, 13, i === 0 ? "700" : "400"));
  }
  y += 8;
  const LINE = 16;
  const maxMono = Math.floor((width - 8) / 7.3); // DejaVu Sans Mono at 12 px: ~7.2 px a character
  for (const part of parts) {
    const { title } = part;
    if ("lines" in part) {
      y += 20;
      out.append(text(PAD, y, title, 13, "700"));
      y += 4;
      for (const l of part.lines) {
        for (const piece of cutLine(l.text, l.mono ? maxMono : maxChars)) {
          y += LINE;
          if (l.hl) {
            const r = document.createElementNS(SVG_NS, "rect");
            r.setAttribute("x", String(PAD - 2));
            r.setAttribute("y", String(y - 12));
            r.setAttribute("width", String(width + 4));
            r.setAttribute("height", String(LINE));
            r.setAttribute("fill", "#fff2b3");
            r.setAttribute("stroke", "#d8b800");
            out.append(r);
          }
          const t = text(PAD, y, piece, 12, l.bold || l.hl ? "700" : "400", l.hl ? "#1b1f24" : "#39414c");
          if (l.mono) t.setAttribute("font-family", "DejaVu Sans Mono, monospace");
          t.setAttributeNS("http://www.w3.org/XML/1998/namespace", "xml:space", "preserve");
          if (l.hl) t.setAttribute("data-current", "true");
          out.append(t);
        }
      }
      y += 8;
      continue;
    }
    const { svg } = part;
    const w = svg.width.baseVal.value;
    const h = drawnHeight(svg);
    y += 20;
    out.append(text(PAD, y, title, 13, "700"));
    y += 6;
    const copy = svg.cloneNode(true) as SVGSVGElement;
    inlineStyles(svg, copy);
    copy.setAttribute("x", String(PAD));
    copy.setAttribute("y", String(y));
    copy.setAttribute("width", String(w));
    copy.setAttribute("height", String(h));
    copy.removeAttribute("role");
    out.append(copy);
    y += h + 8;
  }
  const W = Math.ceil(width + 2 * PAD);
  const H = Math.ceil(y + PAD);
  out.setAttribute("width", String(W));
  out.setAttribute("height", String(H));
  out.setAttribute("viewBox", `0 0 ${W} ${H}`);
  bg.setAttribute("width", String(W));
  bg.setAttribute("height", String(H));
  bg.setAttribute("fill", "#ffffff");
  return { svg: new XMLSerializer().serializeToString(out), width: W, height: H };
}

/** Rasterises an SVG document to a PNG blob at `scale` device pixels per CSS pixel. */
export async function svgToPng(view: ViewSvg, scale = 2): Promise<Blob> {
  const url = URL.createObjectURL(new Blob([view.svg], { type: "image/svg+xml" }));
  try {
    const img = new Image();
    img.decoding = "sync";
    await new Promise<void>((resolve, reject) => {
      img.onload = () => resolve();
      img.onerror = () => reject(new Error("the SVG could not be drawn"));
      img.src = url;
    });
    const canvas = document.createElement("canvas");
    canvas.width = Math.ceil(view.width * scale);
    canvas.height = Math.ceil(view.height * scale);
    const ctx = canvas.getContext("2d");
    if (!ctx) throw new Error("no 2D canvas");
    ctx.scale(scale, scale);
    ctx.drawImage(img, 0, 0);
    return await new Promise<Blob>((resolve, reject) =>
      canvas.toBlob((b) => (b ? resolve(b) : reject(new Error("PNG encoding failed"))), "image/png"),
    );
  } finally {
    URL.revokeObjectURL(url);
  }
}
