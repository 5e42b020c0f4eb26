/**
 * The Docker-free local stack, started as one unit by `deno task dev` and by the test runner: PostgreSQL with
 * Supabase's roles and auth schema, the migrations applied by the real Supabase CLI, the Twilio emulator (unless
 * TWILIO_API_BASE_URL / TWILIO_TRUNKING_BASE_URL point elsewhere), the functions gateway, and the pg_net
 * stand-in that delivers the credential webhook.
 */
import postgres from "postgres";
import { join } from "node:path";
import { startMain } from "./emulators.ts";
import { CAMEL_COLUMNS } from "../../supabase/functions/_shared/db/client.ts";
import { createAuthApi } from "./auth-api.ts";
import { type GatewayOptions, startGateway } from "./gateway.ts";
import type { LogSink } from "./function-worker.ts";
import { generateProjectKeys, jwksOf, type JwtMode, type ProjectKeys } from "./keys.ts";
import { startPostgres } from "./postgres.ts";
import { freePort, repoRoot } from "./process.ts";
import { pushMigrations } from "./supabase-cli.ts";
import { startCronRunner } from "./cron-runner.ts";
import { startWebhookDispatcher } from "./webhook-dispatcher.ts";

/** One Supabase project as a client reaches it: its API, its keys, how it signs user tokens. */
export interface ProjectInfo {
  api_url: string;
  publishable_key: string;
  secret_key: string;
  /** `signing-keys` (ES256, the default) or `legacy` (HS256 with the legacy JWT secret). */
  jwt_mode: JwtMode;
  /** For minting user tokens (`deno task token`, tests). Local only. */
  signing_key: Pick<ProjectKeys, "kid" | "privateJwk" | "legacyJwtSecret">;
}

/** Everything a client, a test or `deno task status` needs to reach the running stack. */
export interface StackInfo extends ProjectInfo {
  db_url: string;
  twilio_api_base_url: string;
  twilio_trunking_base_url: string;
  emulator_url: string | null;
  /** The LiveKit project the functions manage: the LiveKit emulator unless LIVEKIT_URL is set. */
  livekit_url: string;
  livekit_api_key: string;
  livekit_api_secret: string;
  livekit_emulator_url: string | null;
  /** The project secrets the functions run with. Local only. */
  function_secrets: Record<string, string>;
  /** Tests only: a second project on the legacy JWT secret, over the same database and emulator. */
  legacy_project?: ProjectInfo;
}

export interface StackOptions {
  /** Folder for the PostgreSQL cluster (ignored when databaseUrl is given). */
  postgresDir: string;
  dbPort: number;
  apiPort: number;
  /** 0 picks a free port. */
  emulatorPort: number;
  /** The LiveKit emulator's port (0 or unset: a free one). */
  livekitPort?: number;
  /** Where the Twilio emulator keeps its resources across restarts (none: in memory only). */
  emulatorStateFile?: string;
  databaseUrl?: string;
  ephemeral?: boolean;
  keys?: ProjectKeys;
  jwtMode?: JwtMode;
  /** Also start a legacy-secret project beside the main one (tests run user-facing functions under both). */
  withLegacyProject?: boolean;
  /**
   * Run the scheduled jobs (the sweeper) every minute, as pg_cron does on Supabase. `task dev` does; the tests
   * run the job themselves, so a sweep never lands in the middle of a test that arranged rows on purpose.
   */
  runCronJobs?: boolean;
  /** Project secrets (ENCRYPTION_KEYS, WEBHOOK_SECRET, LIVEKIT_SIP_URI, ...); missing ones get local defaults. */
  secrets?: Record<string, string>;
  log: LogSink;
}

export interface Stack {
  info: StackInfo;
  keys: ProjectKeys;
  /** The environment every function process gets (Supabase's injected variables plus the project's secrets). */
  functionEnv: Record<string, string>;
  /** Waits until every webhook the database queued so far has been delivered and answered. */
  drainWebhooks(): Promise<void>;
  stop(): Promise<void>;
}

