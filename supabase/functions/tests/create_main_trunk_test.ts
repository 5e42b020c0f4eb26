import assert from "node:assert/strict";
import { db, emulator, newUser, stackInfo, stackTest } from "../../../scripts/testing/stack.ts";

stackTest("create-main-trunk: the happy path provisions exactly one complete trunk and records every SID", async () => {
  const user = await newUser();
  const account = await emulator.createAccount();
  const { data, error } = await user.supabase.functions.invoke("create-main-trunk", {
    body: { accountSid: account.sid, authToken: account.authToken, label: "Main office" },
  });
  assert.equal(error, null, await error?.context?.text?.());
  assert.equal(data.success, true);
  assert.match(data.trunkSid, /^TK[0-9a-f]{32}$/);
  assert.match(data.domainName, new RegExp(`^user-${user.userId}-\\d{13}\\.pstn\\.twilio\\.com$`));
  assert.equal(data.domainPrefix, data.domainName.split(".")[0]);
  assert.equal(data.trunkName, `main-trunk-${user.userId}`);
  assert.equal(data.status, "active");
  assert.equal(data.authToken, undefined);
  assert.equal(data.sipPassword, undefined);
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
    trunk.origination_urls.map((url) => [url.sip_url, url.priority]).sort(),
    [[livekit.LIVEKIT_SIP_URI, 1], [livekit.LIVEKIT_SIP_URI_FALLBACK, 2]],
  );
  assert.deepEqual(trunk.recording, { mode: "do-not-record", trim: "do-not-trim" });

  const [row] = await db()`select * from public.user_twilio_credentials where user_id = ${user.userId}`;
  assert.equal(row.status, "active");
  assert.equal(row.isActive, true);
  assert.equal(row.trunkSid, data.trunkSid);
  assert.equal(row.credentialListSid, data.credentialListSid);
  assert.match(row.credentialSid, /^CR/);
  assert.match(row.originationUrlSid, /^OU/);
  assert.match(row.fallbackOriginationUrlSid, /^OU/);
  assert.match(row.authToken, /^enc:v1:/);
  assert.match(row.sipPassword, /^enc:v1:/);
});
