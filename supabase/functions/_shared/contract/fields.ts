/**
 * Values several functions take or give, each with the message a caller sees when an input does not match. The
 * contract imports nothing but zod: browsers and the OpenAPI generator load it as well as the functions.
 */
import { z } from "zod";

/** A Twilio SID: two letters and 32 lowercase hex characters (surrounding spaces from a paste are dropped). */
export const sid = (prefix: string) =>
  z.string().trim().regex(
    new RegExp(`^${prefix}[0-9a-f]{32}$`),
    `must be ${prefix} followed by 32 lowercase hex characters`,
  );
export const accountSid = sid("AC");
export const authToken = z.string().trim().regex(
  /^[0-9a-f]{32}$/,
  "must be the 32-character hex auth token of the account",
);
export const userId = z.uuid("must be a user id (UUID)");

export const RECORDING_MODES = [
  "do-not-record",
  "record-from-ringing",
  "record-from-answer",
  "record-from-ringing-dual",
  "record-from-answer-dual",
] as const;
export const RECORDING_TRIMS = ["trim-silence", "do-not-trim"] as const;
export const RecordingMode = z.enum(RECORDING_MODES, {
  error: `must be one of ${RECORDING_MODES.join(", ")}`,
});
export const RecordingTrim = z.enum(RECORDING_TRIMS, {
  error: `must be one of ${RECORDING_TRIMS.join(", ")}`,
});
export type RecordingMode = z.infer<typeof RecordingMode>;
export type RecordingTrim = z.infer<typeof RecordingTrim>;

/** Twilio regions: an account's credentials work only on its own region's hosts. */
const TWILIO_REGIONS = ["us1", "ie1", "au1"] as const;
export const TwilioRegion = z.enum(TWILIO_REGIONS, { error: `must be one of ${TWILIO_REGIONS.join(", ")}` });
export type TwilioRegion = z.infer<typeof TwilioRegion>;

/** Transports the voice backend's LiveKit outbound trunk may use to reach the termination host. */
export const OUTBOUND_TRANSPORTS = ["udp", "tcp", "tls", "auto"] as const;

/** A credential row's provisioning state. */
export const ProvisioningStatus = z.enum(["pending", "provisioning", "active", "failed"]);
export type ProvisioningStatus = z.infer<typeof ProvisioningStatus>;

export const Degraded = z.array(z.string()).describe(
  "Parts that could not be set up yet (e.g. origination_url); retried later without the user",
);

/** A query string that must be empty. */
export const NoQuery = z.strictObject({});
