/**
 * The project's own settings, read from function secrets and validated, so a typo fails the first request loudly
 * instead of provisioning something half-right. Each reader parses the whole environment: callers read once per
 * process and keep the result (a request path must not pay for it).
 */
import type { JWK } from "@supabase/auth-js";
import { z } from "zod";
import {
  OUTBOUND_TRANSPORTS,
  RECORDING_MODES,
  RECORDING_TRIMS,
  type RecordingMode,
  type RecordingTrim,
} from "./contract/fields.ts";

const sipUri = z.string().regex(
  /^sip:[^\s;]+(;[^\s;]+)*$/,
  "must be a sip: URI, e.g. sip:abc.sip.livekit.cloud;transport=tcp",
);

export const TRANSFER_MODES = ["enable-all", "sip-only", "disable-all"] as const;
export const TRANSFER_CALLER_IDS = ["from-transferee", "from-transferor"] as const;

const settingsSchema = z.object({
  LIVEKIT_SIP_URI: sipUri.optional(),
  LIVEKIT_SIP_URI_FALLBACK: sipUri.optional(),
  TRUNK_RECORDING_MODE: z.enum(RECORDING_MODES).default("do-not-record"),
  TRUNK_RECORDING_TRIM: z.enum(RECORDING_TRIMS).default("do-not-trim"),
  LIVEKIT_OUTBOUND_TRANSPORT: z.enum(OUTBOUND_TRANSPORTS).default("tcp"),
  // enable-all: LiveKit's TransferSIPParticipant (SIP REFER to tel:/sip:) needs call and PSTN transfer on.
  TWILIO_TRANSFER_MODE: z.enum(TRANSFER_MODES, { error: `must be one of ${TRANSFER_MODES.join(", ")}` })
    .default("enable-all"),
  TWILIO_TRANSFER_CALLER_ID: z.enum(TRANSFER_CALLER_IDS, {
    error: `must be one of ${TRANSFER_CALLER_IDS.join(", ")}`,
  })
    .default("from-transferee"),
  LIVEKIT_URL: z.url({ error: "must be the LiveKit project URL, e.g. https://<project>.livekit.cloud" })
    .optional(),
  LIVEKIT_API_KEY: z.string().optional(),
  LIVEKIT_API_SECRET: z.string().optional(),
  LIVEKIT_AGENT_NAME: z.string().max(128).optional(),
  LIVEKIT_ROOM_PREFIX: z.string().regex(/^[A-Za-z0-9_-]{0,64}$/, "letters, digits, _ and - only").default(
    "call-",
  ),
  LIVEKIT_KRISP_ENABLED: z.enum(["true", "false"], { error: "must be true or false" }).default("false"),
  LIVEKIT_INBOUND_ALLOWED_ADDRESSES: z.string().regex(
    /^[0-9a-fA-F.:/]+(,[0-9a-fA-F.:/]+)*$/,
    "must be IP addresses or CIDR ranges, comma separated",
  ).optional(),
});

export interface ProvisioningConfig {
  /** Inbound: Twilio sends calls to this URI (origination URL, priority 1). Unset: no origination URL. */
  livekitSipUri?: string;
  /** Optional second origination URL at priority 2. */
  livekitSipUriFallback?: string;
  recording: { mode: RecordingMode; trim: RecordingTrim };
  /** Transport the voice backend's LiveKit outbound trunk uses to reach the termination host. */
  outboundTransport: typeof OUTBOUND_TRANSPORTS[number];
  /** The trunk's call transfer settings (TransferMode, TransferCallerId). */
  transfer: { mode: typeof TRANSFER_MODES[number]; callerId: typeof TRANSFER_CALLER_IDS[number] };
  /**
   * Secure trunking (Twilio `Secure=true`: TLS signalling, SRTP media), on when the LiveKit side uses TLS. Both
   * directions must agree: a secure trunk refuses plain calls, and LiveKit's SRTP to a plain trunk fails (32207).
   */
  secure: boolean;
  /** The platform's LiveKit project, when this service also manages the LiveKit side. */
  livekit?: LiveKitConfig;
}

