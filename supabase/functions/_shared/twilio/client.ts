/**
 * The Twilio operations the product uses, over the official `twilio` SDK with the fetch transport of
 * http-client.ts. The SDK is imported on the first call only, so a path that makes no Twilio call pays nothing,
 * and only the parts used: the base client, the Trunking domain and the 2010 API's account resources this client
 * calls (see `sdk` below).
 * Failures surface as `TwilioApiError` (Twilio's status, code, message) or `TwilioNetworkError` (no answer).
 *
 * ```ts
 * const twilio = createTwilioClient({ accountSid, authToken });
 * const trunk = await twilio.createTrunk({ friendlyName: "main", domainName: "user-1-1700000000.pstn.twilio.com" });
 * ```
 */
import type RequestClient from "twilio/lib/base/RequestClient.js";
import type { CallListInstance } from "twilio/lib/rest/api/v2010/account/call.js";
import type { IncomingPhoneNumberListInstance } from "twilio/lib/rest/api/v2010/account/incomingPhoneNumber.js";
import type { RecordingListInstance } from "twilio/lib/rest/api/v2010/account/recording.js";
import type { CredentialListListInstance } from "twilio/lib/rest/api/v2010/account/sip/credentialList.js";
import type * as V2010Module from "twilio/lib/rest/api/V2010.js";
import type Trunking from "twilio/lib/rest/Trunking.js";
import type { TrunkContext } from "twilio/lib/rest/trunking/v1/trunk.js";
import type Twilio from "twilio/lib/rest/Twilio.js";
import { type TRANSFER_CALLER_IDS, type TRANSFER_MODES, twilioSettingsFromEnv } from "../config.ts";
import type { RecordingMode, RecordingTrim, TwilioRegion } from "../contract/fields.ts";
import type { Logger } from "../log.ts";
import { once } from "../lazy.ts";
import { isTwilioError, TwilioApiError } from "./errors.ts";
import { regionalBaseUrls } from "./regions.ts";
import { TWILIO_API_ORIGIN, TwilioHttpClient, type TwilioHttpClientOptions } from "./http-client.ts";
import * as base64url from "jose/base64url";

export interface TwilioCredentials {
  accountSid: string;
  authToken: string;
  /** The account's Twilio region (US1 when unset): it decides the hosts the client talks to. */
  region?: TwilioRegion;
}

/**
 * Transport settings; unset ones come from `TWILIO_API_BASE_URL`, `TWILIO_TRUNKING_BASE_URL`,
 * `TWILIO_TIMEOUT_MS`, `TWILIO_MAX_ATTEMPTS`, then the transport's defaults.
 */
export interface TwilioClientOptions extends TwilioHttpClientOptions {
  /** Page size used when a method collects every page. Default 1000, the most Twilio returns in one page. */
  pageSize?: number;
  /** Gets a debug line per request attempt (method, path, status, duration, attempt). */
  log?: Logger;
}

export interface TwilioAccount {
  sid: string;
  status: string;
  friendlyName: string;
}

export interface TrunkRecording {
  mode: RecordingMode;
  trim: RecordingTrim;
}

export interface TwilioTrunk {
  sid: string;
  friendlyName: string | null;
  domainName: string | null;
  secure: boolean;
  transferMode: string | null;
  transferCallerId: string | null;
  recording: TrunkRecording;
  authTypeSet: string[];
}

/** Trunk settings this service manages besides its name and domain. */
export interface TrunkSettings {
  secure: boolean;
  transferMode: typeof TRANSFER_MODES[number];
  transferCallerId: typeof TRANSFER_CALLER_IDS[number];
}

export interface TwilioCredentialList {
  sid: string;
  friendlyName: string;
}

export interface TwilioCredential {
  sid: string;
  username: string;
}

export interface OriginationUrlInput {
  sipUrl: string;
  priority: number;
  weight: number;
  enabled: boolean;
  friendlyName: string;
}

export interface TwilioOriginationUrl extends OriginationUrlInput {
  sid: string;
}

export interface TwilioIncomingNumber {
  sid: string;
  phoneNumber: string;
  friendlyName: string;
  voiceUrl: string | null;
  voiceMethod: string | null;
  voiceApplicationSid: string | null;
  trunkSid: string | null;
}

/** An empty string clears a field. */
export interface IncomingNumberUpdate {
  voiceUrl?: string;
  voiceMethod?: string;
  voiceApplicationSid?: string;
  trunkSid?: string;
}

