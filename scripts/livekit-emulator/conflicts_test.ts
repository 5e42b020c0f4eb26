// Conflicts between objects (protocol sip/sip.go ValidateTrunksIter and DispatchRuleValidator; facts file
// "Conflicts (InvalidArgument)"), checked on create and on both update forms.
import assert from "node:assert/strict";
import {
  ListUpdate,
  SIPDispatchRule,
  SIPDispatchRuleDirect,
  SIPDispatchRuleInfo,
  SIPInboundTrunkInfo,
} from "@livekit/protocol";
import { assertSdkError, assertTwirpError, state, twirp, withLiveKitEmulator } from "./testing.ts";

const HOST = "example.pstn.twilio.com";
const A = "+15550000001";
const B = "+15550000002";
const TRUNK_CONFLICT = "Conflicting inbound SIP Trunks";
const RULE_CONFLICT = "Dispatch rule for the same trunk, inbound number, number, and PIN combination";

Deno.test("inbound trunks sharing a number without allowedNumbers conflict (facts: 'Conflicting inbound SIP Trunks')", async () => {
  await withLiveKitEmulator(async (emulator) => {
    const { sip } = emulator;
    const first = await sip.createSipInboundTrunk("first", [A]);
    const error = await assertSdkError(
      sip.createSipInboundTrunk("second", [B, A]),
      400,
      "invalid_argument",
      TRUNK_CONFLICT,
    );
    assert.ok(error.message.includes(`"<new>" and "${first.sipTrunkId}"`), error.message);
    assert.ok(error.message.includes("without AllowedNumbers set"), error.message);
    assert.equal((await state(emulator.url)).inboundTrunks.length, 1);
    // Inbound and outbound trunks never conflict, nor do outbound trunks among themselves (sip.go).
    await sip.createSipOutboundTrunk("out-1", HOST, [A]);
    await sip.createSipOutboundTrunk("out-2", HOST, [A]);
  });
});

Deno.test("inbound trunks: allowedNumbers tell trunks on one number apart, unless they share one", async () => {
  await withLiveKitEmulator(async ({ sip }) => {
    await sip.createSipInboundTrunk("caller-1", [A], { allowedNumbers: ["+15559990001"] });
    await sip.createSipInboundTrunk("caller-2", [A], { allowedNumbers: ["+15559990002"] });
    // A trunk without allowedNumbers is the fallback for other callers: no conflict with the two above.
    await sip.createSipInboundTrunk("anyone-else", [A]);
    // Allowed numbers are compared normalised (sip.go NormalizeNumber).
    await assertSdkError(
      sip.createSipInboundTrunk("caller-1-again", [A], { allowedNumbers: ["1 (555) 999-0001"] }),
      400,
      "invalid_argument",
      'AllowedNumber "1 (555) 999-0001"',
    );
  });
});

Deno.test("inbound trunks without numbers accept every number, so two of them conflict (sip.go wildcard key)", async () => {
  await withLiveKitEmulator(async ({ sip }) => {
    await sip.createSipInboundTrunk("addresses", [], { allowedAddresses: ["54.172.60.0/30"] });
    const error = await assertSdkError(
      sip.createSipInboundTrunk("auth", [], { authUsername: "u", authPassword: "p" }),
      400,
      "invalid_argument",
      TRUNK_CONFLICT,
    );
    assert.ok(error.message.includes("<any>"), error.message);
    await sip.createSipInboundTrunk("numbered", [A]); // a trunk with numbers does not collide with the wildcard
  });
});

Deno.test("inbound trunk conflicts are checked on both update forms; a trunk never conflicts with itself", async () => {
  await withLiveKitEmulator(async (emulator) => {
    const { sip } = emulator;
    const first = await sip.createSipInboundTrunk("first", [A]);
    const second = await sip.createSipInboundTrunk("second", [B]);
    assert.equal(
      (await sip.updateSipInboundTrunkFields(first.sipTrunkId, { name: "renamed" })).name,
      "renamed",
    );
    const before = await state(emulator.url);
    await assertSdkError(
      sip.updateSipInboundTrunkFields(second.sipTrunkId, { numbers: new ListUpdate({ add: [A] }) }),
      400,
      "invalid_argument",
      TRUNK_CONFLICT,
    );
    await assertSdkError(
      sip.updateSipInboundTrunk(second.sipTrunkId, new SIPInboundTrunkInfo({ numbers: [A] })),
      400,
      "invalid_argument",
      TRUNK_CONFLICT,
    );
    assert.deepEqual(await state(emulator.url), before);
    // Moving a number: free it first, then it can go to the other trunk.
    await sip.updateSipInboundTrunkFields(first.sipTrunkId, {
      numbers: new ListUpdate({ set: ["+15550000003"] }),
    });
    await sip.updateSipInboundTrunkFields(second.sipTrunkId, { numbers: new ListUpdate({ add: [A] }) });
  });
});

