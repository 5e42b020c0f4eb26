// Per-object validation (protocol livekit/sip.go Validate methods, facts file "Validation the real server
// applies"), on create and on both update forms. Each test names the fact it checks.
import assert from "node:assert/strict";
import { ListUpdate, SIPInboundTrunkInfo, SIPOutboundTrunkInfo, SIPTransport } from "@livekit/protocol";
import {
  assertSdkError,
  assertTwirpError,
  configure,
  reset,
  state,
  twirp,
  withLiveKitEmulator,
} from "./testing.ts";

const HOST = "example.pstn.twilio.com";
const NUMBER = "+15550000001";

Deno.test("outbound trunk: at least one number and an address (facts: 'at least one number'; sip.go)", async () => {
  await withLiveKitEmulator(async ({ sip }) => {
    await assertSdkError(
      sip.createSipOutboundTrunk("o", HOST, []),
      400,
      "invalid_argument",
      "no trunk numbers",
    );
    await assertSdkError(
      sip.createSipOutboundTrunk("o", "", [NUMBER]),
      400,
      "invalid_argument",
      "no outbound address",
    );
  });
});

Deno.test("outbound trunk: address is a bare host, not a SIP URI (facts; sip.go validateHostnameFormat)", async () => {
  await withLiveKitEmulator(async (emulator) => {
    const { sip } = emulator;
    const refused: [string, string][] = [
      ["sip:example.pstn.twilio.com", "not SIP URI"],
      ["sips:example.pstn.twilio.com", "not SIP URI"],
      ["user@example.pstn.twilio.com", "not SIP URI"],
      ["example.pstn.twilio.com;lr", "not SIP URI"],
      ["example.pstn.twilio.com;transport=tcp", "should not contain transport parameter"],
      // Emulator-only: whitespace (the source lets it through; it can never be dialled).
      [" example.pstn.twilio.com", "without whitespace"],
      ["example .pstn.twilio.com", "without whitespace"],
    ];
    for (const [address, msgPart] of refused) {
      await assertSdkError(
        sip.createSipOutboundTrunk("o", address, [NUMBER]),
        400,
        "invalid_argument",
        msgPart,
      );
    }
    // The source allows host:port and IPs (the facts file's "no port" is advice for Twilio, not a server rule).
    for (const address of [HOST, "example.pstn.twilio.com:5061", "203.0.113.10"]) {
      assert.equal((await sip.createSipOutboundTrunk("o", address, [NUMBER])).address, address);
    }
    // from_host gets the same check (sip.go); the SDK has no option for it, so it goes raw.
    const reply = await twirp(emulator, "CreateSIPOutboundTrunk", {
      trunk: { address: HOST, numbers: [NUMBER], fromHost: "sip:me.example.com" },
    });
    assertTwirpError(reply, 400, "invalid_argument", "from_host should be a hostname or IP");
    assert.equal((await state(emulator.url)).outboundTrunks.length, 3);
  });
});

Deno.test("outbound trunk: the same rules hold on both update forms, and a refused update changes nothing", async () => {
  await withLiveKitEmulator(async (emulator) => {
    const { sip } = emulator;
    const trunk = await sip.createSipOutboundTrunk("o", HOST, [NUMBER], {
      transport: SIPTransport.SIP_TRANSPORT_TCP,
    });
    const before = (await state(emulator.url)).outboundTrunks;
    await assertSdkError(
      sip.updateSipOutboundTrunkFields(trunk.sipTrunkId, { numbers: new ListUpdate({ remove: [NUMBER] }) }),
      400,
      "invalid_argument",
      "no trunk numbers",
    );
    await assertSdkError(
      sip.updateSipOutboundTrunk(
        trunk.sipTrunkId,
        new SIPOutboundTrunkInfo({ address: `sip:${HOST}`, numbers: [NUMBER] }),
      ),
      400,
      "invalid_argument",
      "not SIP URI",
    );
    const reply = await twirp(emulator, "UpdateSIPOutboundTrunk", {
      sipTrunkId: trunk.sipTrunkId,
      update: { address: `${HOST};transport=tcp` },
    });
    assertTwirpError(reply, 400, "invalid_argument", "transport parameter");
    assert.deepEqual((await state(emulator.url)).outboundTrunks, before);
  });
});

