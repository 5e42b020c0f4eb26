/**
 * POST /functions/v1/create-main-trunk (user JWT)
 * Body: { accountSid, authToken, label?, recordingMode? }
 * Stores the caller's Twilio credentials (encrypted) and provisions their main trunk. Never returns a secret.
 */
import { z } from "zod";
import { authenticateUser } from "../_shared/auth.ts";
import { createHandler, json } from "../_shared/http/handler.ts";
import { accountSid, authToken, recordingMode } from "../_shared/http/schemas.ts";
import { parseInput, readJsonBody } from "../_shared/http/validation.ts";
import { serviceContext } from "../_shared/provisioning/context.ts";
import { createMainTrunkForUser } from "../_shared/provisioning/service.ts";

const body = z.strictObject({
  accountSid,
  authToken,
  label: z.string().trim().min(1).max(100).optional(),
  recordingMode: recordingMode.optional(),
});

Deno.serve(createHandler("create-main-trunk", {
  POST: async ({ req, log }) => {
    const userId = await authenticateUser(req);
    const input = parseInput(body, await readJsonBody(req));
    return json(
      await createMainTrunkForUser(serviceContext(log.child({ user_id: userId })), { userId, ...input }),
    );
  },
}));
