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
import { twilioSettingsFromEnv } from "../config.ts";
import type { TwilioRegion } from "../contract/fields.ts";
import type { Logger } from "../log.ts";
import { once } from "../lazy.ts";
import {
  errorFromAnswer,
  toAccount,
  toCall,
  toCredential,
  toCredentialList,
  toIncomingNumber,
  toOriginationUrl,
  toRecording,
  toTrunk,
  toTrunkRecording,
  toTwilioError,
} from "./answers.ts";
import type { TwilioClient, TwilioCredentials } from "./types.ts";
import { regionalBaseUrls } from "./regions.ts";
import { TWILIO_API_ORIGIN, TwilioHttpClient, type TwilioHttpClientOptions } from "./http-client.ts";
import * as base64url from "jose/base64url";

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
        throw errorFromAnswer(response.status, await response.text());
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
