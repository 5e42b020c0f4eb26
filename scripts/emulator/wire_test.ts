// Wire format shared by both API families: auth, error bodies, parameters, SIDs, dates, paging, isolation.
import assert from "node:assert/strict";
import { Api, assertTwilioError, createCredentialList, createTrunk, withEmulator } from "./testing.ts";

const SID = /^[A-Z]{2}[0-9a-f]{32}$/;

Deno.test("auth: missing or wrong Basic credentials answer 401 20003 with Twilio's exact body", async () => {
  await withEmulator(async (emulator) => {
    const api = await emulator.newAccount();
    const missing = await fetch(`${emulator.url}/v1/Trunks`);
    assert.equal(missing.status, 401);
    assert.deepEqual(await missing.json(), {
      code: 20003,
      message: "Authenticate",
      more_info: "https://www.twilio.com/docs/errors/20003",
      status: 401,
    });
    assert.match(missing.headers.get("www-authenticate") ?? "", /^Basic/);
    assertTwilioError(await new Api(api.baseUrl, api.sid, "wrong").get("/v1/Trunks"), 401, 20003);
    const unknown = new Api(api.baseUrl, `AC${"0".repeat(32)}`, api.token);
    assertTwilioError(await unknown.get(api.account(".json")), 401, 20003);
    const bearer = await api.request("GET", "/v1/Trunks", { headers: { authorization: "Bearer x" } });
    assertTwilioError(bearer, 401, 20003);
    assert.equal((await api.get("/v1/Trunks")).status, 200);
  });
});

// twilio-api-facts.md, error codes: "20003 | 401 | authentication failed (bad SID or token; also a suspended or
// closed account, a key for another region)". account_enum_status (twilio_api_v2010.json): active, suspended, closed.
Deno.test("auth: a suspended or closed account answers 401 20003; reactivating or rotating the token takes effect", async () => {
  await withEmulator(async (emulator) => {
    const api = await emulator.newAccount({ status: "suspended" });
    assertTwilioError(await api.get(api.account(".json")), 401, 20003);
    const closed = await emulator.newAccount({ status: "closed" });
    assertTwilioError(await closed.get("/v1/Trunks"), 401, 20003);
    const update = await emulator.admin("POST", `/_emulator/accounts/${api.sid}`, { status: "active" });
    assert.equal(update.status, 200);
    assert.equal((await api.get(api.account(".json"))).status, 200);
    await emulator.admin("POST", `/_emulator/accounts/${api.sid}`, { authToken: "f".repeat(32) });
    assertTwilioError(await api.get(api.account(".json")), 401, 20003);
    assert.equal((await new Api(api.baseUrl, api.sid, "f".repeat(32)).get(api.account(".json"))).status, 200);
    await emulator.admin("POST", `/_emulator/accounts/${closed.sid}`, { status: "active" });
    assert.equal((await closed.get(closed.account(".json"))).body.status, "active");
  });
});

// twilio-api-facts.md: "20005 | 401/403 | account not active"; "10001, 70051 | 401/403 | account not active / not
// found or suspended". Which one Twilio answers is a switch, so clients can be tested against each.
Deno.test("auth: the inactiveAccountAnswer switch picks the status and code an inactive account gets", async () => {
  await withEmulator(async (emulator) => {
    const suspended = await emulator.newAccount({ status: "suspended" });
    const closed = await emulator.newAccount({ status: "closed" });
    const variants = [[403, 20005], [401, 10001], [403, 70051], [401, 20005], [401, 20003]] as const;
    for (const [status, code] of variants) {
      const config = await emulator.admin("POST", "/_emulator/config", {
        inactiveAccountAnswer: { status, code },
      });
      assert.deepEqual(config.body.inactiveAccountAnswer, { status, code });
      assertTwilioError(await suspended.get("/v1/Trunks"), status, code);
      assertTwilioError(await closed.get(closed.account(".json")), status, code);
    }
    const wrongToken = new Api(suspended.baseUrl, suspended.sid, "wrong");
    await emulator.admin("POST", "/_emulator/config", {
      inactiveAccountAnswer: { status: 403, code: 20005 },
    });
    assertTwilioError(await wrongToken.get("/v1/Trunks"), 401, 20003, "Authenticate");
    for (const bad of [{ status: 500, code: 20005 }, { status: 401, code: 12345 }, { status: 401 }]) {
      assertTwilioError(
        await emulator.admin("POST", "/_emulator/config", { inactiveAccountAnswer: bad }),
        400,
        20001,
      );
    }
  });
});

