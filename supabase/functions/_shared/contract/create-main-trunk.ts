/**
 * create-main-trunk: connecting a Twilio account (its credentials stored encrypted, its main trunk provisioned),
 * the user's connected accounts as the seed's `TwilioCredentials`, and disconnecting one.
 */
import { z } from "zod";
import { ACCOUNT_ERRORS, BODY_ERRORS, type Endpoint, INPUT_ERRORS, USER_ERRORS } from "./endpoint.ts";
import {
  accountSid,
  authToken,
  Degraded,
  NoQuery,
  ProvisioningStatus,
  RecordingMode,
  TwilioRegion,
} from "./fields.ts";

export const ConnectTwilioBody = z.strictObject({
  accountSid,
  authToken,
  label: z.string().trim().min(1).max(100).optional(),
  recordingMode: RecordingMode.optional().describe("The trunk's call recording (default: the deployment's)"),
  region: TwilioRegion.optional().describe("The account's Twilio region (default us1)"),
});
export type ConnectTwilioInput = z.input<typeof ConnectTwilioBody>;

export const DisconnectBody = z.strictObject({ id: z.uuid("must be the id of one of your connections") });

export const MainTrunk = z.strictObject({
  success: z.literal(true),
  message: z.string(),
  trunkSid: z.string(),
  trunkName: z.string(),
  domainName: z.string().describe("The termination host: <prefix>.pstn.twilio.com"),
  domainPrefix: z.string(),
  credentialListSid: z.string(),
  sipUsername: z.string(),
  status: z.literal("active"),
  degraded: Degraded,
});
export type MainTrunk = z.infer<typeof MainTrunk>;

/**
 * A connected Twilio account as its owner may read it: the row's own (snake_case) names and its provisioning
 * status. Neither secret (the auth token, the SIP password) is part of it: they never reach a browser.
 */
export const TwilioCredentials = z.strictObject({
  id: z.uuid(),
  user_id: z.uuid(),
  account_sid: z.string(),
  trunk_sid: z.string().nullable(),
  label: z.string().nullable(),
  domain_name: z.string().nullable(),
  domain_prefix: z.string().nullable(),
  credential_list_sid: z.string().nullable(),
  sip_username: z.string().nullable(),
  is_active: z.boolean(),
  created_at: z.iso.datetime({ offset: true }),
  updated_at: z.iso.datetime({ offset: true }),
  status: ProvisioningStatus,
  degraded: Degraded,
});
export type TwilioCredentials = z.infer<typeof TwilioCredentials>;

export const CredentialsList = z.strictObject({ credentials: z.array(TwilioCredentials) });
export type CredentialsList = z.infer<typeof CredentialsList>;

/** How the teardown of what a connection created in Twilio (and LiveKit) went. */
export const TeardownOutcome = z.enum(["deprovisioned", "retrying", "nothing_to_do"]).describe(
  "deprovisioned: all gone; retrying: something failed, the sweeper finishes it; nothing_to_do: already done",
);
export type TeardownOutcome = z.infer<typeof TeardownOutcome>;

export const Disconnected = z.strictObject({ deleted: z.literal(true), teardown: TeardownOutcome });
export type Disconnected = z.infer<typeof Disconnected>;

const fn = "create-main-trunk";

export const createMainTrunkEndpoints: Endpoint[] = [
  {
    fn,
    method: "POST",
    caller: "user",
    summary: "Connect a Twilio account",
    description:
      "Stores the credentials (encrypted) and provisions the main trunk; idempotent. Never returns a " +
      "secret. Credentials Twilio rejects store nothing and create nothing (422 twilio_auth_failed).",
    body: ConnectTwilioBody,
    answers: { 200: { description: "The main trunk, provisioned", json: MainTrunk } },
    errors: [
      ...USER_ERRORS,
      ...BODY_ERRORS,
      ...ACCOUNT_ERRORS.filter((code) => code !== "credentials_not_found"),
      "provisioning_failed",
      "provisioning_conflict",
      "activation_conflict",
    ],
  },
  {
    fn,
    method: "GET",
    caller: "user",
    summary: "The user's connected Twilio accounts",
    query: NoQuery,
    answers: { 200: { description: "Active account first, then newest", json: CredentialsList } },
    errors: [...USER_ERRORS, ...INPUT_ERRORS],
  },
  {
    fn,
    method: "DELETE",
    caller: "user",
    summary: "Disconnect a Twilio account",
    description:
      "Deletes the connection and everything this service created for it (numbers restored, trunk " +
      "and credential list deleted); what Twilio refuses now, the sweeper finishes.",
    body: DisconnectBody,
    answers: { 200: { description: "Deleted", json: Disconnected } },
    errors: [...USER_ERRORS, ...BODY_ERRORS, "credentials_not_found"],
  },
];
