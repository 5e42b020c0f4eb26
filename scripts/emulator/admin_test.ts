// Admin API: seeding, state, traffic shaping (latency, concurrency), faults, reset; and the CLI entry point.
import assert from "node:assert/strict";
import { startMain } from "../local/emulators.ts";
import { Api, assertTwilioError, createTrunk, withEmulator } from "./testing.ts";

/** Traffic settings off; every switch at its default (switches.ts says why each default is the one). */
const DEFAULT_CONFIG = {
  latencyMs: null,
  maxConcurrentPerAccount: null,
  retryAfterSeconds: null,
  numberOnOtherTrunk: "reject",
  sameAccountDuplicateDomain: "21245",
  inactiveAccountAnswer: { status: 401, code: 20003 },
};

Deno.test("admin: health, and accounts with generated or given credentials", async () => {
  await withEmulator(async (emulator) => {
    assert.deepEqual((await emulator.admin("GET", "/_emulator/health")).body, { ok: true });
    const generated = await emulator.admin("POST", "/_emulator/accounts", {});
    assert.equal(generated.status, 201);
    assert.match(generated.body.sid, /^AC[0-9a-f]{32}$/);
    assert.match(generated.body.authToken, /^[0-9a-f]{32}$/);
    const sid = `AC${"a".repeat(32)}`;
    const given = await emulator.admin("POST", "/_emulator/accounts", { sid, authToken: "secret-token" });
    assert.equal(given.status, 201);
    assert.equal(given.body.sid, sid);
    assert.equal(given.body.authToken, "secret-token");
    assert.equal((await new Api(emulator.url, sid, "secret-token").get("/v1/Trunks")).status, 200);
    assert.equal((await emulator.admin("POST", "/_emulator/accounts", { sid })).status, 409);
    assert.equal((await emulator.admin("POST", "/_emulator/accounts", { sid: "AC123" })).status, 400);
    assert.equal((await emulator.admin("POST", "/_emulator/accounts", { status: "frozen" })).status, 400);
    assert.equal((await emulator.admin("POST", `/_emulator/accounts/AC${"b".repeat(32)}`, {})).status, 404);
    assert.equal((await emulator.admin("POST", "/_emulator/accounts", [])).status, 400);
    const listed = (await emulator.admin("GET", "/_emulator/accounts")).body.accounts;
    assert.deepEqual(
      listed.map((a: { sid: string; authToken: string }) => [a.sid, a.authToken]).sort(),
      [[generated.body.sid, generated.body.authToken], [sid, "secret-token"]].sort(),
    );
    assert.deepEqual(listed.map((a: { region: string }) => a.region), ["us1", "us1"]);
  });
});

Deno.test("faults: clearing with accountSid removes only that account's faults", async () => {
  await withEmulator(async (emulator) => {
    const a = (await emulator.admin("POST", "/_emulator/accounts", {})).body.sid;
    const b = (await emulator.admin("POST", "/_emulator/accounts", {})).body.sid;
    await emulator.admin("POST", "/_emulator/faults", { accountSid: a, path: "Trunks" });
    await emulator.admin("POST", "/_emulator/faults", { accountSid: b, path: "Trunks" });
    await emulator.admin("POST", "/_emulator/faults", { path: "Calls" });
    assert.equal((await emulator.admin("DELETE", `/_emulator/faults?accountSid=${a}`)).status, 204);
    const left = (await emulator.admin("GET", "/_emulator/faults")).body.faults;
    assert.deepEqual(left.map((f: { accountSid: string | null }) => f.accountSid), [b, null]);
  });
});

