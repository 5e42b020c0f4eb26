/**
 * `deno task dev [--legacy-jwt] [--fresh]`: the local stack on fixed ports (API 54321, PostgreSQL 54322, Twilio
 * emulator 54329), the equivalent of `supabase start` + `supabase functions serve` without Docker. Runs until
 * Ctrl-C. The database, keys and secrets persist in .local/ so tokens and encrypted rows stay valid across
 * restarts; `--fresh` starts from nothing. `--legacy-jwt` (or LOCAL_JWT_MODE=legacy) runs it as a project still
 * on the legacy JWT secret: user tokens are HS256 and the published JWKS is empty.
 */
import { parseArgs } from "node:util";
import { join } from "node:path";
import { generateProjectKeys, type JwtMode, withLegacySecret } from "./local/keys.ts";
import { clusterDirFor } from "./local/postgres.ts";
import { isPortFree } from "./local/process.ts";
import { startStack } from "./local/stack.ts";
import { localDir, persistedJson, readRunningStack, stackFile } from "./local/state.ts";
import { startWebPage } from "./local/web-server.ts";

let flags;
try {
  flags = parseArgs({
    args: Deno.args,
    options: {
      "legacy-jwt": { type: "boolean", default: false },
      fresh: { type: "boolean", default: false },
    },
  }).values;
} catch (error) {
  console.error(`${(error as Error).message}\nUsage: deno task dev [--legacy-jwt] [--fresh]`);
  Deno.exit(2);
}
const jwtMode: JwtMode = flags["legacy-jwt"] || Deno.env.get("LOCAL_JWT_MODE") === "legacy"
  ? "legacy"
  : "signing-keys";

const port = (name: string, fallback: number) => Number(Deno.env.get(name) ?? fallback);
const ports = {
  api: port("API_PORT", 54321),
  db: port("DB_PORT", 54322),
  emulator: port("EMULATOR_PORT", 54329),
  livekit: port("LIVEKIT_PORT", 54330),
  web: port("WEB_PORT", 54323),
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
if (flags.fresh) await Deno.remove(localDir, { recursive: true }).catch(() => {});
await Deno.mkdir(localDir, { recursive: true });
const logFile = await Deno.open(join(localDir, "functions.log"), { create: true, append: true });
const encoder = new TextEncoder();
const stack = await startStack({
  postgresDir: await clusterDirFor(join(localDir, "postgres")),
  dbPort: ports.db,
  apiPort: ports.api,
  emulatorPort: ports.emulator,
  livekitPort: ports.livekit,
  emulatorStateFile: join(localDir, "twilio-emulator.json"),
  databaseUrl: Deno.env.get("DATABASE_URL"),
  keys: await projectKeys(join(localDir, "keys.json")),
  jwtMode,
  runCronJobs: true,
  secrets: await persistedJson(join(localDir, "secrets.json"), () => ({
    ENCRYPTION_KEYS: `local1:${btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))))}`,
  })),
  log: (fn, line) => {
    const text = `[${fn}] ${line}\n`;
    Deno.stdout.writeSync(encoder.encode(text));
    logFile.writeSync(encoder.encode(text));
  },
});
const webPage = await serveExamplePage();
const web_url = webPage?.url ?? null;
await Deno.writeTextFile(stackFile, JSON.stringify({ ...stack.info, web_url, pid: Deno.pid }, null, 2), {
  mode: 0o600,
});

const { signing_key: _key, function_secrets: _secrets, ...visible } = stack.info;
console.log(JSON.stringify({ ...visible, web_url }, null, 2));
console.log(`Local stack ready in ${((performance.now() - started) / 1000).toFixed(1)} s. Ctrl-C stops it.`);
console.log("Sign up through supabase-js (auth.signUp), or get a token: deno task token <user-uuid>");

/** The example page (web/), built if stale, on WEB_PORT. A page that cannot be built leaves the stack running. */
async function serveExamplePage() {
  const { api_url: supabaseUrl, publishable_key: publishableKey } = stack.info;
  try {
    return await startWebPage({ port: ports.web, supabaseUrl, publishableKey });
  } catch (error) {
    console.error(`[web] the example page is not served: ${(error as Error).message}`);
    return undefined;
  }
}

/** The keys saved in .local/ (created the first time; an older file gains the legacy JWT secret it lacked). */
async function projectKeys(path: string) {
  const keys = withLegacySecret(await persistedJson(path, generateProjectKeys));
  await Deno.writeTextFile(path, JSON.stringify(keys, null, 2), { mode: 0o600 });
  return keys;
}

const shutdown = async () => {
  await Deno.remove(stackFile).catch(() => {});
  await webPage?.close();
  await stack.stop();
  logFile.close();
  Deno.exit(0);
};
Deno.addSignalListener("SIGINT", shutdown);
Deno.addSignalListener("SIGTERM", shutdown);
