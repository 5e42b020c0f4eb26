/**
 * A number's voice settings around its time on the main trunk. Twilio clears voice URL and application when a
 * number joins a trunk and does not bring them back when it leaves, so we record them at attach and restore them.
 */
import type { AttachedNumberRow } from "../db/numbers.ts";
import type { TwilioClient, TwilioIncomingNumber } from "../twilio/client.ts";

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

/** Puts a detached number back as it was: on its previous trunk, or on its voice URL / application. */
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
    voiceApplicationSid: settings.previousVoiceApplicationSid ?? "",
  });
}
