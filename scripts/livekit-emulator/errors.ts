// Twirp errors as LiveKit's server writes them: non-2xx, `Content-Type: application/json` exactly (the SDK only
// parses the body when the header is exactly that), body `{"code", "msg", "meta"?}`.

/** Twirp's error codes and the HTTP status each maps to (twitchtv/twirp errors.go). */
export const TWIRP_STATUS = {
  canceled: 408,
  unknown: 500,
  invalid_argument: 400,
  malformed: 400,
  deadline_exceeded: 408,
  not_found: 404,
  bad_route: 404,
  already_exists: 409,
  permission_denied: 403,
  unauthenticated: 401,
  resource_exhausted: 429,
  failed_precondition: 412,
  aborted: 409,
  out_of_range: 400,
  unimplemented: 501,
  internal: 500,
  unavailable: 503,
  data_loss: 500,
} as const;

export type TwirpCode = keyof typeof TWIRP_STATUS;

export function isTwirpCode(value: string): value is TwirpCode {
  return Object.hasOwn(TWIRP_STATUS, value);
}

export class TwirpError extends Error {
  constructor(
    readonly code: TwirpCode,
    message: string,
    readonly meta: Record<string, string> = {},
    /** Overrides the code's usual status (injected faults may pair any status with any code). */
    readonly status: number = TWIRP_STATUS[code],
  ) {
    super(message);
  }
}

/**
 * A 401 with a plain-text body, as livekit-server's auth middleware answers a token it cannot verify
 * (`HandleError` writes `err.Error()` with no content type); the SDK then has `status` but no `code`.
 */
export class PlainTextError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

export function jsonResponse(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
}

export function errorResponse(error: TwirpError | PlainTextError): Response {
  if (error instanceof PlainTextError) {
    return new Response(error.message, {
      status: error.status,
      headers: { "content-type": "text/plain; charset=utf-8" },
    });
  }
  const meta = Object.keys(error.meta).length ? { meta: error.meta } : {};
  return jsonResponse(error.status, { code: error.code, msg: error.message, ...meta });
}

/** Known errors keep their shape; anything else is an emulator bug, answered as Twirp `internal`. */
export function toErrorResponse(error: unknown): Response {
  if (error instanceof TwirpError || error instanceof PlainTextError) return errorResponse(error);
  console.error("livekit emulator: unexpected error", error);
  return errorResponse(new TwirpError("internal", "internal error"));
}

export const invalidArgument = (msg: string) => new TwirpError("invalid_argument", msg);
export const notFound = (msg: string) => new TwirpError("not_found", msg);
