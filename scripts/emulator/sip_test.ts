// 2010 SIP credential lists and credentials, and their prose-only rules.
import assert from "node:assert/strict";
import {
  type Api,
  assertTwilioError,
  createCredentialList,
  createTrunk,
  type Json,
  STRONG_PASSWORD,
  withEmulator,
} from "./testing.ts";

function credentialsPath(api: Api, listSid: string): string {
  return api.account(`/SIP/CredentialLists/${listSid}/Credentials.json`);
}

Deno.test("credential list create/fetch/update/list/delete with the 2010 shape", async () => {
  await withEmulator(async (emulator) => {
    const api = await emulator.newAccount();
    const list = await createCredentialList(api, "agents");
    const uri = `/2010-04-01/Accounts/${api.sid}/SIP/CredentialLists/${list.sid}`;
    assert.deepEqual(list, {
      sid: list.sid,
      account_sid: api.sid,
      friendly_name: "agents",
      date_created: list.date_created,
      date_updated: list.date_updated,
      uri: `${uri}.json`,
      subresource_uris: { credentials: `${uri}/Credentials.json` },
    });
    assert.deepEqual((await api.get(`${uri}.json`)).body, list);
    const renamed = await api.post(`${uri}.json`, { FriendlyName: "callers" });
    assert.equal(renamed.status, 200);
    assert.equal(renamed.body.friendly_name, "callers");
    assert.equal((await api.get(api.account("/SIP/CredentialLists.json"))).body.credential_lists.length, 1);
    assert.equal((await api.delete(`${uri}.json`)).status, 204);
    assertTwilioError(await api.get(`${uri}.json`), 404, 20404);
  });
});

Deno.test("credential list FriendlyName: at most 64 characters and unique per account (21240)", async () => {
  await withEmulator(async (emulator) => {
    const api = await emulator.newAccount();
    const path = api.account("/SIP/CredentialLists.json");
    assertTwilioError(await api.post(path, { FriendlyName: "x".repeat(65) }), 400, 21240);
    await createCredentialList(api, "x".repeat(64));
    assertTwilioError(await api.post(path, { FriendlyName: "x".repeat(64) }), 400, 21240);
    const other = await createCredentialList(api, "other");
    const otherUri = api.account(`/SIP/CredentialLists/${other.sid}.json`);
    assertTwilioError(await api.post(otherUri, { FriendlyName: "x".repeat(64) }), 400, 21240);
    assertTwilioError(await api.post(otherUri, { FriendlyName: "y".repeat(65) }), 400, 21240);
    assert.equal((await api.post(otherUri, { FriendlyName: "other" })).status, 200);
    // Uniqueness is per account: another account may use the same name.
    const second = await emulator.newAccount();
    await createCredentialList(second, "other");
    assert.equal((await emulator.state(api)).credential_lists.length, 2);
  });
});

// twilio-api-facts.md: "21239 | 400 | maximum credential lists reached", at most 100 per account.
Deno.test("at most 100 credential lists per account (21239)", async () => {
  await withEmulator(async (emulator) => {
    const api = await emulator.newAccount();
    await Promise.all(Array.from({ length: 100 }, (_, i) => createCredentialList(api, `list-${i}`)));
    assertTwilioError(
      await api.post(api.account("/SIP/CredentialLists.json"), { FriendlyName: "101" }),
      400,
      21239,
    );
    assert.equal((await emulator.state(api)).credential_lists.length, 100);
  });
});

Deno.test("a credential list associated with a trunk cannot be deleted (21241); deletion removes credentials", async () => {
  await withEmulator(async (emulator) => {
    const api = await emulator.newAccount();
    const trunk = await createTrunk(api);
    const list = await createCredentialList(api, "agents");
    await api.post(credentialsPath(api, list.sid), { Username: "agent", Password: STRONG_PASSWORD });
    await api.post(`/v1/Trunks/${trunk.sid}/CredentialLists`, { CredentialListSid: list.sid });
    const uri = api.account(`/SIP/CredentialLists/${list.sid}.json`);
    assertTwilioError(await api.delete(uri), 400, 21241);
    await api.delete(`/v1/Trunks/${trunk.sid}/CredentialLists/${list.sid}`);
    assert.equal((await api.delete(uri)).status, 204);
    const state = await emulator.state(api);
    assert.equal(state.credential_lists.length, 0);
    assertTwilioError(await api.get(credentialsPath(api, list.sid)), 404, 20404);
  });
});

