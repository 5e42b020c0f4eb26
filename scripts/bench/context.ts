/**
 * The one stack every benchmark runs against: a throw-away PostgreSQL, migrations, Twilio emulator and gateway on
 * free ports in a temporary folder (as `deno task test` does, so it also runs beside `deno task dev`), plus what
 * the benchmarks need to reach it.
 */
import postgres from "postgres";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type FunctionConfig, readFunctionsConfig } from "../local/functions-config.ts";
import { findPostgresBinDir, stopPostgres } from "../local/postgres.ts";
import { freePort } from "../local/process.ts";
import { type Stack, startStack } from "../local/stack.ts";
import { EmulatorAdmin } from "./emulator.ts";

export interface BenchContext {
  stack: Stack;
  emulator: EmulatorAdmin;
  /** The stack's database as the `postgres` superuser (the role functions use), for setup and checks. */
  db: postgres.Sql;
  /** The functions of supabase/config.toml. */
  functions: Map<string, FunctionConfig>;
  /** A scratch folder removed at the end. */
  workDir: string;
  /** Where function processes write their output. */
  log: (fn: string, line: string) => void;
}

const PREFIX = "twilio-sip-bench-";

export async function startBenchContext(): Promise<BenchContext & { close(): Promise<void> }> {
  await removeAbandonedRuns();
  const workDir = await Deno.makeTempDir({ prefix: PREFIX });
  await Deno.chmod(workDir, 0o755); // the PostgreSQL server runs as `postgres` when we are root
  await Deno.writeTextFile(join(workDir, "runner.pid"), String(Deno.pid));
  const logFile = await Deno.open(join(workDir, "functions.log"), { create: true, append: true });
  const encoder = new TextEncoder();
  const log = (fn: string, line: string) => logFile.writeSync(encoder.encode(`[${fn}] ${line}\n`));
  let stack: Stack | undefined;
  let db: postgres.Sql | undefined;
  const close = async () => {
    await db?.end();
    await stack?.stop();
    logFile.close();
    await Deno.remove(workDir, { recursive: true }).catch(() => {});
  };
  try {
    stack = await startStack({
      postgresDir: join(workDir, "postgres"),
      dbPort: freePort(),
      apiPort: freePort(),
      emulatorPort: 0,
      ephemeral: true,
      log,
    });
    if (!stack.info.emulator_url) {
      throw new Error("The benchmarks need the Twilio emulator: unset TWILIO_*_BASE_URL");
    }
    db = postgres(stack.info.db_url, { max: 4, onnotice: () => {} });
    return {
      stack,
      db,
      emulator: new EmulatorAdmin(stack.info.emulator_url),
      functions: await readFunctionsConfig(),
      workDir,
      log,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/** A run that was killed leaves its PostgreSQL running (pg_ctl daemonizes it): stop and remove such leftovers. */
async function removeAbandonedRuns() {
  const binDir = await findPostgresBinDir();
  for await (const entry of Deno.readDir(tmpdir())) {
    if (!entry.isDirectory || !entry.name.startsWith(PREFIX)) continue;
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
