/**
 * Scratch folders for throw-away stacks (the test runner, the benchmarks). A run that is killed leaves its
 * PostgreSQL running (pg_ctl daemonizes it), so each new run first stops and removes the leftovers of runs whose
 * process is gone.
 *
 * ```ts
 * const dir = await scratchDir("twilio-sip-test-");
 * ```
 */
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findPostgresBinDir, stopPostgres } from "./postgres.ts";

export async function scratchDir(prefix: string): Promise<string> {
  await removeAbandonedRuns(prefix);
  const dir = await Deno.makeTempDir({ prefix });
  await Deno.chmod(dir, 0o755); // the PostgreSQL server runs as `postgres` when we are root
  await Deno.writeTextFile(join(dir, "runner.pid"), String(Deno.pid));
  return dir;
}

async function removeAbandonedRuns(prefix: string) {
  const binDir = await findPostgresBinDir();
  for await (const entry of Deno.readDir(tmpdir())) {
    if (!entry.isDirectory || !entry.name.startsWith(prefix)) continue;
    const dir = join(tmpdir(), entry.name);
    const pid = Number(await Deno.readTextFile(join(dir, "runner.pid")).catch(() => "0"));
    if (!pid || isAlive(pid)) continue; // no pid yet: a run that is just starting
    if (binDir) await stopPostgres(binDir, join(dir, "postgres")).catch(() => {});
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

function isAlive(pid: number): boolean {
  try {
    Deno.kill(pid, "SIGCONT");
    return true;
  } catch {
    return false;
  }
}