Deno.test("admin: numbers must be E.164 and unique per account", async () => {
  await withEmulator(async (emulator) => {
    const api = await emulator.newAccount();
    const path = `/_emulator/accounts/${api.sid}/numbers`;
    for (const bad of ["5551234", "+05551234", "+1 555 1234", "+1234567890123456", ""]) {
      assertTwilioError(await emulator.admin("POST", path, { phoneNumber: bad }), 400, 20001);
    }
    const created = await emulator.admin("POST", path, {
      phoneNumber: "+15551234567",
      voiceUrl: "https://x/v",
    });
    assert.equal(created.status, 201);
    assert.equal(created.body.voice_url, "https://x/v");
    assert.equal(created.body.friendly_name, "+15551234567");
    assertTwilioError(await emulator.admin("POST", path, { phoneNumber: "+15551234567" }), 409, 20409);
    const other = await emulator.newAccount();
    assert.equal((await emulator.addNumber(other, "+15551234567")).account_sid, other.sid);
    const unknown = await emulator.admin("POST", `/_emulator/accounts/AC${"c".repeat(32)}/numbers`, {
      phoneNumber: "+15550000000",
    });
    assertTwilioError(unknown, 404, 20404);
  });
});

Deno.test("admin: calls with recordings get strictly increasing date_created; inputs are validated", async () => {
  await withEmulator(async (emulator) => {
    const api = await emulator.newAccount();
    const trunk = await createTrunk(api);
    const seeded = await emulator.addCall(api, {
      trunkSid: trunk.sid,
      to: "+15550001",
      from: "+15550002",
      recordings: 3,
      channels: 2,
      durationSeconds: 12,
    });
    assert.equal(seeded.call.trunk_sid, trunk.sid);
    assert.equal(seeded.recordings.length, 3);
    const times = [seeded.call, ...seeded.recordings].map((r) => new Date(r.date_created).getTime());
    for (let i = 1; i < times.length; i++) assert.ok(times[i] > times[i - 1]);
    assert.ok(
      seeded.recordings.every((r: { channels: number; duration: string }) =>
        r.channels === 2 && r.duration === "12"
      ),
    );
    const path = `/_emulator/accounts/${api.sid}/calls`;
    assertTwilioError(await emulator.admin("POST", path, { from: "+1" }), 400, 20001, "to");
    assertTwilioError(await emulator.admin("POST", path, { to: "+1", from: "+2", channels: 3 }), 400, 20001);
    assertTwilioError(
      await emulator.admin("POST", path, { to: "+1", from: "+2", status: "done" }),
      400,
      20001,
    );
    const other = await emulator.newAccount();
    const foreign = await createTrunk(other);
    assertTwilioError(
      await emulator.admin("POST", path, { to: "+1", from: "+2", trunkSid: foreign.sid }),
      404,
      20404,
    );
  });
});

Deno.test("admin: state lists everything an account owns with associations inlined", async () => {
  await withEmulator(async (emulator) => {
    const api = await emulator.newAccount();
    const trunk = await createTrunk(api, { FriendlyName: "t" });
    const list = (await api.post(api.account("/SIP/CredentialLists.json"), { FriendlyName: "l" })).body;
    const credential = (await api.post(api.account(`/SIP/CredentialLists/${list.sid}/Credentials.json`), {
      Username: "agent",
      Password: "Str0ngPassword1",
    })).body;
    await api.post(`/v1/Trunks/${trunk.sid}/CredentialLists`, { CredentialListSid: list.sid });
    const url = (await api.post(`/v1/Trunks/${trunk.sid}/OriginationUrls`, {
      Weight: "1",
      Priority: "1",
      Enabled: "true",
      FriendlyName: "o",
      SipUrl: "sip:a.example.com",
    })).body;
    const number = await emulator.addNumber(api, "+15550000001");
    await api.post(`/v1/Trunks/${trunk.sid}/PhoneNumbers`, { PhoneNumberSid: number.sid });
    await api.post(`/v1/Trunks/${trunk.sid}/Recording`, { Mode: "record-from-answer" });
    const { call, recordings } = await emulator.addCall(api, {
      trunkSid: trunk.sid,
      to: "+1",
      from: "+2",
      recordings: 1,
    });
    await emulator.newAccount().then((other) => createTrunk(other));

    const state = await emulator.state(api);
    assert.equal(state.account.sid, api.sid);
    assert.equal(state.trunks.length, 1);
    const [t] = state.trunks;
    assert.equal(t.sid, trunk.sid);
    assert.equal(t.friendly_name, "t");
    assert.deepEqual(t.credential_lists, [list.sid]);
    assert.deepEqual(t.origination_urls, [url]);
    assert.deepEqual(t.phone_numbers, [number.sid]);
    assert.deepEqual(t.recording, { mode: "record-from-answer", trim: "do-not-trim" });
    assert.equal(state.credential_lists.length, 1);
    assert.equal(state.credential_lists[0].friendly_name, "l");
    assert.deepEqual(state.credential_lists[0].credentials, [{ sid: credential.sid, username: "agent" }]);
    assert.deepEqual(state.incoming_phone_numbers.map((n: { sid: string }) => n.sid), [number.sid]);
    assert.deepEqual(state.calls, [call]);
    assert.deepEqual(state.recordings, recordings);
    assert.equal((await emulator.admin("GET", `/_emulator/accounts/AC${"d".repeat(32)}/state`)).status, 404);
  });
});