Deno.test("dispatch rules: two for one trunk without a PIN conflict; a PIN or another trunk sets them apart (facts)", async () => {
  await withLiveKitEmulator(async ({ sip }) => {
    const t1 = (await sip.createSipInboundTrunk("t1", [A])).sipTrunkId;
    const t2 = (await sip.createSipInboundTrunk("t2", [B])).sipTrunkId;
    const first = await sip.createSipDispatchRule({ type: "individual", roomPrefix: "a" }, {
      trunkIds: [t1],
      name: "one",
    });
    const error = await assertSdkError(
      sip.createSipDispatchRule({ type: "direct", roomName: "b" }, { trunkIds: [t1] }),
      400,
      "invalid_argument",
      RULE_CONFLICT,
    );
    assert.ok(error.message.includes(`"${first.sipDispatchRuleId}" "one"`), error.message);
    await sip.createSipDispatchRule({ type: "direct", roomName: "b", pin: "1234" }, { trunkIds: [t1] });
    await sip.createSipDispatchRule({ type: "individual", roomPrefix: "c" }, { trunkIds: [t2] });
    // Overlapping trunk lists collide on the shared trunk.
    await assertSdkError(
      sip.createSipDispatchRule({ type: "individual", roomPrefix: "d" }, {
        trunkIds: [`ST_${"x".repeat(12)}`, t2],
      }),
      400,
      "invalid_argument",
      RULE_CONFLICT,
    );
  });
});

Deno.test("dispatch rules without trunkIds match every trunk and conflict only with each other (facts)", async () => {
  await withLiveKitEmulator(async ({ sip }) => {
    const trunk = (await sip.createSipInboundTrunk("t", [A])).sipTrunkId;
    await sip.createSipDispatchRule({ type: "individual", roomPrefix: "any" });
    await sip.createSipDispatchRule({ type: "individual", roomPrefix: "scoped" }, { trunkIds: [trunk] });
    await assertSdkError(
      sip.createSipDispatchRule({ type: "callee", roomPrefix: "any-2" }),
      400,
      "invalid_argument",
      RULE_CONFLICT,
    );
  });
});

Deno.test("dispatch rules: calling (inboundNumbers) and called (numbers) numbers are part of the key", async () => {
  await withLiveKitEmulator(async (emulator) => {
    const trunk = (await emulator.sip.createSipInboundTrunk("t", [A])).sipTrunkId;
    const rule = (extra: object) => ({
      dispatchRule: { rule: { dispatchRuleIndividual: { roomPrefix: "r" } }, trunkIds: [trunk], ...extra },
    });
    assert.equal(
      (await twirp(emulator, "CreateSIPDispatchRule", rule({ inboundNumbers: ["+15559990001"] }))).status,
      200,
    );
    assert.equal(
      (await twirp(emulator, "CreateSIPDispatchRule", rule({ inboundNumbers: ["+15559990002"] }))).status,
      200,
    );
    assert.equal((await twirp(emulator, "CreateSIPDispatchRule", rule({ numbers: [A] }))).status, 200);
    assert.equal((await twirp(emulator, "CreateSIPDispatchRule", rule({}))).status, 200);
    // Numbers are compared normalised.
    const again = await twirp(
      emulator,
      "CreateSIPDispatchRule",
      rule({ inboundNumbers: ["1-555-999-0001"] }),
    );
    assertTwirpError(again, 400, "invalid_argument", RULE_CONFLICT);
  });
});

Deno.test("dispatch rule conflicts are checked on both update forms; deleting a rule frees its key", async () => {
  await withLiveKitEmulator(async (emulator) => {
    const { sip } = emulator;
    const t1 = (await sip.createSipInboundTrunk("t1", [A])).sipTrunkId;
    const t2 = (await sip.createSipInboundTrunk("t2", [B])).sipTrunkId;
    const r1 = await sip.createSipDispatchRule({ type: "individual", roomPrefix: "a" }, { trunkIds: [t1] });
    const r2 = await sip.createSipDispatchRule({ type: "individual", roomPrefix: "b" }, { trunkIds: [t2] });
    assert.equal(
      (await sip.updateSipDispatchRuleFields(r1.sipDispatchRuleId, { name: "same key" })).name,
      "same key",
    );
    const before = await state(emulator.url);
    await assertSdkError(
      sip.updateSipDispatchRuleFields(r2.sipDispatchRuleId, { trunkIds: new ListUpdate({ add: [t1] }) }),
      400,
      "invalid_argument",
      RULE_CONFLICT,
    );
    const direct = new SIPDispatchRule({
      rule: { case: "dispatchRuleDirect", value: new SIPDispatchRuleDirect({ roomName: "room" }) },
    });
    await assertSdkError(
      sip.updateSipDispatchRule(
        r2.sipDispatchRuleId,
        new SIPDispatchRuleInfo({ rule: direct, trunkIds: [t1] }),
      ),
      400,
      "invalid_argument",
      RULE_CONFLICT,
    );
    assert.deepEqual(await state(emulator.url), before);
    await sip.deleteSipDispatchRule(r1.sipDispatchRuleId);
    await sip.updateSipDispatchRuleFields(r2.sipDispatchRuleId, { trunkIds: new ListUpdate({ add: [t1] }) });
  });
});
