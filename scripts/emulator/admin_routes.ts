// Test-control API under /_emulator/ (JSON bodies, no auth): seed accounts, numbers and calls, inspect
// state, shape traffic and inject faults.
import type { EmulatorState } from "./emulator_state.ts";
import { invalidParameter, jsonResponse, notFound, TwilioError } from "./errors.ts";
import { isSid, newSid } from "./ids.ts";
import { JsonFields } from "./json_body.ts";
import {
  renderAccount,
  renderCall,
  renderCredentialList,
  renderIncomingPhoneNumber,
  renderOriginationUrl,
  renderRecording,
  renderTrunk,
} from "./render.ts";
import { type Params, Router } from "./router.ts";
import { type Account, type Call, HTTP_METHODS, type PhoneNumber, type Recording } from "./store.ts";

interface AdminContext {
  req: Request;
  state: EmulatorState;
}

const ACCOUNT_STATUSES = ["active", "suspended"] as const;
const CALL_STATUSES = [
  "queued",
  "ringing",
  "in-progress",
  "canceled",
  "completed",
  "failed",
  "busy",
  "no-answer",
] as const;
const CALL_DIRECTIONS = [
  "inbound",
  "outbound-api",
  "outbound-dial",
  "trunking-originating",
  "trunking-terminating",
] as const;
const MAX_DELAY_MS = 600_000;
const TRAFFIC_LIMITS = [
  ["latencyMs", MAX_DELAY_MS],
  ["maxConcurrentPerAccount", 100_000],
  ["retryAfterSeconds", 86_400],
] as const;

function accountOr404(ctx: AdminContext, accountSid: string): Account {
  const account = ctx.state.store.accounts.get(accountSid);
  if (!account) throw notFound(`/_emulator/accounts/${accountSid}`);
  return account;
}

function accountCredentials(account: Account) {
  return { sid: account.sid, authToken: account.authToken, status: account.status };
}

async function createAccount(ctx: AdminContext): Promise<Response> {
  const fields = await JsonFields.read(ctx.req);
  const sid = fields.string("sid");
  if (sid !== undefined && !isSid("AC", sid)) {
    throw invalidParameter("sid must be AC followed by 32 hex characters");
  }
  if (sid !== undefined && ctx.state.store.accounts.has(sid)) {
    throw new TwilioError(409, 20409, `Account ${sid} already exists`);
  }
  const account = ctx.state.store.createAccount({
    sid,
    authToken: fields.string("authToken") || undefined,
    status: fields.oneOf("status", ACCOUNT_STATUSES),
    friendlyName: fields.string("friendlyName"),
  });
  return jsonResponse(201, accountCredentials(account));
}

/** Suspends/reactivates an account or rotates its token, so clients can meet 20005 and 20003 mid-run. */
async function updateAccount(ctx: AdminContext, { accountSid }: Params): Promise<Response> {
  const account = accountOr404(ctx, accountSid);
  const fields = await JsonFields.read(ctx.req);
  account.status = fields.oneOf("status", ACCOUNT_STATUSES) ?? account.status;
  account.authToken = fields.string("authToken") || account.authToken;
  account.friendlyName = fields.string("friendlyName") ?? account.friendlyName;
  account.updated = ctx.state.store.clock.now();
  return jsonResponse(200, accountCredentials(account));
}

async function createNumber(ctx: AdminContext, { accountSid }: Params): Promise<Response> {
  const { store } = ctx.state;
  const account = accountOr404(ctx, accountSid);
  const fields = await JsonFields.read(ctx.req);
  const phoneNumber = fields.requiredString("phoneNumber");
  if (!/^\+[1-9]\d{1,14}$/.test(phoneNumber)) {
    throw invalidParameter(`phoneNumber ${phoneNumber} is not E.164`);
  }
  if (store.ofAccount(store.numbers, account.sid).some((n) => n.phoneNumber === phoneNumber)) {
    throw new TwilioError(409, 20409, `Phone number ${phoneNumber} already exists in account ${account.sid}`);
  }
  const now = store.clock.now();
  const number: PhoneNumber = {
    sid: newSid("PN"),
    accountSid: account.sid,
    phoneNumber,
    friendlyName: fields.string("friendlyName") ?? phoneNumber,
    voiceUrl: fields.string("voiceUrl") ?? null,
    voiceMethod: fields.oneOf("voiceMethod", HTTP_METHODS) ?? "POST",
    voiceFallbackUrl: null,
    voiceApplicationSid: fields.string("voiceApplicationSid") ?? null,
    trunkSid: null,
    smsUrl: null,
    statusCallback: null,
    seq: store.nextSeq(),
    created: now,
    updated: now,
  };
  store.numbers.set(number.sid, number);
  return jsonResponse(201, renderIncomingPhoneNumber(number));
}

/**
 * Seeds a call and its recordings. Each gets a date_created at least one second after the previous one
 * (wire dates have one-second resolution), so ordering and date filters are deterministic.
 */