// The latency models Twilio's time to answer, its own work inside it (Twilio's servers work on many requests at
// once; the emulator's one thread would otherwise add its queue): carried out as it arrives, answered L later.
Deno.test("latency: a request takes effect as it arrives and is answered L after its arrival", async () => {
  await withEmulator(async (emulator) => {
    const api = await emulator.newAccount();
    await emulator.admin("POST", "/_emulator/config", { latencyMs: 400 });
    const started = performance.now();
    const created = api.post("/v1/Trunks", { FriendlyName: "early" });
    await new Promise((resolve) => setTimeout(resolve, 150));
    const during = (await emulator.state(api)).trunks.map((t: { friendly_name: string }) => t.friendly_name);
    assert.deepEqual(during, ["early"], "carried out before its answer");
    assert.equal((await created).status, 201);
    assert.ok(performance.now() - started >= 400, "answered no sooner than L");
  });
});

Deno.test("admin config: latencyMs delays API requests but not admin ones; null switches it off", async () => {
  await withEmulator(async (emulator) => {
    const api = await emulator.newAccount();
    const config = await emulator.admin("POST", "/_emulator/config", { latencyMs: 150 });
    assert.deepEqual(config.body, { ...DEFAULT_CONFIG, latencyMs: 150 });
    assert.deepEqual((await emulator.admin("GET", "/_emulator/config")).body, config.body);
    let started = performance.now();
    assert.equal((await api.get("/v1/Trunks")).status, 200);
    assert.ok(performance.now() - started >= 150, "never sooner than set");
    started = performance.now();
    await emulator.admin("GET", "/_emulator/health");
    assert.ok(performance.now() - started < 100);
    await emulator.admin("POST", "/_emulator/config", { latencyMs: null });
    started = performance.now();
    await api.get("/v1/Trunks");
    assert.ok(performance.now() - started < 100);
    assert.equal((await emulator.admin("POST", "/_emulator/config", { latencyMs: -1 })).status, 400);
    const rejected = await emulator.admin("POST", "/_emulator/config", {
      latencyMs: 5,
      numberOnOtherTrunk: "sometimes",
    });
    assertTwilioError(rejected, 400, 20001, "numberOnOtherTrunk");
    assert.deepEqual(
      (await emulator.admin("GET", "/_emulator/config")).body,
      DEFAULT_CONFIG,
      "nothing applied",
    );
  });
});

