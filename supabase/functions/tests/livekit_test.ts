/**
 * The LiveKit half, end to end: the functions through supabase-js, the LiveKit side inspected with the official
 * livekit-server-sdk against the LiveKit emulator (the test stack points LIVEKIT_URL at it).
 */
import assert from "node:assert/strict";
import * as protocol from "@livekit/protocol";
import { SipClient } from "livekit-server-sdk";
import { fault, requests } from "../../../scripts/livekit-emulator/testing.ts";
import { testServiceContext } from "../../../scripts/testing/service.ts";
import {
  customerWithTrunk,
  db,
  emulator,
  newUser,
  stackInfo,
  stackTest,
  storedCredential,
  uniquePhoneNumber,
} from "../../../scripts/testing/stack.ts";
import { sweep } from "../_shared/provisioning/sweep.ts";
import { HealthReport, SipConfig } from "../_shared/contract/index.ts";
import { callFunction, invoke } from "../../../scripts/testing/functions.ts";

const livekitUrl = () => stackInfo().livekit_emulator_url!;
const sip = () => {
  const stack = stackInfo();
  return new SipClient(stack.livekit_url, stack.livekit_api_key, stack.livekit_api_secret);
};

/** Every LiveKit object of one credential row, found by the metadata the service writes. */
async function objectsOf(credentialId: string) {
  const ours = (object: { metadata: string }) => object.metadata.includes(credentialId);
  const client = sip();
  return {
    outbound: (await client.listSipOutboundTrunk()).filter(ours),
    inbound: (await client.listSipInboundTrunk()).filter(ours),
    rules: (await client.listSipDispatchRule()).filter(ours),
  };
}

async function customerWithNumbers(count: number) {
  const customer = await customerWithTrunk();
  const numbers = [];
  for (let i = 0; i < count; i++) {
    numbers.push(await emulator.addNumber(customer.account.sid, uniquePhoneNumber()));
  }
  const row = await storedCredential({ userId: customer.user.userId });
  return { ...customer, numbers, credentialId: row.id as string };
}

stackTest(
  "livekit: the first number brings the outbound trunk, the inbound trunk and a scoped rule",
  async () => {
    const customer = await customerWithNumbers(1);
    const before = await invoke(customer.user.supabase, "get-sip-config", { answer: SipConfig });
    assert.deepEqual(before.livekit.missing, ["outbound_trunk", "inbound_trunk", "dispatch_rule"]);
    assert.equal(before.livekit.outboundTrunkId, null, "LiveKit refuses trunks without numbers");

    const attached = await invoke(customer.user.supabase, "attach-phone", {
      method: "POST",
      body: { phoneNumberSid: customer.numbers[0].sid },
    });
    assert.deepEqual(attached.livekit, { synced: true });
    const after = await invoke(customer.user.supabase, "get-sip-config", { answer: SipConfig });
    assert.deepEqual(after.livekit.missing, []);
    assert.match(after.livekit.outboundTrunkId ?? "", /^ST_/, "LiveKit ids, never a Twilio TK SID");

    const { outbound, inbound, rules } = await objectsOf(customer.credentialId);
    assert.equal(outbound.length, 1);
    assert.equal(outbound[0].sipTrunkId, after.livekit.outboundTrunkId);
    assert.equal(outbound[0].address, after.domainName, "the termination host alone");
    assert.deepEqual(outbound[0].numbers, [customer.numbers[0].phone_number]);
    assert.equal(outbound[0].authUsername, after.sipUsername);
    assert.equal(outbound[0].transport, protocol.SIPTransport.SIP_TRANSPORT_TCP);
    assert.equal(inbound.length, 1);
    assert.deepEqual(inbound[0].numbers, [customer.numbers[0].phone_number], "exactly the attached number");
    assert.equal(inbound[0].authUsername, "", "Twilio origination cannot send digest auth");
    assert.equal(rules.length, 1);
    assert.deepEqual(rules[0].trunkIds, [inbound[0].sipTrunkId], "never a rule without trunkIds");
    assert.equal(rules[0].rule?.rule.case, "dispatchRuleIndividual", "one room per call");
    assert.deepEqual(after.livekit.dispatchRuleIds, [rules[0].sipDispatchRuleId]);
  },
);

