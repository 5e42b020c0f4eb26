/**
 * A typed client for the project's functions, one method per operation, for browsers and servers alike (plain
 * `fetch`, no runtime-specific API). Every request carries the user's access token; every failure is an ApiError.
 *
 * ```ts
 * const api = createApiClient({
 *   url: SUPABASE_URL,
 *   publishableKey: PUBLISHABLE_KEY,
 *   accessToken: async () => (await supabase.auth.getSession()).data.session?.access_token,
 * });
 * const config = await api.getSipConfig();
 * ```
 */
import { ApiError, apiErrorFrom } from "./api-error.ts";
import type * as Api from "./types.ts";

export interface ApiClientOptions {
  /** The project URL, e.g. https://<ref>.supabase.co (or the local stack's api_url). */
  url: string;
  /** The project's publishable key (sent as `apikey`, as supabase-js does). */
  publishableKey: string;
  /** The signed-in user's access token, asked for before each request (supabase-js refreshes it as needed). */
  accessToken: () => Promise<string | null | undefined> | string | null | undefined;
  /**
   * Where the functions run (Supabase's regional invocation), e.g. "us-east-1": the project database's region,
   * since every call reads and writes the database several times. Sent as `forceFunctionRegion`, which needs no
   * CORS preflight of its own. Unset, Supabase runs them in the region closest to the caller.
   */
  region?: string;
  fetch?: typeof fetch;
}

export type ApiClient = ReturnType<typeof createApiClient>;

type Query = Record<string, string | number | undefined>;

interface RequestSpec {
  method: "GET" | "POST" | "DELETE";
  fn: string;
  query?: Query;
  body?: unknown;
}

export function createApiClient(options: ApiClientOptions) {
  const base = `${options.url.replace(/\/+$/, "")}/functions/v1`;
  const fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init));

  async function send(spec: RequestSpec): Promise<Response> {
    const token = await options.accessToken();
    if (!token) throw new ApiError(401, "unauthorized", "Not signed in");
    const headers: Record<string, string> = {
      Authorization: `Bearer ${token}`,
      apikey: options.publishableKey,
    };
    if (spec.body !== undefined) headers["Content-Type"] = "application/json";
    let response: Response;
    try {
      const query = { ...spec.query, forceFunctionRegion: options.region };
      response = await fetchImpl(`${base}/${spec.fn}${queryString(query)}`, {
        method: spec.method,
        headers,
        body: spec.body === undefined ? undefined : JSON.stringify(spec.body),
      });
    } catch (error) {
      throw new ApiError(
        0,
        "network_error",
        `The request did not get an answer: ${(error as Error).message}`,
      );
    }
    if (!response.ok) throw await apiErrorFrom(response);
    return response;
  }

  const json = async <T>(spec: RequestSpec): Promise<T> => (await (await send(spec)).json()) as T;

  return {
    /** Stores the Twilio credentials and provisions the main trunk (idempotent). 422 twilio_auth_failed if Twilio refuses them. */
    connectTwilio: (input: Api.ConnectTwilioInput) =>
      json<Api.MainTrunk>({ method: "POST", fn: "create-main-trunk", body: input }),

    /** The user's SIP configuration (no password). 404 credentials_not_found when nothing is connected. */
    getSipConfig: () => json<Api.SipConfig>({ method: "GET", fn: "get-sip-config" }),

    /** Checks the whole setup against Twilio. */
    verify: () => json<Api.HealthReport>({ method: "GET", fn: "get-sip-config", query: { verify: "1" } }),

    /** Recreates what verification finds missing; the report before and after. */
    repair: () => json<Api.RepairResult>({ method: "POST", fn: "get-sip-config", body: { repair: true } }),

    /** Every number of the Twilio account and where its calls go. */
    listNumbers: () => json<Api.AccountNumbers>({ method: "GET", fn: "attach-phone" }),

    /** Puts numbers (E.164 or PN SIDs) on the main trunk; one result per number. */
    attachNumbers: (numbers: string[]) =>
      json<Api.AttachResult>({
        method: "POST",
        fn: "attach-phone",
        body: { phoneNumbers: numbers },
      }),

    /** Takes numbers off the main trunk and restores their earlier voice settings; one result per number. */
    detachNumbers: (numbers: string[]) =>
      json<Api.DetachResult>({
        method: "DELETE",
        fn: "attach-phone",
        body: { phoneNumbers: numbers },
      }),

    /** The most recent recordings of calls through the main trunk, a page at a time. */
    listRecordings: (page: { pageSize?: number; pageToken?: string } = {}) =>
      json<Api.RecordingsPage>({ method: "GET", fn: "recording-info", query: page }),

    /** A recording's audio, fetched with the user's token (for a blob: URL; Twilio's URL is never exposed). */
    recordingMedia: async (recordingSid: string, { format = "mp3" }: { format?: "mp3" | "wav" } = {}) =>
      await (await send({ method: "GET", fn: "recording-info", query: { recordingSid, format } })).blob(),

    /** The trunk's recording mode and trim, as Twilio has them. */
    getRecordingSettings: () =>
      json<Api.RecordingSettings>({ method: "GET", fn: "recording-info", query: { settings: "1" } }),

    setRecordingSettings: (settings: { mode: Api.RecordingMode; trim?: Api.RecordingTrim }) =>
      json<Api.RecordingSettings>({ method: "POST", fn: "recording-info", body: settings }),

    /** The user's connected Twilio accounts (the active one first), never a secret. */
    listCredentials: async () =>
      (await json<Api.CredentialsList>({ method: "GET", fn: "create-main-trunk" })).credentials,

    /** Removes a connected account and everything provisioned for it in Twilio (and LiveKit). */
    disconnect: (credentialId: string) =>
      json<Api.Disconnected>({ method: "DELETE", fn: "create-main-trunk", body: { id: credentialId } }),
  };
}

function queryString(query: Query = {}): string {
  const entries = Object.entries(query).filter((entry): entry is [string, string | number] =>
    entry[1] !== undefined
  );
  return entries.length ? `?${new URLSearchParams(entries.map(([key, value]) => [key, String(value)]))}` : "";
}
