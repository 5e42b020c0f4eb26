/**
 * The one error type a function answers with: a stable `code`, a human `message`, the HTTP status, and the input
 * `field` at fault when there is one. Anything else that escapes a handler is a bug and becomes a 500.
 *
 * ```ts
 * throw new ApiError(400, "invalid_input", "accountSid must look like AC followed by 32 hex characters", "accountSid");
 * ```
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
    /** Extra machine-readable facts, e.g. Twilio's own error code. Never secrets. */
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = "ApiError";
  }

  toBody() {
    return { error: { code: this.code, message: this.message, field: this.field ?? null, ...this.details } };
  }
}

export const unauthorized = (message = "A valid access token is required") =>
  new ApiError(401, "unauthorized", message);

/** Twilio facts a caller may see about a failure: its code and message, never anything secret. */
export type TwilioDetails = {
  twilioCode: number | null;
  twilioMessage: string | null;
  twilioStatus?: number;
};

/**
 * Twilio refused the credentials the user gave us. Not a 401: that would tell the frontend its own session ended.
 * Twilio's answer cannot tell a wrong SID from a wrong token, so no single field is named.
 */
export const twilioAuthFailed = (details: TwilioDetails, region = "us1") =>
  new ApiError(
    422,
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
    503,
    "twilio_unavailable",
    "Twilio is rate limiting or failing; try again shortly",
    undefined,
    details,
  );
