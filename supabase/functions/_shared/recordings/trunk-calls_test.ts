import assert from "node:assert/strict";
import type { TwilioCall } from "../twilio/types.ts";
import { isMainTrunkCall } from "./trunk-calls.ts";

const TRUNK = "TK" + "a".repeat(32);
const OURS = "PN" + "1".repeat(32);
const THEIRS = "PN" + "2".repeat(32);
const scope = { trunkSid: TRUNK, numberSids: new Set([OURS]) };

// twilio-api-facts.md, "Calls": origination calls through the trunk have no trunk_sid, only phone_number_sid.
Deno.test("main trunk calls: terminated by its SID, originated by an attached number", () => {
  const cases: [Partial<TwilioCall>, boolean][] = [
    [{ direction: "trunking-terminating", trunkSid: TRUNK, phoneNumberSid: null }, true],
    [{ direction: "trunking-originating", trunkSid: null, phoneNumberSid: OURS }, true],
    [{ direction: "trunking-originating", trunkSid: null, phoneNumberSid: THEIRS }, false],
    // Reached the number before it was attached: its voice URL took the call, not the trunk.
    [{ direction: "inbound", trunkSid: null, phoneNumberSid: OURS }, false],
    [{ direction: "trunking-terminating", trunkSid: "TK" + "b".repeat(32), phoneNumberSid: null }, false],
    [{ direction: "outbound-api", trunkSid: null, phoneNumberSid: null }, false],
  ];
  for (const [fields, expected] of cases) {
    assert.equal(isMainTrunkCall(scope, fields as TwilioCall), expected, JSON.stringify(fields));
  }
});