export interface TwilioRecording {
  sid: string;
  callSid: string;
  status: string;
  /** Seconds. */
  duration: number;
  channels: number;
  /** ISO 8601. */
  startTime: string | null;
  source: string;
  /** Where Twilio says the media is: its own API host, or the account's external storage. */
  mediaUrl: string | null;
  /** Twilio holds only ciphertext (`encryption_details` set): the account's private key decrypts it. */
  encrypted: boolean;
}

export type CallStatus =
  | "queued"
  | "ringing"
  | "in-progress"
  | "canceled"
  | "completed"
  | "failed"
  | "busy"
  | "no-answer";

export interface TwilioCall {
  sid: string;
  from: string;
  to: string;
  status: string;
  direction: string;
  startTime: string | null;
  endTime: string | null;
  /** Seconds. */
  duration: number;
  /** Set on terminated calls; empty on origination (`trunking-originating`) calls through the trunk. */
  trunkSid: string | null;
  /** The number an inbound call reached (origination calls through the trunk included); null otherwise. */
  phoneNumberSid: string | null;
}

/** One page of a list; pass `nextPageToken` back as `pageToken` for the next one (null: no more pages). */
export interface TwilioPage<T> {
  items: T[];
  nextPageToken: string | null;
}

/** With a `pageToken`, the other filters are ignored: the token carries the query of the first request. */
export interface PageRequest {
  pageSize?: number;
  pageToken?: string;
}

export interface RecordingQuery extends PageRequest {
  callSid?: string;
}

export interface CallQuery extends PageRequest {
  to?: string;
  from?: string;
  status?: CallStatus;
  startTimeAfter?: Date;
  startTimeBefore?: Date;
}

export type RecordingFormat = "mp3" | "wav";

/** 1: Twilio's mono mix (what it serves by default, even for dual-channel recordings); 2: both channels. */
export type RecordingChannels = 1 | 2;

export interface TwilioClient {
  /**
   * The same account for many calls under an adaptive limiter (numbers/attach.ts `bulk`): a 429 comes back at
   * once, for the limiter to slow down, instead of being retried here.
   */
  forBulkWork(): TwilioClient;

  fetchAccount(): Promise<TwilioAccount>;

  createTrunk(
    input: { friendlyName: string; domainName: string } & Partial<TrunkSettings>,
  ): Promise<TwilioTrunk>;
  updateTrunk(trunkSid: string, settings: Partial<TrunkSettings>): Promise<TwilioTrunk>;
  fetchTrunk(trunkSid: string): Promise<TwilioTrunk>;
  listTrunks(): Promise<TwilioTrunk[]>;
  deleteTrunk(trunkSid: string): Promise<void>;

  createCredentialList(friendlyName: string): Promise<TwilioCredentialList>;
  listCredentialLists(): Promise<TwilioCredentialList[]>;
  deleteCredentialList(listSid: string): Promise<void>;
  createCredential(listSid: string, username: string, password: string): Promise<TwilioCredential>;
  listCredentials(listSid: string): Promise<TwilioCredential[]>;
  updateCredentialPassword(
    listSid: string,
    credentialSid: string,
    password: string,
  ): Promise<TwilioCredential>;
  deleteCredential(listSid: string, credentialSid: string): Promise<void>;

  associateCredentialList(trunkSid: string, listSid: string): Promise<TwilioCredentialList>;
  listTrunkCredentialLists(trunkSid: string): Promise<TwilioCredentialList[]>;
  removeTrunkCredentialList(trunkSid: string, listSid: string): Promise<void>;

  createOriginationUrl(trunkSid: string, input: OriginationUrlInput): Promise<TwilioOriginationUrl>;
  listOriginationUrls(trunkSid: string): Promise<TwilioOriginationUrl[]>;
  updateOriginationUrl(
    trunkSid: string,
    originationUrlSid: string,
    update: Partial<OriginationUrlInput>,
  ): Promise<TwilioOriginationUrl>;
  deleteOriginationUrl(trunkSid: string, originationUrlSid: string): Promise<void>;

  fetchTrunkRecording(trunkSid: string): Promise<TrunkRecording>;
  updateTrunkRecording(trunkSid: string, recording: TrunkRecording): Promise<TrunkRecording>;

