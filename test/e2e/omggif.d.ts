// The part of omggif (a GIF decoder, dev dependency) the export tests use.
declare module "omggif" {
  export class GifReader {
    constructor(buf: Uint8Array);
    readonly width: number;
    readonly height: number;
    numFrames(): number;
    frameInfo(i: number): { delay: number; width: number; height: number };
  }
}
