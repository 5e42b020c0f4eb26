// Helpers for the emulator's own tests: a fresh emulator per test and a plain-fetch Twilio client.
import assert from "node:assert/strict";
import { type RunningEmulator, startEmulator } from "./server.ts";

// deno-lint-ignore no-explicit-any
export type Json = any;

export interface Reply {
  status: number;
  body: Json;
  headers: Headers;
}

async function toReply(response: Response): Promise<Reply> {
  const text = await response.text();
  return { status: response.status, body: text === "" ? null : JSON.parse(text), headers: response.headers };
}

/** A Twilio client for one account, speaking form bodies and Basic auth like the real SDK. */
export class Api {
  constructor(readonly baseUrl: string, readonly sid: string, readonly token: string) {}

  /** `/2010-04-01/Accounts/{this account}` + path. */
  account(path = ""): string {
    return `/2010-04-01/Accounts/${this.sid}${path}`;
  }

  raw(
    method: string,
    path: string,
    form?: Record<string, string>,
    init: RequestInit = {},
  ): Promise<Response> {
    const headers = new Headers(init.headers);
    if (!headers.has("authorization")) {
      headers.set("authorization", `Basic ${btoa(`${this.sid}:${this.token}`)}`);
    }
    if (form) headers.set("content-type", "application/x-www-form-urlencoded");
    return fetch(this.baseUrl + path, {
      ...init,
      method,
      headers,
      body: form ? new URLSearchParams(form).toString() : init.body,
    });
  }

  /**
   * `raw` on a connection of its own, as the product sends its creates: the emulator keeps connections alive, and
   * Deno's fetch silently sends a request again when a reused connection drops, so only this way a drop is seen.
   */
  async rawOnOwnConnection(method: string, path: string, form?: Record<string, string>): Promise<Reply> {
    const client = Deno.createHttpClient({ poolMaxIdlePerHost: 0 });
    try {
      return await toReply(await this.raw(method, path, form, { client } as RequestInit));
    } finally {
      client.close();
    }
  }

  async request(method: string, path: string, init: RequestInit = {}): Promise<Reply> {
    return toReply(await this.raw(method, path, undefined, init));
  }

  async get(path: string, query: Record<string, string> = {}): Promise<Reply> {
    const search = new URLSearchParams(query).toString();
    return toReply(await this.raw("GET", search ? `${path}?${search}` : path));
  }

  async post(path: string, form: Record<string, string> = {}): Promise<Reply> {
    return toReply(await this.raw("POST", path, form));
  }

  async delete(path: string): Promise<Reply> {
    return toReply(await this.raw("DELETE", path));
  }

  /** Follows a twilio.com URL or uri from a response body on the emulator. */
  follow(link: string): Promise<Reply> {
    return this.get(link.replace(/^https:\/\/(api|trunking)\.twilio\.com/, ""));
  }
}

export class TestEmulator {
  constructor(private readonly running: RunningEmulator) {}

  get url(): string {
    return this.running.url;
  }

  async admin(method: string, path: string, body?: unknown): Promise<Reply> {
    const response = await fetch(this.url + path, {
      method,
      headers: body === undefined ? {} : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return toReply(response);
  }

  async newAccount(init: Record<string, unknown> = {}): Promise<Api> {
    const reply = await this.admin("POST", "/_emulator/accounts", init);
    assert.equal(reply.status, 201);
    return new Api(this.url, reply.body.sid, reply.body.authToken);
  }

  async addNumber(api: Api, phoneNumber: string, extra: Record<string, unknown> = {}): Promise<Json> {
    const reply = await this.admin("POST", `/_emulator/accounts/${api.sid}/numbers`, {
      phoneNumber,
      ...extra,
    });
    assert.equal(reply.status, 201, JSON.stringify(reply.body));
    return reply.body;
  }

  async addCall(api: Api, call: Record<string, unknown>): Promise<Json> {
    const reply = await this.admin("POST", `/_emulator/accounts/${api.sid}/calls`, call);
    assert.equal(reply.status, 201, JSON.stringify(reply.body));
    return reply.body;
  }

  async state(api: Api): Promise<Json> {
    const reply = await this.admin("GET", `/_emulator/accounts/${api.sid}/state`);
    assert.equal(reply.status, 200);
    return reply.body;
  }
}

/** Runs `fn` against a fresh emulator on a free port and always closes it. */
export async function withEmulator(fn: (emulator: TestEmulator) => Promise<void>): Promise<void> {
  const running = await startEmulator({ port: 0 });
  try {
    await fn(new TestEmulator(running));
  } finally {
    await running.close();
  }
}

/** Asserts a Twilio error reply: HTTP status, code, and the full `{code, message, more_info, status}` body. */
export function assertTwilioError(reply: Reply, status: number, code: number, messagePart?: string): void {
  assert.equal(reply.status, status, JSON.stringify(reply.body));
  assert.equal(reply.body.code, code, JSON.stringify(reply.body));
  assert.equal(reply.body.status, status);
  assert.equal(reply.body.more_info, `https://www.twilio.com/docs/errors/${code}`);
  assert.equal(typeof reply.body.message, "string");
  if (messagePart) assert.ok(reply.body.message.includes(messagePart), reply.body.message);
}

export async function createTrunk(api: Api, form: Record<string, string> = {}): Promise<Json> {
  const reply = await api.post("/v1/Trunks", form);
  assert.equal(reply.status, 201, JSON.stringify(reply.body));
  return reply.body;
}

export async function createCredentialList(api: Api, friendlyName: string): Promise<Json> {
  const reply = await api.post(api.account("/SIP/CredentialLists.json"), { FriendlyName: friendlyName });
  assert.equal(reply.status, 201, JSON.stringify(reply.body));
  return reply.body;
}

export const STRONG_PASSWORD = "Str0ngPassword1";

export const ORIGINATION_URL = {
  Weight: "10",
  Priority: "1",
  Enabled: "true",
  FriendlyName: "livekit",
  SipUrl: "sip:project.sip.livekit.cloud;transport=tcp",
};