  listIncomingNumbers(filter?: { phoneNumber?: string }): Promise<TwilioIncomingNumber[]>;
  fetchIncomingNumber(numberSid: string): Promise<TwilioIncomingNumber>;
  updateIncomingNumber(numberSid: string, update: IncomingNumberUpdate): Promise<TwilioIncomingNumber>;
  attachNumberToTrunk(trunkSid: string, numberSid: string): Promise<TwilioIncomingNumber>;
  detachNumberFromTrunk(trunkSid: string, numberSid: string): Promise<void>;
  listTrunkNumbers(trunkSid: string): Promise<TwilioIncomingNumber[]>;

  listRecordings(query?: RecordingQuery): Promise<TwilioPage<TwilioRecording>>;
  fetchRecording(recordingSid: string): Promise<TwilioRecording>;
  listCalls(query?: CallQuery): Promise<TwilioPage<TwilioCall>>;
  /**
   * The media as an unread (streamable) Response; errors are thrown like every other call. Two channels of a
   * mono recording is Twilio's 400 16113.
   */
  fetchRecordingMedia(
    recordingSid: string,
    format: RecordingFormat,
    options?: { channels?: RecordingChannels },
  ): Promise<Response>;
}

/**
 * The SDK's parts, each loaded once, on first use: the base client (authentication, request building,
 * RestException), the Trunking domain, which the SDK's own Twilio class builds the same way (`new Trunking(client)`,
 * on first access to `client.trunking`), and of the 2010 API only the account's resource families this client
 * calls, each from its own module, on the API's version built as the SDK's Api domain builds it (a `Domain` on
 * https://api.twilio.com, version 2010-04-01). The package index would also load TwiML, JWT, webhook and
 * credential-provider code and put all 38 domains in a bundle, and the Api domain's account module loads all 29
 * of an account's resource families: this way the first call that needs the 2010 API loads about half as much
 * (`deno task bench`: bundle size, cold start).
 */
const sdk = {
  client: once(() => import("twilio/lib/base/BaseTwilio.js").then((module) => module.default.Client)),
  trunking: once(() => import("twilio/lib/rest/Trunking.js").then((module) => module.default)),
  v2010: once(async () => {
    const [domain, version, credentialLists, incomingPhoneNumbers, calls, recordings] = await Promise.all([
      import("twilio/lib/base/Domain.js"),
      import("twilio/lib/base/Version.js"),
      import("twilio/lib/rest/api/v2010/account/sip/credentialList.js"),
      import("twilio/lib/rest/api/v2010/account/incomingPhoneNumber.js"),
      import("twilio/lib/rest/api/v2010/account/call.js"),
      import("twilio/lib/rest/api/v2010/account/recording.js"),
    ]);
    return {
      Domain: domain.default.default,
      Version: version.default.default,
      credentialLists: credentialLists.default.CredentialListListInstance,
      incomingPhoneNumbers: incomingPhoneNumbers.default.IncomingPhoneNumberListInstance,
      calls: calls.default.CallListInstance,
      recordings: recordings.default.RecordingListInstance,
    };
  }),
};

type V2010 = V2010Module.default;

/** One account's resources of the 2010 API, as `client.api.v2010.accounts(sid)` would give them. */
interface AccountApi {
  version: V2010;
  credentialLists: CredentialListListInstance;
  incomingPhoneNumbers: IncomingPhoneNumberListInstance;
  calls: CallListInstance;
  recordings: RecordingListInstance;
}

/**
 * Loads the SDK's parts now rather than on first use; resolves when they are loaded (or failed: the error
 * surfaces where the SDK is used). For batch work that is sure to call Twilio: the backfill awaits it before its
 * first row, so that one row's import (a few hundred milliseconds of the JS thread) does not stall every row in
 * flight. The functions keep loading it on first use: preloading it as they start was measured twice (2026-12-07,
 * and before) and moved nothing off the first request's path, which has no idle time for it to fill.
 */
export function preloadTwilioSdk(): Promise<void> {
  return Promise.all([sdk.client(), sdk.v2010(), sdk.trunking()]).then(() => {}, () => {});
}

export function createTwilioClient(
  credentials: TwilioCredentials,
  options: TwilioClientOptions = {},
): TwilioClient {
  const http = new TwilioHttpClient(withSettings(options, credentials.region ?? "us1"));
  const access = accountAccess(credentials, http, options.pageSize ?? 1000);
  return {
    forBulkWork: () => createTwilioClient(credentials, { ...options, retryRateLimited: false }),
    ...accountMethods(access),
    ...trunkMethods(access),
    ...trunkCredentialListMethods(access),
    ...originationUrlMethods(access),
    ...numberMethods(access),
    ...callAndRecordingMethods(access),
  };
}

