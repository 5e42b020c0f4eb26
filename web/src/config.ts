/**
 * Which Supabase project the page talks to. Baked in at build time (VITE_SUPABASE_URL and
 * VITE_SUPABASE_PUBLISHABLE_KEY), or, for a build made without them, read from ./config.json at start: one build
 * then serves any project, which is how `task dev` and the browser test use it. Optionally the region the
 * functions should run in (VITE_FUNCTIONS_REGION or `functionsRegion`: the database's, see the README).
 */
export interface PageConfig {
  supabaseUrl: string;
  publishableKey: string;
  functionsRegion?: string;
}

export async function loadConfig(): Promise<PageConfig> {
  const built = {
    supabaseUrl: import.meta.env.VITE_SUPABASE_URL ?? "",
    publishableKey: import.meta.env.VITE_SUPABASE_PUBLISHABLE_KEY ?? "",
    functionsRegion: import.meta.env.VITE_FUNCTIONS_REGION || undefined,
  };
  if (built.supabaseUrl && built.publishableKey) return built;

  const response = await fetch(new URL("config.json", document.baseURI), { cache: "no-store" });
  if (!response.ok) {
    throw new Error(
      `config.json answered ${response.status}: build with VITE_SUPABASE_URL and VITE_SUPABASE_PUBLISHABLE_KEY, ` +
        "or serve a config.json next to index.html",
    );
  }
  const config = (await response.json()) as Partial<PageConfig>;
  if (!config.supabaseUrl || !config.publishableKey) {
    throw new Error("config.json needs supabaseUrl and publishableKey");
  }
  return {
    supabaseUrl: config.supabaseUrl,
    publishableKey: config.publishableKey,
    functionsRegion: config.functionsRegion || undefined,
  };
}
