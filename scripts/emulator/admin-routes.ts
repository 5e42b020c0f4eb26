// Test-control API under /_emulator/ (JSON bodies, no auth): seed accounts, numbers, calls and recordings,
// inspect state, shape traffic, set behaviour switches, release reserved domains and inject faults.
import type { EmulatorState } from "./emulator-state.ts";
import { invalidParameter, jsonResponse, notFound, TwilioError } from "./errors.ts";
import { isSid, newSid } from "./ids.ts";
import { JsonFields } from "../local/emulators.ts";
import { seedCall } from "./call-seeding.ts";
import { readRecordingOptions } from "./recording-options.ts";
import { REGIONS } from "./regions.ts";
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
import { type Account, ACCOUNT_STATUSES, HTTP_METHODS, type PhoneNumber } from "./store.ts";
import { updatedSwitches } from "./switches.ts";

interface AdminContext {
  req: Request;
  state: EmulatorState;
}

/** A JSON body; bad input is a 400 with Twilio's error shape. */
const readFields = (req: Request) => JsonFields.read(req, invalidParameter);

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
  return { sid: account.sid, authToken: account.authToken, status: account.status, region: account.region };
}

async function createAccount(ctx: AdminContext): Promise<Response> {
  const fields = await readFields(ctx.req);
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
    region: fields.oneOf("region", REGIONS),
  });
  return jsonResponse(201, accountCredentials(account));
}

/** Suspends, closes or reactivates an account or rotates its token, so clients meet rejected credentials mid-run. */
async function updateAccount(ctx: AdminContext, { accountSid }: Params): Promise<Response> {
  const account = accountOr404(ctx, accountSid);
  const fields = await readFields(ctx.req);
  account.status = fields.oneOf("status", ACCOUNT_STATUSES) ?? account.status;
  account.authToken = fields.string("authToken") || account.authToken;
  account.friendlyName = fields.string("friendlyName") ?? account.friendlyName;
  account.updated = ctx.state.store.clock.now();
  return jsonResponse(200, accountCredentials(account));
}

async function createNumber(ctx: AdminContext, { accountSid }: Params): Promise<Response> {
  const { store } = ctx.state;
  const account = accountOr404(ctx, accountSid);
  const fields = await readFields(ctx.req);
  const phoneNumber = fields.requiredString("phoneNumber");
  if (!/^\+[1-9]\d{1,14}$/.test(phoneNumber)) {
    throw invalidParameter(`phoneNumber ${phoneNumber} is not E.164`);
  }
  const voiceApplicationSid = fields.string("voiceApplicationSid") ?? "";
  if (voiceApplicationSid !== "" && !isSid("AP", voiceApplicationSid)) {
    throw invalidParameter("voiceApplicationSid must be AP followed by 32 hex characters");
  }
  if (store.ofAccount(store.numbers, account.sid).some((n) => n.phoneNumber === phoneNumber)) {
    throw new TwilioError(409, 20409, `Phone number ${phoneNumber} already exists in account ${account.sid}`);
  }
  const number: PhoneNumber = {
    sid: newSid("PN"),
    accountSid: account.sid,
    phoneNumber,
    friendlyName: fields.string("friendlyName") ?? phoneNumber,
    voiceUrl: fields.string("voiceUrl") ?? null,
    voiceMethod: fields.oneOf("voiceMethod", HTTP_METHODS) ?? "POST",
    voiceFallbackUrl: null,
    voiceApplicationSid,
    trunkSid: null,
    smsUrl: "",
    statusCallback: "",
    ...store.stamp(),
  };
  store.numbers.set(number.sid, number);
  return jsonResponse(201, renderIncomingPhoneNumber(number));
}

/** See call-seeding.ts for how each kind of call is rendered. */
async function createCall(ctx: AdminContext, { accountSid }: Params): Promise<Response> {
  const account = accountOr404(ctx, accountSid);
  const { call, recordings } = seedCall(ctx.state.store, account, await readFields(ctx.req));
  return jsonResponse(201, { call: renderCall(call), recordings: recordings.map(renderRecording) });
}

/** Changes a recording's status, encryption or storage after it was seeded (e.g. processing → completed). */
async function updateRecording(ctx: AdminContext, { accountSid, recordingSid }: Params): Promise<Response> {
  const { store } = ctx.state;
  const account = accountOr404(ctx, accountSid);
  const recording = store.recordings.get(recordingSid);
  if (recording?.accountSid !== account.sid) {
    throw notFound(`/_emulator/accounts/${accountSid}/recordings/${recordingSid}`);
  }
  readRecordingOptions(await readFields(ctx.req))(recording);
  recording.updated = store.clock.now();
  return jsonResponse(200, renderRecording(recording));
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

function currentConfig(ctx: AdminContext) {
  return { ...ctx.state.traffic, ...ctx.state.switches };
}

/** Only the keys present change; for traffic settings null or 0 switches a setting off. */
async function updateConfig(ctx: AdminContext): Promise<Response> {
  const fields = await readFields(ctx.req);
  const traffic = { ...ctx.state.traffic };
  for (const [key, max] of TRAFFIC_LIMITS) {
    if (fields.has(key)) traffic[key] = fields.integer(key, 0, max) || null;
  }
  const switches = updatedSwitches(ctx.state.switches, fields);
  // Applied only once everything validated, so a bad value changes nothing.
  Object.assign(ctx.state, { traffic, switches });
  return jsonResponse(200, currentConfig(ctx));
}

/** Ends the reservation of deleted trunks' domains (one, or all without domainName), as 30 days would. */
async function releaseDomains(ctx: AdminContext): Promise<Response> {
  const { reservedDomains } = ctx.state.store;
  const domainName = (await readFields(ctx.req)).string("domainName")?.toLowerCase();
  const released = domainName === undefined
    ? [...reservedDomains]
    : [...reservedDomains].filter((domain) => domain === domainName);
  for (const domain of released) reservedDomains.delete(domain);
  return jsonResponse(200, { released });
}

async function addFault(ctx: AdminContext): Promise<Response> {
  const fields = await readFields(ctx.req);
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
    applied: fields.boolean("applied") ?? false,
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
    .on("POST", `${account}/recordings/:recordingSid`, updateRecording)
    .on("GET", `${account}/state`, accountState)
    .on("GET", "/_emulator/config", (ctx) => jsonResponse(200, currentConfig(ctx)))
    .on("POST", "/_emulator/config", updateConfig)
    .on("POST", "/_emulator/domains/release", releaseDomains)
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
