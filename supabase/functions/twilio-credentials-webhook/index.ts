/**
 * POST /functions/v1/twilio-credentials-webhook (verify_jwt off; X-Webhook-Secret checked in constant time)
 * The database webhook on user_twilio_credentials, Supabase's payload {type, table, schema, record, old_record}:
 *   INSERT -> encrypt any plaintext secret in the row, then provision it (unless a run is already under way)
 *   DELETE -> work off the teardown the delete recorded (numbers restored, our trunk and list deleted); only the
 *             row id is taken from the payload, the teardown itself comes from the database
 * and from pg_cron (the migration schedules it every minute where pg_cron exists):
 *   {"type": "SWEEP"} -> due teardowns and rows to retry (see provisioning/sweep.ts)
 * Repeated deliveries are harmless: a provisioned row is left alone, a finished teardown has nothing to do.
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
import { sweep } from "../_shared/provisioning/sweep.ts";
import { sealPlaintextSecrets } from "../_shared/provisioning/stored-secrets.ts";
import { loadCredential } from "../_shared/db/credentials.ts";
import { webhookSecretFromEnv } from "../_shared/config.ts";

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
  z.strictObject({ type: z.literal("SWEEP") }),
]);

/** A sweep answers well inside the Edge Runtime's 150 s request limit; what is left waits for the next one. */
const SWEEP_DEADLINE_MS = 100_000;

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
      const result = await deprovisionCredential(ctx, event.old_record.id);
      return json({ type: event.type, outcome: result.kind });
    }
    if (event.type === "SWEEP") {
      return json({ type: event.type, ...await sweep(ctx, { deadlineMs: SWEEP_DEADLINE_MS }) });
    }
    return json({ type: event.type, outcome: "ignored" });
  },
}));

let webhookSecret: string | undefined;

function checkWebhookSecret(req: Request) {
  const expected = webhookSecret ??= webhookSecretFromEnv();
  if (!expected) {
    throw new ApiError(503, "webhook_not_configured", "WEBHOOK_SECRET is not set for this function");
  }
  const given = req.headers.get("x-webhook-secret") ?? "";
  if (!constantTimeEqual(given, expected)) throw unauthorized("The webhook secret is missing or wrong");
}