stackTest(
  "livekit: attach and detach move the numbers on both trunks; the last one out removes them",
  async () => {
    const customer = await customerWithNumbers(2);
    const [first, second] = customer.numbers;
    await invoke(customer.user.supabase, "attach-phone", {
      method: "POST",
      body: { phoneNumbers: [first.sid, second.sid] },
    });
    let objects = await objectsOf(customer.credentialId);
    assert.deepEqual(objects.outbound[0].numbers.sort(), [first.phone_number, second.phone_number].sort());
    assert.deepEqual(objects.inbound[0].numbers.sort(), [first.phone_number, second.phone_number].sort());

    await invoke(customer.user.supabase, "attach-phone", {
      method: "DELETE",
      body: { phoneNumberSid: first.sid },
    });
    objects = await objectsOf(customer.credentialId);
    assert.deepEqual(objects.outbound[0].numbers, [second.phone_number]);
    assert.deepEqual(objects.inbound[0].numbers, [second.phone_number]);
    const updates = await requests(livekitUrl(), {
      method: "UpdateSIPInboundTrunk",
      match: objects.inbound[0].sipTrunkId,
    });
    assert.ok(updates.every((request) => JSON.parse(request.body).update), "the *Fields form, never replace");

    await invoke(customer.user.supabase, "attach-phone", {
      method: "DELETE",
      body: { phoneNumberSid: second.sid },
    });
    objects = await objectsOf(customer.credentialId);
    assert.deepEqual([objects.outbound.length, objects.inbound.length, objects.rules.length], [0, 0, 0]);
    const row = await storedCredential({ userId: customer.user.userId });
    assert.deepEqual([
      row.livekit_outbound_trunk_id,
      row.livekit_inbound_trunk_id,
      row.livekit_dispatch_rule_id,
    ], [
      null,
      null,
      null,
    ]);
  },
);

stackTest("livekit: a number with its own agent gets its own trunk and rule; detached, they go", async () => {
  const customer = await customerWithNumbers(2);
  const [plain, special] = customer.numbers;
  await invoke(customer.user.supabase, "attach-phone", {
    method: "POST",
    body: { phoneNumbers: [plain.sid, { number: special.phone_number, agentName: "billing-agent" }] },
  });
  const objects = await objectsOf(customer.credentialId);
  assert.equal(objects.outbound.length, 1);
  assert.deepEqual(objects.outbound[0].numbers.sort(), [plain.phone_number, special.phone_number].sort());
  const own = objects.inbound.find((trunk) => trunk.numbers.includes(special.phone_number))!;
  const main = objects.inbound.find((trunk) => trunk.numbers.includes(plain.phone_number))!;
  assert.notEqual(own.sipTrunkId, main.sipTrunkId);
  assert.deepEqual(main.numbers, [plain.phone_number], "the special number is on one inbound trunk only");
  const ownRule = objects.rules.find((rule) => rule.trunkIds[0] === own.sipTrunkId)!;
  assert.deepEqual(ownRule.trunkIds, [own.sipTrunkId]);
  assert.deepEqual(ownRule.roomConfig?.agents.map((agent) => agent.agentName), ["billing-agent"]);
  const config = await invoke(customer.user.supabase, "get-sip-config", { answer: SipConfig });
  assert.equal(config.livekit.dispatchRuleIds?.length, 2);

  await invoke(customer.user.supabase, "attach-phone", {
    method: "DELETE",
    body: { phoneNumberSid: special.sid },
  });
  const after = await objectsOf(customer.credentialId);
  assert.deepEqual(after.inbound.map((trunk) => trunk.sipTrunkId), [main.sipTrunkId]);
  assert.deepEqual(after.rules.map((rule) => rule.trunkIds), [[main.sipTrunkId]]);
  assert.deepEqual(after.outbound[0].numbers, [plain.phone_number]);
});

