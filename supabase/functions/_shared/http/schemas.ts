/** Input shapes shared by several functions, each with the message a caller sees when it does not match. */
import { z } from "zod";
import { RECORDING_MODES, RECORDING_TRIMS } from "../config.ts";

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
export const recordingMode = z.enum(RECORDING_MODES, {
  error: `must be one of ${RECORDING_MODES.join(", ")}`,
});
export const recordingTrim = z.enum(RECORDING_TRIMS, {
  error: `must be one of ${RECORDING_TRIMS.join(", ")}`,
});
