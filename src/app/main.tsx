import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { hasLink } from "../store/link-store.ts";
import { App } from "./App.tsx";
import "./app.css";

const root = document.getElementById("root");
if (!root) throw new Error("index.html has no #root");

/**
 * A link in the address bar is read before the first render, so the saved scenario is never shown
 * in its place, not even for a frame. The link codec is then fetched first; without a link it
 * loads after the first render (App's useUrlSync).
 */
async function start(): Promise<void> {
  if (hasLink(location.hash)) (await import("../store/url-sync.ts")).primeFromLocation();
  createRoot(root!).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
}
void start();