/**
 * How every group of methods reaches one account: its SDK domains (built on the first call, so creating a client
 * loads nothing), the paths to its resources, and the media download that bypasses the SDK.
 */
function accountAccess(
  { accountSid, authToken }: TwilioCredentials,
  http: TwilioHttpClient,
  pageSize: number,
) {
  // Empty edge/region keep the SDK from rewriting hosts from TWILIO_EDGE/TWILIO_REGION: base URLs decide.
  const client = once(async () =>
    new (await sdk.client())(accountSid, authToken, {
      httpClient: http as unknown as RequestClient,
      edge: "",
      region: "",
    }) as unknown as Twilio
  );
  const api = once(async (): Promise<AccountApi> => {
    const [parts, twilio] = await Promise.all([sdk.v2010(), client()]);
    // Typed as the SDK's V2010, which adds only the `accounts` getter to Version: the list instances use neither.
    const version = new parts.Version(
      new parts.Domain(twilio, "https://api.twilio.com"),
      "2010-04-01",
    ) as V2010;
    return {
      version,
      credentialLists: parts.credentialLists(version, accountSid),
      incomingPhoneNumbers: parts.incomingPhoneNumbers(version, accountSid),
      calls: parts.calls(version, accountSid),
      recordings: parts.recordings(version, accountSid),
    };
  });
  const trunking = once(async () => new (await sdk.trunking())(await client()));
  // The SDK builds a new context for each `trunks(sid)`, and each of its sub-resource lists on first access: kept
  // per trunk, a bulk attach of 1,000 numbers builds them once instead of 1,000 times.
  const trunks = new Map<string, TrunkContext>();
  return {
    accountSid,
    accountUrl: `${TWILIO_API_ORIGIN}/2010-04-01/Accounts/${accountSid}`,
    withApi: <T>(operation: (api: AccountApi) => Promise<T>) => call(api, operation),
    withTrunking: <T>(operation: (trunking: Trunking) => Promise<T>) => call(trunking, operation),
    trunk: (trunking: Trunking, trunkSid: string) => {
      let trunk = trunks.get(trunkSid);
      if (!trunk) trunks.set(trunkSid, trunk = trunking.v1.trunks(trunkSid));
      return trunk;
    },
    /** List options that collect every page. */
    all: () => ({ pageSize }),
    /** The response of a GET to `url`, unread, or Twilio's error answer as a typed error. */
    stream: async (url: string): Promise<Response> => {
      try {
        const response = await http.stream(url, { username: accountSid, password: authToken });
        if (response.ok) return response;
        throw apiError(response.status, parseErrorBody(await response.text()));
      } catch (error) {
        throw toTwilioError(error);
      }
    },
  };
}

type AccountAccess = ReturnType<typeof accountAccess>;

/** Runs one SDK operation on a domain, with Twilio's failures turned into typed errors. */
async function call<D, T>(domain: () => Promise<D>, operation: (domain: D) => Promise<T>): Promise<T> {
  try {
    return await operation(await domain());
  } catch (error) {
    throw toTwilioError(error);
  }
}

const done = () => undefined;

/** The account itself, and its SIP credential lists with their credentials. */
function accountMethods({ withApi, accountSid, all }: AccountAccess) {
  return {
    // What AccountContext.fetch does, without the module that loads every resource family of an account.
    fetchAccount: () =>
      withApi(async (api) =>
        toAccount(
          await api.version.fetch({
            uri: `/Accounts/${accountSid}.json`,
            method: "get",
            headers: { Accept: "application/json" },
          }),
        )
      ),

    createCredentialList: (friendlyName) =>
      withApi(async (api) => toCredentialList(await api.credentialLists.create({ friendlyName }))),
    listCredentialLists: () =>
      withApi(async (api) => (await api.credentialLists.list(all())).map(toCredentialList)),
    deleteCredentialList: (listSid) => withApi((api) => api.credentialLists(listSid).remove().then(done)),
    createCredential: (listSid, username, password) =>
      withApi(async (api) =>
        toCredential(await api.credentialLists(listSid).credentials.create({ username, password }))
      ),
    listCredentials: (listSid) =>
      withApi(async (api) => (await api.credentialLists(listSid).credentials.list(all())).map(toCredential)),
    updateCredentialPassword: (listSid, credentialSid, password) =>
      withApi(async (api) =>
        toCredential(await api.credentialLists(listSid).credentials(credentialSid).update({ password }))
      ),
    deleteCredential: (listSid, credentialSid) =>
      withApi((api) => api.credentialLists(listSid).credentials(credentialSid).remove().then(done)),
  } satisfies Partial<TwilioClient>;
}

