/**
 * /functions/v1/create-main-trunk (user JWT)
 *   POST   { accountSid, authToken, label?, recordingMode?, region? } -> stores the caller's Twilio credentials (encrypted)
 *          and provisions their main trunk. Never returns a secret.
 *   GET    -> the caller's connected Twilio accounts (TwilioCredentials, no secret)
 *   DELETE { id } -> disconnects one: the row goes, and everything this service created in Twilio for it
 */
import { z } from "zod";
import { authenticateUser } from "../_shared/auth.ts";
import { createHandler, json } from "../_shared/http/handler.ts";
import { accountSid, authToken, recordingMode } from "../_shared/http/schemas.ts";
import { parseInput, queryObject, readJsonBody } from "../_shared/http/validation.ts";
import { disconnectTwilioCredentials, listTwilioCredentials } from "../_shared/provisioning/connections.ts";
import { serviceContext } from "../_shared/provisioning/context.ts";
import { TWILIO_REGIONS } from "../_shared/twilio/regions.ts";
import { createMainTrunkForUser } from "../_shared/provisioning/service.ts";

const body = z.strictObject({
  accountSid,
  authToken,
  label: z.string().trim().min(1).max(100).optional(),
  recordingMode: recordingMode.optional(),
  region: z.enum(TWILIO_REGIONS, { error: `must be one of ${TWILIO_REGIONS.join(", ")}` }).optional(),
});

const disconnectBody = z.strictObject({ id: z.uuid("must be the id of one of your connections") });

Deno.serve(createHandler("create-main-trunk", {
  GET: async ({ req, url, log }) => {
    const userId = await authenticateUser(req);
    parseInput(z.strictObject({}), queryObject(url));
    return json(
      await listTwilioCredentials(serviceContext(log.child({ user_id: userId })), { userId }),
      200,
      {
        "Cache-Control": "no-store",
      },
    );
  },
  DELETE: async ({ req, log }) => {
    const userId = await authenticateUser(req);
    const { id } = parseInput(disconnectBody, await readJsonBody(req));
    return json(
      await disconnectTwilioCredentials(serviceContext(log.child({ user_id: userId })), { userId, id }),
    );
  },
  POST: async ({ req, log }) => {
    const userId = await authenticateUser(req);
    const input = parseInput(body, await readJsonBody(req));
    return json(
      await createMainTrunkForUser(serviceContext(log.child({ user_id: userId })), { userId, ...input }),
    );
  },
}));
