/**
 * A number's voice settings around its time on the main trunk. Joining a trunk makes Twilio ignore the number's
 * voice URL (kept) and delete its voice application, and leaving restores nothing (twilio-api-facts.md), so we
 * record them at attach and restore them: the application, or the trunk the number came from.
 */
import type { AttachedNumberRow } from "../db/numbers.ts";
import type { TwilioClient, TwilioIncomingNumber } from "../twilio/types.ts";

export type VoiceSettings = Pick<
  AttachedNumberRow,
  "previousVoiceUrl" | "previousVoiceMethod" | "previousVoiceApplicationSid" | "previousTrunkSid"
>;

export function voiceSettingsOf(number: TwilioIncomingNumber): VoiceSettings {
  return {
    previousVoiceUrl: number.voiceUrl || null,
    previousVoiceMethod: number.voiceMethod || null,
    previousVoiceApplicationSid: number.voiceApplicationSid || null,
    previousTrunkSid: number.trunkSid || null,
  };
}

/**
 * Puts a detached number back as it was: on its previous trunk, or with its voice URL, method and application.
 * An application is only ever set, never sent empty (Twilio requires an AP SID there); a URL that was unset is
 * cleared with an empty VoiceUrl, as Twilio documents.
 */
export async function restoreVoiceSettings(
  twilio: TwilioClient,
  phoneNumberSid: string,
  settings: VoiceSettings,
) {
  if (settings.previousTrunkSid) {
    await twilio.attachNumberToTrunk(settings.previousTrunkSid, phoneNumberSid);
    return;
  }
  await twilio.updateIncomingNumber(phoneNumberSid, {
    voiceUrl: settings.previousVoiceUrl ?? "",
    voiceMethod: settings.previousVoiceMethod ?? "POST",
    ...(settings.previousVoiceApplicationSid
      ? { voiceApplicationSid: settings.previousVoiceApplicationSid }
      : {}),
  });
}

/**
 * Whether a recorded number off the trunk is one an earlier detach left half-way (its restore failed): still as
 * attaching left it (no trunk, no application, the recorded URL), with something recorded that is not back yet.
 * A number configured since (another URL, an application, another trunk) is the customer's again and left alone.
 */
export function isHalfDetached(number: TwilioIncomingNumber, recorded: VoiceSettings): boolean {
  const asAttachingLeftIt = !number.trunkSid && !number.voiceApplicationSid &&
    (number.voiceUrl || null) === recorded.previousVoiceUrl;
  return asAttachingLeftIt && !!(recorded.previousVoiceApplicationSid || recorded.previousTrunkSid);
}
