import assert from "node:assert/strict";
import {
  customerWithTrunk,
  emulator,
  newUser,
  stackInfo,
  stackTest,
  storedCredential,
  uniquePhoneNumber,
} from "../../../scripts/testing/stack.ts";
import { invoke, refusal } from "../../../scripts/testing/functions.ts";

stackTest(
  "create-main-trunk: the happy path provisions exactly one complete trunk and records every SID",
  async () => {
    const user = await newUser();
    const account = await emulator.createAccount();
    const data = await invoke(user.supabase, "create-main-trunk", {
      method: "POST",
      body: { accountSid: account.sid, authToken: account.authToken, label: "Main office" },
    });
    assert.equal(data.success, true);
    assert.match(data.trunkSid, /^TK[0-9a-f]{32}$/);
    assert.match(data.domainName, new RegExp(`^user-${user.userId}-\\d{13}\\.pstn\\.twilio\\.com$`));
    assert.equal(data.domainPrefix, data.domainName.split(".")[0]);
    assert.equal(data.trunkName, `main-trunk-${user.userId}`);
    assert.equal(data.status, "active");
    assert.ok(!("authToken" in data));
    assert.ok(!("sipPassword" in data));
    assert.ok(!JSON.stringify(data).includes(account.authToken));

    const state = await emulator.state(account.sid);
    assert.equal(state.trunks.length, 1);
    const [trunk] = state.trunks;
    assert.equal(trunk.sid, data.trunkSid);
    assert.equal(trunk.domain_name, data.domainName);
    assert.deepEqual(trunk.credential_lists, [data.credentialListSid]);
    assert.equal(state.credential_lists.length, 1);
    assert.deepEqual(state.credential_lists[0].credentials.map((c) => c.username), [data.sipUsername]);
    const livekit = stackInfo().function_secrets;
    assert.deepEqual(
      trunk.origination_urls.map((url) => [url.priority, url.sip_url]).sort(),
      [[1, livekit.LIVEKIT_SIP_URI], [2, livekit.LIVEKIT_SIP_URI_FALLBACK]],
    );
    assert.deepEqual(trunk.recording, { mode: "do-not-record", trim: "do-not-trim" });

    const row = await storedCredential({ userId: user.userId });
    assert.equal(row.status, "active");
    assert.equal(row.is_active, true);
    assert.equal(row.trunk_sid, data.trunkSid);
    assert.equal(row.credential_list_sid, data.credentialListSid);
    assert.match(row.credential_sid, /^CR/);
    assert.match(row.origination_url_sid, /^OU/);
    assert.match(row.fallback_origination_url_sid, /^OU/);
    assert.match(row.auth_token, /^enc:v1:/);
    assert.match(row.sip_password, /^enc:v1:/);
  },
);

stackTest(
  "create-main-trunk: with LOG_LEVEL=debug each Twilio request and provisioning step is logged (no recording request for the default)",
  async () => {
    // The test stack runs the functions with LOG_LEVEL=debug.
    const user = await newUser();
    const account = await emulator.createAccount();
    const data = await invoke(user.supabase, "create-main-trunk", {
      method: "POST",
      body: { accountSid: account.sid, authToken: `  ${account.authToken} ` }, // pasted with spaces: trimmed
    });
    const lines = (await Deno.readTextFile(Deno.env.get("FUNCTIONS_LOG_FILE")!)).split("\n")
      .filter((line) => line.includes(user.userId) && line.includes('"level":"debug"'))
      .map((line) => JSON.parse(line.slice(line.indexOf("{"))));
    const requests = lines.filter((line) => line.event === "twilio_request");
    const trunkCreate = requests.find((line) => line.method === "POST" && line.path === "/v1/Trunks");
    assert.ok(trunkCreate, "the trunk create is logged");
    assert.equal(trunkCreate.status, 201);
    assert.equal(typeof trunkCreate.durationMs, "number");
    assert.equal(trunkCreate.attempt, 1);
    const steps = lines.filter((line) => line.event === "provisioning_step").map((line) => line.step);
    assert.ok(steps.includes("trunk") && steps.includes("credential"), steps.join(","));
    // A new trunk comes with do-not-record (Twilio's default, in the created trunk's answer): nothing to send.
    assert.ok(steps.includes("recording"), steps.join(","));
    assert.ok(!requests.some((line) => line.path.endsWith("/Recording")), "no recording request");
    assert.ok(data.trunkSid);
  },
);

stackTest(
  "create-main-trunk GET lists the user's connections (seed fields, no secret); DELETE disconnects",
  async () => {
    const customer = await customerWithTrunk({ label: "Main office" });
    const other = await newUser();
    const number = await emulator.addNumber(customer.account.sid, uniquePhoneNumber(), {
      voiceUrl: "https://example.test/keep",
    });
    await invoke(customer.user.supabase, "attach-phone", {
      method: "POST",
      body: { phoneNumberSid: number.sid },
    });

    const listed = await invoke(customer.user.supabase, "create-main-trunk");
    assert.equal(listed.credentials.length, 1);
    const [connection] = listed.credentials;
    assert.deepEqual(Object.keys(connection).sort(), [
      "account_sid",
      "created_at",
      "credential_list_sid",
      "degraded",
      "domain_name",
      "domain_prefix",
      "id",
      "is_active",
      "label",
      "sip_username",
      "status",
      "trunk_sid",
      "updated_at",
      "user_id",
    ]);
    assert.deepEqual([connection.trunk_sid, connection.label, connection.status], [
      customer.trunkSid,
      "Main office",
      "active",
    ]);
    const others = await invoke(other.supabase, "create-main-trunk");
    assert.deepEqual(others.credentials, [], "another user sees nothing");

    const disconnect = { method: "DELETE", body: { id: connection.id } } as const;
    const foreign = await refusal(other.supabase, "create-main-trunk", disconnect);
    assert.equal(foreign.status, 404, "another user's connection cannot be disconnected");

    const disconnected = await invoke(customer.user.supabase, "create-main-trunk", disconnect);
    assert.deepEqual(disconnected, { deleted: true, teardown: "deprovisioned" });
    const state = await emulator.state(customer.account.sid);
    assert.deepEqual([state.trunks.length, state.credential_lists.length], [0, 0], "nothing of ours left");
    const restored = state.incoming_phone_numbers.find((n) => n.sid === number.sid)!;
    assert.deepEqual([restored.trunk_sid, restored.voice_url], [null, "https://example.test/keep"]);
    const after = await invoke(customer.user.supabase, "create-main-trunk");
    assert.deepEqual(after.credentials, []);
  },
);
