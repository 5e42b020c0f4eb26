/**
 * Which of the account's calls went through the customer's main trunk. Twilio has no filter for it, and the
 * calls do not say it alike: a terminated (outbound) call carries the trunk's SID, an origination (inbound) call
 * through the trunk carries none ("empty … if the call is not terminated") but names the number it reached in
 * `phone_number_sid` (twilio-api-facts.md, "Calls"). So the main trunk's calls are those with its SID, and the
 * origination calls to the numbers we attached to it (public.twilio_phone_numbers).
 *
 * ```ts
 * const scope = await mainTrunkScope(ctx.sql, row.id, trunkSid);
 * const ours = calls.filter((call) => isMainTrunkCall(scope, call));
 * ```
 */
import type { Sql } from "../db/client.ts";
import { listAttachedNumbers } from "../db/numbers.ts";
import type { TwilioCall } from "../twilio/types.ts";

export interface TrunkScope {
  trunkSid: string;
  /** The numbers attached to the trunk. */
  numberSids: ReadonlySet<string>;
}

export async function mainTrunkScope(sql: Sql, credentialId: string, trunkSid: string): Promise<TrunkScope> {
  const numbers = await listAttachedNumbers(sql, credentialId);
  return { trunkSid, numberSids: new Set(numbers.map((number) => number.phoneNumberSid)) };
}

export function isMainTrunkCall(scope: TrunkScope, call: TwilioCall): boolean {
  if (call.trunkSid === scope.trunkSid) return true;
  // A call a number took before it was attached went to its voice URL (`inbound`), not through the trunk.
  return call.direction === "trunking-originating" && call.phoneNumberSid !== null &&
    scope.numberSids.has(call.phoneNumberSid);
}
