// The Twirp request pipeline for POST /twirp/livekit.SIP/<Method>, in livekit-server's order: route checks,
// token (auth middleware), body decoding (Twirp server), grant check and method (pkg/service/sip.go).
// Around it the emulator adds its request log, latency and injected faults.
import { sleep, waitSince } from "../emulator/limits.ts";
import { DROP_CONNECTION, type Reply } from "../emulator/transport.ts";
import { authenticate, requireSipAdmin } from "./auth.ts";
import { errorResponse, jsonResponse, toErrorResponse, TwirpError } from "./errors.ts";
import { faultError } from "./faults.ts";
import { type JsonValue, NOT_EMULATED, SIP_METHODS, type SipMethod } from "./sip-service.ts";
import type { EmulatorState } from "./state.ts";

export const TWIRP_PREFIX = "/twirp/livekit.SIP/";

function badRoute(req: Request, url: URL, msg: string): TwirpError {
  return new TwirpError("bad_route", msg, { twirp_invalid_route: `${req.method} ${url.pathname}` });
}

/** Twirp compares the media type only (`application/json;charset=UTF-8`, as the SDK sends, is fine). */
function mediaType(header: string | null): string {
  return (header ?? "").split(";")[0].trim().toLowerCase();
}

/** The method to call, or the Twirp `bad_route` error the server gives for this request. */
function route(req: Request, url: URL): { name: string; method: SipMethod | null } {
  if (req.method !== "POST") {
    throw badRoute(req, url, `unsupported method "${req.method}" (only POST is allowed)`);
  }
  const name = url.pathname.slice(TWIRP_PREFIX.length);
  const method = Object.hasOwn(SIP_METHODS, name) ? SIP_METHODS[name] : null;
  if (!method && !NOT_EMULATED.has(name)) throw badRoute(req, url, `no handler for path "${url.pathname}"`);
  const type = mediaType(req.headers.get("content-type"));
  if (type !== "application/json") {
    // The real server also speaks application/protobuf; the emulator only JSON, which is what the SDK sends.
    throw badRoute(req, url, `unexpected Content-Type: "${req.headers.get("content-type") ?? ""}"`);
  }
  return { name, method };
}

function parseJson(body: string): JsonValue {
  try {
    return JSON.parse(body);
  } catch (error) {
    throw new TwirpError("malformed", "the json request could not be decoded", {
      cause: (error as Error).message,
    });
  }
}

async function answer(
  state: EmulatorState,
  req: Request,
  name: string,
  method: SipMethod | null,
  body: string,
) {
  if (!method) throw new TwirpError("unimplemented", `${name} is not emulated`);
  const grant = await authenticate(req, state.credentials, state.config.invalidToken);
  const call = method(parseJson(body));
  requireSipAdmin(grant, state.config.missingGrant);
  const message = call({ store: state.store, behaviour: state.config });
  return jsonResponse(200, message.toJson());
}

export function createTwirpHandler(state: EmulatorState): (req: Request, url: URL) => Promise<Reply> {
  const wait = (ms: number) => sleep(ms, state.shutdownSignal);
  return async (req, url) => {
    const arrived = performance.now();
    const { name, method } = route(req, url);
    const body = await req.text();
    state.requests.record(name, body);
    const fault = state.faults.take(name, body);
    const latency = () => waitSince(arrived, state.config.latencyMs, state.shutdownSignal);
    if (!fault) {
      // As the Twilio emulator does (api-pipeline.ts): carried out as it arrives, answered L after its arrival.
      const answered = answer(state, req, name, method, body).catch(toErrorResponse);
      await latency();
      return await answered;
    }
    await latency();
    if (fault.mode === "fail" || fault.mode === "reset") {
      await wait(fault.delayMs);
      return fault.mode === "reset" ? DROP_CONNECTION : errorResponse(faultError(fault));
    }
    await answer(state, req, name, method, body).catch(toErrorResponse);
    // applied-then-*: whatever the request did stays done; only the answer is lost.
    await wait(fault.delayMs);
    return fault.mode === "applied-then-drop" ? DROP_CONNECTION : errorResponse(faultError(fault));
  };
}
