/**
 * GET /functions/v1/get-sip-config
 *   user JWT            -> the caller's own SIP configuration, without the password
 *   apikey: secret key  -> ?userId=<uuid>: that user's configuration, with the password (for the voice backend)
 * Provisions first if the user's active credentials were never provisioned.
 */
import { z } from "zod";
import { authenticate } from "../_shared/auth.ts";
import { createHandler, json } from "../_shared/http/handler.ts";
import { userId } from "../_shared/http/schemas.ts";
import { parseInput, queryObject } from "../_shared/http/validation.ts";
import { serviceContext } from "../_shared/provisioning/context.ts";
import { getSipConfigForLiveKit } from "../_shared/provisioning/service.ts";

const serviceQuery = z.object({ userId });
const userQuery = z.object({
  userId: z.never({ error: "only server-side callers may name a user" }).optional(),
});

Deno.serve(createHandler("get-sip-config", {
  GET: async ({ req, url, log }) => {
    const caller = await authenticate(req, { allowSecretKey: true });
    const query = queryObject(url);
    const request = caller.kind === "service"
      ? { userId: parseInput(serviceQuery, query).userId, includePassword: true }
      : (parseInput(userQuery, query), { userId: caller.userId, includePassword: false });
    const config = await getSipConfigForLiveKit(
      serviceContext(log.child({ user_id: request.userId })),
      request,
    );
    return json(config, 200, { "Cache-Control": "no-store" });
  },
}));