export interface LiveKitConfig {
  url: string;
  apiKey: string;
  apiSecret: string;
  /** The agent each customer's calls are dispatched to (unset: LiveKit's automatic dispatch). */
  agentName?: string;
  /** Rooms are `<prefix><caller>_<random>`: one room per call. */
  roomPrefix: string;
  krispEnabled: boolean;
  /** Source addresses the inbound trunks accept (Twilio's signalling ranges); empty: any, matched by number. */
  allowedAddresses: string[];
}

export function provisioningConfigFromEnv(env: Env = Deno.env.toObject()) {
  const settings = parseSettings(settingsSchema, env);
  return {
    livekitSipUri: settings.LIVEKIT_SIP_URI,
    livekitSipUriFallback: settings.LIVEKIT_SIP_URI_FALLBACK,
    recording: { mode: settings.TRUNK_RECORDING_MODE, trim: settings.TRUNK_RECORDING_TRIM },
    outboundTransport: settings.LIVEKIT_OUTBOUND_TRANSPORT,
    transfer: { mode: settings.TWILIO_TRANSFER_MODE, callerId: settings.TWILIO_TRANSFER_CALLER_ID },
    secure: secureTrunking(settings),
    livekit: liveKitConfig(settings),
  } satisfies ProvisioningConfig;
}

/** All three of LIVEKIT_URL, _API_KEY, _API_SECRET (LiveKit's own names), or none: the side is not managed. */
function liveKitConfig(settings: z.infer<typeof settingsSchema>): LiveKitConfig | undefined {
  const { LIVEKIT_URL: url, LIVEKIT_API_KEY: apiKey, LIVEKIT_API_SECRET: apiSecret } = settings;
  if (!url && !apiKey && !apiSecret) return undefined;
  if (!url || !apiKey || !apiSecret) {
    throw new Error(
      "Invalid settings: LIVEKIT_URL, LIVEKIT_API_KEY and LIVEKIT_API_SECRET go together (or none)",
    );
  }
  return {
    url,
    apiKey,
    apiSecret,
    agentName: settings.LIVEKIT_AGENT_NAME,
    roomPrefix: settings.LIVEKIT_ROOM_PREFIX,
    krispEnabled: settings.LIVEKIT_KRISP_ENABLED === "true",
    allowedAddresses: settings.LIVEKIT_INBOUND_ALLOWED_ADDRESSES?.split(",") ?? [],
  };
}

/** Whether the settings ask for TLS, refusing a mix of TLS and plain transports (half a secure trunk). */
function secureTrunking(settings: z.infer<typeof settingsSchema>): boolean {
  const usesTls = (uri?: string) => uri !== undefined && /;transport=tls(;|$)/i.test(uri);
  const parts = [
    ["LIVEKIT_SIP_URI", settings.LIVEKIT_SIP_URI ? usesTls(settings.LIVEKIT_SIP_URI) : undefined],
    [
      "LIVEKIT_SIP_URI_FALLBACK",
      settings.LIVEKIT_SIP_URI_FALLBACK ? usesTls(settings.LIVEKIT_SIP_URI_FALLBACK) : undefined,
    ],
    ["LIVEKIT_OUTBOUND_TRANSPORT", settings.LIVEKIT_OUTBOUND_TRANSPORT === "tls"],
  ] as const;
  const configured = parts.filter(([, tls]) => tls !== undefined);
  const secure = configured.filter(([, tls]) => tls).map(([name]) => name);
  if (secure.length && secure.length < configured.length) {
    const plain = configured.filter(([, tls]) => !tls).map(([name]) => name);
    throw new Error(
      `Invalid settings: ${secure.join(", ")} use TLS but ${plain.join(", ")} do not. Secure trunking ` +
        "(Twilio Secure=true with SRTP) covers the whole trunk: use ;transport=tls on every LiveKit SIP URI and " +
        "LIVEKIT_OUTBOUND_TRANSPORT=tls, or none of them.",
    );
  }
  return secure.length > 0;
}

