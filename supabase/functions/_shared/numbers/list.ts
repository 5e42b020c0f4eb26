/**
 * The customer's Twilio numbers and where each one's calls go today, and the one lookup attach and detach use to
 * turn what the caller named (E.164 numbers or PN SIDs) into numbers: a single listing of the account.
 *
 * ```ts
 * const { numbers } = await listCustomerNumbers(ctx, { userId });
 * const found = await resolveNumbers(twilio, ["+15551234567", "PN0123456789abcdef0123456789abcdef"]);
 * ```
 */
import { type AccountNumbers, isPhoneNumberSid, type NumberAttachment } from "../contract/attach-phone.ts";
import type { TwilioClient, TwilioIncomingNumber } from "../twilio/types.ts";
import { TwilioApiError } from "../twilio/errors.ts";
import { customerAccount } from "./account.ts";
import type { ServiceContext } from "../service-context.ts";

/** Every number of the account (all pages), classified against the user's main trunk. */
export async function listCustomerNumbers(
  ctx: ServiceContext,
  request: { userId: string },
): Promise<AccountNumbers> {
  const { row, twilio } = await customerAccount(ctx, request.userId);
  const numbers = await twilio.listIncomingNumbers();
  return {
    mainTrunkSid: row.trunkSid,
    numbers: numbers.map((number) => ({
      sid: number.sid,
      phoneNumber: number.phoneNumber,
      friendlyName: number.friendlyName,
      attachment: attachmentOf(number, row.trunkSid),
      trunkSid: number.trunkSid,
    })),
  };
}

/** A trunk wins over voice settings: Twilio ignores a number's voice URL and application while it is on one. */
function attachmentOf(number: TwilioIncomingNumber, mainTrunkSid: string | null): NumberAttachment {
  if (number.trunkSid) return number.trunkSid === mainTrunkSid ? "main-trunk" : "other-trunk";
  if (number.voiceApplicationSid) return "voice-application";
  if (number.voiceUrl) return "voice-url";
  return "none";
}

/**
 * What each reference names in the account, or null when the account has no such number. One reference costs
 * one request (a fetch by SID, or a filtered listing); more cost one listing of every number, however many.
 */
export async function resolveNumbers(
  twilio: TwilioClient,
  references: readonly string[],
): Promise<Map<string, TwilioIncomingNumber | null>> {
  if (references.length === 1) {
    const [reference] = references;
    return new Map([[reference, await resolveOne(twilio, reference)]]);
  }
  const all = await twilio.listIncomingNumbers();
  const bySid = new Map(all.map((number) => [number.sid, number]));
  const byNumber = new Map(all.map((number) => [number.phoneNumber, number]));
  return new Map(
    references.map((reference) => [
      reference,
      (isPhoneNumberSid(reference) ? bySid.get(reference) : byNumber.get(reference)) ?? null,
    ]),
  );
}

async function resolveOne(twilio: TwilioClient, reference: string): Promise<TwilioIncomingNumber | null> {
  if (!isPhoneNumberSid(reference)) {
    // The filter matches partial numbers; only the exact one counts.
    const matches = await twilio.listIncomingNumbers({ phoneNumber: reference });
    return matches.find((number) => number.phoneNumber === reference) ?? null;
  }
  try {
    return await twilio.fetchIncomingNumber(reference);
  } catch (error) {
    if (error instanceof TwilioApiError && error.isNotFound) return null;
    throw error;
  }
}
