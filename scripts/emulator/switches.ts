// Behaviour switches for what Twilio does not document. Each default is the stricter or most likely answer;
// the project's live probe against a real account settles which one Twilio gives.
import type { JsonFields } from "../local/emulators.ts";

/** Codes Twilio uses when it rejects the credentials of an account that is not active (twilio-api-facts.md). */
export const INACTIVE_ACCOUNT_CODES = [20003, 20005, 10001, 70051] as const;
export const INACTIVE_ACCOUNT_STATUSES = [401, 403] as const;

export interface InactiveAccountAnswer {
  status: typeof INACTIVE_ACCOUNT_STATUSES[number];
  code: typeof INACTIVE_ACCOUNT_CODES[number];
}

export interface Switches {
  /** Attaching a number that is on another trunk: rejected (400 21245) or moved. Undocumented. */
  numberOnOtherTrunk: "reject" | "move";
  /** A DomainName another trunk of the same account holds: 21245 (same termination URI) or 21248 (taken). */
  sameAccountDuplicateDomain: "21245" | "21248";
  /** What a suspended or closed account's valid credentials get; Twilio documents 20003 for it. */
  inactiveAccountAnswer: InactiveAccountAnswer;
}

export function defaultSwitches(): Switches {
  return {
    numberOnOtherTrunk: "reject",
    sameAccountDuplicateDomain: "21245",
    inactiveAccountAnswer: { status: 401, code: 20003 },
  };
}

/** The switches with those present in the admin request changed; invalid values throw before anything changes. */
export function updatedSwitches(current: Switches, fields: JsonFields): Switches {
  const answer = fields.object("inactiveAccountAnswer");
  return {
    numberOnOtherTrunk: fields.oneOf("numberOnOtherTrunk", ["reject", "move"]) ?? current.numberOnOtherTrunk,
    sameAccountDuplicateDomain: fields.oneOf("sameAccountDuplicateDomain", ["21245", "21248"]) ??
      current.sameAccountDuplicateDomain,
    inactiveAccountAnswer: answer
      ? {
        status: answer.requiredMember("status", INACTIVE_ACCOUNT_STATUSES),
        code: answer.requiredMember("code", INACTIVE_ACCOUNT_CODES),
      }
      : current.inactiveAccountAnswer,
  };
}
