/**
 * A fetch-based transport for the official `twilio` SDK (its `httpClient` option), with configurable base URLs,
 * a timeout per attempt, an overall deadline and safe retries (see retry-policy.ts).
 *
 * ```ts
 * const http = new TwilioHttpClient({ apiBaseUrl: "http://127.0.0.1:4010" });
 * const twilio = (await import("twilio")).default(accountSid, authToken, { httpClient: http as never });
 * ```
 */
import { TwilioNetworkError } from "./errors.ts";
import {
  isIdempotentRequest,
  isRetryableResponse,
  mayReuseConnection,
  parseRetryAfter,
  retryDelayMs,
} from "./retry-policy.ts";

export const TWILIO_API_ORIGIN = "https://api.twilio.com";
const TWILIO_TRUNKING_ORIGIN = "https://trunking.twilio.com";

/** What the SDK passes to `httpClient.request` (the subset of RequestClient.RequestOptions used here). */
export interface SdkRequest {
  method: string;
  uri: string;
  username?: string;
  password?: string;
  headers?: Record<string, string>;
  params?: object;
  data?: object;
}

/** What the SDK expects back: every HTTP response, the SDK raises RestException for non-2xx itself. */
export interface SdkResponse {
  statusCode: number;
  body: string;
  headers: Record<string, string>;
}

export interface TwilioHttpClientOptions {
  /** Replaces `https://api.twilio.com`; may carry a path prefix. */
  apiBaseUrl?: string;
  /** Replaces `https://trunking.twilio.com`; may carry a path prefix. */
  trunkingBaseUrl?: string;
  /** Per attempt, until the response (headers and, except for streams, body) arrived. Default 10 s. */
  timeoutMs?: number;
  /** For all attempts and waits of one request together. Default 30 s. */
  deadlineMs?: number;
  /** Attempts including the first. Default 4. */
  maxAttempts?: number;
  /** Backoff: first retry waits up to this long, doubling per retry. Default 100 ms. */
  baseDelayMs?: number;
  /** Backoff ceiling (Retry-After may ask for longer). Default 2 s. */
  maxDelayMs?: number;
  /**
   * Whether a rate-limited answer (429 / 20429) is retried here. Default true; bulk work turns it off, so that
   * its own limiter (numbers/adaptive.ts) hears of each 429 at once instead of after up to three more requests.
   */
  retryRateLimited?: boolean;
  /** Told about every attempt (the debug log line of each Twilio request); never given a header or a body. */
  onAttempt?: (attempt: AttemptReport) => void;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  now?: () => number;
}

export interface AttemptReport {
  method: string;
  path: string;
  /** The HTTP status, or null when no answer came (then `failure` says why). */
  status: number | null;
  failure?: string;
  durationMs: number;
  attempt: number;
}

type Outcome =
  | { response: Response; body: string | null }
  | { failure: string; cause: unknown };

export class TwilioHttpClient {
  readonly #bases: Map<string, string>;
  readonly #timeoutMs: number;
  readonly #deadlineMs: number;
  readonly #maxAttempts: number;
  readonly #backoff: { baseDelayMs: number; maxDelayMs: number; random: () => number };
  readonly #retryRateLimited: boolean;
  readonly #fetch: typeof fetch;
  readonly #onAttempt: (attempt: AttemptReport) => void;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #now: () => number;
  #lastAuthorization?: { username: string; password: string; header: string };

