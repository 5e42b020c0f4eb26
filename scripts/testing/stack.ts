/**
 * What tests use to reach the stack `deno task test` started (its description is in LOCAL_STACK_FILE): users
 * with real access tokens, supabase-js clients, a database connection, and the Twilio emulator's admin API.
 *
 * ```ts
 * const user = await newUser();
 * const config = await invoke(user.supabase, "get-sip-config", { answer: SipConfig }); // ./functions.ts
 * ```
 */
import { createClient, type SupabaseClient } from "@supabase/supabase-js";
import postgres from "postgres";
import type { FunctionName } from "../../supabase/functions/_shared/contract/index.ts";
import type { RecordingMode } from "../../supabase/functions/_shared/contract/fields.ts";
import type { ProjectInfo, StackInfo } from "../local/stack.ts";
import { checkingAnswers } from "./contract-check.ts";
import { invoke } from "./functions.ts";
import { ensureUser, mintAccessToken } from "../local/users.ts";

let cached: StackInfo | undefined;

export function stackInfo(): StackInfo {
  if (cached) return cached;
  const file = Deno.env.get("LOCAL_STACK_FILE");
  if (!file) throw new Error("These tests need the local stack: run them with `deno task test`.");
  return (cached = JSON.parse(Deno.readTextFileSync(file)) as StackInfo);
}

/** A function's URL, for requests supabase-js would not make (no key, a raw body, CORS, another method). */
export const functionUrl = (fn: FunctionName) => `${stackInfo().api_url}/functions/v1/${fn}`;

/**
 * A Deno.test whose pools and servers may outlive a single test (they are closed by the runner), and whose every
 * function answer must keep the contract (contract-check.ts).
 */
export function stackTest(name: string, fn: () => Promise<void>) {
  Deno.test({ name, fn: () => checkingAnswers(fn), sanitizeOps: false, sanitizeResources: false });
}

