import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

export default defineConfig({
  plugins: [react()],
  base: "./",
  build: {
    target: "es2022",
    sourcemap: false,
    chunkSizeWarningLimit: 600,
    rolldownOptions: {
      output: {
        // The engine (src/kernel, trace/run.ts, trace/trace.ts) is one chunk of the initial
        // JavaScript even when a lazily loaded panel imports part of it (the cost counters' vmemmap
        // reads the design drivers): split in four, it cost 1.9 KB gzip more.
        codeSplitting: {
          groups: [{ name: "engine", test: /[\\/]src[\\/](kernel[\\/]|trace[\\/](run|trace)\.ts)/ }],
        },
      },
    },
  },
  preview: { host: "127.0.0.1", port: 4173, strictPort: true },
});
