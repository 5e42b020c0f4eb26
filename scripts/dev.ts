/**
 * `deno task dev`: the local stack on fixed ports (API 54321, PostgreSQL 54322, Twilio emulator 54329), the
 * equivalent of `supabase start` + `supabase functions serve` without Docker. Runs until Ctrl-C.
 * Keys and secrets persist in .local/ so tokens and encrypted rows stay valid across restarts.
 */
import { join } from "node:path";
import { generateProjectKeys } from "./local/keys.ts";
import { clusterDirFor } from "./local/postgres.ts";
import { isPortFree } from "./local/process.ts";
import { startStack } from "./local/stack.ts";
import { localDir, persistedJson, readRunningStack, stackFile } from "./local/state.ts";

const port = (name: string, fallback: number) => Number(Deno.env.get(name) ?? fallback);
const ports = {
  api: port("API_PORT", 54321),
  db: port("DB_PORT", 54322),
  emulator: port("EMULATOR_PORT", 54329),
};

if (await readRunningStack()) {
  console.error("The local stack is already running (deno task status shows it).");
  Deno.exit(1);
}
for (const [name, value] of Object.entries(ports)) {
  if (!isPortFree(value) && !(name === "db" && Deno.env.get("DATABASE_URL"))) {
    console.error(`Port ${value} (${name}) is in use. Stop what uses it, or set ${name.toUpperCase()}_PORT.`);
    Deno.exit(1);
  }
}

const started = performance.now();
await Deno.mkdir(localDir, { recursive: true });
const logFile = await Deno.open(join(localDir, "functions.log"), { create: true, append: true });
const encoder = new TextEncoder();
const stack = await startStack({
  postgresDir: await clusterDirFor(join(localDir, "postgres")),
  dbPort: ports.db,
  apiPort: ports.api,
  emulatorPort: ports.emulator,
  databaseUrl: Deno.env.get("DATABASE_URL"),
  keys: await persistedJson(join(localDir, "keys.json"), generateProjectKeys),
  secrets: await persistedJson(join(localDir, "secrets.json"), () => ({
    ENCRYPTION_KEYS: `local1:${btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))))}`,
  })),
  log: (fn, line) => {
    const text = `[${fn}] ${line}\n`;
    Deno.stdout.writeSync(encoder.encode(text));
    logFile.writeSync(encoder.encode(text));
  },
});
await Deno.writeTextFile(stackFile, JSON.stringify({ ...stack.info, pid: Deno.pid }, null, 2), {
  mode: 0o600,
});

const { signing_key: _key, function_secrets: _secrets, ...visible } = stack.info;
console.log(JSON.stringify(visible, null, 2));
console.log(`Local stack ready in ${((performance.now() - started) / 1000).toFixed(1)} s. Ctrl-C stops it.`);
console.log("Get a user token: deno task token <user-uuid>");

const shutdown = async () => {
  await Deno.remove(stackFile).catch(() => {});
  await stack.stop();
  logFile.close();
  Deno.exit(0);
};
Deno.addSignalListener("SIGINT", shutdown);
Deno.addSignalListener("SIGTERM", shutdown);
