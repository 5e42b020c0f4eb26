/**
 * The one error type a function answers with: a stable `code` (its HTTP status comes with it, see
 * contract/errors.ts), a human `message`, and the input `field` at fault when there is one. Anything else that
 * escapes a handler is a bug and becomes a 500.
 *
 * ```ts
 * throw new ApiError("invalid_input", "accountSid must look like AC followed by 32 hex characters", "accountSid");
 * ```
 */
import { type ErrorBody, type ErrorCode, type ErrorFacts, ERRORS } from "../contract/errors.ts";
import type { TwilioRegion } from "../contract/fields.ts";

export class ApiError extends Error {
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly field?: string,
    /** Extra machine-readable facts, e.g. Twilio's own error code. Never secrets. */
    readonly details?: ErrorFacts,
  ) {
    super(message);
    this.name = "ApiError";
    this.status = ERRORS[code].status;
  }

  toBody(): ErrorBody {
    return { error: { code: this.code, message: this.message, field: this.field ?? null, ...this.details } };
  }
}

export const unauthorized = (message = "A valid access token is required") =>
  new ApiError("unauthorized", message);

/** Twilio facts a caller may see about a failure: its code and message, never anything secret. */
export type TwilioDetails = Pick<ErrorFacts, "twilioCode" | "twilioMessage" | "twilioStatus">;

/**
 * Twilio refused the credentials the user gave us. Not a 401: that would tell the frontend its own session ended.
 * Twilio's answer cannot tell a wrong SID from a wrong token, so no single field is named.
 */
export const twilioAuthFailed = (details: TwilioDetails, region: TwilioRegion = "us1") =>
  new ApiError(
    "twilio_auth_failed",
    "Twilio rejected the Account SID or auth token (wrong, or the account is suspended or closed)" +
      (region === "us1"
        ? ""
        : `. The account is set to region ${region.toUpperCase()}: its credentials must be ones created in ` +
          `${region.toUpperCase()} (US1 credentials fail there, as ${region.toUpperCase()} ones fail in US1)`),
    undefined,
    { ...details, region },
  );

export const twilioUnavailable = (details: TwilioDetails) =>
  new ApiError(
    "twilio_unavailable",
    "Twilio is rate limiting or failing; try again shortly",
    undefined,
    details,
  );