/** Polls `condition` every 50 ms until it holds; past the timeout, fails naming `what` it waited for. */
export async function waitFor(condition: () => Promise<boolean>, what: string, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export interface TestUser {
  userId: string;
  token: string;
  supabase: SupabaseClient;
}

/** Which of the test stack's projects: the main one (new JWT signing keys) or the one on the legacy secret. */
export type ProjectKind = "signing-keys" | "legacy";

export function project(kind: ProjectKind = "signing-keys"): ProjectInfo {
  const stack = stackInfo();
  if (kind === "signing-keys") return stack;
  if (!stack.legacy_project) throw new Error("The test stack was started without its legacy project");
  return stack.legacy_project;
}

/** A user in auth.users with a live session and an access token signed as their project signs them. */
export async function newUser(
  kind: ProjectKind = "signing-keys",
  options: { isAnonymous?: boolean } = {},
): Promise<TestUser> {
  const userId = crypto.randomUUID();
  await ensureUser(db(), userId, options);
  const token = await mintAccessToken(db(), project(kind), userId, options);
  return { userId, token, supabase: clientWithToken(token, kind) };
}

export function clientWithToken(token: string, kind: ProjectKind = "signing-keys"): SupabaseClient {
  const target = project(kind);
  return createClient(target.api_url, target.publishable_key, {
    auth: { persistSession: false, autoRefreshToken: false },
    global: { headers: { Authorization: `Bearer ${token}` } },
  });
}

/** The caller the database's webhook is: the shared secret in X-Webhook-Secret (the right one unless given). */
export function webhookClient(secret = stackInfo().function_secrets.WEBHOOK_SECRET): SupabaseClient {
  const stack = stackInfo();
  return createClient(stack.api_url, stack.publishable_key, {
    auth: { persistSession: false, autoRefreshToken: false },
    global: { headers: { "X-Webhook-Secret": secret } },
  });
}

/** A server-side client holding the project's secret key, as the voice backend would. */
export function serviceClient(): SupabaseClient {
  const stack = stackInfo();
  return createClient(stack.api_url, stack.secret_key, {
    auth: { persistSession: false, autoRefreshToken: false },
  });
}

let pool: postgres.Sql | undefined;

/** A connection pool to the stack's database as the `postgres` superuser (the role functions use). */
export function db(): postgres.Sql {
  return pool ??= postgres(stackInfo().db_url, { max: 4, onnotice: () => {} });
}

export interface Customer {
  user: TestUser;
  account: { sid: string; authToken: string };
  trunkSid: string;
}

/** A user with a Twilio account in the emulator and an active main trunk, made through create-main-trunk. */
export async function customerWithTrunk(body: Record<string, unknown> = {}): Promise<Customer> {
  const user = await newUser();
  const account = await emulator.createAccount();
  const { trunkSid } = await invoke(user.supabase, "create-main-trunk", {
    method: "POST",
    body: { accountSid: account.sid, authToken: account.authToken, ...body },
  });
  return { user, account, trunkSid };
}

/**
 * A not yet provisioned credential row written without the database's webhook, as create-main-trunk would start
 * one: then only the runs a test starts (with their own settings) touch it, never the webhook's.
 */
export async function quietCredentialRow(
  userId: string,
  account: { sid: string; authToken: string },
  recordingMode: RecordingMode = "do-not-record",
) {
  const [row] = await withoutWebhook((tx) =>
    tx`insert into public.user_twilio_credentials (user_id, account_sid, auth_token, is_active, recording_mode)
      values (${userId}, ${account.sid}, ${account.authToken}, false, ${recordingMode}) returning id`
  );
  return row.id as string;
}

/** A credential row as stored, with its secrets (which live in twilio_credential_secrets). */
export async function storedCredential(where: { id: string } | { userId: string }) {
  const [row] = "id" in where
    ? await db()`select c.*, s.auth_token, s.sip_password from public.user_twilio_credentials c
        left join public.twilio_credential_secrets s on s.credential_id = c.id where c.id = ${where.id}`
    : await db()`select c.*, s.auth_token, s.sip_password from public.user_twilio_credentials c
        left join public.twilio_credential_secrets s on s.credential_id = c.id where c.user_id = ${where.userId}`;
  return row;
}

/** Runs statements with the database's own webhook switched off, so a test decides who provisions. */
export async function withoutWebhook<T>(work: (tx: postgres.TransactionSql) => Promise<T>): Promise<T> {
  return await db().begin(async (tx) => {
    await tx`alter table public.user_twilio_credentials disable trigger twilio_credentials_webhook`;
    const result = await work(tx);
    await tx`alter table public.user_twilio_credentials enable trigger twilio_credentials_webhook`;
    return result;
  }) as T;
}

/** Recording state the emulator can give seeded recordings (see scripts/emulator/recording-options.ts). */
export interface EmulatorRecordingOptions {
  status?: "in-progress" | "paused" | "stopped" | "processing" | "completed" | "absent" | "deleted";
  /** encryption_details set and the media served as ciphertext. */
  encrypted?: boolean;
  /** External storage: media_url points here and Twilio serves no media. */
  externalMediaUrl?: string;
}

/**
 * A call to seed. `inbound` reached a number (phoneNumberSid or phoneNumber): through its trunk it has no
 * trunk_sid and a SIP URI `to`. `outbound` was terminated through trunkSid. Without direction, trunkSid means
 * outbound, a number inbound, neither a REST API call.
 */
export interface EmulatorCallSeed {
  direction?: "inbound" | "outbound";
  trunkSid?: string;
  phoneNumberSid?: string;
  phoneNumber?: string;
  /** Required unless inbound (derived there). */
  to?: string;
  from: string;
  status?: string;
  durationSeconds?: number;
  recordings?: number;
  channels?: 1 | 2;
  recording?: EmulatorRecordingOptions;
}

/** Behaviour switches and traffic settings of POST /_emulator/config; only the keys given change. */
export interface EmulatorConfig {
  latencyMs?: number | null;
  maxConcurrentPerAccount?: number | null;
  retryAfterSeconds?: number | null;
  numberOnOtherTrunk?: "reject" | "move";
  sameAccountDuplicateDomain?: "21245" | "21248";
  inactiveAccountAnswer?: { status: 401 | 403; code: 20003 | 20005 | 10001 | 70051 };
}

export interface EmulatorAccount {
  sid: string;
  authToken: string;
  status: "active" | "suspended" | "closed";
  region: "us1" | "ie1" | "au1";
}

let phoneSerial = 0;

/**
 * A phone number no other test uses: as on Twilio, a number belongs to one account, and LiveKit refuses two
 * inbound trunks with the same number (tests share one LiveKit project).
 */
export function uniquePhoneNumber(): string {
  const random = crypto.getRandomValues(new Uint32Array(1))[0] % 9_000_000;
  return `+1${200 + (phoneSerial++ % 800)}${String(1_000_000 + random).slice(-7)}`;
}

/** The Twilio emulator's admin API (see README, "Twilio emulator"). */
export const emulator = {
  url(): string {
    const url = stackInfo().emulator_url;
    if (!url) throw new Error("This test needs the Twilio emulator, but the stack uses real Twilio URLs");
    return url;
  },
  async admin<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.url()}/_emulator${path}`, {
      method,
      headers: body === undefined ? {} : { "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`emulator ${method} ${path} -> ${res.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  },
  /** A Twilio API call as the account itself would make it (what someone does in the console, say). */
  async twilio(
    account: { sid: string; authToken: string },
    method: string,
    path: string,
    form?: Record<string, string>,
  ) {
    const res = await fetch(`${this.url()}${path}`, {
      method,
      headers: {
        Authorization: `Basic ${btoa(`${account.sid}:${account.authToken}`)}`,
        "Content-Type": "application/x-www-form-urlencoded",
      },
      body: form ? new URLSearchParams(form) : undefined,
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`Twilio ${method} ${path} -> ${res.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  },
  /** An account of `region` (us1 by default), whose credentials work only under `${url()}/<region>`. */
  createAccount(init: Partial<Pick<EmulatorAccount, "status" | "region">> = {}): Promise<EmulatorAccount> {
    return this.admin("POST", "/accounts", init);
  },
  /** Suspends, closes or reactivates an account, or rotates its token. */
  updateAccount(accountSid: string, changes: Partial<Pick<EmulatorAccount, "status" | "authToken">>) {
    return this.admin<EmulatorAccount>("POST", `/accounts/${accountSid}`, changes);
  },
  addNumber(accountSid: string, phoneNumber: string, extra: Record<string, unknown> = {}) {
    return this.admin<{ sid: string; phone_number: string }>("POST", `/accounts/${accountSid}/numbers`, {
      phoneNumber,
      ...extra,
    });
  },
  addCall(accountSid: string, call: EmulatorCallSeed) {
    return this.admin<{ call: EmulatorCall; recordings: EmulatorRecording[] }>(
      "POST",
      `/accounts/${accountSid}/calls`,
      call,
    );
  },
  updateRecording(accountSid: string, recordingSid: string, options: EmulatorRecordingOptions) {
    return this.admin<EmulatorRecording>(
      "POST",
      `/accounts/${accountSid}/recordings/${recordingSid}`,
      options,
    );
  },
  state(accountSid: string): Promise<EmulatorState> {
    return this.admin("GET", `/accounts/${accountSid}/state`);
  },
  fault(fault: Record<string, unknown>) {
    return this.admin<{ id: string }>("POST", "/faults", fault);
  },
  clearFaults() {
    return this.admin("DELETE", "/faults");
  },
  config(config: EmulatorConfig) {
    return this.admin("POST", "/config", config);
  },
  /** Ends the reservation of deleted trunks' domains (all, or the one given), which Twilio keeps ~30 days. */
  releaseDomains(domainName?: string) {
    return this.admin<{ released: string[] }>("POST", "/domains/release", { domainName });
  },
};

export interface EmulatorCall {
  sid: string;
  direction: string;
  trunk_sid: string | null;
  /** The receiving IncomingPhoneNumber of an inbound call; "" otherwise. */
  phone_number_sid: string;
  to: string;
  from: string;
  status: string;
}

export interface EmulatorRecording {
  sid: string;
  call_sid: string;
  status: string;
  channels: number;
  media_url: string;
  encryption_details: Record<string, string> | null;
}

export interface EmulatorState {
  trunks: {
    sid: string;
    domain_name: string;
    friendly_name: string;
    credential_lists: string[];
    origination_urls: { sid: string; sip_url: string; priority: number; weight: number; enabled: boolean }[];
    phone_numbers: string[];
    recording: { mode: string; trim: string };
  }[];
  credential_lists: {
    sid: string;
    friendly_name: string;
    credentials: { sid: string; username: string }[];
  }[];
  incoming_phone_numbers: {
    sid: string;
    phone_number: string;
    trunk_sid: string | null;
    voice_url: string | null;
    voice_method: string;
    /** "" when unset, as Twilio renders it. */
    voice_application_sid: string;
  }[];
  calls: EmulatorCall[];
  recordings: EmulatorRecording[];
}
