/**
 * twilio-credentials-webhook: the database webhook on user_twilio_credentials (Supabase's payload) and pg_cron's
 * sweep. Called with the X-Webhook-Secret header, never by users.
 */
import { z } from "zod";
import { TeardownOutcome } from "./create-main-trunk.ts";
import { BODY_ERRORS, type Endpoint } from "./endpoint.ts";
import { accountSid, sid, userId } from "./fields.ts";

const optionalSid = (prefix: string) => sid(prefix).nullable().optional();
const credentialRecord = z.looseObject({
  id: z.uuid(),
  user_id: userId,
  account_sid: accountSid,
  trunk_sid: optionalSid("TK"),
  credential_list_sid: optionalSid("CL"),
});
const target = { table: z.literal("user_twilio_credentials"), schema: z.literal("public") };

export const WebhookPayload = z.discriminatedUnion("type", [
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
export type WebhookPayload = z.infer<typeof WebhookPayload>;

/** How a provisioning run ended: serving, refused for good, to be retried, another run busy, row gone. */
export const ProvisionOutcome = z.enum(["active", "failed", "retrying", "busy", "missing"]);

/** Per outcome, how many teardowns and rows a sweep worked off (`error`: one threw). */
export const SweepSummary = z.strictObject({
  teardowns: z.partialRecord(z.enum([...TeardownOutcome.options, "error"]), z.number().int()),
  rows: z.partialRecord(z.enum([...ProvisionOutcome.options, "error"]), z.number().int()),
  deferred: z.number().int().describe("Items left for the next sweep because the deadline came first"),
});
export type SweepSummary = z.infer<typeof SweepSummary>;

export const WebhookResult = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("INSERT"), outcome: ProvisionOutcome }),
  z.strictObject({ type: z.literal("DELETE"), outcome: TeardownOutcome }),
  z.strictObject({ type: z.literal("UPDATE"), outcome: z.literal("ignored") }),
  SweepSummary.extend({ type: z.literal("SWEEP") }),
]);
export type WebhookResult = z.infer<typeof WebhookResult>;

export const webhookEndpoints: Endpoint[] = [
  {
    fn: "twilio-credentials-webhook",
    method: "POST",
    caller: "webhookSecret",
    summary: "Database webhook and sweep",
    description: "INSERT: encrypt any plaintext secret in the row, then provision it. DELETE: work off the " +
      "teardown the delete recorded. UPDATE: ignored. SWEEP (pg_cron, every minute): due teardowns and rows to " +
      "retry. Repeated deliveries are harmless.",
    body: WebhookPayload,
    answers: { 200: { description: "What the event led to", json: WebhookResult } },
    errors: [...BODY_ERRORS, "unauthorized", "webhook_not_configured"],
  },
];