Deno.test("admin config: beyond maxConcurrentPerAccount in flight → 429 20429, Retry-After only when set", async () => {
  await withEmulator(async (emulator) => {
    const api = await emulator.newAccount();
    const other = await emulator.newAccount();
    await emulator.admin("POST", "/_emulator/config", { latencyMs: 200, maxConcurrentPerAccount: 1 });
    const started = performance.now();
    const [a, b, c] = await Promise.all([
      api.get("/v1/Trunks"),
      api.get("/v1/Trunks"),
      other.get("/v1/Trunks"),
    ]);
    const statuses = [a.status, b.status].sort();
    assert.deepEqual(statuses, [200, 429]);
    const rejected = a.status === 429 ? a : b;
    assertTwilioError(rejected, 429, 20429, "Too Many Requests");
    assert.equal(rejected.headers.get("retry-after"), null);
    assert.equal(c.status, 200, "the cap is per account");
    assert.ok(performance.now() - started < 400, "the 429 is immediate, not queued");

    await emulator.admin("POST", "/_emulator/config", { retryAfterSeconds: 7 });
    const [d, e] = await Promise.all([api.get("/v1/Trunks"), api.get("/v1/Trunks")]);
    assert.equal((d.status === 429 ? d : e).headers.get("retry-after"), "7");

    await emulator.admin("POST", "/_emulator/config", { maxConcurrentPerAccount: 0 });
    const replies = await Promise.all([api.get("/v1/Trunks"), api.get("/v1/Trunks"), api.get("/v1/Trunks")]);
    assert.ok(replies.every((r) => r.status === 200));
  });
});

Deno.test("in-flight counts are released on every path: errors, faults, dropped and aborted requests", async () => {
  await withEmulator(async (emulator) => {
    const api = await emulator.newAccount();
    await emulator.admin("POST", "/_emulator/config", { maxConcurrentPerAccount: 1 });
    const stillServed = async () => assert.equal((await api.get("/v1/Trunks")).status, 200);

    assertTwilioError(await api.get(`/v1/Trunks/TK${"0".repeat(32)}`), 404, 20404);
    await stillServed();
    assertTwilioError(await api.post("/v1/Trunks", { Nope: "1" }), 400, 20001);
    await stillServed();
    await emulator.admin("POST", "/_emulator/faults", { path: "^/v1/Trunks$", status: 500 });
    assertTwilioError(await api.get("/v1/Trunks"), 500, 20500);
    await stillServed();
    await emulator.admin("POST", "/_emulator/faults", { path: "^/v1/Trunks$", reset: true });
    await assert.rejects(api.rawOnOwnConnection("GET", "/v1/Trunks"));
    await stillServed();

    await emulator.admin("POST", "/_emulator/config", { latencyMs: 100 });
    const abort = new AbortController();
    const aborted = api.raw("GET", "/v1/Trunks", undefined, { signal: abort.signal });
    setTimeout(() => abort.abort(), 20);
    await assert.rejects(aborted);
    await new Promise((resolve) => setTimeout(resolve, 150));
    await stillServed();
  });
});

Deno.test("faults: status with default code, times, method/account filters, list and clear", async () => {
  await withEmulator(async (emulator) => {
    const api = await emulator.newAccount();
    const other = await emulator.newAccount();
    const added = await emulator.admin("POST", "/_emulator/faults", {
      path: "^/v1/Trunks$",
      method: "post",
      accountSid: api.sid,
      status: 503,
      times: 2,
    });
    assert.equal(added.status, 201);
    assert.equal(typeof added.body.id, "string");
    const listed = (await emulator.admin("GET", "/_emulator/faults")).body.faults;
    assert.equal(listed.length, 1);
    assert.equal(listed[0].id, added.body.id);
    assert.equal(listed[0].remaining, 2);

    assert.equal((await api.get("/v1/Trunks")).status, 200, "GET does not match a POST fault");
    assert.equal((await other.post("/v1/Trunks")).status, 201, "other accounts do not match");
    assertTwilioError(await api.post("/v1/Trunks"), 503, 20503, "Service Unavailable");
    assert.equal((await emulator.admin("GET", "/_emulator/faults")).body.faults[0].remaining, 1);
    assertTwilioError(await api.post("/v1/Trunks"), 503, 20503);
    assert.equal((await api.post("/v1/Trunks")).status, 201);
    assert.equal((await emulator.state(api)).trunks.length, 1, "failed requests were not processed");
    assert.deepEqual((await emulator.admin("GET", "/_emulator/faults")).body.faults, []);

    await emulator.admin("POST", "/_emulator/faults", { path: "CredentialLists" });
    await emulator.admin("POST", "/_emulator/faults", {
      path: "Calls",
      status: 400,
      code: 21245,
      message: "nope",
    });
    assertTwilioError(
      await api.get(api.account("/SIP/CredentialLists.json")),
      500,
      20500,
      "Internal Server Error",
    );
    assertTwilioError(await api.get(api.account("/Calls.json")), 400, 21245, "nope");

    await emulator.admin("POST", "/_emulator/faults", { path: ".*", times: 5 });
    assert.equal((await emulator.admin("DELETE", "/_emulator/faults")).status, 204);
    assert.equal((await api.get("/v1/Trunks")).status, 200);
    assert.equal((await emulator.admin("POST", "/_emulator/faults", { path: "(" })).status, 400);
    assert.equal((await emulator.admin("POST", "/_emulator/faults", {})).status, 400);

    await emulator.admin("POST", "/_emulator/config", { retryAfterSeconds: 3 });
    await emulator.admin("POST", "/_emulator/faults", { path: "Trunks", status: 429 });
    const throttled = await api.get("/v1/Trunks");
    assertTwilioError(throttled, 429, 20429);
    assert.equal(throttled.headers.get("retry-after"), "3");
  });
});

