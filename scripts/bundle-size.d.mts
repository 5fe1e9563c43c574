/** Types of bundle-size.mjs, for the test that imports it (test/e2e/bundle-size.test.ts). */
export interface ChunkSize {
  readonly file: string;
  readonly raw: number;
  readonly gzip: number;
}
export interface BundleSize {
  readonly initial: ChunkSize[];
  readonly lazy: ChunkSize[];
  readonly initialGzip: number;
  readonly initialRaw: number;
  readonly lazyGzip: number;
  readonly limitKb: number;
}
export declare const LIMIT_KB: number;
export declare function measure(dist?: string): BundleSize;
