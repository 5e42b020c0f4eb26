// The wire format: Twirp routes, protobuf JSON in (strict) and out, and the error shape the SDK parses
// (facts file "Wire format"; twitchtv/twirp server behaviour).
import assert from "node:assert/strict";
import { assertSdkError, assertTwirpError, twirp, withLiveKitEmulator } from "./testing.ts";

const HOST = "example.pstn.twilio.com";
const NUMBER = "+15550000001";

Deno.test("wire: answers are protobuf JSON (camelCase, enum names, defaults left out) as application/json", async () => {
  await withLiveKitEmulator(async (emulator) => {
    const reply = await twirp(emulator, "CreateSIPOutboundTrunk", {
      trunk: { address: HOST, numbers: [NUMBER], transport: "SIP_TRANSPORT_TCP", auth_username: "u" },
    });
    assert.equal(reply.status, 200, reply.text);
    assert.equal(reply.contentType, "application/json");
    const { sipTrunkId, ...rest } = reply.body;
    assert.match(sipTrunkId, /^ST_/);
    assert.deepEqual(rest, {
      address: HOST,
      transport: "SIP_TRANSPORT_TCP",
      numbers: [NUMBER],
      authUsername: "u",
    });
    const list = await twirp(emulator, "ListSIPOutboundTrunk", {});
    assert.deepEqual(Object.keys(list.body), ["items"]);
    assert.deepEqual(
      (await twirp(emulator, "ListSIPDispatchRule", {})).body,
      {},
      "an empty list is left out too",
    );
  });
});

Deno.test("wire: request bodies accept proto (snake_case) and JSON (camelCase) names, as protobuf JSON parsers do", async () => {
  await withLiveKitEmulator(async (emulator) => {
    const reply = await twirp(emulator, "CreateSIPInboundTrunk", {
      trunk: { numbers: [NUMBER], allowed_addresses: ["54.172.60.0/30"], krispEnabled: true },
    });
    assert.equal(reply.status, 200, reply.text);
    assert.deepEqual(reply.body.allowedAddresses, ["54.172.60.0/30"]);
    assert.equal(reply.body.krispEnabled, true);
    const rule = await twirp(emulator, "CreateSIPDispatchRule", {
      rule: { dispatch_rule_direct: { room_name: "lobby" } },
      trunk_ids: [reply.body.sipTrunkId],
    });
    assert.deepEqual(rule.body.rule, { dispatchRuleDirect: { roomName: "lobby" } });
  });
});

Deno.test("wire: request bodies are parsed strictly: an unknown field or a wrong type is 400 invalid_argument", async () => {
  await withLiveKitEmulator(async (emulator) => {
    // Emulator-only strictness: Twirp's Go server discards unknown fields; a typo here would be lost there.
    const unknownField = await twirp(emulator, "CreateSIPInboundTrunk", {
      trunk: { numbers: [NUMBER], numbrs: [] },
    });
    assertTwirpError(unknownField, 400, "invalid_argument", '"numbrs" is unknown');
    const wrongType = await twirp(emulator, "CreateSIPInboundTrunk", { trunk: { numbers: NUMBER } });
    assertTwirpError(wrongType, 400, "invalid_argument", "could not be decoded");
    const badEnum = await twirp(emulator, "CreateSIPOutboundTrunk", {
      trunk: { address: HOST, numbers: [NUMBER], transport: "TCP" },
    });
    assertTwirpError(badEnum, 400, "invalid_argument");
    // Not JSON at all: Twirp's own `malformed` (400).
    assertTwirpError(
      await twirp(emulator, "ListSIPInboundTrunk", "{"),
      400,
      "malformed",
      "could not be decoded",
    );
    // The body is decoded before the grant is checked, as the Twirp server decodes before calling the method.
    assertTwirpError(
      await twirp(emulator, "ListSIPInboundTrunk", "{", { authorization: "" }),
      400,
      "malformed",
    );
  });
});

Deno.test("wire: errors are {code, msg} with Content-Type exactly application/json, and the SDK reads them", async () => {
  await withLiveKitEmulator(async (emulator) => {
    const reply = await twirp(emulator, "DeleteSIPDispatchRule", { sipDispatchRuleId: "SDR_missing12345" });
    assertTwirpError(reply, 404, "not_found");
    assert.deepEqual(reply.body, { code: "not_found", msg: "requested sip dispatch rule does not exist" });
    const error = await assertSdkError(
      emulator.sip.deleteSipDispatchRule("SDR_missing12345"),
      404,
      "not_found",
    );
    assert.equal(error.message, "requested sip dispatch rule does not exist");
  });
});

Deno.test("wire: Twirp routing errors are bad_route (404) with the route in meta", async () => {
  await withLiveKitEmulator(async (emulator) => {
    const base = `${emulator.url}/twirp/livekit.SIP`;
    const get = await fetch(`${base}/ListSIPInboundTrunk`);
    assert.equal(get.status, 404);
    assert.deepEqual(await get.json(), {
      code: "bad_route",
      msg: 'unsupported method "GET" (only POST is allowed)',
      meta: { twirp_invalid_route: "GET /twirp/livekit.SIP/ListSIPInboundTrunk" },
    });
    assertTwirpError(await twirp(emulator, "ListSIPTrunks", {}), 404, "bad_route", "no handler for path");
    const protobuf = await twirp(emulator, "ListSIPInboundTrunk", "", {
      "content-type": "application/protobuf",
    });
    assertTwirpError(protobuf, 404, "bad_route", "unexpected Content-Type");
    // The SDK sends `application/json;charset=UTF-8`: only the media type counts.
    const charset = await twirp(emulator, "ListSIPInboundTrunk", {}, {
      "content-type": "application/json;charset=UTF-8",
    });
    assert.equal(charset.status, 200);
    const elsewhere = await fetch(`${emulator.url}/twirp/livekit.RoomService/ListRooms`, { method: "POST" });
    assert.equal(elsewhere.status, 404);
    assert.equal((await elsewhere.json()).code, "bad_route");
  });
});

Deno.test("wire: deprecated combined trunks and calls answer 501 unimplemented (not emulated)", async () => {
  await withLiveKitEmulator(async (emulator) => {
    await assertSdkError(emulator.sip.listSipTrunk(), 501, "unimplemented", "ListSIPTrunk is not emulated");
    await assertSdkError(emulator.sip.createSipTrunk(NUMBER), 501, "unimplemented");
    await assertSdkError(emulator.sip.createSipParticipant("ST_x", NUMBER, "room"), 501, "unimplemented");
  });
});