// twilio-api-facts.md: "Accounts outside the US1 region (IE1, AU1) use region-specific credentials and hosts
// (`api.dublin.ie1.twilio.com`…); US1 credentials used there fail with 20003." A leading /us1, /ie1 or /au1
// segment stands for that region's hosts; none means US1.
Deno.test("regions: /ie1 and /au1 path segments are regional hosts; credentials work only in their region (20003)", async () => {
  await withEmulator(async (emulator) => {
    const us = await emulator.newAccount();
    const ie = await emulator.newAccount({ region: "ie1" });
    assert.equal((await emulator.admin("GET", "/_emulator/accounts")).body.accounts[1].region, "ie1");
    const ieHost = new Api(`${emulator.url}/ie1`, ie.sid, ie.token);
    const trunk = (await ieHost.post("/v1/Trunks", { FriendlyName: "dublin" })).body;
    assert.equal(trunk.url, `https://trunking.twilio.com/v1/Trunks/${trunk.sid}`);
    assert.equal((await ieHost.get(ieHost.account(".json"))).status, 200);
    const list = await ieHost.get(ieHost.account("/SIP/CredentialLists.json"));
    assert.equal(list.body.uri, `${ieHost.account("/SIP/CredentialLists.json")}?PageSize=50&Page=0`);

    assertTwilioError(await ie.get("/v1/Trunks"), 401, 20003);
    assertTwilioError(await new Api(`${emulator.url}/au1`, ie.sid, ie.token).get("/v1/Trunks"), 401, 20003);
    assertTwilioError(await new Api(`${emulator.url}/ie1`, us.sid, us.token).get("/v1/Trunks"), 401, 20003);
    assert.equal((await new Api(`${emulator.url}/us1`, us.sid, us.token).get("/v1/Trunks")).status, 200);
    assert.equal((await us.get("/v1/Trunks")).status, 200);

    assertTwilioError(await ieHost.get("/v1/Nope"), 404, 20404, "/v1/Nope");
    assert.equal((await fetch(`${emulator.url}/eu1/v1/Trunks`).then((r) => r.json())).code, 20404);
    assertTwilioError(await emulator.admin("POST", "/_emulator/accounts", { region: "eu1" }), 400, 20001);
  });
});

Deno.test("account fetch returns the 2010 account shape with RFC 2822 dates", async () => {
  await withEmulator(async (emulator) => {
    const api = await emulator.newAccount({ friendlyName: "Acme" });
    const reply = await api.get(api.account(".json"));
    assert.equal(reply.status, 200);
    const account = reply.body;
    assert.equal(account.sid, api.sid);
    assert.equal(account.friendly_name, "Acme");
    assert.equal(account.status, "active");
    assert.equal(account.type, "Full");
    assert.equal(account.auth_token, api.token);
    assert.equal(account.owner_account_sid, api.sid);
    assert.equal(account.uri, `/2010-04-01/Accounts/${api.sid}.json`);
    assert.match(account.date_created, /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} \+0000$/);
    assert.equal(account.subresource_uris.calls, `/2010-04-01/Accounts/${api.sid}/Calls.json`);
  });
});

// Unknown parameters: a documented lint. Twilio ignores them ("stricter than Twilio is allowed where it is
// documented as a lint (e.g. rejecting unknown parameters …)", twilio-api-facts.md); the emulator rejects them
// with 20001 to catch misspelt names.
Deno.test("parameters: unknown form parameters (lint) and missing required ones are 400 20001", async () => {
  await withEmulator(async (emulator) => {
    const api = await emulator.newAccount();
    assertTwilioError(await api.post("/v1/Trunks", { Bogus: "1" }), 400, 20001, "Bogus");
    assertTwilioError(await api.post(api.account("/SIP/CredentialLists.json")), 400, 20001, "FriendlyName");
    const trunk = await createTrunk(api);
    assertTwilioError(
      await api.post(`/v1/Trunks/${trunk.sid}/CredentialLists`),
      400,
      20001,
      "CredentialListSid",
    );
    const json = await api.request("POST", "/v1/Trunks", {
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ FriendlyName: "x" }),
    });
    assertTwilioError(json, 400, 20001);
    assert.equal((await emulator.state(api)).trunks.length, 1);
  });
});

