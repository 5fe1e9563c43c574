import { defineConfig } from "vitest/config";

/**
 * End-to-end tests: the built app (`npx vite build` first) served by `vite preview` on
 * 127.0.0.1:4173, driven in headless Debian Chromium through playwright-core. One file at a time:
 * the machine is small and every file shares one browser.
 */
export default defineConfig({
  test: {
    include: ["test/e2e/**/*.test.ts"],
    globalSetup: ["test/e2e/global-setup.ts"],
    fileParallelism: false,
    testTimeout: 90_000,
    hookTimeout: 60_000,
  },
});
