// The health checks judged from observed setups, without Twilio, LiveKit or a database.
import assert from "node:assert/strict";
import { TWILIO_CHECKS } from "../contract/get-sip-config.ts";
import type { CredentialRow } from "../db/credentials.ts";
import type { AttachedNumberRow } from "../db/numbers.ts";
import type { TwilioIncomingNumber, TwilioOriginationUrl, TwilioTrunk } from "../twilio/types.ts";
import { evaluateSetup, type ObservedSetup, type SetupConfig, type TrunkParts } from "./checks.ts";

const LIVEKIT = "sip:project.sip.livekit.cloud;transport=tcp";
const FALLBACK = "sip:project.eu.sip.livekit.cloud;transport=tcp";
const CONFIG: SetupConfig = {
  secure: false,
  transfer: { mode: "enable-all", callerId: "from-transferee" },
  livekitSipUri: LIVEKIT,
  livekitSipUriFallback: FALLBACK,
};

const ROW = {
  trunkSid: "TK1",
  domainName: "user-1.pstn.twilio.com",
  credentialListSid: "CL1",
  sipUsername: "sip-user",
  recordingMode: "do-not-record",
  recordingTrim: "do-not-trim",
  degraded: {},
} as Partial<CredentialRow> as CredentialRow;

const TRUNK = {
  sid: "TK1",
  domainName: "user-1.pstn.twilio.com",
  secure: false,
  transferMode: "enable-all",
  transferCallerId: "from-transferee",
} as TwilioTrunk;

const url = (sid: string, sipUrl: string, enabled = true) =>
  ({ sid, sipUrl, enabled }) as TwilioOriginationUrl;
const stored = (sid: string, phoneNumber: string) =>
  ({ phoneNumberSid: sid, phoneNumber }) as AttachedNumberRow;

/** A setup where every check passes; `change` alters the trunk's parts. */
function healthy(change: Partial<TrunkParts> = {}): ObservedSetup {
  return {
    account: { sid: "AC1", status: "active", friendlyName: "customer" },
    trunk: TRUNK,
    parts: {
      associatedLists: [{ sid: "CL1", friendlyName: "list" }],
      credentials: [{ sid: "CR1", username: "sip-user" }],
      originationUrls: [url("OU1", LIVEKIT), url("OU2", FALLBACK)],
      recording: { mode: "do-not-record", trim: "do-not-trim" },
      numbersOnTrunk: [{ sid: "PN1" } as TwilioIncomingNumber],
      storedNumbers: [stored("PN1", "+15550000001")],
      ...change,
    },
  };
}

const failing = (observed: ObservedSetup, config = CONFIG) =>
  evaluateSetup(ROW, config, observed).report.checks.filter((check) => !check.ok).map((check) => check.name);

Deno.test("checks: everything in place is verified, every check in order, nothing for repair", () => {
  const found = evaluateSetup(ROW, CONFIG, healthy());
  assert.equal(found.report.status, "verified");
  assert.deepEqual(found.report.checks.map((check) => check.name), TWILIO_CHECKS);
  assert.deepEqual(found.detachedNumbers, []);
  assert.deepEqual(found.disabledOriginationUrlSids, []);
  assert.deepEqual(found.originationUrlSids, new Set(["OU1", "OU2"]));
  assert.equal(found.changedDomainName, null);
  assert.equal(found.credentialListGone, false);
});

Deno.test("checks: rejected credentials or an inactive account stop at the credentials check, broken", () => {
  for (const account of [null, { sid: "AC1", status: "suspended", friendlyName: "customer" }]) {
    const found = evaluateSetup(ROW, CONFIG, { account });
    assert.equal(found.report.status, "broken");
    assert.deepEqual(found.report.checks.map((check) => [check.name, check.ok]), [["credentials", false]]);
    assert.equal(
      found.report.checks[0].detail,
      account ? "account suspended" : "Twilio rejects the stored credentials",
    );
    assert.deepEqual(found.originationUrlSids, new Set());
  }
});