const twilioSettingsSchema = z.object({
  TWILIO_API_BASE_URL: z.url().optional(),
  TWILIO_TRUNKING_BASE_URL: z.url().optional(),
  TWILIO_TIMEOUT_MS: z.string().regex(/^[1-9]\d*$/, "must be a positive whole number of milliseconds")
    .transform(Number).optional(),
  TWILIO_MAX_ATTEMPTS: z.string().regex(/^[1-9]\d?$/, "must be a whole number from 1 to 99").transform(Number)
    .optional(),
});

/** Where Twilio is (its hosts by default; the emulator locally) and how patient the client is with it. */
export function twilioSettingsFromEnv(env: Env = Deno.env.toObject()) {
  const settings = parseSettings(twilioSettingsSchema, env);
  return {
    apiBaseUrl: settings.TWILIO_API_BASE_URL,
    trunkingBaseUrl: settings.TWILIO_TRUNKING_BASE_URL,
    timeoutMs: settings.TWILIO_TIMEOUT_MS,
    maxAttempts: settings.TWILIO_MAX_ATTEMPTS,
  };
}

const authSettingsSchema = z.object({
  SUPABASE_JWKS: z.string().optional(),
  SUPABASE_PUBLISHABLE_KEYS: z.string().optional(),
  SUPABASE_ANON_KEY: z.string().optional(),
  AUTH_JWT_ISSUER: z.url().optional(),
  ALLOW_ANONYMOUS_USERS: z.enum(["true", "false"], { error: "must be true or false" }).default("false"),
});

export interface AuthConfig {
  /** The project's Auth API, `<SUPABASE_URL>/auth/v1`; also the issuer of its tokens unless AUTH_JWT_ISSUER says. */
  authUrl: string;
  issuer: string;
  /** SUPABASE_JWKS as injected; without it the Auth API's published set is fetched. */
  jwks?: { keys: JWK[] };
  /** The key Auth API calls carry (`apikey`): the project's publishable key, or the legacy anon key. */
  apiKey: string;
  /** Whether anonymous users (`is_anonymous`) may call the user-facing functions. */
  allowAnonymous: boolean;
}

export function authConfigFromEnv(env: Env = Deno.env.toObject()): AuthConfig {
  const settings = parseSettings(authSettingsSchema, env);
  const authUrl = `${projectUrlFromEnv(env)}/auth/v1`;
  const publishable = settings.SUPABASE_PUBLISHABLE_KEYS
    ? Object.values(JSON.parse(settings.SUPABASE_PUBLISHABLE_KEYS) as Record<string, string>)[0]
    : undefined;
  const jwks = settings.SUPABASE_JWKS ? JSON.parse(settings.SUPABASE_JWKS) : undefined;
  return {
    authUrl,
    issuer: settings.AUTH_JWT_ISSUER ?? authUrl,
    jwks: Array.isArray(jwks) ? { keys: jwks } : jwks,
    apiKey: publishable ?? settings.SUPABASE_ANON_KEY ?? "",
    allowAnonymous: settings.ALLOW_ANONYMOUS_USERS === "true",
  };
}

const LOG_LEVELS = ["debug", "info", "warn", "error"] as const;
export type LogLevel = typeof LOG_LEVELS[number];