/** Trunks and their recording settings. */
function trunkMethods({ withTrunking, trunk, all }: AccountAccess) {
  return {
    createTrunk: (input) => withTrunking(async (trunking) => toTrunk(await trunking.v1.trunks.create(input))),
    updateTrunk: (trunkSid, settings) =>
      withTrunking(async (trunking) => toTrunk(await trunk(trunking, trunkSid).update(settings))),
    fetchTrunk: (trunkSid) =>
      withTrunking(async (trunking) => toTrunk(await trunk(trunking, trunkSid).fetch())),
    listTrunks: () => withTrunking(async (trunking) => (await trunking.v1.trunks.list(all())).map(toTrunk)),
    deleteTrunk: (trunkSid) => withTrunking((trunking) => trunk(trunking, trunkSid).remove().then(done)),

    fetchTrunkRecording: (trunkSid) =>
      withTrunking(async (trunking) =>
        toTrunkRecording(await trunk(trunking, trunkSid).recordings().fetch())
      ),
    updateTrunkRecording: (trunkSid, { mode, trim }) =>
      withTrunking(async (trunking) =>
        toTrunkRecording(await trunk(trunking, trunkSid).recordings().update({ mode, trim }))
      ),
  } satisfies Partial<TwilioClient>;
}

/** The credential lists a trunk authenticates termination (outbound) calls with. */
function trunkCredentialListMethods({ withTrunking, trunk, all }: AccountAccess) {
  return {
    associateCredentialList: (trunkSid, listSid) =>
      withTrunking(async (trunking) =>
        toCredentialList(
          await trunk(trunking, trunkSid).credentialsLists.create({ credentialListSid: listSid }),
        )
      ),
    listTrunkCredentialLists: (trunkSid) =>
      withTrunking(async (trunking) =>
        (await trunk(trunking, trunkSid).credentialsLists.list(all())).map(toCredentialList)
      ),
    removeTrunkCredentialList: (trunkSid, listSid) =>
      withTrunking((trunking) => trunk(trunking, trunkSid).credentialsLists(listSid).remove().then(done)),
  } satisfies Partial<TwilioClient>;
}

/** Where a trunk sends origination (inbound) calls. */
function originationUrlMethods({ withTrunking, trunk, all }: AccountAccess) {
  return {
    createOriginationUrl: (trunkSid, input) =>
      withTrunking(async (trunking) =>
        toOriginationUrl(await trunk(trunking, trunkSid).originationUrls.create(input))
      ),
    listOriginationUrls: (trunkSid) =>
      withTrunking(async (trunking) =>
        (await trunk(trunking, trunkSid).originationUrls.list(all())).map(toOriginationUrl)
      ),
    updateOriginationUrl: (trunkSid, originationUrlSid, update) =>
      withTrunking(async (trunking) =>
        toOriginationUrl(await trunk(trunking, trunkSid).originationUrls(originationUrlSid).update(update))
      ),
    deleteOriginationUrl: (trunkSid, originationUrlSid) =>
      withTrunking((trunking) =>
        trunk(trunking, trunkSid).originationUrls(originationUrlSid).remove().then(done)
      ),
  } satisfies Partial<TwilioClient>;
}