Deno.test("credential create/fetch/update/list/delete never exposes the password or a digest", async () => {
  await withEmulator(async (emulator) => {
    const api = await emulator.newAccount();
    const list = await createCredentialList(api, "agents");
    const created = await api.post(credentialsPath(api, list.sid), {
      Username: "agent-1",
      Password: STRONG_PASSWORD,
    });
    assert.equal(created.status, 201);
    const credential = created.body;
    const uri = api.account(`/SIP/CredentialLists/${list.sid}/Credentials/${credential.sid}.json`);
    assert.deepEqual(credential, {
      sid: credential.sid,
      account_sid: api.sid,
      credential_list_sid: list.sid,
      username: "agent-1",
      date_created: credential.date_created,
      date_updated: credential.date_updated,
      uri,
    });
    assert.match(credential.sid, /^CR[0-9a-f]{32}$/);
    const state = await emulator.state(api);
    assert.deepEqual(state.credential_lists[0].credentials, [{ sid: credential.sid, username: "agent-1" }]);
    const everything = JSON.stringify([
      created.body,
      state,
      (await api.get(credentialsPath(api, list.sid))).body,
    ]);
    assert.ok(!everything.includes(STRONG_PASSWORD));
    assert.ok(!/[0-9a-f]{64}/.test(everything), "no SHA-256 digest leaks");

    assert.deepEqual((await api.get(uri)).body, credential);
    const updated = await api.post(uri, { Password: "An0therPassword" });
    assert.equal(updated.status, 200);
    assert.ok(!JSON.stringify(updated.body).includes("An0therPassword"));
    assertTwilioError(await api.post(uri, { Password: "weak" }), 400, 21240);
    assertTwilioError(await api.post(uri, { Username: "rename" }), 400, 20001);
    assert.equal((await api.delete(uri)).status, 204);
    assertTwilioError(await api.get(uri), 404, 20404);
  });
});

// twilio-api-facts.md, error codes: "21240 | 400 | credential list validation: duplicate FriendlyName, username
// too long, weak password"; "21243 | 400 | credential validation error (generic)" stays for a duplicate username.
Deno.test("credential Username: at most 32 characters (21240) and unique within its list (21243)", async () => {
  await withEmulator(async (emulator) => {
    const api = await emulator.newAccount();
    const list = await createCredentialList(api, "agents");
    const path = credentialsPath(api, list.sid);
    assertTwilioError(
      await api.post(path, { Username: "u".repeat(33), Password: STRONG_PASSWORD }),
      400,
      21240,
    );
    assert.equal((await api.post(path, { Username: "u".repeat(32), Password: STRONG_PASSWORD })).status, 201);
    assertTwilioError(
      await api.post(path, { Username: "u".repeat(32), Password: STRONG_PASSWORD }),
      400,
      21243,
    );
    const otherList = await createCredentialList(api, "others");
    const reuse = await api.post(credentialsPath(api, otherList.sid), {
      Username: "u".repeat(32),
      Password: STRONG_PASSWORD,
    });
    assert.equal(reuse.status, 201);
  });
});

// twilio-api-facts.md: "Password: at least 12 characters, at least one digit, upper and lower case"; 21240 for a
// weak password.
Deno.test("credential Password: ≥12 characters with a digit, an uppercase and a lowercase letter (21240)", async () => {
  await withEmulator(async (emulator) => {
    const api = await emulator.newAccount();
    const list = await createCredentialList(api, "agents");
    const path = credentialsPath(api, list.sid);
    for (const weak of ["Sh0rtPass", "nodigitsHereAtAll", "alllower1234567", "ALLUPPER1234567"]) {
      assertTwilioError(await api.post(path, { Username: "agent", Password: weak }), 400, 21240, "Password");
    }
    assert.equal((await api.post(path, { Username: "agent", Password: "Exactly12chr" })).status, 201);
    assertTwilioError(await api.post(path, { Username: "agent2" }), 400, 20001, "Password");
  });
});

// twilio-api-facts.md: "At most 100 credential lists per account, 1,000 credentials per list"; "21242 | 400 |
// list full: more than 1,000 credentials".
Deno.test("at most 1000 credentials per list (21242)", async () => {
  await withEmulator(async (emulator) => {
    const api = await emulator.newAccount();
    const list = await createCredentialList(api, "agents");
    const path = credentialsPath(api, list.sid);
    for (let batch = 0; batch < 10; batch++) {
      const replies = await Promise.all(
        Array.from(
          { length: 100 },
          (_, i) => api.post(path, { Username: `u${batch}-${i}`, Password: STRONG_PASSWORD }),
        ),
      );
      assert.ok(replies.every((r) => r.status === 201));
    }
    assertTwilioError(
      await api.post(path, { Username: "extra", Password: STRONG_PASSWORD }),
      400,
      21242,
      "1000",
    );
    const listed = await api.get(path, { PageSize: "1000" });
    assert.equal(listed.body.credentials.length, 1000);
    assert.equal(listed.body.credentials.filter((c: Json) => c.username === "extra").length, 0);
  });
});
