/**
 * get-sip-config: the SIP configuration (for the voice backend, with the password), the health check of the whole
 * setup, and its repair. Users ask about themselves; the secret key names a user.
 */
import { z } from "zod";
import { ACCOUNT_ERRORS, BODY_ERRORS, type Endpoint, INPUT_ERRORS } from "./endpoint.ts";
import { Degraded, OUTBOUND_TRANSPORTS, ProvisioningStatus, userId } from "./fields.ts";

const onlyServiceNamesUser = z.never({ error: "only server-side callers may name a user" }).optional();
const namedUser = userId.describe("Secret key callers only, and required for them: the user to act on");
const verify = z.literal("1").optional().describe("1: answer the health check instead of the configuration");

export const SipConfigQuery = z.strictObject({ userId: onlyServiceNamesUser, verify });
export const ServiceSipConfigQuery = z.strictObject({ userId: namedUser, verify });
export const RepairBody = z.strictObject({ repair: z.literal(true), userId: onlyServiceNamesUser });
export const ServiceRepairBody = z.strictObject({ repair: z.literal(true), userId: namedUser });

/** LiveKit's ids for the customer's objects, when this deployment manages the LiveKit side. */
const liveKitObjects = {
  outboundTrunkId: z.string().nullable().optional().describe(
    "For createSipParticipant: outbound calls through the customer's trunk",
  ),
  inboundTrunkId: z.string().nullable().optional(),
  dispatchRuleIds: z.array(z.string()).optional().describe(
    "The trunk's rule, then the rules of numbers with an agent of their own",
  ),
  missing: z.array(z.string()).optional().describe(
    "What does not exist yet, e.g. every object until a first number is attached",
  ),
};

export const SipConfig = z.strictObject({
  domainName: z.string(),
  sipUsername: z.string(),
  trunkSid: z.string(),
  credentialListSid: z.string(),
  status: ProvisioningStatus,
  degraded: Degraded,
  livekit: z.strictObject({
    address: z.string(),
    transport: z.enum(OUTBOUND_TRANSPORTS),
    numbers: z.array(z.string()).describe("The numbers attached to the main trunk (E.164)"),
    authUsername: z.string(),
    ...liveKitObjects,
  }).describe("What a LiveKit outbound trunk needs; the ids when the deployment manages the LiveKit side"),
}).describe("The SIP configuration as a user sees it: no password");
export type SipConfig = z.infer<typeof SipConfig>;

/** What the secret key gets: the same, with the SIP password (the voice backend's outbound trunk needs it). */
export const ServiceSipConfig = SipConfig.extend({
  sipPassword: z.string(),
  livekit: SipConfig.shape.livekit.extend({ authPassword: z.string() }),
}).describe("The SIP configuration with its password: only for the secret key");
export type ServiceSipConfig = z.infer<typeof ServiceSipConfig>;

/** The checks of the Twilio side, in the order a report lists them. */
export const TWILIO_CHECKS = [
  "credentials",
  "trunk",
  "secure_trunking",
  "transfer",
  "credential_list",
  "credential",
  "origination_url",
  "fallback_origination_url",
  "recording",
  "numbers",
] as const;
/** Those of the LiveKit side, after them. */
export const LIVEKIT_CHECKS = [
  "livekit_outbound_trunk",
  "livekit_inbound_trunk",
  "livekit_dispatch_rule",
  "livekit_number_agents",
] as const;
export const HealthCheckName = z.enum([...TWILIO_CHECKS, ...LIVEKIT_CHECKS]);
export type HealthCheckName = z.infer<typeof HealthCheckName>;

export const HealthCheck = z.strictObject({
  name: HealthCheckName,
  ok: z.boolean(),
  critical: z.boolean().describe("A failure of this check stops calls altogether"),
  detail: z.string(),
});
export type HealthCheck = z.infer<typeof HealthCheck>;

/** A part provisioning recorded as failed while the setup kept serving, with Twilio's code and message. */
export const RecordedFailure = z.strictObject({
  code: z.number().int().nullable(),
  message: z.string(),
  at: z.iso.datetime({ offset: true }),
});
export type RecordedFailure = z.infer<typeof RecordedFailure>;

export const HealthReport = z.strictObject({
  status: z.enum(["verified", "degraded", "broken"]).describe(
    "broken: calls cannot flow; degraded: something a customer would notice is missing; verified: all there",
  ),
  trunkSid: z.string().nullable(),
  domainName: z.string().nullable(),
  checks: z.array(HealthCheck),
  recordedFailures: z.record(z.string(), RecordedFailure).describe("By part; retried on their own"),
});
export type HealthReport = z.infer<typeof HealthReport>;

export const RepairResult = z.strictObject({
  before: HealthReport,
  after: HealthReport,
  repaired: z.array(HealthCheckName).describe("The checks that failed before and pass now"),
});
export type RepairResult = z.infer<typeof RepairResult>;

const fn = "get-sip-config";
/** The secret key's errors; a user's token adds Auth being down. */
const serviceErrors = [...ACCOUNT_ERRORS, "unauthorized", "provisioning_failed"] as const;
const userErrors = [...serviceErrors, "auth_unavailable"] as const;
const configDescription = "Provisions first if the active credentials were never provisioned. With " +
  "?verify=1, a health check of the whole setup instead: one entry per check and a verdict.";
const repairDescription = "Recreates what verification finds missing (trunk, credential list, origination " +
  "URLs, recording, numbers off the trunk, the LiveKit side), and reports the check before and after.";

export const getSipConfigEndpoints: Endpoint[] = [
  {
    fn,
    method: "GET",
    caller: "user",
    summary: "The SIP configuration, or its health check",
    description: configDescription,
    query: SipConfigQuery,
    answers: {
      200: {
        description: "The configuration (no password), or the health check",
        json: z.union([SipConfig, HealthReport]),
      },
    },
    errors: [...INPUT_ERRORS, ...userErrors],
  },
  {
    fn,
    method: "GET",
    caller: "secretKey",
    summary: "A user's SIP configuration with its password, or its health check",
    description: configDescription,
    query: ServiceSipConfigQuery,
    answers: {
      200: {
        description: "The configuration with the password, or the health check",
        json: z.union([ServiceSipConfig, HealthReport]),
      },
    },
    errors: [...INPUT_ERRORS, ...serviceErrors],
  },
  {
    fn,
    method: "POST",
    caller: "user",
    summary: "Repair the setup",
    description: repairDescription,
    body: RepairBody,
    answers: { 200: { description: "The check before and after", json: RepairResult } },
    errors: [...BODY_ERRORS, ...userErrors],
  },
  {
    fn,
    method: "POST",
    caller: "secretKey",
    summary: "Repair a user's setup",
    description: repairDescription,
    body: ServiceRepairBody,
    answers: { 200: { description: "The check before and after", json: RepairResult } },
    errors: [...BODY_ERRORS, ...serviceErrors],
  },
];
