/**
 * POST /functions/v1/twilio-credentials-webhook (verify_jwt off; X-Webhook-Secret checked in constant time)
 * The database webhook on user_twilio_credentials, Supabase's payload {type, table, schema, record, old_record}:
 *   INSERT -> encrypt any plaintext secret in the row, then provision it (unless a run is already under way)
 *   DELETE -> work off the teardown the delete recorded (numbers restored, our trunk and list deleted); only the
 *             row id is taken from the payload, the teardown itself comes from the database
 * and from pg_cron (the migration schedules it every minute where pg_cron exists):
 *   {"type": "SWEEP"} -> due teardowns and rows to retry (see provisioning/sweep.ts)
 * Repeated deliveries are harmless: a provisioned row is left alone, a finished teardown has nothing to do.
 * Requests and answers: _shared/contract/twilio-credentials-webhook.ts
 */
import { constantTimeEqual } from "../_shared/auth.ts";
import { WebhookPayload, type WebhookResult } from "../_shared/contract/twilio-credentials-webhook.ts";
import { loadCredential } from "../_shared/db/credentials.ts";
import { ApiError, unauthorized } from "../_shared/http/errors.ts";
import { createHandler, json } from "../_shared/http/handler.ts";
import { parseInput, readJsonBody } from "../_shared/http/validation.ts";
import { serviceContext } from "../_shared/provisioning/context.ts";
import type { ServiceContext } from "../_shared/service-context.ts";
import { deprovisionCredential } from "../_shared/provisioning/deprovision.ts";
import { provisionCredential } from "../_shared/provisioning/provision.ts";
import { sealPlaintextSecrets } from "../_shared/provisioning/stored-secrets.ts";
import { sweep } from "../_shared/provisioning/sweep.ts";
import { webhookSecretFromEnv } from "../_shared/config.ts";

/** A sweep answers well inside the Edge Runtime's 150 s request limit; what is left waits for the next one. */
const SWEEP_DEADLINE_MS = 100_000;

Deno.serve(createHandler("twilio-credentials-webhook", {
  POST: async ({ req, log }) => {
    checkWebhookSecret(req);
    const event = parseInput(WebhookPayload, await readJsonBody(req));
    return json(await handle(event, serviceContext(log)));
  },
}));

async function handle(event: WebhookPayload, ctx: ServiceContext): Promise<WebhookResult> {
  switch (event.type) {
    case "INSERT": {
      const row = await loadCredential(ctx.sql, event.record.id);
      if (!row) return { type: event.type, outcome: "missing" };
      await sealPlaintextSecrets(ctx.sql, ctx.secrets, row);
      const outcome = await provisionCredential(ctx, row.id, { wait: false, retryFailed: false });
      return { type: event.type, outcome: outcome.kind };
    }
    case "DELETE":
      return { type: event.type, outcome: (await deprovisionCredential(ctx, event.old_record.id)).kind };
    case "SWEEP":
      return { type: event.type, ...await sweep(ctx, { deadlineMs: SWEEP_DEADLINE_MS }) };
    case "UPDATE":
      return { type: event.type, outcome: "ignored" };
  }
}

let webhookSecret: string | undefined;

function checkWebhookSecret(req: Request) {
  const expected = webhookSecret ??= webhookSecretFromEnv();
  if (!expected) {
    throw new ApiError("webhook_not_configured", "WEBHOOK_SECRET is not set for this function");
  }
  const given = req.headers.get("x-webhook-secret") ?? "";
  if (!constantTimeEqual(given, expected)) throw unauthorized("The webhook secret is missing or wrong");
}
