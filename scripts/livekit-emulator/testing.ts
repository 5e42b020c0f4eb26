// Helpers for tests against the LiveKit emulator: admin client functions (also for product tests) and, for the
// emulator's own tests, a fresh emulator with an SDK client, raw Twirp calls and token minting.
import assert from "node:assert/strict";
import { AccessToken, SipClient, type SIPGrant } from "livekit-server-sdk";
import type { EmulatorConfig } from "./behaviour.ts";
import type { Fault, FaultSpec } from "./faults.ts";
import type { LoggedRequest } from "./request-log.ts";
import { type LiveKitEmulatorOptions, type RunningLiveKitEmulator, startLiveKitEmulator } from "./server.ts";

// deno-lint-ignore no-explicit-any
export type Json = any;

/** Every stored object as protobuf JSON (camelCase), in creation order. */
export interface EmulatorSnapshot {
  inboundTrunks: Json[];
  outboundTrunks: Json[];
  dispatchRules: Json[];
}

/** `POST /_emulator/faults` body: every field optional (mode defaults to "fail", times to 1). */
export type FaultRequest = Partial<FaultSpec>;

async function admin(url: string, method: string, path: string, body?: unknown): Promise<Json> {
  const response = await fetch(url + path, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return text === "" ? null : JSON.parse(text);
}

export function state(url: string): Promise<EmulatorSnapshot> {
  return admin(url, "GET", "/_emulator/state");
}

/** Forgets every object, fault and logged request, and restores the start-up settings. */
export async function reset(url: string): Promise<void> {
  await admin(url, "POST", "/_emulator/reset");
}

export function configure(url: string, patch: Partial<EmulatorConfig>): Promise<EmulatorConfig> {
  return admin(url, "POST", "/_emulator/config", patch);
}

export function fault(url: string, spec: FaultRequest): Promise<Fault> {
  return admin(url, "POST", "/_emulator/faults", spec);
}

/** Clears every fault, or only those created with this `match`. */
export async function clearFaults(url: string, match?: string): Promise<void> {
  await admin(
    url,
    "DELETE",
    `/_emulator/faults${match === undefined ? "" : `?match=${encodeURIComponent(match)}`}`,
  );
}

/** Twirp request bodies received (raw text), oldest first, optionally for one method or containing `match`. */
export async function requests(
  url: string,
  filter: { method?: string; match?: string } = {},
): Promise<LoggedRequest[]> {
  const query = new URLSearchParams(Object.entries(filter).filter(([, v]) => v !== undefined)).toString();
  return (await admin(url, "GET", `/_emulator/requests${query ? `?${query}` : ""}`)).requests;
}

export async function clearRequests(url: string): Promise<void> {
  await admin(url, "DELETE", "/_emulator/requests");
}

export interface TestEmulator extends RunningLiveKitEmulator {
  /** The official SDK client, authenticated as the SDK does it (sip.admin token per call). */
  sip: SipClient;
}

/** Runs `fn` against a fresh emulator on a free port and always closes it. */
export async function withLiveKitEmulator(
  fn: (emulator: TestEmulator) => Promise<void>,
  options: LiveKitEmulatorOptions = {},
): Promise<void> {
  const running = await startLiveKitEmulator({ port: 0, ...options });
  try {
    await fn({ ...running, sip: new SipClient(running.url, running.apiKey, running.apiSecret) });
  } finally {
    await running.close();
  }
}

/** A token minted by the SDK's AccessToken with the given SIP grant (none when omitted). */
export function sdkToken(emulator: RunningLiveKitEmulator, grant?: SIPGrant): Promise<string> {
  const token = new AccessToken(emulator.apiKey, emulator.apiSecret);
  if (grant) token.addSIPGrant(grant);
  return token.toJwt();
}

export interface TwirpReply {
  status: number;
  contentType: string | null;
  text: string;
  body: Json;
}

/** POSTs a raw body to `/twirp/livekit.SIP/<method>` with a sip.admin token unless headers say otherwise. */
export async function twirp(
  emulator: RunningLiveKitEmulator,
  method: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<TwirpReply> {
  const response = await fetch(`${emulator.url}/twirp/livekit.SIP/${method}`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      authorization: `Bearer ${await sdkToken(emulator, { admin: true })}`,
      ...headers,
    },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: Json = null;
  try {
    parsed = JSON.parse(text);
  } catch {
    // plain-text answers stay in `text`
  }
  return { status: response.status, contentType: response.headers.get("content-type"), text, body: parsed };
}

/** Asserts a Twirp error reply: status, exact content type, `{code, msg}` and optionally part of the message. */
export function assertTwirpError(reply: TwirpReply, status: number, code: string, msgPart?: string): void {
  assert.equal(reply.status, status, reply.text);
  assert.equal(reply.contentType, "application/json");
  assert.equal(reply.body?.code, code, reply.text);
  assert.equal(typeof reply.body.msg, "string");
  if (msgPart) assert.ok(reply.body.msg.includes(msgPart), reply.body.msg);
}

/** What the SDK throws for a non-2xx answer (its ServerError): HTTP status, Twirp code and message. */
export interface SdkError {
  status: number;
  code?: string;
  message: string;
}

/** Awaits an SDK call that must fail and returns its error. */
export async function sdkError(call: Promise<unknown>): Promise<SdkError> {
  try {
    await call;
  } catch (error) {
    return error as SdkError;
  }
  throw new assert.AssertionError({ message: "expected the SDK call to fail" });
}

/** Asserts the SDK saw a Twirp error with this status and code (message checked when given). */
export async function assertSdkError(
  call: Promise<unknown>,
  status: number,
  code: string | undefined,
  msgPart?: string,
): Promise<SdkError> {
  const error = await sdkError(call);
  assert.equal(error.status, status, error.message);
  assert.equal(error.code, code, error.message);
  if (msgPart) assert.ok(error.message.includes(msgPart), error.message);
  return error;
}
