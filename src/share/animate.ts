/**
 * Animated exports of a range of steps: an animated GIF (gifenc, loaded only when asked for) or,
 * where the browser's MediaRecorder can encode it, a WebM video. Each frame is the whole view at
 * one step, drawn exactly as the PNG export draws it (export-view.ts): the caller moves the app to
 * each step in turn and hands back the view's SVG. Transitions are off while recording, so each
 * frame shows the step's final state.
 *
 * This module is itself imported dynamically by the Share menu: none of it is in the initial
 * bundle.
 */

import { recording } from "../panels/motion.ts";
import type { ViewSvg } from "./export-view.ts";

export interface AnimateOptions {
  /** first and last step, inclusive */
  readonly from: number;
  readonly to: number;
  readonly format: "gif" | "webm";
  /** moves the app to a step (the store's setStep) */
  readonly setStep: (step: number) => void;
  /** the view's SVG as it is drawn now */
  readonly capture: () => ViewSvg;
  readonly onProgress: (done: number, total: number) => void;
  readonly signal: AbortSignal;
  /** CSS pixels to frame pixels (default 1) */
  readonly scale?: number;
  /** how long each frame shows, in ms (default 600; the last one three times as long) */
  readonly frameMs?: number;
}

export class Cancelled extends Error {
  constructor() {
    super("cancelled");
  }
}

/** The WebM type this browser can record, if any. */
export function webmType(): string | undefined {
  if (typeof MediaRecorder === "undefined" || typeof HTMLCanvasElement === "undefined") return undefined;
  if (!("captureStream" in HTMLCanvasElement.prototype)) return undefined;
  return ["video/webm;codecs=vp9", "video/webm;codecs=vp8", "video/webm"].find((t) =>
    MediaRecorder.isTypeSupported(t),
  );
}

const frame = () => new Promise<void>((r) => requestAnimationFrame(() => r()));
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function svgImage(view: ViewSvg): Promise<HTMLImageElement> {
  const url = URL.createObjectURL(new Blob([view.svg], { type: "image/svg+xml" }));
  try {
    const img = new Image();
    await new Promise<void>((resolve, reject) => {
      img.onload = () => resolve();
      img.onerror = () => reject(new Error("a frame could not be drawn"));
      img.src = url;
    });
    return img;
  } finally {
    URL.revokeObjectURL(url);
  }
}

/**
 * Records steps from..to and returns the file. Restores the step the app was at, also when
 * cancelled (then it throws Cancelled) or when a frame fails.
 */
export async function animate(o: AnimateOptions): Promise<Blob> {
  const steps = Math.max(0, o.to - o.from + 1);
  if (steps === 0) throw new Error("the step range is empty");
  const scale = o.scale ?? 1;
  const frameMs = o.frameMs ?? 600;
  const wasOn = recording.on;
  recording.on = true;
  const canvas = document.createElement("canvas");
  const ctx = canvas.getContext("2d", { willReadFrequently: o.format === "gif" });
  if (!ctx) throw new Error("no 2D canvas");

  const gifenc = o.format === "gif" ? await import("gifenc") : undefined;
  const gif = gifenc?.GIFEncoder();
  let recorder: MediaRecorder | undefined;
  let track: CanvasCaptureMediaStreamTrack | undefined;
  const chunks: Blob[] = [];
  try {
    for (let i = 0; i < steps; i++) {
      if (o.signal.aborted) throw new Cancelled();
      o.setStep(o.from + i);
      // React commits, then the panels' effects draw: two frames later the view is the step's
      await frame();
      await frame();
      const view = o.capture();
      const img = await svgImage(view);
      if (i === 0) {
        canvas.width = Math.ceil(view.width * scale);
        canvas.height = Math.ceil(view.height * scale);
        if (o.format === "webm") {
          const type = webmType();
          if (!type) throw new Error("this browser cannot record WebM");
          const stream = canvas.captureStream(0);
          track = stream.getVideoTracks()[0] as CanvasCaptureMediaStreamTrack | undefined;
          recorder = new MediaRecorder(stream, { mimeType: type });
          recorder.ondataavailable = (e) => {
            if (e.data.size > 0) chunks.push(e.data);
          };
          recorder.start();
        }
      }
      ctx.setTransform(1, 0, 0, 1, 0, 0);
      ctx.fillStyle = "#ffffff";
      ctx.fillRect(0, 0, canvas.width, canvas.height);
      // every frame the size of the first: a taller view is cut, a shorter one padded with white
      ctx.setTransform(scale, 0, 0, scale, 0, 0);
      ctx.drawImage(img, 0, 0);
      const delay = i === steps - 1 ? frameMs * 3 : frameMs;
      if (gif && gifenc) {
        const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
        const palette = gifenc.quantize(data, 256, { format: "rgb444" });
        const index = gifenc.applyPalette(data, palette, "rgb444");
        gif.writeFrame(index, canvas.width, canvas.height, { palette, delay });
      } else {
        track?.requestFrame();
        await sleep(delay);
      }
      o.onProgress(i + 1, steps);
    }
    if (gif) {
      gif.finish();
      return new Blob([gif.bytes() as Uint8Array<ArrayBuffer>], { type: "image/gif" });
    }
    const rec = recorder!;
    const done = new Promise<void>((r) => {
      rec.onstop = () => r();
    });
    rec.stop();
    await done;
    return new Blob(chunks, { type: "video/webm" });
  } finally {
    if (recorder && recorder.state !== "inactive") recorder.stop();
    recording.on = wasOn;
  }
}