const logSettingsSchema = z.object({
  LOG_LEVEL: z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(", ")}` }).optional(),
  NODE_ENV: z.string().optional(),
});

/** LOG_LEVEL, else `debug` when NODE_ENV=development (as the original service documented), else `info`. */
export function logLevelFromEnv(env: Env = Deno.env.toObject()): LogLevel {
  const settings = parseSettings(logSettingsSchema, env);
  return settings.LOG_LEVEL ?? (settings.NODE_ENV === "development" ? "debug" : "info");
}

/** A whole number from `min` to `max`, as a setting is written (a string). */
const wholeNumber = (min: number, max: number) =>
  z.string().regex(/^\d+$/, `must be a whole number from ${min} to ${max}`).transform(Number)
    .refine((n) => n >= min && n <= max, `must be a whole number from ${min} to ${max}`);

const databaseSettingsSchema = z.object({
  DB_URL: z.url({ error: "is not a URL" }).optional(),
  SUPABASE_DB_URL: z.url({ error: "is not a URL" }).optional(),
  DB_POOL_SIZE: wholeNumber(1, 100).default(6),
}).refine((settings) => settings.DB_URL ?? settings.SUPABASE_DB_URL, {
  path: ["SUPABASE_DB_URL"],
  error: "is not set (Supabase injects it into every function)",
});

/**
 * The database and connections per function instance (DB_POOL_SIZE; one is enough). DB_URL, when set, instead of
 * the direct SUPABASE_DB_URL that Supabase injects (whose name a secret cannot take): e.g. Supavisor's transaction
 * mode, so that many function instances share the database's connections.
 */
export function databaseSettingsFromEnv(env: Env = Deno.env.toObject()) {
  const settings = parseSettings(databaseSettingsSchema, env);
  return { url: (settings.DB_URL ?? settings.SUPABASE_DB_URL)!, poolSize: settings.DB_POOL_SIZE };
}

const lockSettingsSchema = z.object({
  LOCK_LEASE_SECONDS: wholeNumber(1, 300).default(15),
  LOCK_WAIT_SECONDS: wholeNumber(1, 600).default(60),
});

/**
 * Locks are leases (db/locks.ts): LOCK_LEASE_SECONDS is how long a crashed holder keeps a key (renewed every third
 * of it while the holder lives); LOCK_WAIT_SECONDS how long a caller waits before answering "busy".
 */
export function lockSettingsFromEnv(env: Env = Deno.env.toObject()) {
  const settings = parseSettings(lockSettingsSchema, env);
  return { leaseSeconds: settings.LOCK_LEASE_SECONDS, waitSeconds: settings.LOCK_WAIT_SECONDS };
}

const projectSettingsSchema = z.object({
  SUPABASE_URL: z.url({ error: "must be the project URL, e.g. https://<ref>.supabase.co" }),
});

/** The project's public URL without a trailing slash (links to this project's functions are built on it). */
export function projectUrlFromEnv(env: Env = Deno.env.toObject()): string {
  return parseSettings(projectSettingsSchema, env).SUPABASE_URL.replace(/\/+$/, "");
}

const secretSettingsSchema = z.object({
  ENCRYPTION_KEYS: z.string({ error: "is not set" }),
  WEBHOOK_SECRET: z.string().optional(),
  SUPABASE_SECRET_KEYS: z.string().optional(),
  SUPABASE_SECRET_KEY: z.string().optional(),
});

/** ENCRYPTION_KEYS, `id:base64key` entries newest first; crypto/secrets.ts checks each key's id and length. */
export function encryptionKeysFromEnv(env: Env = Deno.env.toObject()): string {
  return parseSettings(secretSettingsSchema.pick({ ENCRYPTION_KEYS: true }), env).ENCRYPTION_KEYS;
}

/** The shared secret the database webhook sends in `x-webhook-secret`; unset: the webhook answers 503. */
export function webhookSecretFromEnv(env: Env = Deno.env.toObject()): string | undefined {
  return parseSettings(secretSettingsSchema.pick({ WEBHOOK_SECRET: true }), env).WEBHOOK_SECRET;
}

/** The project's secret API keys (SUPABASE_SECRET_KEYS, a JSON map, as hosted projects inject; or one key). */
export function projectSecretKeysFromEnv(env: Env = Deno.env.toObject()): string[] {
  const settings = parseSettings(
    secretSettingsSchema.pick({ SUPABASE_SECRET_KEYS: true, SUPABASE_SECRET_KEY: true }),
    env,
  );
  if (settings.SUPABASE_SECRET_KEYS) {
    return Object.values(JSON.parse(settings.SUPABASE_SECRET_KEYS) as Record<string, string>);
  }
  return settings.SUPABASE_SECRET_KEY ? [settings.SUPABASE_SECRET_KEY] : [];
}

type Env = Record<string, string | undefined>;

/** Validates settings; empty values count as unset, and the first problem names its variable. */
function parseSettings<T extends z.ZodType>(schema: T, env: Env): z.infer<T> {
  const present = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value !== ""),
  );
  const result = schema.safeParse(present);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new Error(`Invalid setting ${issue.path.join(".")}: ${issue.message}`);
  }
  return result.data;
}
