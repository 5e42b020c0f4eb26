/**
 * Twilio failures as typed errors, and the one place that classifies them: credential failure, rate limit,
 * transient, outcome unknown, not found, and the few codes the product acts on. Callers ask here; none spells a
 * Twilio code. `TwilioApiError` carries Twilio's own error code, HTTP status and message; `TwilioNetworkError` is
 * a request that got no answer (timeout, dropped connection). Neither holds credentials.
 */
/** 20003 authentication failed, 20005 account not active, 10001 account not active, 70051 suspended/not found. */
const CREDENTIAL_FAILURE_CODES = new Set([20003, 20005, 10001, 70051]);

/** Twilio's error codes the product acts on (twilio-api-facts.md, https://www.twilio.com/docs/api/errors). */
const TWILIO_CODES = {
  notFound: 20404,
  rateLimited: 20429,
  /** A trunk's settings were refused; also answered for a domain name a trunk of the same account holds. */
  trunkValidationFailed: 21245,
  /** The domain name is taken anywhere on Twilio. */
  domainTaken: 21248,
  /** A recording's media asked for as two channels when it has one. */
  notDualChannel: 16113,
} as const;

export type TwilioCodeName = keyof typeof TWILIO_CODES;

interface TwilioAnswer {
  status?: number | null;
  code: number | null;
}

/**
 * Twilio rejects these credentials: any 401/403, or a code Twilio uses for bad or inactive accounts. The one
 * classification every caller asks (a stored failure has only its code).
 */
export function isCredentialFailure(failure: { status?: number | null; code: number | null }): boolean {
  return failure.status === 401 || failure.status === 403 ||
    (failure.code !== null && CREDENTIAL_FAILURE_CODES.has(failure.code));
}

/** A rate limit (HTTP 429 or code 20429): Twilio did nothing, and the same request later may pass. */
export function isRateLimitAnswer(answer: TwilioAnswer): boolean {
  return answer.status === 429 || answer.code === TWILIO_CODES.rateLimited;
}

export class TwilioApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: number | null,
    message: string,
    readonly moreInfo?: string,
  ) {
    super(message);
    this.name = "TwilioApiError";
  }

  get isAuthFailure(): boolean {
    return isCredentialFailure(this);
  }

  get isNotFound(): boolean {
    return this.status === 404 || this.code === TWILIO_CODES.notFound;
  }

  /** Retrying later may succeed: rate limits and Twilio-side failures. */
  get isTransient(): boolean {
    return isRateLimitAnswer(this) || this.status >= 500;
  }

  /** Twilio refused the request as malformed (HTTP 400), e.g. a page token it no longer accepts. */
  get isBadRequest(): boolean {
    return this.status === 400;
  }
}

export class TwilioNetworkError extends Error {
  constructor(message: string, override readonly cause?: unknown) {
    super(message);
    this.name = "TwilioNetworkError";
  }
}

export type TwilioError = TwilioApiError | TwilioNetworkError;

export const isTwilioError = (error: unknown): error is TwilioError =>
  error instanceof TwilioApiError || error instanceof TwilioNetworkError;

/** Twilio answered with this code. */
export const hasTwilioCode = (error: unknown, name: TwilioCodeName): error is TwilioApiError =>
  error instanceof TwilioApiError && error.code === TWILIO_CODES[name];

export const isRateLimited = (error: unknown): error is TwilioApiError =>
  error instanceof TwilioApiError && isRateLimitAnswer(error);

/**
 * No answer, or a 5xx: Twilio may or may not have done what was asked, so a create must be looked for before it
 * is reported as failed.
 */
export const isOutcomeUnknown = (error: unknown): boolean =>
  error instanceof TwilioNetworkError || (error instanceof TwilioApiError && error.status >= 500);

/**
 * Whether work may stop and try again later rather than undo what it did: Twilio rate limiting or failing, no
 * answer, or the database briefly unreachable (connection lost, shutting down, serialization conflicts).
 */
export function isTransientFailure(error: unknown): boolean {
  if (error instanceof TwilioNetworkError) return true;
  if (error instanceof TwilioApiError) return error.isTransient;
  const code = (error as { code?: unknown })?.code;
  return typeof code === "string" && (DATABASE_TRANSIENT.test(code) || CONNECTION_CODES.has(code));
}

/** SQLSTATE classes 08 (connection), 53 (resources), 57P (shutdown), and 40001/40P01 (retryable conflicts). */
const DATABASE_TRANSIENT = /^(08|53|57P|40001$|40P01$)/;
/** postgres.js's own codes for a connection that broke. */
const CONNECTION_CODES = new Set([
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "CONNECT_TIMEOUT",
  "ECONNRESET",
  "ECONNREFUSED",
]);

/** The call's result, or null when Twilio answers that the resource does not exist. */
export async function nullIfNotFound<T>(call: () => Promise<T>): Promise<T | null> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof TwilioApiError && error.isNotFound) return null;
    throw error;
  }
}