export async function startStack(options: StackOptions): Promise<Stack> {
  const cleanups: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
  };
  try {
    let dbUrl = options.databaseUrl;
    if (!dbUrl) {
      const cluster = await startPostgres({
        dataDir: options.postgresDir,
        port: options.dbPort,
        ephemeral: options.ephemeral,
      });
      cleanups.push(cluster.stop);
      dbUrl = cluster.url;
    }
    await bootstrapDatabase(dbUrl);
    await pushMigrations(dbUrl);

    const twilio = await twilioEndpoints(options.emulatorPort, options.emulatorStateFile);
    if (twilio.close) cleanups.push(twilio.close);
    const secrets = withLocalDefaults(options.secrets ?? {});
    const livekit = await liveKitEndpoints(options.livekitPort ?? 0, secrets);
    if (livekit.close) cleanups.push(livekit.close);
    const shared: SharedServices = {
      dbUrl,
      twilio,
      secrets: { ...secrets, ...livekit.settings },
      log: options.log,
    };

    const main = await startProject(shared, {
      port: options.apiPort,
      keys: options.keys ?? await generateProjectKeys(),
      mode: options.jwtMode ?? "signing-keys",
    });
    cleanups.push(main.close);
    const legacy = options.withLegacyProject
      ? await startProject(shared, { port: 0, keys: await generateProjectKeys(), mode: "legacy" })
      : undefined;
    if (legacy) cleanups.push(legacy.close);

    await configureWebhook(
      dbUrl,
      `${main.info.api_url}/functions/v1/twilio-credentials-webhook`,
      shared.secrets.WEBHOOK_SECRET,
    );
    const dispatcher = await startWebhookDispatcher(dbUrl);
    cleanups.push(dispatcher.close);
    if (options.runCronJobs) cleanups.push(startCronRunner(dbUrl).close);

    return {
      keys: main.keys,
      functionEnv: main.functionEnv,
      info: {
        ...main.info,
        db_url: dbUrl,
        twilio_api_base_url: twilio.apiBaseUrl,
        twilio_trunking_base_url: twilio.trunkingBaseUrl,
        emulator_url: twilio.emulatorUrl,
        livekit_url: livekit.settings.LIVEKIT_URL,
        livekit_api_key: livekit.settings.LIVEKIT_API_KEY,
        livekit_api_secret: livekit.settings.LIVEKIT_API_SECRET,
        livekit_emulator_url: livekit.emulatorUrl,
        function_secrets: shared.secrets,
        ...(legacy ? { legacy_project: legacy.info } : {}),
      },
      drainWebhooks: dispatcher.drain,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** What every project of a stack shares: the database, Twilio, the project secrets, the log. */
export interface SharedServices {
  dbUrl: string;
  twilio: { apiBaseUrl: string; trunkingBaseUrl: string };
  secrets: Record<string, string>;
  log: LogSink;
}

export interface ProjectOptions {
  /** 0 picks a free port. */
  port: number;
  keys: ProjectKeys;
  mode: JwtMode;
  overrides?: GatewayOptions["overrides"];
}

/**
 * One project's gateway and Auth over shared services: the environment Supabase injects into its functions
 * (its URL, keys and JWKS, as a project of that mode has them) plus the project secrets.
 */
export async function startProject(shared: SharedServices, options: ProjectOptions) {
  const { keys, mode } = options;
  const authSql = postgres(shared.dbUrl, { max: 2, onnotice: () => {}, transform: CAMEL_COLUMNS });
  const apiUrl = `http://127.0.0.1:${options.port || freePort()}`;
  const gateway = await startGateway({
    port: Number(new URL(apiUrl).port),
    legacyJwtSecret: keys.legacyJwtSecret,
    auth: createAuthApi({ sql: authSql, keys, mode, issuer: `${apiUrl}/auth/v1` }),
    functionEnv: {
      SUPABASE_URL: apiUrl,
      SUPABASE_DB_URL: shared.dbUrl,
      SUPABASE_PUBLISHABLE_KEYS: JSON.stringify({ default: keys.publishableKey }),
      SUPABASE_SECRET_KEYS: JSON.stringify({ default: keys.secretKey }),
      SUPABASE_JWKS: JSON.stringify(jwksOf(keys, mode)),
      TWILIO_API_BASE_URL: shared.twilio.apiBaseUrl,
      TWILIO_TRUNKING_BASE_URL: shared.twilio.trunkingBaseUrl,
      ...shared.secrets,
    },
    log: shared.log,
    overrides: options.overrides,
  });
  const info: ProjectInfo = {
    api_url: gateway.url,
    publishable_key: keys.publishableKey,
    secret_key: keys.secretKey,
    jwt_mode: mode,
    signing_key: { kid: keys.kid, privateJwk: keys.privateJwk, legacyJwtSecret: keys.legacyJwtSecret },
  };
  return {
    info,
    keys,
    functionEnv: gateway.functionEnv,
    close: async () => {
      await gateway.close();
      await authSql.end();
    },
  };
}

/** Supabase's roles and auth schema, then the local pg_net and Vault stand-ins (see their SQL files). */
export async function bootstrapDatabase(dbUrl: string, { withStandins = true } = {}) {
  const sql = postgres(dbUrl, { max: 1, onnotice: () => {} });
  try {
    await sql.file(join(repoRoot, "scripts/local/supabase-bootstrap.sql"));
    if (withStandins) await sql.file(join(repoRoot, "scripts/local/pg-net-vault-standins.sql"));
  } finally {
    await sql.end();
  }
}

async function configureWebhook(dbUrl: string, url: string, secret: string) {
  const sql = postgres(dbUrl, { max: 1, onnotice: () => {} });
  try {
    await sql`select vault.create_secret(${url}, 'twilio_credentials_webhook_url')`;
    await sql`select vault.create_secret(${secret}, 'twilio_credentials_webhook_secret')`;
  } finally {
    await sql.end();
  }
}

/**
 * The Twilio emulator runs as a process of its own, as Twilio is a service of its own: its event loop (latency
 * timers, request handling) shares nothing with the gateway, the webhook dispatcher or a benchmark's timing in this
 * process, so the latency it adds is the latency it is set to, not that plus this process's queue.
 */
async function twilioEndpoints(emulatorPort: number, stateFile?: string) {
  const apiBaseUrl = Deno.env.get("TWILIO_API_BASE_URL");
  const trunkingBaseUrl = Deno.env.get("TWILIO_TRUNKING_BASE_URL");
  if (apiBaseUrl && trunkingBaseUrl) {
    return { apiBaseUrl, trunkingBaseUrl, emulatorUrl: null, close: undefined };
  }
  const { printed, stop } = await startMain(new URL("../emulator/main.ts", import.meta.url), [
    "--port",
    String(emulatorPort),
    ...(stateFile ? ["--state-file", stateFile] : []),
    "--exit-with-parent",
  ]);
  const url: string = printed.emulator_url;
  return { apiBaseUrl: url, trunkingBaseUrl: url, emulatorUrl: url, close: async () => void await stop() };
}

/**
 * The LiveKit project the functions manage: the one LIVEKIT_URL (with its key and secret) names, else the LiveKit
 * emulator (a process of its own, like the Twilio one), with the key and secret the secrets carry (so `task dev`
 * keeps them across restarts) or new ones.
 */
async function liveKitEndpoints(port: number, secrets: Record<string, string>) {
  const external = Deno.env.get("LIVEKIT_URL");
  if (external) {
    const settings = {
      LIVEKIT_URL: external,
      LIVEKIT_API_KEY: Deno.env.get("LIVEKIT_API_KEY") ?? "",
      LIVEKIT_API_SECRET: Deno.env.get("LIVEKIT_API_SECRET") ?? "",
    };
    return { settings, emulatorUrl: null, close: undefined };
  }
  const { printed, stop } = await startMain(new URL("../livekit-emulator/main.ts", import.meta.url), [
    "--port",
    String(port),
    ...(secrets.LIVEKIT_API_KEY ? ["--api-key", secrets.LIVEKIT_API_KEY] : []),
    ...(secrets.LIVEKIT_API_SECRET ? ["--api-secret", secrets.LIVEKIT_API_SECRET] : []),
    "--exit-with-parent",
  ]);
  const settings = {
    LIVEKIT_URL: printed.url as string,
    LIVEKIT_API_KEY: printed.apiKey as string,
    LIVEKIT_API_SECRET: printed.apiSecret as string,
  };
  return { settings, emulatorUrl: settings.LIVEKIT_URL, close: async () => void await stop() };
}

/** Local values for the project's own secrets; on Supabase these come from `supabase secrets set`. */
function withLocalDefaults(secrets: Record<string, string>): Record<string, string> {
  const env = (name: string) => Deno.env.get(name);
  return {
    ENCRYPTION_KEYS: env("ENCRYPTION_KEYS") ?? `local1:${randomBase64(32)}`,
    WEBHOOK_SECRET: env("WEBHOOK_SECRET") ?? randomBase64(32),
    LIVEKIT_SIP_URI: env("LIVEKIT_SIP_URI") ?? "sip:local-project.sip.livekit.cloud;transport=tcp",
    ...(env("LIVEKIT_SIP_URI_FALLBACK")
      ? { LIVEKIT_SIP_URI_FALLBACK: env("LIVEKIT_SIP_URI_FALLBACK")! }
      : {}),
    ...(env("TRUNK_RECORDING_MODE") ? { TRUNK_RECORDING_MODE: env("TRUNK_RECORDING_MODE")! } : {}),
    ...secrets,
  };
}

function randomBase64(bytes: number): string {
  return btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(bytes))));
}