/** The account's phone numbers, and which of them are on a trunk. */
function numberMethods({ withApi, withTrunking, trunk, all }: AccountAccess) {
  return {
    listIncomingNumbers: ({ phoneNumber } = {}) =>
      withApi(async (api) =>
        (await api.incomingPhoneNumbers.list({ ...all(), phoneNumber })).map(toIncomingNumber)
      ),
    fetchIncomingNumber: (numberSid) =>
      withApi(async (api) => toIncomingNumber(await api.incomingPhoneNumbers(numberSid).fetch())),
    updateIncomingNumber: (numberSid, update) =>
      withApi(async (api) => toIncomingNumber(await api.incomingPhoneNumbers(numberSid).update(update))),
    attachNumberToTrunk: (trunkSid, numberSid) =>
      withTrunking(async (trunking) =>
        toIncomingNumber(await trunk(trunking, trunkSid).phoneNumbers.create({ phoneNumberSid: numberSid }))
      ),
    detachNumberFromTrunk: (trunkSid, numberSid) =>
      withTrunking((trunking) => trunk(trunking, trunkSid).phoneNumbers(numberSid).remove().then(done)),
    listTrunkNumbers: (trunkSid) =>
      withTrunking(async (trunking) =>
        (await trunk(trunking, trunkSid).phoneNumbers.list(all())).map(toIncomingNumber)
      ),
  } satisfies Partial<TwilioClient>;
}

/** The account's calls and recordings, a page at a time, and a recording's media. */
function callAndRecordingMethods({ withApi, accountUrl, stream }: AccountAccess) {
  return {
    listRecordings: ({ pageToken, callSid, pageSize } = {}) =>
      withApi(async (api) => {
        const recordings = api.recordings;
        const page = pageToken
          ? await recordings.getPage(`${accountUrl}/Recordings.json?${decodePageToken(pageToken)}`)
          : await recordings.page({ callSid, pageSize });
        return { items: page.instances.map(toRecording), nextPageToken: encodePageToken(page.nextPageUrl) };
      }),
    fetchRecording: (recordingSid) =>
      withApi(async (api) => toRecording(await api.recordings(recordingSid).fetch())),
    listCalls: ({ pageToken, pageSize, ...filters } = {}) =>
      withApi(async (api) => {
        const calls = api.calls;
        const page = pageToken
          ? await calls.getPage(`${accountUrl}/Calls.json?${decodePageToken(pageToken)}`)
          : await calls.page({ ...filters, pageSize });
        return { items: page.instances.map(toCall), nextPageToken: encodePageToken(page.nextPageUrl) };
      }),
    fetchRecordingMedia: async (recordingSid, format, { channels = 1 } = {}) => {
      // Sent only for 2: the parameter is how Twilio is asked for both channels, mono needs none.
      const query = channels === 2 ? "?RequestedChannels=2" : "";
      return await stream(`${accountUrl}/Recordings/${encodeURIComponent(recordingSid)}.${format}${query}`);
    },
  } satisfies Partial<TwilioClient>;
}

/** Options, then the validated settings (config.ts), then the transport's defaults; hosts for the region. */
function withSettings(
  { log, ...options }: TwilioClientOptions,
  region: TwilioRegion,
): TwilioHttpClientOptions {
  const settings = twilioSettings();
  return {
    ...options,
    onAttempt: options.onAttempt ?? (log && ((attempt) => log.debug("twilio_request", { ...attempt }))),
    ...regionalBaseUrls(region, {
      apiBaseUrl: options.apiBaseUrl ?? settings.apiBaseUrl,
      trunkingBaseUrl: options.trunkingBaseUrl ?? settings.trunkingBaseUrl,
    }),
    timeoutMs: options.timeoutMs ?? settings.timeoutMs,
    maxAttempts: options.maxAttempts ?? settings.maxAttempts,
  };
}

let settings: ReturnType<typeof twilioSettingsFromEnv> | undefined;
const twilioSettings = () => settings ??= twilioSettingsFromEnv();

interface TwilioErrorFields {
  code?: unknown;
  message?: unknown;
  moreInfo?: unknown;
}

/** SDK RestException (or anything else carrying an HTTP status) to TwilioApiError; typed errors pass through. */
function toTwilioError(error: unknown): unknown {
  if (isTwilioError(error) || !(error instanceof Error)) return error;
  const { status } = error as { status?: unknown };
  return typeof status === "number" ? apiError(status, error as TwilioErrorFields) : error;
}

function apiError(status: number, fields: TwilioErrorFields): TwilioApiError {
  const message = typeof fields.message === "string" && fields.message
    ? fields.message
    : `Twilio HTTP ${status}`;
  const code = typeof fields.code === "number" ? fields.code : null;
  return new TwilioApiError(
    status,
    code,
    message,
    typeof fields.moreInfo === "string" ? fields.moreInfo : undefined,
  );
}

function parseErrorBody(text: string): TwilioErrorFields {
  try {
    const body = JSON.parse(text);
    return { code: body?.code, message: body?.message, moreInfo: body?.more_info };
  } catch {
    return {};
  }
}

