/**
 * Every function's HTTP shell: CORS (preflight included), 405 for methods it does not serve, a request id, one
 * structured log line per request (at debug for successes), and one mapping from errors to JSON responses:
 *   ApiError -> its code's status; Twilio auth failure -> 422; other Twilio failure -> 502 with Twilio's code;
 *   anything else -> 500 (a bug: logged with its stack, answered without details).
 *
 * ```ts
 * Deno.serve(createHandler("get-sip-config", { GET: async ({ req }) => json(await load(req)) }));
 * ```
 */
import { corsHeaders as supabaseCors } from "@supabase/supabase-js/cors";
import { ApiError, twilioAuthFailed, twilioUnavailable } from "./errors.ts";
import { createLogger, type Logger } from "../log.ts";
import { isTwilioError, TwilioApiError } from "../twilio/errors.ts";

export interface RequestContext {
  req: Request;
  url: URL;
  requestId: string;
  log: Logger;
}

type Method = "GET" | "POST" | "DELETE";
export type Route = (ctx: RequestContext) => Promise<Response>;

/**
 * Every header the Supabase SDKs send (supabase-js's own canonical list, kept in step with the SDK: tracing headers,
 * postgrest's retry count), `x-region` (sent by supabase-js when a call names its region) and our `x-request-id`.
 */
const CORS_HEADERS = {
  "Access-Control-Allow-Origin": "*",
  "Access-Control-Allow-Headers": `${supabaseCors["Access-Control-Allow-Headers"]}, x-region, x-request-id`,
  "Access-Control-Max-Age": "86400",
};

export function createHandler(fn: string, routes: Partial<Record<Method, Route>>) {
  const allowed = [...Object.keys(routes), "OPTIONS"].join(", ");
  const corsHeaders = Object.entries({ ...CORS_HEADERS, "Access-Control-Allow-Methods": allowed });
  return async (req: Request): Promise<Response> => {
    const started = performance.now();
    const requestId = validRequestId(req.headers.get("x-request-id")) ?? crypto.randomUUID();
    const log = createLogger({ fn, request_id: requestId });
    const response = await respond(req, routes, allowed, log, requestId);
    for (const [name, value] of corsHeaders) response.headers.set(name, value);
    response.headers.set("x-request-id", requestId);
    // Supabase records every invocation with its status and duration (the dashboard's Invocations): a success
    // needs no line of ours at info, which on get-sip-config's hot path cost a fifth of its CPU.
    log[response.status >= 400 ? "info" : "debug"]("request", {
      method: req.method,
      status: response.status,
      duration_ms: Math.round(performance.now() - started),
    });
    return response;
  };
}

async function respond(
  req: Request,
  routes: Partial<Record<Method, Route>>,
  allowed: string,
  log: Logger,
  requestId: string,
): Promise<Response> {
  if (req.method === "OPTIONS") return new Response(null, { status: 204 });
  const route = routes[req.method as Method];
  if (!route) {
    const error = new ApiError("method_not_allowed", `${req.method} is not supported; use ${allowed}`);
    return json(error.toBody(), error.status, { Allow: allowed });
  }
  try {
    return await route({ req, url: new URL(req.url), requestId, log });
  } catch (error) {
    return errorResponse(error, log);
  }
}

export function errorResponse(error: unknown, log: Logger): Response {
  const api = toApiError(error);
  if (api.status >= 500 && !isTwilioError(error)) {
    log.error("unhandled_error", { error: (error as Error)?.message, stack: (error as Error)?.stack });
  } else if (isTwilioError(error)) {
    log.warn("twilio_error", { status: api.status, twilio: api.details });
  }
  return json(api.toBody(), api.status);
}

function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof TwilioApiError) {
    const details = { twilioCode: error.code, twilioStatus: error.status, twilioMessage: error.message };
    if (error.isAuthFailure) return twilioAuthFailed(details);
    if (error.isTransient) return twilioUnavailable(details);
    return new ApiError(
      "twilio_error",
      `Twilio refused the request: ${error.message}`,
      undefined,
      details,
    );
  }
  if (isTwilioError(error)) return new ApiError("twilio_unreachable", "Twilio did not answer in time");
  return new ApiError("internal_error", "Something went wrong on our side");
}

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "Content-Type": "application/json", ...headers },
  });
}

function validRequestId(value: string | null): string | undefined {
  return value && /^[A-Za-z0-9._-]{8,64}$/.test(value) ? value : undefined;
}
