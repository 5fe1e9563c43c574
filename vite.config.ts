import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

export default defineConfig({
  plugins: [react()],
  base: "./",
  build: { target: "es2022", sourcemap: false, chunkSizeWarningLimit: 600 },
  preview: { host: "127.0.0.1", port: 4173, strictPort: true },
});
