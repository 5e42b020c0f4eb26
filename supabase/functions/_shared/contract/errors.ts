/**
 * Every error a function answers with: a stable `code` (what a UI branches on), the HTTP status that code always
 * comes with, and the body's shape, `{"error": {code, message, field, ...facts}}`.
 */
import { z } from "zod";
import { TwilioRegion } from "./fields.ts";

export const ERRORS = {
  invalid_input: { status: 400, description: "A query parameter or body field is wrong; `field` names it" },
  invalid_json: { status: 400, description: "The body is not JSON, or not a JSON object" },
  invalid_page_token: {
    status: 400,
    description: "pageToken was not given out by this function, or expired",
  },
  recording_not_dual_channel: { status: 400, description: "channels=2 asked of a one-channel recording" },
  unauthorized: { status: 401, description: "No valid access token (or secret): sign in again" },
  user_token_required: { status: 403, description: "A user's access token is required, not the secret key" },
  credentials_not_found: { status: 404, description: "No (such) connected Twilio account for this user" },
  recording_not_found: { status: 404, description: "No such recording in the user's Twilio account" },
  method_not_allowed: { status: 405, description: "The function does not serve this method (see `Allow`)" },
  provisioning_conflict: {
    status: 409,
    description: "The credentials changed while provisioning; try again",
  },
  activation_conflict: { status: 409, description: "Another account was being connected at the same time" },
  trunk_not_ready: { status: 409, description: "The main trunk is not provisioned yet" },
  numbers_busy: { status: 409, description: "Another change to the account's numbers is still running" },
  recording_not_ready: {
    status: 409,
    description: "The recording is not completed: Twilio has no audio yet",
  },
  body_too_large: { status: 413, description: "The body exceeds 256 KiB" },
  twilio_auth_failed: {
    status: 422,
    description: "Twilio rejected the Account SID or auth token the user gave (not the user's session)",
  },
  recording_stored_externally: { status: 422, description: "The recording is in the account's own storage" },
  recording_encrypted: {
    status: 422,
    description: "The recording is encrypted with the account's public key",
  },
  internal_error: { status: 500, description: "A bug on our side; nothing about it is disclosed" },
  twilio_error: { status: 502, description: "Twilio refused the request; twilioCode says why" },
  twilio_unreachable: { status: 502, description: "Twilio did not answer in time" },
  provisioning_failed: { status: 502, description: "Provisioning failed for good; twilioCode says why" },
  twilio_unavailable: { status: 503, description: "Twilio is rate limiting or failing; try again shortly" },
  auth_unavailable: { status: 503, description: "Supabase Auth did not answer; try again shortly" },
  webhook_not_configured: { status: 503, description: "WEBHOOK_SECRET is not set for the webhook function" },
} as const satisfies Record<string, { status: number; description: string }>;

export type ErrorCode = keyof typeof ERRORS;
export const ERROR_CODES = Object.keys(ERRORS) as [ErrorCode, ...ErrorCode[]];
export const ErrorCode = z.enum(ERROR_CODES).describe(
  ERROR_CODES.map((code) => `${code} (${ERRORS[code].status}): ${ERRORS[code].description}`).join("\n"),
);

/** What an error body may add: Twilio's facts about a failure (never anything secret). */
const errorFacts = z.strictObject({
  twilioCode: z.number().int().nullable().optional().describe("Twilio's error code; null when it gave none"),
  twilioMessage: z.string().nullable().optional(),
  twilioStatus: z.number().int().optional().describe("The HTTP status Twilio answered with"),
  region: TwilioRegion.optional().describe("twilio_auth_failed: the region the credentials were tried in"),
  recordingStatus: z.string().optional().describe("recording_not_ready: the recording's status at Twilio"),
});
export type ErrorFacts = z.infer<typeof errorFacts>;

export const ErrorBody = z.strictObject({
  error: errorFacts.extend({
    code: ErrorCode,
    message: z.string().describe("For people; may change. Branch on `code`"),
    field: z.string().nullable().describe("The input at fault (e.g. accountSid), or null"),
  }),
});
export type ErrorBody = z.infer<typeof ErrorBody>;
