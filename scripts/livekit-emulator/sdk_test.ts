// Every emulated method driven through the official SDK's SipClient (Get* through raw Twirp: the SDK has no
// getter), and every body the SDK sent parsed back strictly with the protocol's classes.
import assert from "node:assert/strict";
import {
  CreateSIPDispatchRuleRequest,
  CreateSIPInboundTrunkRequest,
  CreateSIPOutboundTrunkRequest,
  DeleteSIPDispatchRuleRequest,
  DeleteSIPTrunkRequest,
  ListSIPDispatchRuleRequest,
  ListSIPInboundTrunkRequest,
  ListSIPOutboundTrunkRequest,
  ListUpdate,
  Pagination,
  SIPDispatchRule,
  SIPDispatchRuleIndividual,
  SIPDispatchRuleInfo,
  SIPInboundTrunkInfo,
  SIPOutboundTrunkInfo,
  SIPTransport,
  UpdateSIPDispatchRuleRequest,
  UpdateSIPInboundTrunkRequest,
  UpdateSIPOutboundTrunkRequest,
} from "@livekit/protocol";
import { DISPATCH_RULE_ID_PATTERN, TRUNK_ID_PATTERN } from "./ids.ts";
import { assertSdkError, requests, state, twirp, withLiveKitEmulator } from "./testing.ts";

const TWILIO_HOST = "example.pstn.twilio.com";

Deno.test("inbound trunks: create, get, list with filters, update (both forms), delete", async () => {
  await withLiveKitEmulator(async (emulator) => {
    const { sip } = emulator;
    const a = await sip.createSipInboundTrunk("tenant-a", ["+15550000001"], {
      metadata: '{"tenant":"a"}',
      allowedAddresses: ["54.172.60.0/30"],
      krispEnabled: true,
    });
    assert.match(a.sipTrunkId, TRUNK_ID_PATTERN);
    assert.deepEqual(a.numbers, ["+15550000001"]);
    assert.equal(a.metadata, '{"tenant":"a"}');
    assert.equal(a.krispEnabled, true);
    const b = await sip.createSipInboundTrunk("tenant-b", ["+15550000002"]);

    const got = await twirp(emulator, "GetSIPInboundTrunk", { sipTrunkId: a.sipTrunkId });
    assert.equal(got.status, 200, got.text);
    assert.deepEqual(got.body, { trunk: a.toJson() });

    const ids = (trunks: SIPInboundTrunkInfo[]) => trunks.map((t) => t.sipTrunkId);
    assert.deepEqual(ids(await sip.listSipInboundTrunk()), [a.sipTrunkId, b.sipTrunkId].sort());
    assert.deepEqual(ids(await sip.listSipInboundTrunk({ trunkIds: [b.sipTrunkId] })), [b.sipTrunkId]);
    // protocol sip.go ListSIPInboundTrunkRequest.Filter: numbers compare after normalisation.
    assert.deepEqual(ids(await sip.listSipInboundTrunk({ numbers: ["1 (555) 000-0002"] })), [b.sipTrunkId]);
    const [first] = [a.sipTrunkId, b.sipTrunkId].sort();
    assert.deepEqual(
      ids(await sip.listSipInboundTrunk({ page: new Pagination({ afterId: first }) })),
      [a.sipTrunkId, b.sipTrunkId].filter((id) => id !== first),
    );

    const updated = await sip.updateSipInboundTrunkFields(a.sipTrunkId, {
      numbers: new ListUpdate({ add: ["+15550000003"], remove: ["+15550000001"] }),
      allowedNumbers: new ListUpdate({ set: ["+15559990000"] }),
      name: "tenant-a2",
    });
    assert.deepEqual(updated.numbers, ["+15550000003"]);
    assert.deepEqual(updated.allowedNumbers, ["+15559990000"]);
    assert.deepEqual(updated.allowedAddresses, ["54.172.60.0/30"], "fields not in the update are kept");
    assert.equal(updated.name, "tenant-a2");
    assert.equal(updated.metadata, '{"tenant":"a"}');
    const cleared = await sip.updateSipInboundTrunkFields(a.sipTrunkId, {
      allowedNumbers: new ListUpdate({ clear: true }),
    });
    assert.deepEqual(cleared.allowedNumbers, []);

    // Facts file: the replace form wipes every field it does not send.
    const replaced = await sip.updateSipInboundTrunk(
      a.sipTrunkId,
      new SIPInboundTrunkInfo({ name: "replaced", numbers: ["+15550000004"] }),
    );
    assert.deepEqual(replaced.toJson(), {
      sipTrunkId: a.sipTrunkId,
      name: "replaced",
      numbers: ["+15550000004"],
    });
    assert.deepEqual((await state(emulator.url)).inboundTrunks[0], replaced.toJson());

    const deleted = await sip.deleteSipTrunk(a.sipTrunkId);
    assert.equal(deleted.sipTrunkId, a.sipTrunkId);
    assert.deepEqual(ids(await sip.listSipInboundTrunk()), [b.sipTrunkId]);
    // Facts file: deleting a missing trunk is 404 not_found.
    await assertSdkError(sip.deleteSipTrunk(a.sipTrunkId), 404, "not_found", "does not exist");
    await assertSdkError(
      sip.updateSipInboundTrunkFields(a.sipTrunkId, { name: "x" }),
      404,
      "not_found",
      "requested sip trunk does not exist",
    );
  });
});

