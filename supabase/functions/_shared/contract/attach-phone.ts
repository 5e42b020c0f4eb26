/**
 * attach-phone: the account's numbers and where each one's calls go; attaching numbers to the main trunk (each
 * may name a LiveKit agent of its own) and detaching them, with one result per number.
 */
import { z } from "zod";
import { ACCOUNT_ERRORS, BODY_ERRORS, type Endpoint, INPUT_ERRORS, USER_ERRORS } from "./endpoint.ts";
import { NoQuery } from "./fields.ts";

/** How callers name a phone number: its E.164 form or its Twilio SID (the services check with these too). */
export const PHONE_NUMBER_SID = /^PN[0-9a-f]{32}$/;
export const E164 = /^\+[1-9]\d{1,14}$/;
export const isPhoneNumberSid = (value: string): boolean => PHONE_NUMBER_SID.test(value);
const isNumberReference = (value: string): boolean => isPhoneNumberSid(value) || E164.test(value);

/** The most numbers one attach or detach request may name. */
export const MAX_NUMBERS_PER_REQUEST = 1000;

const FIELDS = ["phoneNumberSid", "phoneNumber", "phoneNumbers"] as const;

const reference = z.string().trim().refine(
  isNumberReference,
  "must be an E.164 number (e.g. +15551234567) or a PN SID",
);
const agentName = z.string().trim().min(1).max(128, "must be at most 128 characters").describe(
  "The LiveKit agent this number's calls go to, instead of the deployment's (a rule of its own)",
);

export const NumbersBody = z.strictObject({
  phoneNumberSid: z.string().trim().regex(
    PHONE_NUMBER_SID,
    "must be PN followed by 32 lowercase hex characters",
  )
    .optional(),
  phoneNumber: z.string().trim().regex(E164, "must be an E.164 number, e.g. +15551234567").optional(),
  agentName: agentName.optional(),
  phoneNumbers: z.array(
    z.union([reference, z.strictObject({ number: reference, agentName: agentName.optional() })], {
      error: "must be an E.164 number or PN SID, or {number, agentName}",
    }),
    { error: "must be a list of E.164 numbers or PN SIDs" },
  )
    .min(1, "must name at least one number")
    .max(MAX_NUMBERS_PER_REQUEST, `must name at most ${MAX_NUMBERS_PER_REQUEST} numbers`)
    .optional(),
}).superRefine((body, ctx) => {
  const given = FIELDS.filter((field) => body[field] !== undefined);
  if (given.length === 0) {
    ctx.addIssue({ code: "custom", message: `give one of ${FIELDS.join(", ")}` });
  } else if (given.length > 1) {
    ctx.addIssue({ code: "custom", path: [given[1]], message: `cannot be combined with ${given[0]}` });
  }
}).describe(
  "Exactly one of phoneNumberSid, phoneNumber or phoneNumbers (1..1000, mixed, each optionally with " +
    "an agentName). agentName applies to attach only.",
);

export const NumberAttachment = z.enum([
  "main-trunk",
  "other-trunk",
  "voice-url",
  "voice-application",
  "none",
])
  .describe("Where the number's calls go: a trunk wins over voice settings");
export type NumberAttachment = z.infer<typeof NumberAttachment>;

export const AccountNumber = z.strictObject({
  sid: z.string(),
  phoneNumber: z.string(),
  friendlyName: z.string(),
  attachment: NumberAttachment,
  trunkSid: z.string().nullable().describe("The trunk the number is on, main or other; null when on none"),
});
export type AccountNumber = z.infer<typeof AccountNumber>;

export const AccountNumbers = z.strictObject({
  mainTrunkSid: z.string().nullable().describe("Null while the main trunk is not provisioned"),
  numbers: z.array(AccountNumber),
});
export type AccountNumbers = z.infer<typeof AccountNumbers>;

export const AttachStatus = z.enum(["attached", "already-attached", "not-found", "failed"]);
export type AttachStatus = z.infer<typeof AttachStatus>;
export const DetachStatus = z.enum(["detached", "not-attached", "not-found", "failed"]);
export type DetachStatus = z.infer<typeof DetachStatus>;

const numberResult = {
  input: z.string().describe("The reference as it was given"),
  phoneNumberSid: z.string().nullable().describe("Null when the account has no such number"),
  phoneNumber: z.string().nullable(),
  twilioCode: z.number().int().nullable().optional().describe(
    "When it failed: Twilio's code (null when Twilio did not answer)",
  ),
  message: z.string().optional(),
};

export const AttachOutcome = z.strictObject({ ...numberResult, status: AttachStatus });
export type AttachOutcome = z.infer<typeof AttachOutcome>;
export const DetachOutcome = z.strictObject({
  ...numberResult,
  status: DetachStatus,
  restored: z.boolean().optional().describe(
    "Whether the voice settings recorded at attach were put back (on a not-attached number too, when an " +
      "earlier detach left it half-way)",
  ),
});
export type DetachOutcome = z.infer<typeof DetachOutcome>;

/** With the LiveKit side managed: whether its trunks and rules followed (if not, retried later). */
export const LiveKitSync = z.strictObject({
  synced: z.boolean(),
  message: z.string().optional().describe(
    "Why not, when not: recorded as degraded and retried by the sweeper",
  ),
});
export type LiveKitSync = z.infer<typeof LiveKitSync>;

const numbersResult = <S extends z.ZodEnum, R extends z.ZodObject>(status: S, outcome: R) =>
  z.strictObject({
    trunkSid: z.string(),
    results: z.array(outcome).describe("One per number named, in order; 200 even when some failed"),
    counts: z.record(status, z.number().int().nonnegative()),
    livekit: LiveKitSync.optional(),
  });
export const AttachResult = numbersResult(AttachStatus, AttachOutcome);
export type AttachResult = z.infer<typeof AttachResult>;
export const DetachResult = numbersResult(DetachStatus, DetachOutcome);
export type DetachResult = z.infer<typeof DetachResult>;

const fn = "attach-phone";
const changeErrors = [
  ...USER_ERRORS,
  ...BODY_ERRORS,
  ...ACCOUNT_ERRORS,
  "trunk_not_ready",
  "numbers_busy",
] as const;

export const attachPhoneEndpoints: Endpoint[] = [
  {
    fn,
    method: "GET",
    caller: "user",
    summary: "The account's numbers",
    description: "Every number of the Twilio account (all pages) and where its calls go.",
    query: NoQuery,
    answers: { 200: { description: "The numbers", json: AccountNumbers } },
    errors: [...USER_ERRORS, ...INPUT_ERRORS, ...ACCOUNT_ERRORS],
  },
  {
    fn,
    method: "POST",
    caller: "user",
    summary: "Attach numbers to the main trunk",
    description: "Provisions the trunk first if it never was. Idempotent: an attached number is " +
      "already-attached.",
    query: NoQuery,
    body: NumbersBody,
    answers: { 200: { description: "One result per number", json: AttachResult } },
    errors: [...changeErrors, "provisioning_failed"],
  },
  {
    fn,
    method: "DELETE",
    caller: "user",
    summary: "Detach numbers from the main trunk",
    description:
      "Restores the voice settings each number had before it was attached. Idempotent: a detached " +
      "number is not-attached.",
    query: NoQuery,
    body: NumbersBody,
    answers: { 200: { description: "One result per number", json: DetachResult } },
    errors: changeErrors,
  },
];