Deno.test("faults: reset:true drops the connection so fetch rejects with a network error; nothing is processed", async () => {
  await withEmulator(async (emulator) => {
    const api = await emulator.newAccount();
    await emulator.admin("POST", "/_emulator/faults", { path: "^/v1/Trunks$", method: "POST", reset: true });
    await assert.rejects(api.rawOnOwnConnection("POST", "/v1/Trunks", { FriendlyName: "lost" }), TypeError);
    assert.equal((await emulator.state(api)).trunks.length, 0);
    assert.equal((await api.post("/v1/Trunks", { FriendlyName: "kept" })).status, 201);
  });
});

// Twilio keeps HTTP/1.1 connections open for reuse: its own SDK pools them (twilio-node src/base/RequestClient.ts
// takes https.Agent `keepAlive` options). Then Deno's fetch re-sends a request whose reused connection drops,
// without telling: why the product sends every create on a connection of its own (retry-policy.ts).
Deno.test("connections are kept alive: a create dropped on a reused connection is sent again by fetch unseen", async () => {
  await withEmulator(async (emulator) => {
    const api = await emulator.newAccount();
    assert.equal((await api.get("/v1/Trunks")).status, 200); // leaves an idle connection in fetch's pool
    await emulator.admin("POST", "/_emulator/faults", {
      path: "^/v1/Trunks$",
      method: "POST",
      applied: true,
      reset: true,
    });
    const reply = await api.post("/v1/Trunks", { FriendlyName: "twice" });
    assert.equal(reply.status, 201, "the drop never reached the caller");
    assert.deepEqual(
      (await emulator.state(api)).trunks.map((t: { friendly_name: string }) => t.friendly_name),
      [
        "twice",
        "twice",
      ],
    );
  });
});

// twilio-api-facts.md: "A DELETE that Twilio applied but whose answer was lost returns 404/20404 when retried:
// after a retried DELETE, 404 means done." applied:true carries the request out, then fails or drops the answer.
Deno.test("faults: applied:true deletes, then the answer fails; the retried DELETE gets 404 20404", async () => {
  await withEmulator(async (emulator) => {
    const api = await emulator.newAccount();
    const trunk = await createTrunk(api);
    const path = `/v1/Trunks/${trunk.sid}`;
    await emulator.admin("POST", "/_emulator/faults", {
      path: `^${path}$`,
      method: "DELETE",
      applied: true,
      status: 503,
    });
    assertTwilioError(await api.delete(path), 503, 20503);
    assert.equal((await emulator.state(api)).trunks.length, 0, "the DELETE was applied");
    assertTwilioError(await api.delete(path), 404, 20404);

    const dropped = await createTrunk(api);
    await emulator.admin("POST", "/_emulator/faults", { path: dropped.sid, applied: true, reset: true });
    await assert.rejects(api.rawOnOwnConnection("DELETE", `/v1/Trunks/${dropped.sid}`), TypeError);
    assertTwilioError(await api.delete(`/v1/Trunks/${dropped.sid}`), 404, 20404);
  });
});