Deno.test("unknown routes are 404 20404 and wrong methods 405 20004", async () => {
  await withEmulator(async (emulator) => {
    const api = await emulator.newAccount();
    assertTwilioError(await api.get("/v1/Nope"), 404, 20404, "/v1/Nope");
    assertTwilioError(await api.get(api.account("/Nope.json")), 404, 20404);
    assertTwilioError(await api.request("PUT", "/v1/Trunks"), 405, 20004);
    const elsewhere = await fetch(`${emulator.url}/elsewhere`);
    assert.equal(elsewhere.status, 404);
    assert.equal((await elsewhere.json()).code, 20404);
  });
});

Deno.test("isolation: another account's path or resources are 404 20404 naming the requested path", async () => {
  await withEmulator(async (emulator) => {
    const mine = await emulator.newAccount();
    const theirs = await emulator.newAccount();
    const theirTrunk = await createTrunk(theirs);
    const theirList = await createCredentialList(theirs, "theirs");
    const theirNumber = await emulator.addNumber(theirs, "+15550001111");
    const { recordings } = await emulator.addCall(theirs, { to: "+1", from: "+2", recordings: 1 });
    const path = `/2010-04-01/Accounts/${theirs.sid}/SIP/CredentialLists.json`;
    assertTwilioError(await mine.get(path), 404, 20404, `The requested resource ${path} was not found`);
    assertTwilioError(await mine.get(`/2010-04-01/Accounts/${theirs.sid}.json`), 404, 20404);
    assertTwilioError(
      await mine.get(`/v1/Trunks/${theirTrunk.sid}`),
      404,
      20404,
      `/v1/Trunks/${theirTrunk.sid}`,
    );
    assertTwilioError(
      await mine.post(`/v1/Trunks/${theirTrunk.sid}`, { FriendlyName: "hijack" }),
      404,
      20404,
    );
    assertTwilioError(await mine.delete(`/v1/Trunks/${theirTrunk.sid}`), 404, 20404);
    assertTwilioError(await mine.get(mine.account(`/SIP/CredentialLists/${theirList.sid}.json`)), 404, 20404);
    assertTwilioError(
      await mine.get(mine.account(`/IncomingPhoneNumbers/${theirNumber.sid}.json`)),
      404,
      20404,
    );
    assertTwilioError(await mine.get(mine.account(`/Recordings/${recordings[0].sid}.json`)), 404, 20404);
    assertTwilioError(
      await mine.request("GET", mine.account(`/Recordings/${recordings[0].sid}.wav`)),
      404,
      20404,
    );
    assert.equal((await mine.get("/v1/Trunks")).body.trunks.length, 0);
    assert.equal((await theirs.get(`/v1/Trunks/${theirTrunk.sid}`)).body.friendly_name, null);
  });
});

Deno.test("SIDs are two letters + 32 lowercase hex; trunking dates ISO-8601, 2010 dates RFC 2822", async () => {
  await withEmulator(async (emulator) => {
    const api = await emulator.newAccount();
    assert.match(api.sid, SID);
    assert.match(api.token, /^[0-9a-f]{32}$/);
    const trunk = await createTrunk(api);
    assert.match(trunk.sid, /^TK[0-9a-f]{32}$/);
    assert.match(trunk.date_created, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    const list = await createCredentialList(api, "l");
    assert.match(list.sid, /^CL[0-9a-f]{32}$/);
    assert.match(list.date_created, /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} \+0000$/);
    assert.equal(new Date(list.date_created).toString() !== "Invalid Date", true);
  });
});

