/**
 * The main trunk's call recording: read from Twilio, and set through the trunk's /Recording resource (the only
 * way Twilio allows), with the row's recording_mode / recording_trim kept in step.
 *
 * ```ts
 * await setTrunkRecordingSettings(ctx, { userId, mode: "record-from-answer-dual", trim: "trim-silence" });
 * const { mode, trim } = await getTrunkRecordingSettings(ctx, { userId });
 * ```
 */
import type { RecordingMode, RecordingTrim } from "../contract/fields.ts";
import type { RecordingSettings } from "../contract/recording-info.ts";
import { updateCredential } from "../db/credentials.ts";
import { customerAccount, mainTrunkSid } from "../numbers/account.ts";
import { enableTrunkRecording } from "../provisioning/trunk-steps.ts";
import type { ServiceContext } from "../service-context.ts";

/** What Twilio says the trunk records (the source of truth; the row only mirrors it). */
export async function getTrunkRecordingSettings(
  ctx: ServiceContext,
  request: { userId: string },
): Promise<RecordingSettings> {
  const { row, twilio } = await customerAccount(ctx, request.userId);
  const trunkSid = mainTrunkSid(row);
  const recording = await twilio.fetchTrunkRecording(trunkSid);
  return { trunkSid, mode: recording.mode, trim: recording.trim };
}

/**
 * Sets the trunk's recording (provisioning the trunk first if it never was). Without `trim`, the row's current
 * trim stays.
 */
export async function setTrunkRecordingSettings(
  ctx: ServiceContext,
  request: { userId: string; mode: RecordingMode; trim?: RecordingTrim },
): Promise<RecordingSettings> {
  const { row, twilio } = await customerAccount(ctx, request.userId, { provision: true });
  const trunkSid = mainTrunkSid(row);
  const applied = await enableTrunkRecording(twilio, trunkSid, {
    mode: request.mode,
    trim: request.trim ?? row.recordingTrim,
  });
  await updateCredential(ctx.sql, row, { recordingMode: applied.mode, recordingTrim: applied.trim }, {
    step: "recording",
    outcome: "succeeded",
    detail: applied,
  });
  ctx.log.info("recording_set", { trunk_sid: trunkSid, ...applied });
  return { trunkSid, ...applied };
}