Deno.test("checks: a missing trunk is broken; a changed domain is reported for repair", () => {
  const gone = evaluateSetup(ROW, CONFIG, { account: healthy().account, trunk: null });
  assert.equal(gone.report.status, "broken");
  assert.deepEqual(gone.report.checks.map((check) => check.name), ["credentials", "trunk"]);
  assert.equal(gone.report.checks[1].detail, "trunk TK1 does not exist");

  const moved = evaluateSetup(ROW, CONFIG, {
    ...healthy(),
    trunk: { ...TRUNK, domainName: "other.pstn.twilio.com" },
  });
  assert.equal(moved.report.status, "broken");
  assert.equal(moved.changedDomainName, "other.pstn.twilio.com");
  assert.deepEqual(failing({ ...healthy(), trunk: { ...TRUNK, domainName: "other.pstn.twilio.com" } }), [
    "trunk",
  ]);
});

Deno.test("checks: secure trunking out of step breaks calls; other trunk settings only degrade", () => {
  assert.deepEqual(failing(healthy(), { ...CONFIG, secure: true }), ["secure_trunking"]);
  assert.equal(evaluateSetup(ROW, { ...CONFIG, secure: true }, healthy()).report.status, "broken");
  const transfer = { ...healthy(), trunk: { ...TRUNK, transferMode: "disable-all" } };
  assert.deepEqual(failing(transfer), ["transfer"]);
  assert.equal(evaluateSetup(ROW, CONFIG, transfer).report.status, "degraded");
  const recording = healthy({ recording: { mode: "record-from-answer", trim: "do-not-trim" } });
  assert.deepEqual(failing(recording), ["recording"]);
});

Deno.test("checks: a gone credential list, an unassociated one and a missing username are critical", () => {
  const gone = evaluateSetup(ROW, CONFIG, healthy({ credentials: null }));
  assert.equal(gone.credentialListGone, true);
  assert.deepEqual(failing(healthy({ credentials: null })), ["credential_list", "credential"]);
  assert.deepEqual(failing(healthy({ associatedLists: [] })), ["credential_list"]);
  assert.deepEqual(failing(healthy({ credentials: [{ sid: "CR2", username: "someone-else" }] })), [
    "credential",
  ]);
  assert.equal(evaluateSetup(ROW, CONFIG, healthy({ associatedLists: [] })).report.status, "broken");
});

Deno.test("checks: origination URLs match by normalised URI; disabled ones of ours go to repair", () => {
  const disabled = healthy({
    originationUrls: [url("OU1", LIVEKIT.toUpperCase(), false), url("OU2", FALLBACK)],
  });
  const found = evaluateSetup(ROW, CONFIG, disabled);
  assert.equal(found.report.status, "degraded");
  assert.deepEqual(found.disabledOriginationUrlSids, ["OU1"]);
  assert.equal(
    found.report.checks.find((check) => check.name === "origination_url")!.detail,
    `${LIVEKIT} is disabled`,
  );
  const missing = healthy({ originationUrls: [url("OU1", `${LIVEKIT};`)] });
  assert.deepEqual(failing(missing), ["fallback_origination_url"]);
  assert.deepEqual(failing(missing, { ...CONFIG, livekitSipUriFallback: undefined }), []);
});

Deno.test("checks: stored numbers off the trunk are named and handed to repair; LiveKit checks never break", () => {
  const detached = healthy({ storedNumbers: [stored("PN1", "+15550000001"), stored("PN2", "+15550000002")] });
  const found = evaluateSetup(ROW, CONFIG, detached);
  assert.deepEqual(found.detachedNumbers.map((number) => number.phoneNumberSid), ["PN2"]);
  assert.equal(found.report.checks.at(-1)!.detail, "not on the trunk: +15550000002");

  const livekit = healthy({ livekit: [{ name: "livekit_inbound_trunk", ok: false, detail: "missing" }] });
  const withLiveKit = evaluateSetup(ROW, CONFIG, livekit);
  assert.equal(withLiveKit.report.status, "degraded");
  assert.deepEqual(withLiveKit.report.checks.at(-1), {
    name: "livekit_inbound_trunk",
    critical: false,
    ok: false,
    detail: "missing",
  });
});
