/**
 * The real Supabase CLI, pinned in scripts/tools/package.json and installed from npm on first use (a new machine
 * has only Node and npm). Used for what it can do without Docker: applying migrations with `db push`.
 */
import { join } from "node:path";
import { repoRoot, run, runOrThrow } from "./process.ts";

const toolsDir = join(repoRoot, "scripts", "tools");
const cliPath = join(toolsDir, "node_modules", ".bin", "supabase");

export async function ensureSupabaseCli(): Promise<string> {
  const probe = await run(cliPath, ["--version"]).catch(() => undefined);
  if (probe?.code === 0) return cliPath;
  console.error("[supabase-cli] installing the pinned Supabase CLI from npm (one time)...");
  // Not `npm ci`: the lock holds only the platform binary this registry serves (linux-x64), and `npm ci` insists
  // on every platform's optional package. `install --no-save` installs the locked versions and leaves the lock be.
  await runOrThrow("npm", ["install", "--no-save", "--no-audit", "--no-fund", "--loglevel=error"], {
    cwd: toolsDir,
  });
  return cliPath;
}

/** `supabase db push` against a database URL: applies supabase/migrations in order and records them. */
export async function pushMigrations(dbUrl: string): Promise<string> {
  const cli = await ensureSupabaseCli();
  const result = await runOrThrow(cli, ["db", "push", `--remote=${dbUrl}`, "--yes", "--workdir", repoRoot], {
    env: { PGSSLMODE: "disable", SUPABASE_TELEMETRY_DISABLED: "1", DO_NOT_TRACK: "1" },
  });
  return result.stdout + result.stderr;
}
