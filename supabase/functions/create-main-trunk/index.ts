/**
 * /functions/v1/create-main-trunk (user JWT); requests and answers: _shared/contract/create-main-trunk.ts
 *   POST   { accountSid, authToken, label?, recordingMode?, region? } -> stores the caller's Twilio credentials (encrypted)
 *          and provisions their main trunk. Never returns a secret.
 *   GET    -> the caller's connected Twilio accounts (TwilioCredentials, no secret)
 *   DELETE { id } -> disconnects one: the row goes, and everything this service created in Twilio for it
 */
import { authenticateUser } from "../_shared/auth.ts";
import { ConnectTwilioBody, DisconnectBody } from "../_shared/contract/create-main-trunk.ts";
import { NoQuery } from "../_shared/contract/fields.ts";
import { createHandler, json } from "../_shared/http/handler.ts";
import { parseInput, queryObject, readJsonBody } from "../_shared/http/validation.ts";
import { disconnectTwilioCredentials, listTwilioCredentials } from "../_shared/provisioning/connections.ts";
import { serviceContext } from "../_shared/provisioning/context.ts";
import { createMainTrunkForUser } from "../_shared/provisioning/service.ts";

Deno.serve(createHandler("create-main-trunk", {
  GET: async ({ req, url, log }) => {
    const userId = await authenticateUser(req);
    parseInput(NoQuery, queryObject(url));
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
    const { id } = parseInput(DisconnectBody, await readJsonBody(req));
    return json(
      await disconnectTwilioCredentials(serviceContext(log.child({ user_id: userId })), { userId, id }),
    );
  },
  POST: async ({ req, log }) => {
    const userId = await authenticateUser(req);
    const input = parseInput(ConnectTwilioBody, await readJsonBody(req));
    return json(
      await createMainTrunkForUser(serviceContext(log.child({ user_id: userId })), { userId, ...input }),
    );
  },
}));