Deno.test("outbound trunks: create with transport and auth, get, list, update (both forms), delete", async () => {
  await withLiveKitEmulator(async (emulator) => {
    const { sip } = emulator;
    const trunk = await sip.createSipOutboundTrunk("out", TWILIO_HOST, ["+15550000001"], {
      transport: SIPTransport.SIP_TRANSPORT_TCP,
      authUsername: "user",
      authPassword: "pass",
      destinationCountry: "US",
    });
    assert.match(trunk.sipTrunkId, TRUNK_ID_PATTERN);
    assert.equal(trunk.transport, SIPTransport.SIP_TRANSPORT_TCP);
    assert.equal(trunk.authPassword, "pass", "LiveKit answers stored credentials in full");

    const got = await twirp(emulator, "GetSIPOutboundTrunk", { sipTrunkId: trunk.sipTrunkId });
    assert.equal(got.body.trunk.transport, "SIP_TRANSPORT_TCP", "enums travel as their names");
    assert.deepEqual(got.body, { trunk: trunk.toJson() });
    // An outbound trunk is not an inbound one: each getter only sees its own kind.
    assert.equal((await twirp(emulator, "GetSIPInboundTrunk", { sipTrunkId: trunk.sipTrunkId })).status, 404);

    const other = await sip.createSipOutboundTrunk("other", TWILIO_HOST, ["+15550000009"]);
    const list = await sip.listSipOutboundTrunk({ numbers: ["+15550000001"] });
    assert.deepEqual(list.map((t) => t.sipTrunkId), [trunk.sipTrunkId]);
    assert.equal((await sip.listSipOutboundTrunk()).length, 2);

    const updated = await sip.updateSipOutboundTrunkFields(trunk.sipTrunkId, {
      // An element already in the list is not added twice (types.go applyListUpdate).
      numbers: new ListUpdate({ add: ["+15550000001", "+15550000002"] }),
      authPassword: "rotated",
      metadata: "m",
    });
    assert.deepEqual(updated.numbers, ["+15550000001", "+15550000002"]);
    assert.equal(updated.authPassword, "rotated");
    assert.equal(updated.authUsername, "user");
    assert.equal(updated.address, TWILIO_HOST);
    assert.equal(updated.transport, SIPTransport.SIP_TRANSPORT_TCP);

    const replaced = await sip.updateSipOutboundTrunk(
      trunk.sipTrunkId,
      new SIPOutboundTrunkInfo({ address: "other.pstn.twilio.com", numbers: ["+15550000003"] }),
    );
    assert.equal(replaced.authUsername, "", "replace wipes fields it does not send");
    assert.equal(replaced.transport, SIPTransport.SIP_TRANSPORT_AUTO);

    await sip.deleteSipTrunk(trunk.sipTrunkId);
    assert.deepEqual((await sip.listSipOutboundTrunk()).map((t) => t.sipTrunkId), [other.sipTrunkId]);
    await assertSdkError(sip.deleteSipTrunk(trunk.sipTrunkId), 404, "not_found");
  });
});

