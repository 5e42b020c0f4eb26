// Test-control API under /_emulator/ (JSON, no auth): inspect state, reset, settings, faults, received requests.
// Errors use the Twirp shape too, so one helper reads every error the emulator gives.
import type { EmulatorConfig } from "./behaviour.ts";
import { invalidArgument, isTwirpCode, jsonResponse, TwirpError } from "./errors.ts";
import { FAULT_MODES, type FaultSpec } from "./faults.ts";
import { NOT_EMULATED, SIP_METHODS } from "./sip-service.ts";
import type { EmulatorState } from "./state.ts";
import { JsonFields } from "../local/emulators.ts";

const MAX_DELAY_MS = 600_000;

/** A JSON object body whose keys are all known: a misspelt setting fails instead of being ignored. */
const readFields = (req: Request, known: readonly string[]) => JsonFields.read(req, invalidArgument, known);

function renderState(state: EmulatorState) {
  const { store } = state;
  return {
    inboundTrunks: store.inboundTrunks.all().map((t) => t.toJson()),
    outboundTrunks: store.outboundTrunks.all().map((t) => t.toJson()),
    dispatchRules: store.dispatchRules.all().map((r) => r.toJson()),
  };
}

const CONFIG_KEYS = [
  "latencyMs",
  "missingGrant",
  "invalidToken",
  "requireE164InboundNumbers",
  "rejectUnknownTrunkIds",
] as const;

/** Only the keys present change. */
async function updateConfig(state: EmulatorState, req: Request): Promise<EmulatorConfig> {
  const fields = await readFields(req, CONFIG_KEYS);
  const patch: Partial<EmulatorConfig> = {
    latencyMs: fields.integer("latencyMs", 0, MAX_DELAY_MS) ?? undefined,
    missingGrant: fields.oneOf("missingGrant", ["unauthenticated", "permission_denied"] as const),
    invalidToken: fields.oneOf("invalidToken", ["text", "twirp"] as const),
    requireE164InboundNumbers: fields.boolean("requireE164InboundNumbers"),
    rejectUnknownTrunkIds: fields.boolean("rejectUnknownTrunkIds"),
  };
  for (const [key, value] of Object.entries(patch)) {
    if (value !== undefined) Object.assign(state.config, { [key]: value });
  }
  return state.config;
}

async function readFault(req: Request): Promise<FaultSpec> {
  const fields = await readFields(req, [
    "method",
    "match",
    "mode",
    "status",
    "code",
    "message",
    "times",
    "delayMs",
  ]);
  const method = fields.string("method");
  if (method !== undefined && !Object.hasOwn(SIP_METHODS, method) && !NOT_EMULATED.has(method)) {
    throw invalidArgument(`method ${method} is not a livekit.SIP method`);
  }
  const code = fields.string("code");
  if (code !== undefined && !isTwirpCode(code)) {
    throw invalidArgument(`code ${code} is not a Twirp error code`);
  }
  return {
    method: method ?? null,
    match: fields.string("match") || null,
    mode: fields.oneOf("mode", FAULT_MODES) ?? "fail",
    status: fields.integer("status", 400, 599) ?? null,
    code: code ?? null,
    message: fields.string("message") ?? null,
    times: fields.integer("times", 1, 1_000_000) ?? 1,
    delayMs: fields.integer("delayMs", 0, MAX_DELAY_MS) ?? 0,
  };
}

const optionalParam = (url: URL, name: string) => url.searchParams.get(name) ?? undefined;

type AdminRoute = (state: EmulatorState, req: Request, url: URL) => Response | Promise<Response>;

const ROUTES: Record<string, AdminRoute> = {
  "GET /_emulator/health": () => jsonResponse(200, { ok: true }),
  "GET /_emulator/state": (state) => jsonResponse(200, renderState(state)),
  "POST /_emulator/reset": (state) => {
    state.reset();
    return jsonResponse(200, { ok: true });
  },
  "GET /_emulator/config": (state) => jsonResponse(200, state.config),
  "POST /_emulator/config": async (state, req) => jsonResponse(200, await updateConfig(state, req)),
  "POST /_emulator/faults": async (state, req) => jsonResponse(201, state.faults.add(await readFault(req))),
  "GET /_emulator/faults": (state) => jsonResponse(200, { faults: state.faults.list() }),
  "DELETE /_emulator/faults": (state, _req, url) => {
    state.faults.clear(optionalParam(url, "match"));
    return new Response(null, { status: 204 });
  },
  "GET /_emulator/requests": (state, _req, url) =>
    jsonResponse(200, {
      requests: state.requests.list({
        method: optionalParam(url, "method"),
        match: optionalParam(url, "match"),
      }),
    }),
  "DELETE /_emulator/requests": (state) => {
    state.requests.clear();
    return new Response(null, { status: 204 });
  },
};

export function createAdminHandler(state: EmulatorState): (req: Request, url: URL) => Promise<Response> {
  return async (req, url) => {
    const route = ROUTES[`${req.method} ${url.pathname}`];
    if (!route) throw new TwirpError("bad_route", `no admin route ${req.method} ${url.pathname}`);
    return await route(state, req, url);
  };
}
