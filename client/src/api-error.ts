/**
 * Every failure a client call can end in, as one value a UI can branch on: `status` 401 means the user's session
 * is over (sign in again); 422 `twilio_auth_failed` means Twilio refused the credentials they typed; `field`
 * names the input at fault. Status 0 means the request never got an answer (network, CORS).
 */
export class ApiError extends Error {
  override readonly name = "ApiError";

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field: string | null = null,
    /** Further facts from the error body, e.g. `twilioCode`, `twilioMessage`. */
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }

  /** The access token was missing, expired or refused: the user has to sign in again. */
  get isSessionExpired(): boolean {
    return this.status === 401;
  }

  /** Twilio refused the Account SID / auth token pair (not the user's session). */
  get isTwilioAuthFailure(): boolean {
    return this.code === "twilio_auth_failed";
  }
}

/**
 * The ApiError for a response that is not ok. Functions answer `{"error": {code, message, field, ...}}`; the
 * gateway's own refusals (verify_jwt) are `{"code": 401, "message": "Invalid JWT"}`; anything else keeps its
 * status with a generic code.
 */
export async function apiErrorFrom(response: Response): Promise<ApiError> {
  const text = await response.text().catch(() => "");
  const body = parseJson(text);
  const error = body?.error;
  if (isRecord(error) && typeof error.code === "string") {
    const { code, message, field, ...details } = error;
    return new ApiError(
      response.status,
      code,
      typeof message === "string" ? message : code,
      typeof field === "string" ? field : null,
      details,
    );
  }
  if (body && typeof body.message === "string") {
    return new ApiError(
      response.status,
      response.status === 401 ? "unauthorized" : "gateway_error",
      body.message,
    );
  }
  const fallback = response.status === 401 ? "unauthorized" : `http_${response.status}`;
  return new ApiError(response.status, fallback, text.slice(0, 200) || response.statusText || fallback);
}

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return isRecord(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
