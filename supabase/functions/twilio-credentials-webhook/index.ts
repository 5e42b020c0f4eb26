/**
 * POST /functions/v1/twilio-credentials-webhook (verify_jwt off; X-Webhook-Secret checked in constant time)
 * The database webhook on user_twilio_credentials, Supabase's payload {type, table, schema, record, old_record}:
 *   INSERT -> encrypt any plaintext secret in the row, then provision it (unless a run is already under way)
 *   DELETE -> deprovision: delete the trunk and credential list, restore the numbers' voice settings (the auth
 *             token is read from twilio_credential_secrets, which keeps it until the teardown is done)
 * Repeated deliveries are harmless: a provisioned row is left alone, deleted resources count as deleted.
 */
import { z } from "zod";
import { constantTimeEqual } from "../_shared/auth.ts";
import { ApiError, unauthorized } from "../_shared/http/errors.ts";
import { createHandler, json } from "../_shared/http/handler.ts";
import { accountSid, sid, userId } from "../_shared/http/schemas.ts";
import { parseInput, readJsonBody } from "../_shared/http/validation.ts";
import { serviceContext } from "../_shared/provisioning/context.ts";
import { deprovisionCredential } from "../_shared/provisioning/deprovision.ts";
import { provisionCredential } from "../_shared/provisioning/provision.ts";
import { sealPlaintextSecrets } from "../_shared/provisioning/stored-secrets.ts";
import { loadCredential } from "../_shared/db/credentials.ts";

const optionalSid = (prefix: string) => sid(prefix).nullable().optional();
const credentialRecord = z.looseObject({
  id: z.uuid(),
  user_id: userId,
  account_sid: accountSid,
  trunk_sid: optionalSid("TK"),
  credential_list_sid: optionalSid("CL"),
});
const target = { table: z.literal("user_twilio_credentials"), schema: z.literal("public") };
const payload = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("INSERT"),
    ...target,
    record: credentialRecord,
    old_record: z.null().optional(),
  }),
  z.object({
    type: z.literal("DELETE"),
    ...target,
    record: z.null().optional(),
    old_record: credentialRecord,
  }),
  z.object({ type: z.literal("UPDATE"), ...target }).loose(),
]);

Deno.serve(createHandler("twilio-credentials-webhook", {
  POST: async ({ req, log }) => {
    checkWebhookSecret(req);
    const event = parseInput(payload, await readJsonBody(req));
    const ctx = serviceContext(log);
    if (event.type === "INSERT") {
      const row = await loadCredential(ctx.sql, event.record.id);
      if (!row) return json({ type: event.type, outcome: "missing" });
      await sealPlaintextSecrets(ctx.sql, ctx.secrets, row);
      const outcome = await provisionCredential(ctx, row.id, { wait: false, retryFailed: false });
      return json({ type: event.type, outcome: outcome.kind });
    }
    if (event.type === "DELETE") {
      const old = event.old_record;
      const result = await deprovisionCredential(ctx, {
        id: old.id,
        userId: old.user_id,
        accountSid: old.account_sid,
        trunkSid: old.trunk_sid ?? null,
        credentialListSid: old.credential_list_sid ?? null,
      });
      return json({ type: event.type, outcome: result.kind });
    }
    return json({ type: event.type, outcome: "ignored" });
  },
}));

function checkWebhookSecret(req: Request) {
  const expected = Deno.env.get("WEBHOOK_SECRET");
  if (!expected) {
    throw new ApiError(503, "webhook_not_configured", "WEBHOOK_SECRET is not set for this function");
  }
  const given = req.headers.get("x-webhook-secret") ?? "";
  if (!constantTimeEqual(given, expected)) throw unauthorized("The webhook secret is missing or wrong");
}