Deno.test("inbound trunk: needs numbers, allowedAddresses or auth (facts; sip.go SIPInboundTrunkInfo.Validate)", async () => {
  await withLiveKitEmulator(async (emulator) => {
    const { sip } = emulator;
    await assertSdkError(sip.createSipInboundTrunk("i", []), 400, "invalid_argument", "for security");
    assert.deepEqual(
      (await sip.createSipInboundTrunk("i", [], { allowedAddresses: ["54.172.60.0/30"] })).numbers,
      [],
    );
    await reset(emulator.url); // two number-less trunks would conflict (conflicts_test.ts)
    assert.equal(
      (await sip.createSipInboundTrunk("j", [], { authUsername: "u", authPassword: "p" })).authUsername,
      "u",
    );
  });
});

Deno.test("inbound trunk: numbers must be E.164 with + (facts: 'numbers must be valid phone numbers')", async () => {
  await withLiveKitEmulator(async (emulator) => {
    const { sip } = emulator;
    for (const bad of ["15550000001", "+05550000001", "+1 555 000 0001", "+1234567890123456", "+1555abc"]) {
      await assertSdkError(
        sip.createSipInboundTrunk("i", [bad]),
        400,
        "invalid_argument",
        "not a valid phone number",
      );
    }
    const trunk = await sip.createSipInboundTrunk("i", [NUMBER]);
    await assertSdkError(
      sip.updateSipInboundTrunkFields(trunk.sipTrunkId, { numbers: new ListUpdate({ add: ["5550000002"] }) }),
      400,
      "invalid_argument",
      "not a valid phone number",
    );
    await assertSdkError(
      sip.updateSipInboundTrunkFields(trunk.sipTrunkId, { numbers: new ListUpdate({ clear: true }) }),
      400,
      "invalid_argument",
      "for security",
    );
    await assertSdkError(
      sip.updateSipInboundTrunk(trunk.sipTrunkId, new SIPInboundTrunkInfo({ numbers: ["0800 123"] })),
      400,
      "invalid_argument",
      "not a valid phone number",
    );
    assert.deepEqual((await state(emulator.url)).inboundTrunks[0].numbers, [NUMBER]);
    // requireE164InboundNumbers off: any non-empty string, as the open-source server accepts.
    await configure(emulator.url, { requireE164InboundNumbers: false });
    assert.deepEqual((await sip.createSipInboundTrunk("k", ["5550000003"])).numbers, ["5550000003"]);
  });
});

Deno.test("trunk headers: SIP token names, no headers LiveKit sets itself (sip_validation.go)", async () => {
  await withLiveKitEmulator(async ({ sip }) => {
    const cases: [Record<string, string>, string][] = [
      [{ From: "x" }, "not supported"],
      [{ "X Bad": "x" }, "invalid characters"],
      [{ "X-Ok": "a\u0000b" }, "char not allowed"],
      [{ "X-Ok": "a".repeat(1025) }, "value too long"],
    ];
    for (const [headers, msgPart] of cases) {
      await assertSdkError(
        sip.createSipInboundTrunk("i", [NUMBER], { headers }),
        400,
        "invalid_argument",
        msgPart,
      );
      await assertSdkError(
        sip.createSipOutboundTrunk("o", HOST, [NUMBER], { headers, transport: 0 }),
        400,
        "invalid_argument",
        msgPart,
      );
    }
    await assertSdkError(
      sip.createSipInboundTrunk("i", [NUMBER], { headersToAttributes: { "Call-ID": "id" } }),
      400,
      "invalid_argument",
      "not supported",
    );
    assert.deepEqual(
      (await sip.createSipInboundTrunk("i", [NUMBER], { headers: { "X-Tenant": "a b" } })).headers,
      {
        "X-Tenant": "a b",
      },
    );
  });
});