Deno.test("faults: applied:true on a create leaves the resource there although the client saw a failure", async () => {
  await withEmulator(async (emulator) => {
    const api = await emulator.newAccount();
    await emulator.admin("POST", "/_emulator/faults", {
      path: "^/v1/Trunks$",
      method: "POST",
      applied: true,
      reset: true,
    });
    await assert.rejects(
      api.rawOnOwnConnection("POST", "/v1/Trunks", { FriendlyName: "lost answer" }),
      TypeError,
    );
    assert.deepEqual(
      (await emulator.state(api)).trunks.map((t: { friendly_name: string }) => t.friendly_name),
      [
        "lost answer",
      ],
    );
    await emulator.admin("POST", "/_emulator/faults", { path: "CredentialLists", applied: true });
    const failed = await api.post(api.account("/SIP/CredentialLists.json"), { FriendlyName: "kept" });
    assertTwilioError(failed, 500, 20500); // an applied fault without a status or reset answers 500
    assert.equal((await emulator.state(api)).credential_lists[0].friendly_name, "kept");
    const listed = (await emulator.admin("GET", "/_emulator/faults")).body.faults;
    assert.deepEqual(listed, []);
  });
});

Deno.test("faults: delayMs alone delays then processes normally, even if the client has gone away", async () => {
  await withEmulator(async (emulator) => {
    const api = await emulator.newAccount();
    await emulator.admin("POST", "/_emulator/faults", { path: "^/v1/Trunks$", delayMs: 120, times: 2 });
    const started = performance.now();
    assert.equal((await api.post("/v1/Trunks", { FriendlyName: "slow" })).status, 201);
    assert.ok(performance.now() - started >= 110);

    const abort = new AbortController();
    const abandoned = api.raw("POST", "/v1/Trunks", { FriendlyName: "abandoned" }, { signal: abort.signal });
    setTimeout(() => abort.abort(), 20);
    await assert.rejects(abandoned);
    assert.equal((await emulator.state(api)).trunks.length, 1);
    await new Promise((resolve) => setTimeout(resolve, 150));
    const names = (await emulator.state(api)).trunks.map((t: { friendly_name: string }) => t.friendly_name);
    assert.deepEqual(names, ["slow", "abandoned"]);
  });
});

Deno.test("admin reset clears accounts, resources, config and faults", async () => {
  await withEmulator(async (emulator) => {
    const api = await emulator.newAccount();
    await createTrunk(api);
    await emulator.admin("POST", "/_emulator/config", {
      latencyMs: 50,
      maxConcurrentPerAccount: 3,
      numberOnOtherTrunk: "move",
      sameAccountDuplicateDomain: "21248",
      inactiveAccountAnswer: { status: 403, code: 70051 },
    });
    await emulator.admin("POST", "/_emulator/faults", { path: ".*" });
    assert.deepEqual((await emulator.admin("POST", "/_emulator/reset")).body, { ok: true });
    assertTwilioError(await api.get("/v1/Trunks"), 401, 20003);
    assert.deepEqual((await emulator.admin("GET", "/_emulator/faults")).body.faults, []);
    assert.deepEqual((await emulator.admin("GET", "/_emulator/config")).body, DEFAULT_CONFIG);
    const fresh = await emulator.newAccount();
    assert.deepEqual((await fresh.get("/v1/Trunks")).body.trunks, []);
    assertTwilioError(await emulator.admin("GET", "/_emulator/nope"), 404, 20404);
  });
});

Deno.test("main.ts prints {emulator_url} when listening and exits cleanly on SIGTERM", async () => {
  const { printed, stop } = await startMain(new URL("./main.ts", import.meta.url), [], {
    EMULATOR_PORT: "0",
  });
  const { emulator_url } = printed;
  assert.match(emulator_url, /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.deepEqual(await (await fetch(`${emulator_url}/_emulator/health`)).json(), { ok: true });
  assert.equal(await stop(), 0);
});