Deno.test("dispatch rules: create (all rule types), list with filters, update (both forms), delete", async () => {
  await withLiveKitEmulator(async (emulator) => {
    const { sip } = emulator;
    const trunkA = await sip.createSipInboundTrunk("a", ["+15550000001"]);
    const trunkB = await sip.createSipInboundTrunk("b", ["+15550000002"]);
    const individual = await sip.createSipDispatchRule({ type: "individual", roomPrefix: "call" }, {
      trunkIds: [trunkA.sipTrunkId],
      name: "rule-a",
      metadata: "m",
      attributes: { tenant: "a", keep: "yes" },
      hidePhoneNumber: true,
    });
    assert.match(individual.sipDispatchRuleId, DISPATCH_RULE_ID_PATTERN);
    assert.equal(individual.rule?.rule.case, "dispatchRuleIndividual");
    assert.deepEqual(individual.trunkIds, [trunkA.sipTrunkId]);
    assert.equal(individual.hidePhoneNumber, true);
    const direct = await sip.createSipDispatchRule({ type: "direct", roomName: "lobby", pin: "1234" }, {
      trunkIds: [trunkB.sipTrunkId],
    });
    const callee = await sip.createSipDispatchRule({ type: "callee", roomPrefix: "c", randomize: true });
    assert.equal(callee.rule?.rule.case, "dispatchRuleCallee");

    const ids = (rules: SIPDispatchRuleInfo[]) => rules.map((r) => r.sipDispatchRuleId);
    const all = [individual, direct, callee].map((r) => r.sipDispatchRuleId).sort();
    assert.deepEqual(ids(await sip.listSipDispatchRule()), all);
    // sip.go ListSIPDispatchRuleRequest.Filter: rules without trunkIds match every trunk.
    assert.deepEqual(
      ids(await sip.listSipDispatchRule({ trunkIds: [trunkA.sipTrunkId] })),
      [individual.sipDispatchRuleId, callee.sipDispatchRuleId].sort(),
    );
    assert.deepEqual(
      ids(await sip.listSipDispatchRule({ dispatchRuleIds: [direct.sipDispatchRuleId] })),
      [direct.sipDispatchRuleId],
    );

    const updated = await sip.updateSipDispatchRuleFields(individual.sipDispatchRuleId, {
      trunkIds: new ListUpdate({ add: [trunkB.sipTrunkId], remove: [trunkA.sipTrunkId] }),
      attributes: { tenant: "a2", keep: "" },
      name: "renamed",
    });
    assert.deepEqual(updated.trunkIds, [trunkB.sipTrunkId]);
    assert.deepEqual(updated.attributes, { tenant: "a2" }, "an empty value removes the attribute");
    assert.equal(updated.name, "renamed");
    assert.equal(updated.metadata, "m");
    assert.equal(updated.hidePhoneNumber, true);

    const replaced = await sip.updateSipDispatchRule(
      individual.sipDispatchRuleId,
      new SIPDispatchRuleInfo({
        rule: new SIPDispatchRule({
          rule: { case: "dispatchRuleIndividual", value: new SIPDispatchRuleIndividual({ roomPrefix: "x" }) },
        }),
        trunkIds: [trunkA.sipTrunkId],
      }),
    );
    assert.equal(replaced.name, "");
    assert.equal(replaced.hidePhoneNumber, false);
    assert.deepEqual(replaced.attributes, {});

    const deleted = await sip.deleteSipDispatchRule(direct.sipDispatchRuleId);
    assert.deepEqual(deleted.toJson(), direct.toJson(), "delete answers with the deleted rule");
    await assertSdkError(sip.deleteSipDispatchRule(direct.sipDispatchRuleId), 404, "not_found");
    assert.equal((await state(emulator.url)).dispatchRules.length, 2);
  });
});

Deno.test("every request body the SDK sent parses strictly with the protocol's fromJson", async () => {
  await withLiveKitEmulator(async (emulator) => {
    const { sip } = emulator;
    const inbound = await sip.createSipInboundTrunk("in", ["+15550000001"], { headers: { "X-Tenant": "a" } });
    const outbound = await sip.createSipOutboundTrunk("out", TWILIO_HOST, ["+15550000001"], {
      transport: SIPTransport.SIP_TRANSPORT_TCP,
    });
    const rule = await sip.createSipDispatchRule({ type: "individual", roomPrefix: "call" }, {
      trunkIds: [inbound.sipTrunkId],
    });
    await sip.listSipInboundTrunk({ numbers: ["+15550000001"] });
    await sip.listSipOutboundTrunk({ trunkIds: [outbound.sipTrunkId] });
    await sip.listSipDispatchRule({ trunkIds: [inbound.sipTrunkId] });
    await sip.updateSipInboundTrunkFields(inbound.sipTrunkId, {
      numbers: new ListUpdate({ add: ["+15550000002"] }),
    });
    await sip.updateSipOutboundTrunkFields(outbound.sipTrunkId, { name: "renamed" });
    await sip.updateSipDispatchRuleFields(rule.sipDispatchRuleId, { metadata: "m" });
    await sip.deleteSipDispatchRule(rule.sipDispatchRuleId);
    await sip.deleteSipTrunk(outbound.sipTrunkId);

    const parsers: Record<string, { fromJson(json: never): unknown }> = {
      CreateSIPInboundTrunk: CreateSIPInboundTrunkRequest,
      CreateSIPOutboundTrunk: CreateSIPOutboundTrunkRequest,
      CreateSIPDispatchRule: CreateSIPDispatchRuleRequest,
      ListSIPInboundTrunk: ListSIPInboundTrunkRequest,
      ListSIPOutboundTrunk: ListSIPOutboundTrunkRequest,
      ListSIPDispatchRule: ListSIPDispatchRuleRequest,
      UpdateSIPInboundTrunk: UpdateSIPInboundTrunkRequest,
      UpdateSIPOutboundTrunk: UpdateSIPOutboundTrunkRequest,
      UpdateSIPDispatchRule: UpdateSIPDispatchRuleRequest,
      DeleteSIPDispatchRule: DeleteSIPDispatchRuleRequest,
      DeleteSIPTrunk: DeleteSIPTrunkRequest,
    };
    const received = await requests(emulator.url);
    assert.deepEqual(new Set(received.map((r) => r.method)), new Set(Object.keys(parsers)));
    for (const { method, body } of received) {
      assert.doesNotThrow(() => parsers[method].fromJson(JSON.parse(body) as never), `${method}: ${body}`);
    }
    // The update form is sent as the `update` oneof member, never as `replace`.
    const update = received.find((r) => r.method === "UpdateSIPInboundTrunk")!;
    assert.deepEqual(JSON.parse(update.body), {
      sipTrunkId: inbound.sipTrunkId,
      update: { numbers: { add: ["+15550000002"] } },
    });
  });
});