  constructor(options: TwilioHttpClientOptions = {}) {
    this.#bases = new Map([
      [TWILIO_API_ORIGIN, withoutTrailingSlash(options.apiBaseUrl ?? TWILIO_API_ORIGIN)],
      [TWILIO_TRUNKING_ORIGIN, withoutTrailingSlash(options.trunkingBaseUrl ?? TWILIO_TRUNKING_ORIGIN)],
    ]);
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#deadlineMs = options.deadlineMs ?? 30_000;
    this.#maxAttempts = Math.max(1, options.maxAttempts ?? 4);
    this.#retryRateLimited = options.retryRateLimited ?? true;
    this.#backoff = {
      baseDelayMs: options.baseDelayMs ?? 100,
      maxDelayMs: options.maxDelayMs ?? 2_000,
      random: options.random ?? Math.random,
    };
    this.#fetch = options.fetch ?? ((input, init) => fetch(input, init));
    this.#onAttempt = options.onAttempt ?? (() => {});
    this.#sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.#now = options.now ?? Date.now;
  }

  /** The SDK's entry point. Throws TwilioNetworkError only when no HTTP response was obtained. */
  async request(opts: SdkRequest): Promise<SdkResponse> {
    const method = opts.method.toUpperCase();
    // A plain record, not a Headers object: fetch converts either, and a record costs it less per request.
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.username && opts.password) {
      headers.Authorization = this.#authorization(opts.username, opts.password);
    }
    let body: string | undefined;
    if (method !== "GET" && method !== "HEAD" && opts.data !== undefined) {
      body = encodeForm(opts.data).toString();
      if (!hasHeader(headers, "content-type")) headers["Content-Type"] = "application/x-www-form-urlencoded";
    }
    const url = this.#resolve(opts.uri, opts.params);
    const { response, body: text } = await this.#send(method, url, { method, headers, body }, true);
    return {
      statusCode: response.status,
      body: text ?? "",
      // Read only by the SDK's *WithHttpInfo calls, which this project does not make: built when asked for.
      get headers() {
        return Object.fromEntries(response.headers);
      },
    };
  }

  /**
   * A GET whose successful body is left unread for the caller to stream (recording media); retried like any GET.
   * The per-attempt timeout covers the wait for the headers only. Error responses come back with their body read.
   */
  async stream(uri: string, credentials: { username: string; password: string }): Promise<Response> {
    const headers = { Authorization: this.#authorization(credentials.username, credentials.password) };
    const { response, body } = await this.#send("GET", this.#resolve(uri), { method: "GET", headers }, false);
    return body === null ? response : new Response(body, response);
  }

  /** Twilio's own URL moved onto the configured base URL, with `params` appended as the query string. */
  #resolve(uri: string, params?: object): URL {
    // The SDK hands over canonical URLs (`https://api.twilio.com/2010-04-01/…`): a prefix swap, one parse.
    const pathStart = uri.indexOf("/", uri.indexOf("//") + 2);
    const origin = pathStart < 0 ? uri : uri.slice(0, pathStart);
    const base = this.#bases.get(origin);
    const url = new URL(base ? base + uri.slice(origin.length) : uri);
    if (params) {
      for (const [key, value] of encodeForm(params)) url.searchParams.append(key, value);
    }
    return url;
  }

  /** The Basic authorization header, remembered for the last credentials (one account's bulk work reuses it). */
  #authorization(username: string, password: string): string {
    const last = this.#lastAuthorization;
    if (last?.username === username && last.password === password) return last.header;
    const header = basicAuth(username, password);
    this.#lastAuthorization = { username, password, header };
    return header;
  }

  async #send(method: string, url: URL, init: RequestInit, readBody: boolean) {
    const idempotent = isIdempotentRequest(method, url.pathname);
    const pooled = mayReuseConnection(method, url.pathname);
    const deadline = this.#now() + this.#deadlineMs;
    for (let attempt = 1;; attempt++) {
      const budget = Math.max(1, Math.min(this.#timeoutMs, deadline - this.#now()));
      const started = performance.now();
      const outcome = await this.#attempt(url, init, readBody, budget, pooled);
      const failed = "failure" in outcome;
      this.#onAttempt({
        method,
        path: url.pathname,
        status: failed ? null : outcome.response.status,
        ...(failed ? { failure: outcome.failure } : {}),
        durationMs: Math.round(performance.now() - started),
        attempt,
      });
      const retryable = failed ? idempotent : isRetryableResponse(
        outcome.response.status,
        outcome.body ?? "",
        idempotent,
        this.#retryRateLimited,
      );
      const delay = retryable && attempt < this.#maxAttempts
        ? retryDelayMs(attempt, failed ? undefined : retryAfter(outcome.response, this.#now()), this.#backoff)
        : Infinity;
      if (this.#now() + delay >= deadline) {
        if (!failed) return outcome;
        const where = `${method} ${url.origin}${url.pathname}`;
        throw new TwilioNetworkError(
          `Twilio ${where}: ${outcome.failure} (${attempt} attempt(s))`,
          outcome.cause,
        );
      }
      await this.#sleep(delay);
    }
  }

  async #attempt(
    url: URL,
    init: RequestInit,
    readBody: boolean,
    timeoutMs: number,
    pooled: boolean,
  ): Promise<Outcome> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    const client = pooled ? undefined : unpooledClient();
    try {
      const response = await this.#fetch(url, { ...init, signal: controller.signal, client });
      const body = readBody || !response.ok ? await response.text() : null;
      return { response, body };
    } catch (cause) {
      const failure = controller.signal.aborted
        ? `timed out after ${timeoutMs} ms`
        : `no response (${describe(cause)})`;
      return { failure, cause };
    } finally {
      clearTimeout(timer);
    }
  }
}

/**
 * Form (and query) encoding as Twilio expects it: arrays repeat the key, booleans are `true`/`false`,
 * undefined and null are left out.
 */
function encodeForm(values: object | undefined): URLSearchParams {
  const form = new URLSearchParams();
  for (const [key, value] of Object.entries(values ?? {})) {
    for (const item of Array.isArray(value) ? value : [value]) {
      if (item !== undefined && item !== null) form.append(key, String(item));
    }
  }
  return form;
}

function hasHeader(headers: Record<string, string>, lowerCaseName: string): boolean {
  return Object.keys(headers).some((name) => name.toLowerCase() === lowerCaseName);
}

/** `Basic base64(user:password)` over the UTF-8 bytes, so non-ASCII secrets survive. */
function basicAuth(username: string, password: string): string {
  const bytes = new TextEncoder().encode(`${username}:${password}`);
  return `Basic ${btoa(Array.from(bytes, (byte) => String.fromCharCode(byte)).join(""))}`;
}

/**
 * Deno's fetch silently sends a request again, on a new connection, when a reused keep-alive connection closes
 * without an answer, even a POST that the server received. A request that must not be repeated therefore goes
 * through a client that keeps no connection (each request opens its own, HTTP/1.1 so that two concurrent ones
 * never share one as HTTP/2 streams), where the runtime offers Deno.createHttpClient. One such client serves the
 * whole process: making one per request cost 0.1-0.4 ms of the event loop's time before each create left. (Only
 * on a reused connection since denoland/deno#36415; Deno releases before it re-sent on a new one too, #35610.)
 */
let unpooled: Deno.HttpClient | undefined;
function unpooledClient(): Deno.HttpClient | undefined {
  if (typeof Deno.createHttpClient !== "function") return undefined;
  return unpooled ??= Deno.createHttpClient({ poolMaxIdlePerHost: 0, http2: false });
}

/** fetch rejects with a bare "fetch failed"; the reason is in its cause. */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return error.cause instanceof Error ? `${error.message}: ${error.cause.message}` : error.message;
}

const retryAfter = (response: Response, now: number) =>
  parseRetryAfter(response.headers.get("Retry-After"), now);

function withoutTrailingSlash(url: string): string {
  return url.replace(/\/+$/, "");
}
