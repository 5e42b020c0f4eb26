/**
 * A static build (web/dist) that works from any path: assets are referenced relatively, and the project URL and
 * publishable key come from VITE_SUPABASE_URL / VITE_SUPABASE_PUBLISHABLE_KEY at build time or, when those are
 * unset, from ./config.json next to index.html at start (what `task dev` serves).
 */
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

const clientEntry = new URL("../client/src/index.ts", import.meta.url).pathname;

export default defineConfig({
  base: "./",
  plugins: [react()],
  resolve: { alias: { "@twilio-sip/client": clientEntry } },
  // The typed client lives outside web/ (client/ at the repo root); the dev server may read it.
  server: { fs: { allow: [".."] } },
  build: { outDir: "dist", emptyOutDir: true },
});
