/**
 * The one stack every benchmark runs against: a throw-away PostgreSQL, migrations, the Twilio and LiveKit
 * emulators and the gateway on free ports in a temporary folder (as `deno task test` does, so it also runs beside
 * `deno task dev`), plus what the benchmarks need to reach it.
 */
import postgres from "postgres";
import { join } from "node:path";
import { type FunctionConfig, readFunctionsConfig } from "../local/functions-config.ts";
import { freePort } from "../local/process.ts";
import { scratchDir } from "../local/scratch.ts";
import { type Stack, startStack } from "../local/stack.ts";
import { EmulatorAdmin, LiveKitEmulatorAdmin } from "./emulator.ts";

export interface BenchContext {
  stack: Stack;
  emulator: EmulatorAdmin;
  livekit: LiveKitEmulatorAdmin;
  /** The stack's database as the `postgres` superuser (the role functions use), for setup and checks. */
  db: postgres.Sql;
  /** The functions of supabase/config.toml. */
  functions: Map<string, FunctionConfig>;
  /** A scratch folder removed at the end. */
  workDir: string;
  /** Where function processes write their output. */
  log: (fn: string, line: string) => void;
}

export async function startBenchContext(): Promise<BenchContext & { close(): Promise<void> }> {
  const workDir = await scratchDir("twilio-sip-bench-");
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
    if (!stack.info.livekit_emulator_url) {
      throw new Error("The benchmarks need the LiveKit emulator: unset LIVEKIT_URL");
    }
    db = postgres(stack.info.db_url, { max: 4, onnotice: () => {} });
    return {
      stack,
      db,
      emulator: new EmulatorAdmin(stack.info.emulator_url),
      livekit: new LiveKitEmulatorAdmin(stack.info.livekit_emulator_url),
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
