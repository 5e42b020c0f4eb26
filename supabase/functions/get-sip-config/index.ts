/**
 * GET /functions/v1/get-sip-config
 *   user JWT            -> the caller's own SIP configuration, without the password
 *   apikey: secret key  -> ?userId=<uuid>: that user's configuration, with the password (for the voice backend)
 *   ?verify=1           -> instead, a health check of the whole setup: verified | degraded | broken, per check
 * Provisions first if the user's active credentials were never provisioned.
 *
 * POST /functions/v1/get-sip-config  { "repair": true, "userId"?: uuid (secret key only) }
 *   -> recreates what verification finds missing, and reports the check before and after.
 * Requests and answers: _shared/contract/get-sip-config.ts
 */
import { authenticate, type Caller } from "../_shared/auth.ts";
import {
  RepairBody,
  ServiceRepairBody,
  ServiceSipConfigQuery,
  SipConfigQuery,
} from "../_shared/contract/get-sip-config.ts";
import { createHandler, json } from "../_shared/http/handler.ts";
import { parseInput, queryObject, readJsonBody } from "../_shared/http/validation.ts";
import { serviceContext } from "../_shared/provisioning/context.ts";
import { getSipConfigForLiveKit } from "../_shared/provisioning/service.ts";

const getQuery = { service: ServiceSipConfigQuery, user: SipConfigQuery };
const repairBody = { service: ServiceRepairBody, user: RepairBody };

/** The user a request is about: the token's user, or, for the secret key, the one it names. */
function subject(caller: Caller, input: { userId?: string }): string {
  return caller.kind === "service" ? input.userId! : caller.userId;
}

Deno.serve(createHandler("get-sip-config", {
  GET: async ({ req, url, log }) => {
    const caller = await authenticate(req, { allowSecretKey: true });
    const query = parseInput(getQuery[caller.kind], queryObject(url));
    const user = subject(caller, query);
    const ctx = serviceContext(log.child({ user_id: user }));
    if (query.verify) {
      // Loaded when asked for, so the voice backend's hot path (the config itself) starts without it.
      const { verifyTrunkExists } = await import("../_shared/health/verify.ts");
      return json(await verifyTrunkExists(ctx, { userId: user }), 200, { "Cache-Control": "no-store" });
    }
    const config = await getSipConfigForLiveKit(ctx, {
      userId: user,
      includePassword: caller.kind === "service",
    });
    return json(config, 200, { "Cache-Control": "no-store" });
  },
  POST: async ({ req, log }) => {
    const caller = await authenticate(req, { allowSecretKey: true });
    const body = parseInput(repairBody[caller.kind], await readJsonBody(req));
    const user = subject(caller, body);
    const { repairTrunk } = await import("../_shared/health/repair.ts");
    return json(await repairTrunk(serviceContext(log.child({ user_id: user })), { userId: user }));
  },
}));
