// What attach and detach plan for each number, and the outcomes they report, without Twilio or a database.
import assert from "node:assert/strict";
import type { CredentialRow } from "../db/credentials.ts";
import type { AttachedNumberRow } from "../db/numbers.ts";
import type { TwilioIncomingNumber } from "../twilio/types.ts";
import { TwilioApiError, TwilioNetworkError } from "../twilio/errors.ts";
import {
  attachOutcomes,
  detachOutcomes,
  numbersToRestore,
  planAttach,
  planDetach,
  type ResolvedNumbers,
} from "./attach-plan.ts";

const MAIN = "TKmain";
const ROW = { id: "cred-1", userId: "user-1", accountSid: "AC1" } as CredentialRow;

const number = (sid: string, fields: Partial<TwilioIncomingNumber> = {}): TwilioIncomingNumber => ({
  sid,
  phoneNumber: `+1555${sid}`,
  friendlyName: sid,
  voiceUrl: null,
  voiceMethod: null,
  voiceApplicationSid: null,
  trunkSid: null,
  ...fields,
});

const recorded = (sid: string, fields: Partial<AttachedNumberRow> = {}) =>
  ({
    phoneNumberSid: sid,
    phoneNumber: `+1555${sid}`,
    previousVoiceUrl: null,
    ...fields,
  }) as AttachedNumberRow;

/** Numbers resolved by SID, plus references the account has no number for. */
const resolve = (numbers: TwilioIncomingNumber[], missing: string[] = []): ResolvedNumbers =>
  new Map([...numbers.map((n) => [n.sid, n] as const), ...missing.map((m) => [m, null] as const)]);

const ok = { status: "fulfilled", value: undefined } as const;
const refused = { status: "rejected", reason: new TwilioApiError(400, 21245, "Refused") } as const;
const timedOut = { status: "rejected", reason: new TwilioNetworkError("timeout") } as const;

Deno.test("attach plan: numbers off the main trunk are attached with their settings recorded first", () => {
  const elsewhere = number("PN1", {
    voiceUrl: "https://example.test/v",
    voiceMethod: "GET",
    trunkSid: "TKother",
  });
  const onMain = number("PN2", { trunkSid: MAIN, voiceUrl: "https://example.test/kept" });
  // The same number named twice (by SID and E.164) is planned once.
  const resolved = resolve([elsewhere, onMain], ["+15550000000"]);
  resolved.set(elsewhere.phoneNumber, elsewhere);
  const plan = planAttach(ROW, MAIN, resolved);
  assert.deepEqual(plan.attach, [elsewhere]);
  assert.deepEqual(plan.alreadyAttached, [onMain]);
  const base = { userId: "user-1", credentialId: "cred-1", accountSid: "AC1", trunkSid: MAIN };
  assert.deepEqual(plan.rowsWithSettings, [{
    ...base,
    phoneNumberSid: "PN1",
    phoneNumber: "+1555PN1",
    previousVoiceUrl: "https://example.test/v",
    previousVoiceMethod: "GET",
    previousVoiceApplicationSid: null,
    previousTrunkSid: "TKother",
  }]);
  assert.deepEqual(plan.rowsWithoutSettings, [{
    ...base,
    phoneNumberSid: "PN2",
    phoneNumber: "+1555PN2",
    previousVoiceUrl: null,
    previousVoiceMethod: null,
    previousVoiceApplicationSid: null,
    previousTrunkSid: null,
  }]);
});

Deno.test("attach outcomes: failures carry Twilio's code; only certain failures lose their rows", () => {
  const plan = planAttach(
    ROW,
    MAIN,
    resolve([number("PN1"), number("PN2"), number("PN3"), number("PN4", { trunkSid: MAIN })]),
  );
  const { outcomes, notAttached } = attachOutcomes(plan, [ok, refused, timedOut], new Set(["PN3"]));
  assert.deepEqual(Object.fromEntries(outcomes), {
    PN1: { status: "attached" },
    PN2: { status: "failed", twilioCode: 21245, message: "Refused" },
    PN3: { status: "failed", twilioCode: null, message: "Twilio did not answer in time" },
    PN4: { status: "already-attached" },
  });
  assert.deepEqual(notAttached, ["PN2"], "an unknown outcome may have attached the number: its row stays");
});

Deno.test("detach plan: on-trunk numbers leave LiveKit and the trunk; off-trunk ones are judged by their rows", () => {
  const settings = { previousVoiceUrl: "https://example.test/v", previousVoiceApplicationSid: "AP1" };
  const onTrunk = number("PN1", { trunkSid: MAIN });
  const unrecordedOnTrunk = number("PN2", { trunkSid: MAIN });
  const halfway = number("PN3", { voiceUrl: "https://example.test/v" });
  const restored = number("PN4", { voiceApplicationSid: "AP1" });
  const unrecordedOff = number("PN5");
  const rows = [
    recorded("PN1", settings),
    recorded("PN3", settings),
    recorded("PN4", settings),
    recorded("PN9"),
    recorded("PN8"),
  ];
  const resolved = resolve([onTrunk, unrecordedOnTrunk, halfway, restored, unrecordedOff], [
    "PN9",
    "+1555PN8",
  ]);
  const plan = planDetach(MAIN, resolved, rows);
  assert.deepEqual(plan.detach, [onTrunk, unrecordedOnTrunk]);
  assert.deepEqual(plan.leaveLiveKit, [rows[0]]);
  assert.deepEqual(plan.notAttached, [halfway, restored, unrecordedOff]);
  assert.deepEqual(
    plan.halfDetached,
    [halfway],
    "as attaching left it, with an application still to restore",
  );
  assert.deepEqual(plan.forget, ["PN4", "PN9", "PN8"], "restored earlier, or gone from the account");
  assert.deepEqual([...plan.recorded.keys()], ["PN1", "PN3", "PN4", "PN9", "PN8"]);
});

Deno.test("detach outcomes: restored numbers are forgotten; failed restores keep their rows for a retry", () => {
  const numbers = ["PN1", "PN2", "PN3", "PN4"].map((sid) => number(sid, { trunkSid: MAIN }));
  const halfway = number("PN5");
  const halfwayFails = number("PN6");
  const rows = ["PN1", "PN2", "PN3", "PN5", "PN6"].map((sid) => recorded(sid, { previousTrunkSid: "TKold" }));
  const plan = planDetach(MAIN, resolve([...numbers, halfway, halfwayFails]), rows);
  const detachResults = [ok, ok, refused, ok];
  const restoring = numbersToRestore(plan, detachResults);
  assert.deepEqual(
    restoring.map((n) => n.sid),
    ["PN1", "PN2", "PN5", "PN6"],
    "detached or half-way, recorded",
  );

  const { outcomes, forget } = detachOutcomes(plan, detachResults, restoring, [ok, timedOut, ok, refused]);
  assert.deepEqual(Object.fromEntries(outcomes), {
    PN1: { status: "detached", restored: true },
    PN2: { status: "detached", restored: false, twilioCode: null, message: "Twilio did not answer in time" },
    PN3: { status: "failed", twilioCode: 21245, message: "Refused" },
    PN4: {
      status: "detached",
      restored: false,
      message: "Attached outside this API: no voice settings were recorded to restore",
    },
    PN5: { status: "not-attached", restored: true },
    PN6: { status: "failed", twilioCode: 21245, message: "Refused" },
  });
  assert.deepEqual(forget.sort(), ["PN1", "PN5"]);
});
