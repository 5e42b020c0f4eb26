// Twilio error bodies: every failure is `{code, message, more_info, status}`.

export class TwilioError extends Error {
  constructor(readonly status: number, readonly code: number, message: string) {
    super(message);
  }
}

function errorBody(status: number, code: number, message: string) {
  return { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status };
}

export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json; charset=utf-8", ...headers },
  });
}

export function errorResponse(error: TwilioError, headers: Record<string, string> = {}): Response {
  return jsonResponse(error.status, errorBody(error.status, error.code, error.message), headers);
}

/** 400 20001: the catch-all for malformed, unknown or missing parameters. */
export function invalidParameter(message: string): TwilioError {
  return new TwilioError(400, 20001, message);
}

/** 400 with a resource-specific validation code (21240, 21245, ...). */
export function validationError(code: number, message: string): TwilioError {
  return new TwilioError(400, code, message);
}

/** 404 20404, also used for resources that exist but belong to another account. */
export function notFound(path: string): TwilioError {
  return new TwilioError(404, 20404, `The requested resource ${path} was not found`);
}

/** Twilio errors keep their status and code; anything else is an emulator bug, reported as 500 20500. */
export function toErrorResponse(error: unknown): Response {
  if (error instanceof TwilioError) return errorResponse(error);
  console.error("emulator: unexpected error", error);
  return errorResponse(new TwilioError(500, 20500, "Internal Server Error"));
}