Deno.test("ListUpdate: one kind of change at a time, no empty elements (types.go ListUpdate.Validate)", async () => {
  await withLiveKitEmulator(async ({ sip }) => {
    const trunk = await sip.createSipInboundTrunk("i", [NUMBER]);
    const cases: [Partial<ListUpdate>, string][] = [
      [{}, "unsupported list update operation"],
      [{ clear: true, add: ["+15550000002"] }, "cannot clear and change"],
      [{ set: ["+15550000002"], remove: [NUMBER] }, "cannot set and change"],
      [{ add: [""] }, "empty element"],
    ];
    for (const [update, msgPart] of cases) {
      await assertSdkError(
        sip.updateSipInboundTrunkFields(trunk.sipTrunkId, { allowedNumbers: new ListUpdate(update) }),
        400,
        "invalid_argument",
        msgPart,
      );
    }
  });
});

Deno.test("request checks: ids set or missing, missing objects and actions (sip.go request Validate)", async () => {
  await withLiveKitEmulator(async (emulator) => {
    const trunk = await emulator.sip.createSipInboundTrunk("i", [NUMBER]);
    const refused: [string, unknown, string][] = [
      ["CreateSIPInboundTrunk", {}, "missing trunk"],
      [
        "CreateSIPInboundTrunk",
        { trunk: { sipTrunkId: "ST_x", numbers: [NUMBER] } },
        "trunk id must not be set",
      ],
      [
        "CreateSIPOutboundTrunk",
        { trunk: { sipTrunkId: "ST_x", numbers: [NUMBER], address: HOST } },
        "must not be set",
      ],
      ["CreateSIPDispatchRule", {}, "missing rule"],
      ["CreateSIPDispatchRule", { rule: {} }, "Unsupported SIP Dispatch Rule"],
      [
        "CreateSIPDispatchRule",
        { dispatchRule: { sipDispatchRuleId: "SDR_x", rule: { dispatchRuleDirect: { roomName: "r" } } } },
        "rule id must not be set",
      ],
      ["UpdateSIPInboundTrunk", { update: { name: "x" } }, "trunk id must be set"],
      ["UpdateSIPInboundTrunk", { sipTrunkId: trunk.sipTrunkId }, "missing or unsupported update action"],
      [
        "UpdateSIPInboundTrunk",
        { sipTrunkId: trunk.sipTrunkId, replace: { sipTrunkId: "ST_other", numbers: [NUMBER] } },
        "must be empty or match",
      ],
      ["UpdateSIPDispatchRule", { update: {} }, "rule id must be set"],
      ["GetSIPInboundTrunk", {}, "trunk ID is required"],
      ["DeleteSIPTrunk", {}, "trunk ID is required"],
      ["DeleteSIPDispatchRule", {}, "dispatch rule ID is required"],
    ];
    for (const [method, body, msgPart] of refused) {
      assertTwirpError(await twirp(emulator, method, body), 400, "invalid_argument", msgPart);
    }
    // Users pass Twilio TK… SIDs where LiveKit wants ST_… ids (facts file): not_found.
    const twilioSid = `TK${"0".repeat(32)}`;
    assertTwirpError(
      await twirp(emulator, "GetSIPInboundTrunk", { sipTrunkId: twilioSid }),
      404,
      "not_found",
    );
  });
});

Deno.test("dispatch rule naming a trunk that does not exist: accepted, as sip.go never looks trunks up", async () => {
  await withLiveKitEmulator(async (emulator) => {
    const { sip } = emulator;
    const rule = await sip.createSipDispatchRule({ type: "individual", roomPrefix: "r" }, {
      trunkIds: ["ST_missing"],
    });
    assert.deepEqual(rule.trunkIds, ["ST_missing"]);
    // rejectUnknownTrunkIds: refused on create and on update, as not_found.
    await configure(emulator.url, { rejectUnknownTrunkIds: true });
    await assertSdkError(
      sip.createSipDispatchRule({ type: "individual", roomPrefix: "s" }, { trunkIds: ["ST_gone"] }),
      404,
      "not_found",
      "ST_gone",
    );
    const trunk = await sip.createSipInboundTrunk("i", [NUMBER]);
    const scoped = await sip.createSipDispatchRule({ type: "individual", roomPrefix: "t" }, {
      trunkIds: [trunk.sipTrunkId],
    });
    await assertSdkError(
      sip.updateSipDispatchRuleFields(scoped.sipDispatchRuleId, {
        trunkIds: new ListUpdate({ add: ["ST_gone"] }),
      }),
      404,
      "not_found",
    );
  });
});
