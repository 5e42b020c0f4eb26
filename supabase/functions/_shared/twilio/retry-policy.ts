/**
 * When a Twilio request may be sent again, and how long to wait first.
 *
 * - 429 (or Twilio code 20429) is always retryable: Twilio rejected the request before doing anything.
 * - 5xx, timeouts and dropped connections are retryable only for idempotent requests, because a POST that
 *   reached Twilio may already have created something. GET and DELETE are idempotent; so is a POST that
 *   updates a known resource: its path ends in a SID (`/Trunks/TK…`, `/IncomingPhoneNumbers/PN….json`) or
 *   names a singleton sub-resource (`/Trunks/TK…/Recording`). A POST to a collection (`/Trunks`,
 *   `/SIP/CredentialLists.json`) creates and is never repeated after it may have arrived.
 *
 * ```ts
 * isIdempotentRequest("POST", "/v1/Trunks/TK…/Recording"); // true
 * isIdempotentRequest("POST", "/v1/Trunks"); // false
 * ```
 */

import { isRateLimitAnswer } from "./errors.ts";

const SID_SEGMENT = /^[A-Z]{2}[0-9a-fA-F]{32}(\.json)?$/;
/** Sub-resources that exist once per parent: a POST to them updates in place. */
const SINGLETON_SEGMENTS = new Set(["Recording"]);

/** `path`: the request URL's path (no query). */
export function isIdempotentRequest(method: string, path: string): boolean {
  const verb = method.toUpperCase();
  if (verb === "GET" || verb === "HEAD" || verb === "DELETE") return true;
  if (verb !== "POST") return false;
  const last = path.replace(/\/+$/, "").split("/").pop() ?? "";
  return SID_SEGMENT.test(last) || SINGLETON_SEGMENTS.has(last);
}

/** Collections whose POST associates a resource that already exists (named in the body) with a trunk. */
const ASSOCIATION_SEGMENTS = new Set(["PhoneNumbers", "CredentialLists"]);

/**
 * Whether the request may go out on a pooled keep-alive connection. Deno's fetch silently sends a request again
 * when a reused connection turns out closed, so a create gets a connection of its own, except an association:
 * sent twice, it names the same number or list and cannot make a second resource (Twilio answers "already
 * associated", which the callers treat as done). Bulk attach of 1,000 numbers then needs no 1,000 handshakes.
 */
export function mayReuseConnection(method: string, path: string): boolean {
  if (isIdempotentRequest(method, path)) return true;
  const segments = path.replace(/\/+$/, "").split("/");
  return method.toUpperCase() === "POST" && segments.at(-3) === "Trunks" &&
    ASSOCIATION_SEGMENTS.has(segments.at(-1) ?? "");
}

/**
 * A response worth repeating: a rate limit (unless the caller's own limiter handles them), a Twilio-side failure
 * only when the request is idempotent.
 */
export function isRetryableResponse(
  status: number,
  body: string,
  idempotent: boolean,
  retryRateLimited = true,
): boolean {
  if (status >= 400 && isRateLimitAnswer({ status, code: errorCode(body) })) return retryRateLimited;
  return status >= 500 && idempotent;
}

function errorCode(body: string): number | null {
  try {
    const code = (JSON.parse(body) as { code?: unknown } | null)?.code;
    return typeof code === "number" ? code : null;
  } catch {
    return null;
  }
}

export interface BackoffOptions {
  baseDelayMs: number;
  maxDelayMs: number;
  /** Uniform in [0, 1), like Math.random. */
  random: () => number;
}

/**
 * Delay before retry number `retry` (1 for the first retry). Without `Retry-After`: full jitter, uniform in
 * [0, min(maxDelayMs, baseDelayMs · 2^(retry-1))). With it: the server's delay plus up to `baseDelayMs` of
 * jitter, so clients told the same instant do not return together, and never earlier than asked.
 */
export function retryDelayMs(
  retry: number,
  retryAfterMs: number | undefined,
  options: BackoffOptions,
): number {
  if (retryAfterMs !== undefined) return retryAfterMs + options.random() * options.baseDelayMs;
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (retry - 1));
  return options.random() * ceiling;
}

/** `Retry-After` as milliseconds from `now`: delta-seconds or an HTTP date; undefined when absent or invalid. */
export function parseRetryAfter(header: string | null, now: number): number | undefined {
  const value = header?.trim();
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
