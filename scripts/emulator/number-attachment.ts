// Attaching a number to a trunk, shared by the trunking API (…/PhoneNumbers) and the 2010 API (TrunkSid).
import type { ApiContext } from "./api-context.ts";
import { validationError } from "./errors.ts";
import type { PhoneNumber, Trunk } from "./store.ts";

/**
 * Idempotent on the number's own trunk. A number on another trunk is moved or rejected per the
 * `numberOnOtherTrunk` switch: Twilio does not document which (twilio-api-facts.md), and the error code of a
 * rejection is a guess, 400 21245, the generic trunk validation error.
 */
export function attachToTrunk(ctx: ApiContext, number: PhoneNumber, trunk: Trunk): void {
  const otherTrunk = number.trunkSid !== null && number.trunkSid !== trunk.sid;
  if (otherTrunk && ctx.switches.numberOnOtherTrunk === "reject") {
    throw validationError(
      21245,
      `Phone number ${number.sid} is already associated with trunk ${number.trunkSid}; remove it from that trunk first`,
    );
  }
  ctx.store.attachNumber(number, trunk);
}