Deno.test("paging (trunking): meta envelope, next link carries PageSize/Page/PageToken and is followable", async () => {
  await withEmulator(async (emulator) => {
    const api = await emulator.newAccount();
    const sids = [];
    for (let i = 0; i < 5; i++) sids.push((await createTrunk(api, { FriendlyName: `t${i}` })).sid);
    const first = await api.get("/v1/Trunks", { PageSize: "2" });
    assert.equal(first.status, 200);
    assert.deepEqual(first.body.trunks.map((t: { sid: string }) => t.sid), sids.slice(0, 2));
    const meta = first.body.meta;
    assert.equal(meta.key, "trunks");
    assert.equal(meta.page, 0);
    assert.equal(meta.page_size, 2);
    assert.equal(meta.previous_page_url, null);
    assert.equal(meta.first_page_url, "https://trunking.twilio.com/v1/Trunks?PageSize=2&Page=0");
    assert.equal(meta.url, "https://trunking.twilio.com/v1/Trunks?PageSize=2&Page=0");
    const next = new URL(meta.next_page_url);
    assert.equal(next.origin, "https://trunking.twilio.com");
    assert.equal(next.searchParams.get("PageSize"), "2");
    assert.equal(next.searchParams.get("Page"), "1");
    assert.ok(next.searchParams.get("PageToken"));

    // The token alone is enough to continue, even after the first page's records were deleted.
    await api.delete(`/v1/Trunks/${sids[0]}`);
    const tokenOnly = await api.get("/v1/Trunks", {
      PageSize: "2",
      PageToken: next.searchParams.get("PageToken")!,
    });
    assert.deepEqual(tokenOnly.body.trunks.map((t: { sid: string }) => t.sid), sids.slice(2, 4));

    const second = await api.follow(meta.next_page_url);
    assert.deepEqual(second.body.trunks.map((t: { sid: string }) => t.sid), sids.slice(2, 4));
    assert.equal(second.body.meta.page, 1);
    assert.ok(second.body.meta.previous_page_url);
    const previous = await api.follow(second.body.meta.previous_page_url);
    assert.deepEqual(previous.body.trunks.map((t: { sid: string }) => t.sid), [sids[1]]);
    const third = await api.follow(second.body.meta.next_page_url);
    assert.deepEqual(third.body.trunks.map((t: { sid: string }) => t.sid), [sids[4]]);
    assert.equal(third.body.meta.next_page_url, null);

    const byPage = await api.get("/v1/Trunks", { PageSize: "3", Page: "1" });
    assert.deepEqual(byPage.body.trunks.map((t: { sid: string }) => t.sid), [sids[4]]);
  });
});

Deno.test("paging (2010): start/end/page/uris envelope with relative uris; filters kept in links", async () => {
  await withEmulator(async (emulator) => {
    const api = await emulator.newAccount();
    for (let i = 0; i < 3; i++) await createCredentialList(api, `list-${i}`);
    const first = await api.get(api.account("/SIP/CredentialLists.json"), { PageSize: "2" });
    const base = api.account("/SIP/CredentialLists.json");
    assert.equal(first.body.credential_lists.length, 2);
    assert.equal(first.body.start, 0);
    assert.equal(first.body.end, 1);
    assert.equal(first.body.page, 0);
    assert.equal(first.body.page_size, 2);
    assert.equal(first.body.first_page_uri, `${base}?PageSize=2&Page=0`);
    assert.equal(first.body.uri, `${base}?PageSize=2&Page=0`);
    assert.equal(first.body.previous_page_uri, null);
    assert.match(first.body.next_page_uri, new RegExp(`^${base}\\?PageSize=2&Page=1&PageToken=`));
    const second = await api.follow(first.body.next_page_uri);
    assert.deepEqual(second.body.credential_lists.map((l: { friendly_name: string }) => l.friendly_name), [
      "list-2",
    ]);
    assert.equal(second.body.start, 2);
    assert.equal(second.body.end, 2);
    assert.equal(second.body.next_page_uri, null);

    await emulator.addNumber(api, "+15550000001", { friendlyName: "a" });
    await emulator.addNumber(api, "+15550000002", { friendlyName: "a" });
    const filtered = await api.get(api.account("/IncomingPhoneNumbers.json"), {
      FriendlyName: "a",
      PageSize: "1",
    });
    const next = new URL(filtered.body.next_page_uri, "https://api.twilio.com");
    assert.equal(next.searchParams.get("FriendlyName"), "a");
    assert.equal(
      (await api.follow(filtered.body.next_page_uri)).body.incoming_phone_numbers[0].phone_number,
      "+15550000002",
    );
  });
});

Deno.test("paging: PageSize outside 1..1000 or a malformed PageToken is 400 20001", async () => {
  await withEmulator(async (emulator) => {
    const api = await emulator.newAccount();
    assertTwilioError(await api.get("/v1/Trunks", { PageSize: "0" }), 400, 20001, "PageSize");
    assertTwilioError(await api.get("/v1/Trunks", { PageSize: "1001" }), 400, 20001, "PageSize");
    assertTwilioError(await api.get(api.account("/Calls.json"), { PageSize: "abc" }), 400, 20001);
    assertTwilioError(await api.get("/v1/Trunks", { PageToken: "garbage" }), 400, 20001, "PageToken");
    assert.equal((await api.get("/v1/Trunks", { PageSize: "1000" })).status, 200);
    assert.equal((await api.get("/v1/Trunks")).body.meta.page_size, 50);
  });
});
