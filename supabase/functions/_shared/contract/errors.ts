/**
 * Every error a function answers with: a stable `code` (what a UI branches on), the HTTP status that code always
 * comes with, and the body's shape, `{"error": {code, message, field, ...facts}}`.
 */
import { z } from "zod";
import { TwilioRegion } from "./fields.ts";

/** Each code with its description, by the HTTP status it comes with. */
const CODES_BY_STATUS = {
  400: {
    invalid_input: "A query parameter or body field is wrong; `field` names it",
    invalid_json: "The body is not JSON, or not a JSON object",
    invalid_page_token: "pageToken was not given out by this function, or expired",
    recording_not_dual_channel: "channels=2 asked of a one-channel recording",
  },
  401: { unauthorized: "No valid access token (or secret): sign in again" },
  403: { user_token_required: "A user's access token is required, not the secret key" },
  404: {
    credentials_not_found: "No (such) connected Twilio account for this user",
    recording_not_found: "No such recording in the user's Twilio account",
  },
  405: { method_not_allowed: "The function does not serve this method (see `Allow`)" },
  409: {
    provisioning_conflict: "The credentials changed while provisioning; try again",
    activation_conflict: "Another account was being connected at the same time",
    trunk_not_ready: "The main trunk is not provisioned yet",
    numbers_busy: "Another change to the account's numbers is still running",
    recording_not_ready: "The recording is not completed: Twilio has no audio yet",
  },
  413: { body_too_large: "The body exceeds 256 KiB" },
  422: {
    twilio_auth_failed:
      "Twilio rejected the Account SID or auth token the user gave (not the user's session)",
    recording_stored_externally: "The recording is in the account's own storage",
    recording_encrypted: "The recording is encrypted with the account's public key",
  },
  500: { internal_error: "A bug on our side; nothing about it is disclosed" },
  502: {
    twilio_error: "Twilio refused the request; twilioCode says why",
    twilio_unreachable: "Twilio did not answer in time",
    provisioning_failed: "Provisioning failed for good; twilioCode says why",
  },
  503: {
    twilio_unavailable: "Twilio is rate limiting or failing; try again shortly",
    auth_unavailable: "Supabase Auth did not answer; try again shortly",
    webhook_not_configured: "WEBHOOK_SECRET is not set for the webhook function",
  },
} as const;

type ByStatus = typeof CODES_BY_STATUS;
export type ErrorCode = { [S in keyof ByStatus]: keyof ByStatus[S] }[keyof ByStatus];

export const ERRORS = Object.fromEntries(
  Object.entries(CODES_BY_STATUS).flatMap(([status, codes]) =>
    Object.entries(codes).map(([code, description]) => [code, { status: Number(status), description }])
  ),
) as Record<ErrorCode, { status: number; description: string }>;

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