/** The page token is the next page's query string, base64url-encoded: callers cannot point it at another host. */
function encodePageToken(nextPageUrl: string | undefined): string | null {
  if (!nextPageUrl) return null;
  return base64url.encode(new URL(nextPageUrl).search.slice(1));
}

export class InvalidPageTokenError extends Error {
  constructor() {
    super("Invalid page token");
    this.name = "InvalidPageTokenError";
  }
}

function decodePageToken(token: string): string {
  try {
    return new URLSearchParams(new TextDecoder().decode(base64url.decode(token))).toString();
  } catch {
    throw new InvalidPageTokenError();
  }
}

type DateField = Date | string | null | undefined;

const isoDate = (value: DateField): string | null =>
  value instanceof Date ? value.toISOString() : value ? String(value) : null;

const seconds = (value: string | number | null | undefined): number => Number(value ?? 0) || 0;

/** The account as Twilio's JSON has it (fetched through the version, not an AccountInstance). */
const toAccount = (a: { sid: string; status: string; friendly_name: string }): TwilioAccount => ({
  sid: a.sid,
  status: a.status,
  friendlyName: a.friendly_name,
});

const toTrunk = (
  t: {
    sid: string;
    friendlyName: string | null;
    domainName: string | null;
    secure: boolean | null;
    transferMode: string | null;
    transferCallerId: string | null;
    recording: Partial<TrunkRecording> | null;
    authTypeSet: string[] | null;
  },
): TwilioTrunk => ({
  sid: t.sid,
  friendlyName: t.friendlyName ?? null,
  domainName: t.domainName ?? null,
  secure: t.secure === true,
  transferMode: t.transferMode ?? null,
  transferCallerId: t.transferCallerId ?? null,
  recording: toTrunkRecording(t.recording ?? {}),
  authTypeSet: t.authTypeSet ?? [],
});

const toTrunkRecording = (r: Partial<TrunkRecording>): TrunkRecording => ({
  mode: r.mode ?? "do-not-record",
  trim: r.trim ?? "do-not-trim",
});

const toCredentialList = (l: { sid: string; friendlyName: string }): TwilioCredentialList => ({
  sid: l.sid,
  friendlyName: l.friendlyName,
});

const toCredential = (c: { sid: string; username: string }): TwilioCredential => ({
  sid: c.sid,
  username: c.username,
});

const toOriginationUrl = (o: TwilioOriginationUrl): TwilioOriginationUrl => ({
  sid: o.sid,
  sipUrl: o.sipUrl,
  priority: o.priority,
  weight: o.weight,
  enabled: o.enabled,
  friendlyName: o.friendlyName,
});

const toIncomingNumber = (n: TwilioIncomingNumber): TwilioIncomingNumber => ({
  sid: n.sid,
  phoneNumber: n.phoneNumber,
  friendlyName: n.friendlyName,
  voiceUrl: n.voiceUrl ?? null,
  voiceMethod: n.voiceMethod ?? null,
  voiceApplicationSid: n.voiceApplicationSid ?? null,
  trunkSid: n.trunkSid ?? null,
});

const toRecording = (
  r: Omit<TwilioRecording, "duration" | "startTime" | "encrypted"> & {
    duration: string | null;
    startTime: DateField;
    encryptionDetails: unknown;
  },
): TwilioRecording => ({
  sid: r.sid,
  callSid: r.callSid,
  status: r.status,
  duration: seconds(r.duration),
  channels: r.channels,
  startTime: isoDate(r.startTime),
  source: r.source,
  mediaUrl: r.mediaUrl ?? null,
  encrypted: r.encryptionDetails !== null && r.encryptionDetails !== undefined,
});

const toCall = (
  c: Omit<TwilioCall, "duration" | "startTime" | "endTime"> & {
    duration: string | null;
    startTime: DateField;
    endTime: DateField;
  },
): TwilioCall => ({
  sid: c.sid,
  from: c.from,
  to: c.to,
  status: c.status,
  direction: c.direction,
  startTime: isoDate(c.startTime),
  endTime: isoDate(c.endTime),
  duration: seconds(c.duration),
  trunkSid: c.trunkSid || null,
  // Twilio renders an unset phone_number_sid (and may render trunk_sid) as "".
  phoneNumberSid: c.phoneNumberSid || null,
});