async function createCall(ctx: AdminContext, { accountSid }: Params): Promise<Response> {
  const { store } = ctx.state;
  const account = accountOr404(ctx, accountSid);
  const fields = await JsonFields.read(ctx.req);
  const trunkSid = fields.string("trunkSid");
  const trunk = trunkSid === undefined ? undefined : store.trunks.get(trunkSid);
  if (trunkSid !== undefined && trunk?.accountSid !== account.sid) throw notFound(`/v1/Trunks/${trunkSid}`);
  const to = fields.requiredString("to");
  const from = fields.requiredString("from");
  const status = fields.oneOf("status", CALL_STATUSES) ?? "completed";
  const direction = fields.oneOf("direction", CALL_DIRECTIONS) ??
    (trunk ? "trunking-originating" : "inbound");
  const recordingCount = fields.integer("recordings", 0, 100) ?? 0;
  const dual = trunk?.recording.mode.endsWith("-dual") ?? false;
  const channels = (fields.integer("channels", 1, 2) ?? (dual ? 2 : 1)) as 1 | 2;
  const durationSeconds = fields.integer("durationSeconds", 0, 86_400) ?? 30;

  const start = store.clock.strictlyLater();
  const call: Call = {
    sid: newSid("CA"),
    accountSid: account.sid,
    trunkSid: trunk?.sid ?? null,
    to,
    from,
    status,
    direction,
    start,
    durationSeconds,
    seq: store.nextSeq(),
    created: start,
    updated: start,
  };
  store.calls.set(call.sid, call);
  const recordings = Array.from({ length: recordingCount }, (): Recording => {
    const created = store.clock.strictlyLater();
    return {
      sid: newSid("RE"),
      accountSid: account.sid,
      callSid: call.sid,
      channels,
      durationSeconds,
      source: trunk ? "Trunking" : "OutboundAPI",
      start,
      seq: store.nextSeq(),
      created,
      updated: created,
    };
  });
  for (const recording of recordings) store.recordings.set(recording.sid, recording);
  return jsonResponse(201, { call: renderCall(call), recordings: recordings.map(renderRecording) });
}

/** Everything an account owns, with associations inlined, so tests can count what exists. */
function accountState(ctx: AdminContext, { accountSid }: Params): Response {
  const { store } = ctx.state;
  const account = accountOr404(ctx, accountSid);
  const mine = <T extends { accountSid: string }>(map: Map<string, T>) => store.ofAccount(map, account.sid);
  return jsonResponse(200, {
    account: renderAccount(account),
    trunks: mine(store.trunks).map((trunk) => ({
      ...renderTrunk(store, trunk),
      credential_lists: store.associationsOfTrunk(trunk.sid).map((a) => a.credentialListSid),
      origination_urls: store.trunkOf(store.originationUrls, trunk.sid).map(renderOriginationUrl),
      phone_numbers: store.trunkOf(store.numbers, trunk.sid).map((n) => n.sid),
      recording: { ...trunk.recording },
    })),
    credential_lists: mine(store.credentialLists).map((list) => ({
      ...renderCredentialList(list),
      credentials: mine(store.credentials)
        .filter((c) => c.credentialListSid === list.sid)
        .map((c) => ({ sid: c.sid, username: c.username })),
    })),
    incoming_phone_numbers: mine(store.numbers).map(renderIncomingPhoneNumber),
    calls: mine(store.calls).map(renderCall),
    recordings: mine(store.recordings).map(renderRecording),
  });
}

/** Only the keys present change; null or 0 switches a setting off. */
async function updateTraffic(ctx: AdminContext): Promise<Response> {
  const fields = await JsonFields.read(ctx.req);
  const traffic = ctx.state.traffic;
  for (const [key, max] of TRAFFIC_LIMITS) {
    if (fields.has(key)) traffic[key] = fields.integer(key, 0, max) || null;
  }
  return jsonResponse(200, traffic);
}

async function addFault(ctx: AdminContext): Promise<Response> {
  const fields = await JsonFields.read(ctx.req);
  const fault = ctx.state.faults.add({
    accountSid: fields.string("accountSid") ?? null,
    method: fields.string("method") ?? null,
    path: fields.requiredString("path"),
    status: fields.integer("status", 400, 599) ?? null,
    code: fields.integer("code", 1, 99_999) ?? null,
    message: fields.string("message") ?? null,
    times: fields.integer("times", 1, 1_000_000) ?? 1,
    reset: fields.boolean("reset") ?? false,
    delayMs: fields.integer("delayMs", 0, MAX_DELAY_MS) ?? 0,
  });
  return jsonResponse(201, { id: fault.id });
}

export function createAdminHandler(state: EmulatorState): (req: Request, url: URL) => Promise<Response> {
  const account = "/_emulator/accounts/:accountSid";
  const router = new Router<AdminContext>()
    .on("GET", "/_emulator/health", () => jsonResponse(200, { ok: true }))
    .on("POST", "/_emulator/accounts", createAccount)
    .on(
      "GET",
      "/_emulator/accounts",
      (ctx) =>
        jsonResponse(200, { accounts: [...ctx.state.store.accounts.values()].map(accountCredentials) }),
    )
    .on("POST", account, updateAccount)
    .on("POST", `${account}/numbers`, createNumber)
    .on("POST", `${account}/calls`, createCall)
    .on("GET", `${account}/state`, accountState)
    .on("GET", "/_emulator/config", (ctx) => jsonResponse(200, ctx.state.traffic))
    .on("POST", "/_emulator/config", updateTraffic)
    .on("POST", "/_emulator/faults", addFault)
    .on("GET", "/_emulator/faults", (ctx) => jsonResponse(200, { faults: ctx.state.faults.list() }))
    .on("DELETE", "/_emulator/faults", (ctx) => {
      ctx.state.faults.clear(new URL(ctx.req.url).searchParams.get("accountSid") ?? undefined);
      return new Response(null, { status: 204 });
    })
    .on("POST", "/_emulator/reset", (ctx) => {
      ctx.state.reset();
      return jsonResponse(200, { ok: true });
    });

  return async (req, url) => {
    const { handler, params } = router.resolve(req.method, url.pathname);
    return await handler({ req, state }, params);
  };
}