stackTest("livekit: disconnecting leaves nothing in either emulator", async () => {
  const customer = await customerWithNumbers(2);
  await invoke(customer.user.supabase, "attach-phone", {
    method: "POST",
    body: {
      phoneNumbers: [customer.numbers[0].sid, { number: customer.numbers[1].sid, agentName: "sales" }],
    },
  });
  await invoke(customer.user.supabase, "create-main-trunk", {
    method: "DELETE",
    body: { id: customer.credentialId },
  });
  const objects = await objectsOf(customer.credentialId);
  assert.deepEqual([objects.outbound.length, objects.inbound.length, objects.rules.length], [0, 0, 0]);
  const state = await emulator.state(customer.account.sid);
  assert.deepEqual([state.trunks.length, state.credential_lists.length], [0, 0]);
});

stackTest("livekit: drift made through the SDK is reported by verify and fixed by repair", async () => {
  const customer = await customerWithNumbers(2);
  await invoke(customer.user.supabase, "attach-phone", {
    method: "POST",
    body: { phoneNumbers: customer.numbers.map((n) => n.sid) },
  });
  const before = await objectsOf(customer.credentialId);
  const client = sip();
  await client.deleteSipTrunk(before.outbound[0].sipTrunkId);
  await client.updateSipInboundTrunkFields(before.inbound[0].sipTrunkId, {
    numbers: new protocol.ListUpdate({ remove: [customer.numbers[0].phone_number] }),
  });
  await client.deleteSipDispatchRule(before.rules[0].sipDispatchRuleId);

  const report = await invoke(customer.user.supabase, "get-sip-config", {
    query: { verify: "1" },
    answer: HealthReport,
  });
  const failing = report.checks.filter((check) => !check.ok).map((c) => c.name);
  assert.deepEqual(failing, ["livekit_outbound_trunk", "livekit_inbound_trunk", "livekit_dispatch_rule"]);

  const repaired = await invoke(customer.user.supabase, "get-sip-config", {
    method: "POST",
    body: { repair: true },
  });
  assert.equal(repaired.after.status, "verified", JSON.stringify(repaired.after.checks));
  const after = await objectsOf(customer.credentialId);
  assert.equal(after.outbound.length, 1);
  assert.deepEqual(after.inbound[0].numbers.sort(), customer.numbers.map((n) => n.phone_number).sort());
  assert.deepEqual(after.rules[0].trunkIds, [after.inbound[0].sipTrunkId]);
});

for (const method of ["CreateSIPOutboundTrunk", "CreateSIPInboundTrunk", "CreateSIPDispatchRule"]) {
  stackTest(
    `livekit: a fault at ${method} leaves Twilio intact and the row degraded; a later run completes`,
    async () => {
      const customer = await customerWithNumbers(1);
      await fault(livekitUrl(), { method, match: customer.user.userId, status: 503, times: 10 });
      const attached = await invoke(customer.user.supabase, "attach-phone", {
        method: "POST",
        body: { phoneNumberSid: customer.numbers[0].sid },
      });
      assert.equal(attached.counts.attached, 1, "the Twilio side is done");
      assert.equal(attached.livekit?.synced, false);
      const state = await emulator.state(customer.account.sid);
      assert.deepEqual(state.trunks[0].phone_numbers, [customer.numbers[0].sid]);
      const row = await storedCredential({ userId: customer.user.userId });
      assert.ok(row.degraded.livekit, "the row says what is missing");
      assert.equal(row.status, "active");
      assert.equal(
        (await invoke(customer.user.supabase, "get-sip-config", { answer: SipConfig })).trunkSid,
        customer.trunkSid,
        "still served",
      );

      await fetch(`${livekitUrl()}/_emulator/faults?match=${customer.user.userId}`, { method: "DELETE" });
      await db()`update public.user_twilio_credentials set next_attempt_at = now() where id = ${row.id}`;
      await sweep(testServiceContext(), { userIds: [customer.user.userId] });
      const done = await storedCredential({ userId: customer.user.userId });
      assert.deepEqual(done.degraded, {});
      const objects = await objectsOf(customer.credentialId);
      assert.deepEqual([objects.outbound.length, objects.inbound.length, objects.rules.length], [1, 1, 1]);
    },
  );
}

stackTest("livekit: 50 concurrent completions give one set of objects", async () => {
  const customer = await customerWithNumbers(1);
  await fault(livekitUrl(), {
    method: "CreateSIPOutboundTrunk",
    match: customer.user.userId,
    status: 503,
    times: 10,
  });
  await invoke(customer.user.supabase, "attach-phone", {
    method: "POST",
    body: { phoneNumberSid: customer.numbers[0].sid },
  });
  await fetch(`${livekitUrl()}/_emulator/faults?match=${customer.user.userId}`, { method: "DELETE" });
  const body = { accountSid: customer.account.sid, authToken: customer.account.authToken };
  const calls = await Promise.all(
    Array.from(
      { length: 50 },
      () => callFunction(customer.user.supabase, "create-main-trunk", { method: "POST", body }),
    ),
  );
  assert.equal(calls.filter((call) => call.error).length, 0);
  const objects = await objectsOf(customer.credentialId);
  assert.deepEqual([objects.outbound.length, objects.inbound.length, objects.rules.length], [1, 1, 1]);
});

stackTest("livekit: two customers never share a rule and never conflict", async () => {
  const [a, b] = [await customerWithNumbers(1), await customerWithNumbers(1)];
  for (const customer of [a, b]) {
    const attached = await invoke(customer.user.supabase, "attach-phone", {
      method: "POST",
      body: { phoneNumberSid: customer.numbers[0].sid },
    });
    assert.deepEqual(attached.livekit, { synced: true });
  }
  const [objectsA, objectsB] = [await objectsOf(a.credentialId), await objectsOf(b.credentialId)];
  assert.notEqual(objectsA.rules[0].sipDispatchRuleId, objectsB.rules[0].sipDispatchRuleId);
  assert.deepEqual(objectsA.rules[0].trunkIds, [objectsA.inbound[0].sipTrunkId]);
  assert.deepEqual(objectsB.rules[0].trunkIds, [objectsB.inbound[0].sipTrunkId]);
  const other = await newUser();
  assert.ok(other.userId, "a third user sees none of it (LiveKit ids are never handed out across users)");
});

stackTest(
  "livekit: every request the product sent parses strictly as the protocol's request message",
  async () => {
    const messages: Record<string, { fromJson(json: unknown): unknown }> = {
      CreateSIPInboundTrunk: protocol.CreateSIPInboundTrunkRequest,
      CreateSIPOutboundTrunk: protocol.CreateSIPOutboundTrunkRequest,
      ListSIPInboundTrunk: protocol.ListSIPInboundTrunkRequest,
      ListSIPOutboundTrunk: protocol.ListSIPOutboundTrunkRequest,
      UpdateSIPInboundTrunk: protocol.UpdateSIPInboundTrunkRequest,
      UpdateSIPOutboundTrunk: protocol.UpdateSIPOutboundTrunkRequest,
      DeleteSIPTrunk: protocol.DeleteSIPTrunkRequest,
      CreateSIPDispatchRule: protocol.CreateSIPDispatchRuleRequest,
      ListSIPDispatchRule: protocol.ListSIPDispatchRuleRequest,
      DeleteSIPDispatchRule: protocol.DeleteSIPDispatchRuleRequest,
    };
    const sent = await requests(livekitUrl());
    assert.ok(sent.length > 20, "the suite's LiveKit traffic so far");
    for (const request of sent) {
      const message = messages[request.method];
      assert.ok(message, `an unexpected method: ${request.method}`);
      // fromJson without ignoreUnknownFields: an unknown field throws.
      message.fromJson(JSON.parse(request.body));
    }
  },
);
