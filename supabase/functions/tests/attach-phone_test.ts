/**
 * attach-phone end to end, through supabase-js against the local stack and the Twilio emulator: listing numbers,
 * attaching (one, many, 1,000 under a low concurrency limit, again), detaching with the voice settings restored
 * exactly, the numbers get-sip-config reports to LiveKit, and bad input refused with nothing changed.
 */
import assert from "node:assert/strict";
import { ServiceSipConfig, SipConfig } from "../_shared/contract/index.ts";
import { callFunction, invoke, refusal } from "../../../scripts/testing/functions.ts";
import {
  customerWithTrunk,
  db,
  emulator,
  functionUrl,
  newUser,
  serviceClient,
  stackTest,
  type TestUser,
  uniquePhoneNumber,
  withoutWebhook,
} from "../../../scripts/testing/stack.ts";

async function addNumber(accountSid: string, extra: Record<string, unknown> = {}) {
  return await emulator.addNumber(accountSid, uniquePhoneNumber(), extra);
}

/** Another trunk of the same account, made through the (emulated) Twilio API. */
async function otherTrunkWith(
  account: { sid: string; authToken: string },
  numberSid: string,
): Promise<string> {
  const post = (path: string, form: Record<string, string>) => emulator.twilio(account, "POST", path, form);
  const trunk = await post("/v1/Trunks", { FriendlyName: "someone else's trunk" });
  await post(`/v1/Trunks/${trunk.sid}/PhoneNumbers`, { PhoneNumberSid: numberSid });
  return trunk.sid;
}

const numberState = async (accountSid: string, sid: string) => {
  const state = await emulator.state(accountSid);
  const number = state.incoming_phone_numbers.find((n) => n.sid === sid)!;
  const { voice_url, voice_method, voice_application_sid, trunk_sid } = number;
  return { voice_url, voice_method, voice_application_sid, trunk_sid };
};

const rowsOf = (userId: string) =>
  db()`select phone_number_sid, phone_number, trunk_sid, previous_voice_url, previous_voice_method,
      previous_voice_application_sid, previous_trunk_sid
    from public.twilio_phone_numbers where user_id = ${userId} order by phone_number`;

async function liveKitNumbers(user: TestUser): Promise<{ own: string[]; server: string[] }> {
  const own = await invoke(user.supabase, "get-sip-config", { answer: SipConfig });
  const server = await invoke(serviceClient(), "get-sip-config", {
    query: { userId: user.userId },
    answer: ServiceSipConfig,
  });
  return { own: own.livekit.numbers, server: server.livekit.numbers };
}

const APP_SID = `AP${"1".repeat(32)}`;

stackTest("attach-phone GET: every number with where its calls go, and the main trunk", async () => {
  const { user, account, trunkSid } = await customerWithTrunk();
  const byUrl = await addNumber(account.sid, {
    voiceUrl: "https://example.test/voice",
    friendlyName: "Sales",
  });
  const byApp = await addNumber(account.sid, { voiceApplicationSid: APP_SID });
  const bare = await addNumber(account.sid);
  const elsewhere = await addNumber(account.sid, { voiceUrl: "https://example.test/old" });
  const otherTrunk = await otherTrunkWith(account, elsewhere.sid);
  const main = await addNumber(account.sid, { voiceUrl: "https://example.test/main" });
  await invoke(user.supabase, "attach-phone", { method: "POST", body: { phoneNumberSid: main.sid } });

  const data = await invoke(user.supabase, "attach-phone");
  assert.equal(data.mainTrunkSid, trunkSid);
  const bySid = new Map(data.numbers.map((n) => [n.sid, n]));
  assert.equal(data.numbers.length, 5);
  assert.deepEqual(bySid.get(byUrl.sid), {
    sid: byUrl.sid,
    phoneNumber: byUrl.phone_number,
    friendlyName: "Sales",
    attachment: "voice-url",
    trunkSid: null,
  });
  assert.equal(bySid.get(byApp.sid)!.attachment, "voice-application");
  assert.equal(bySid.get(bare.sid)!.attachment, "none");
  assert.deepEqual([bySid.get(elsewhere.sid)!.attachment, bySid.get(elsewhere.sid)!.trunkSid], [
    "other-trunk",
    otherTrunk,
  ]);
  assert.deepEqual([bySid.get(main.sid)!.attachment, bySid.get(main.sid)!.trunkSid], [
    "main-trunk",
    trunkSid,
  ]);
});

stackTest(
  "attach-phone POST: one number attaches, its voice settings recorded; again is already-attached",
  async () => {
    const { user, account, trunkSid } = await customerWithTrunk();
    const number = await addNumber(account.sid, { voiceUrl: "https://example.test/a", voiceMethod: "GET" });

    const first = await callFunction(user.supabase, "attach-phone", {
      method: "POST",
      body: { phoneNumberSid: number.sid },
    });
    assert.equal(first.status, 200);
    assert.deepEqual(first.data, {
      trunkSid,
      results: [{
        input: number.sid,
        phoneNumberSid: number.sid,
        phoneNumber: number.phone_number,
        status: "attached",
      }],
      counts: { attached: 1, "already-attached": 0, "not-found": 0, failed: 0 },
      livekit: { synced: true },
    });
    // Twilio keeps (and ignores) the voice URL of a number on a trunk; an unset application reads "".
    assert.deepEqual(await numberState(account.sid, number.sid), {
      voice_url: "https://example.test/a",
      voice_method: "GET",
      voice_application_sid: "",
      trunk_sid: trunkSid,
    });
    const recorded = [{
      phone_number_sid: number.sid,
      phone_number: number.phone_number,
      trunk_sid: trunkSid,
      previous_voice_url: "https://example.test/a",
      previous_voice_method: "GET",
      previous_voice_application_sid: null,
      previous_trunk_sid: null,
    }];
    assert.deepEqual([...await rowsOf(user.userId)], recorded);

    // By its E.164 form this time: same number, nothing changes, the recorded settings stay.
    const again = await invoke(user.supabase, "attach-phone", {
      method: "POST",
      body: { phoneNumber: number.phone_number },
    });
    assert.equal(again.results[0].status, "already-attached");
    assert.equal(again.results[0].phoneNumberSid, number.sid);
    assert.deepEqual([...await rowsOf(user.userId)], recorded);
    assert.deepEqual((await emulator.state(account.sid)).trunks[0].phone_numbers, [number.sid]);
  },
);

stackTest(
  "attach-phone POST: a list mixing forms; another account's numbers and unknown ones are not-found",
  async () => {
    const { user, account, trunkSid } = await customerWithTrunk();
    const stranger = await emulator.createAccount();
    const [a, b, c] = [
      await addNumber(account.sid),
      await addNumber(account.sid),
      await addNumber(account.sid),
    ];
    const theirs = await addNumber(stranger.sid);
    const unknownSid = `PN${"0".repeat(32)}`;
    const list = [a.phone_number, b.sid, c.sid, theirs.sid, theirs.phone_number, unknownSid, a.sid, b.sid];

    const data = await invoke(user.supabase, "attach-phone", {
      method: "POST",
      body: { phoneNumbers: list },
    });
    assert.deepEqual(
      data.results.map((r) => [r.input, r.status, r.phoneNumberSid]),
      [
        [a.phone_number, "attached", a.sid],
        [b.sid, "attached", b.sid],
        [c.sid, "attached", c.sid],
        [theirs.sid, "not-found", null],
        [theirs.phone_number, "not-found", null],
        [unknownSid, "not-found", null],
        [a.sid, "attached", a.sid],
      ],
      "one result per distinct input, in order",
    );
    assert.deepEqual(data.counts, { attached: 4, "already-attached": 0, "not-found": 3, failed: 0 });
    const mine = await emulator.state(account.sid);
    assert.deepEqual(mine.trunks[0].phone_numbers.sort(), [a.sid, b.sid, c.sid].sort());
    const theirState = await emulator.state(stranger.sid);
    assert.equal(theirState.incoming_phone_numbers[0].trunk_sid, null, "the stranger's number is untouched");
    assert.deepEqual(
      (await rowsOf(user.userId)).map((r) => r.phone_number_sid).sort(),
      [a.sid, b.sid, c.sid].sort(),
    );
    assert.ok((await rowsOf(user.userId)).every((r) => r.trunk_sid === trunkSid));
  },
);

stackTest(
  "attach-phone: attached numbers are get-sip-config's LiveKit numbers, for the user and the server",
  async () => {
    const { user, account } = await customerWithTrunk();
    assert.deepEqual(await liveKitNumbers(user), { own: [], server: [] });
    const [a, b] = [await addNumber(account.sid), await addNumber(account.sid)];
    await invoke(user.supabase, "attach-phone", {
      method: "POST",
      body: { phoneNumbers: [a.sid, b.phone_number] },
    });
    const attached = [a.phone_number, b.phone_number].sort();
    const numbers = await liveKitNumbers(user);
    assert.deepEqual(numbers.own.sort(), attached);
    assert.deepEqual(numbers.server.sort(), attached);

    await invoke(user.supabase, "attach-phone", { method: "DELETE", body: { phoneNumber: a.phone_number } });
    assert.deepEqual(await liveKitNumbers(user), { own: [b.phone_number], server: [b.phone_number] });
  },
);

stackTest(
  "attach-phone DELETE: detaching restores voice URL and method, application, or previous trunk exactly",
  async () => {
    const { user, account, trunkSid } = await customerWithTrunk();
    const byUrl = await addNumber(account.sid, {
      voiceUrl: "https://example.test/v?x=1&y=2",
      voiceMethod: "GET",
    });
    const byApp = await addNumber(account.sid, { voiceApplicationSid: APP_SID });
    const both = await addNumber(account.sid, {
      voiceUrl: "https://example.test/both",
      voiceApplicationSid: APP_SID,
    });
    const moved = await addNumber(account.sid, { voiceUrl: "https://example.test/old" });
    const otherTrunk = await otherTrunkWith(account, moved.sid);
    const bare = await addNumber(account.sid);
    const numbers = [byUrl, byApp, both, moved, bare];
    const before = await Promise.all(numbers.map((n) => numberState(account.sid, n.sid)));
    assert.equal(before[3].trunk_sid, otherTrunk);

    const attached = await invoke(user.supabase, "attach-phone", {
      method: "POST",
      body: { phoneNumbers: numbers.map((n) => n.sid) },
    });
    assert.equal(attached.counts.attached, 5);
    for (const [index, number] of numbers.entries()) {
      // On the trunk: the voice URL is kept (and ignored), the application deleted (twilio-api-facts.md).
      assert.deepEqual(await numberState(account.sid, number.sid), {
        ...before[index],
        voice_application_sid: "",
        trunk_sid: trunkSid,
      });
    }

    const detached = await invoke(user.supabase, "attach-phone", {
      method: "DELETE",
      body: { phoneNumbers: numbers.map((n) => n.phone_number) },
    });
    assert.deepEqual(detached.results.map((r) => [r.phoneNumberSid, r.status, r.restored]), [
      ...numbers.map((n) => [n.sid, "detached", true]),
    ]);
    assert.deepEqual(detached.counts, { detached: 5, "not-attached": 0, "not-found": 0, failed: 0 });
    const after = await Promise.all(numbers.map((n) => numberState(account.sid, n.sid)));
    assert.deepEqual(after, before, "every number is back exactly as it was");
    assert.deepEqual([...await rowsOf(user.userId)], []);
    assert.deepEqual(
      (await emulator.state(account.sid)).trunks.find((t) => t.sid === trunkSid)!.phone_numbers,
      [],
    );

    const again = await invoke(user.supabase, "attach-phone", {
      method: "DELETE",
      body: { phoneNumberSid: byUrl.sid },
    });
    assert.deepEqual(again.results.map((r) => r.status), ["not-attached"]);
    assert.deepEqual(await numberState(account.sid, byUrl.sid), before[0], "a second detach changes nothing");
    const missing = await invoke(user.supabase, "attach-phone", {
      method: "DELETE",
      body: { phoneNumberSid: `PN${"0".repeat(32)}` },
    });
    assert.deepEqual(missing.counts, { detached: 0, "not-attached": 0, "not-found": 1, failed: 0 });
  },
);

stackTest(
  "attach-phone DELETE: a detach left half-way (restore failed) is finished by the next one; the app SID survives",
  async () => {
    const { user, account, trunkSid } = await customerWithTrunk();
    // Twilio keeps the URL on attach but deletes the application: only the recorded settings can bring it back.
    const number = await addNumber(account.sid, {
      voiceUrl: "https://example.test/half",
      voiceMethod: "GET",
      voiceApplicationSid: APP_SID,
    });
    const before = await numberState(account.sid, number.sid);
    const body = { phoneNumberSid: number.sid };
    await invoke(user.supabase, "attach-phone", { method: "POST", body });
    // The restore (an update of the number) fails: the number is off the trunk, its settings not yet back.
    await emulator.fault({
      accountSid: account.sid,
      method: "POST",
      path: `/IncomingPhoneNumbers/${number.sid}\\.json$`,
      status: 400,
      code: 21999,
      message: "Injected failure",
    });
    const first = await invoke(user.supabase, "attach-phone", { method: "DELETE", body });
    assert.deepEqual(first.results[0], {
      input: number.sid,
      phoneNumberSid: number.sid,
      phoneNumber: number.phone_number,
      status: "detached",
      restored: false,
      twilioCode: 21999,
      message: "Injected failure",
    });
    assert.deepEqual(await numberState(account.sid, number.sid), {
      ...before,
      voice_application_sid: "",
      trunk_sid: null,
    }, "off the trunk with its URL, its application still missing");
    assert.equal((await rowsOf(user.userId)).length, 1, "the row stays so the restore can be finished");

    const second = await invoke(user.supabase, "attach-phone", { method: "DELETE", body });
    assert.deepEqual([second.results[0].status, second.results[0].restored], [
      "not-attached",
      true,
    ]);
    assert.deepEqual(await numberState(account.sid, number.sid), before);
    assert.deepEqual([...await rowsOf(user.userId)], []);
    assert.ok(trunkSid);
  },
);

for (const mode of ["reject", "move"] as const) {
  stackTest(
    `attach-phone: a number on another trunk is taken off it first and returned on detach (emulator: ${mode})`,
    async () => {
      // Whether Twilio moves such a number or refuses it is undocumented (twilio-api-facts.md): both must work.
      await emulator.config({ numberOnOtherTrunk: mode });
      try {
        const { user, account, trunkSid } = await customerWithTrunk();
        const number = await addNumber(account.sid, { voiceUrl: "https://example.test/elsewhere" });
        const otherTrunk = await otherTrunkWith(account, number.sid);
        const body = { phoneNumberSid: number.sid };
        const attached = await invoke(user.supabase, "attach-phone", { method: "POST", body });
        assert.equal(attached.results[0].status, "attached", JSON.stringify(attached));
        assert.equal((await numberState(account.sid, number.sid)).trunk_sid, trunkSid);
        assert.equal((await rowsOf(user.userId))[0].previous_trunk_sid, otherTrunk);

        const detached = await invoke(user.supabase, "attach-phone", { method: "DELETE", body });
        assert.deepEqual([detached.results[0].status, detached.results[0].restored], [
          "detached",
          true,
        ]);
        assert.equal((await numberState(account.sid, number.sid)).trunk_sid, otherTrunk, "back where it was");
      } finally {
        await emulator.config({ numberOnOtherTrunk: "reject" });
      }
    },
  );
}

stackTest("attach-phone POST: one number Twilio refuses fails with its code; the others attach", async () => {
  const { user, account, trunkSid } = await customerWithTrunk();
  const numbers = [await addNumber(account.sid), await addNumber(account.sid), await addNumber(account.sid)];
  await emulator.fault({
    accountSid: account.sid,
    method: "POST",
    path: `^/v1/Trunks/${trunkSid}/PhoneNumbers$`,
    status: 400,
    code: 21245,
    message: "Injected refusal",
    times: 1,
  });
  const data = await invoke(user.supabase, "attach-phone", {
    method: "POST",
    body: { phoneNumbers: numbers.map((n) => n.sid) },
  });
  assert.deepEqual(data.counts, { attached: 2, "already-attached": 0, "not-found": 0, failed: 1 });
  const failed = data.results.find((r) => r.status === "failed")!;
  assert.equal(failed.twilioCode, 21245);
  assert.equal(failed.message, "Injected refusal");
  const rows = (await rowsOf(user.userId)).map((r) => r.phone_number_sid);
  assert.equal(rows.length, 2);
  assert.ok(!rows.includes(failed.phoneNumberSid), "a number Twilio did not attach is not recorded");
  assert.deepEqual((await liveKitNumbers(user)).own.length, 2);
});

/** +14440000000 to +14440000999, each with a voice URL ending in its index, added 50 at a time. */
async function addThousandNumbers(accountSid: string) {
  const numbers: { sid: string; phone_number: string }[] = [];
  for (let i = 0; i < 1000; i += 50) {
    numbers.push(
      ...await Promise.all(
        Array.from(
          { length: 50 },
          (_, k) =>
            emulator.addNumber(accountSid, `+1444${String(i + k).padStart(7, "0")}`, {
              voiceUrl: `https://example.test/n${i + k}`,
            }),
        ),
      ),
    );
  }
  return numbers;
}

stackTest(
  "attach-phone: 1,000 numbers against 4 concurrent requests per account all attach, then detach",
  async () => {
    const { user, account, trunkSid } = await customerWithTrunk();
    const numbers = await addThousandNumbers(account.sid);
    // Half by SID, half by E.164: resolved with one listing of the account.
    const references = numbers.map((n, i) => i % 2 ? n.sid : n.phone_number);
    const started = performance.now();
    let attachMs = 0;
    let detachMs = 0;
    try {
      await emulator.config({ latencyMs: 5, maxConcurrentPerAccount: 4 });
      const attached = await invoke(user.supabase, "attach-phone", {
        method: "POST",
        body: { phoneNumbers: references },
      });
      attachMs = performance.now() - started;
      assert.deepEqual(attached.counts, { attached: 1000, "already-attached": 0, "not-found": 0, failed: 0 });

      const listed = await invoke(user.supabase, "attach-phone");
      assert.equal(listed.numbers.length, 1000, "GET reads every page");
      assert.ok(listed.numbers.every((n) => n.attachment === "main-trunk"));

      const detachStarted = performance.now();
      const detached = await invoke(user.supabase, "attach-phone", {
        method: "DELETE",
        body: { phoneNumbers: references },
      });
      detachMs = performance.now() - detachStarted;
      assert.deepEqual(detached.counts, { detached: 1000, "not-attached": 0, "not-found": 0, failed: 0 });
    } finally {
      await emulator.config({ latencyMs: 0, maxConcurrentPerAccount: null });
    }
    console.log(
      `1,000 numbers at 4 concurrent / 5 ms: attach ${Math.round(attachMs)} ms, detach ${
        Math.round(detachMs)
      } ms`,
    );
    const state = await emulator.state(account.sid);
    assert.deepEqual(state.trunks.find((t) => t.sid === trunkSid)!.phone_numbers, []);
    assert.ok(
      state.incoming_phone_numbers.every((n) =>
        n.voice_url === `https://example.test/n${Number(n.phone_number.slice(5))}`
      ),
      "every voice URL restored",
    );
    assert.equal((await rowsOf(user.userId)).length, 0);
  },
);

stackTest("attach-phone: bad input is a 400 naming the field, and changes nothing", async () => {
  const { user, account, trunkSid } = await customerWithTrunk();
  const number = await addNumber(account.sid, { voiceUrl: "https://example.test/keep" });
  const valid = number.phone_number;
  const tooMany = Array.from({ length: 1001 }, (_, i) => `+1333${String(i).padStart(7, "0")}`);
  const cases: [unknown, string | null][] = [
    [{}, null],
    [{ phoneNumberSid: "PN123" }, "phoneNumberSid"],
    [{ phoneNumberSid: `PN${"A".repeat(32)}` }, "phoneNumberSid"],
    [{ phoneNumberSid: valid }, "phoneNumberSid"],
    [{ phoneNumber: "5551234567" }, "phoneNumber"],
    [{ phoneNumber: "+05551234567" }, "phoneNumber"],
    [{ phoneNumber: "+1555123456789012" }, "phoneNumber"],
    [{ phoneNumber: number.sid }, "phoneNumber"],
    [{ phoneNumber: 15551234567 }, "phoneNumber"],
    [{ phoneNumbers: [] }, "phoneNumbers"],
    [{ phoneNumbers: valid }, "phoneNumbers"],
    [{ phoneNumbers: tooMany }, "phoneNumbers"],
    [{ phoneNumbers: [valid, "+1 555 123"] }, "phoneNumbers.1"],
    [{ phoneNumbers: [valid, 42] }, "phoneNumbers.1"],
    [{ phoneNumbers: [valid, `PN${"g".repeat(32)}`] }, "phoneNumbers.1"],
    [{ phoneNumber: valid, phoneNumberSid: number.sid }, "phoneNumber"],
    [{ phoneNumber: valid, phoneNumbers: [valid] }, "phoneNumbers"],
    [{ phoneNumber: valid, userId: user.userId }, "userId"],
    [{ phoneNumber: valid, trunkSid }, "trunkSid"],
  ];
  const snapshot = async () => ({
    twilio: await emulator.state(account.sid),
    rows: [...await rowsOf(user.userId)],
  });
  const before = await snapshot();

  for (const method of ["POST", "DELETE"] as const) {
    for (const [body, field] of cases) {
      const { status, error } = await refusal(user.supabase, "attach-phone", { method, body });
      assert.equal(status, 400, `${method} ${JSON.stringify(body).slice(0, 80)}`);
      assert.equal(error.code, "invalid_input");
      assert.equal(error.field, field, `${method} ${JSON.stringify(body).slice(0, 80)}: ${error.message}`);
      assert.ok(error.message.length > 0);
    }
    const notJson = await refusal(user.supabase, "attach-phone", { method, body: "{not json" });
    assert.deepEqual([notJson.status, notJson.error.code], [400, "invalid_json"]);
    const unknownQuery = await refusal(user.supabase, "attach-phone", {
      method,
      body: { phoneNumber: valid },
      query: { dryRun: "1" },
    });
    assert.deepEqual([unknownQuery.status, unknownQuery.error.field], [400, "dryRun"]);
  }
  const getQuery = await refusal(user.supabase, "attach-phone", { query: { page: "2" } });
  assert.deepEqual([getQuery.status, getQuery.error.field], [400, "page"]);
  assert.deepEqual(await snapshot(), before, "nothing changed in Twilio or the database");
});

stackTest("attach-phone: auth, methods, CORS, and users without credentials", async () => {
  const url = functionUrl("attach-phone");
  const anonymous = await fetch(url, { method: "POST", body: "{}" });
  assert.equal(anonymous.status, 401);
  await anonymous.body?.cancel();
  const forged = await fetch(url, { headers: { Authorization: "Bearer not.a.jwt" } });
  assert.equal(forged.status, 401);
  await forged.body?.cancel();

  const preflight = await fetch(url, {
    method: "OPTIONS",
    headers: { Origin: "https://app.example", "Access-Control-Request-Method": "DELETE" },
  });
  assert.equal(preflight.status, 204);
  assert.equal(preflight.headers.get("access-control-allow-origin"), "*");
  assert.match(preflight.headers.get("access-control-allow-methods") ?? "", /DELETE/);
  await preflight.body?.cancel();

  const user = await newUser();
  const put = await fetch(url, {
    method: "PUT",
    headers: { Authorization: `Bearer ${user.token}` },
    body: "{}",
  });
  assert.equal(put.status, 405);
  assert.equal((await put.json()).error.code, "method_not_allowed");

  for (const method of ["GET", "POST", "DELETE"] as const) {
    const body = method === "GET" ? undefined : { phoneNumber: "+15550001111" };
    const { status, error } = await refusal(user.supabase, "attach-phone", { method, body });
    assert.deepEqual([status, error.code], [404, "credentials_not_found"], method);
  }
});

stackTest("attach-phone: Twilio refusing the number listing is a 502 with Twilio's code", async () => {
  const { user, account } = await customerWithTrunk();
  await emulator.fault({
    accountSid: account.sid,
    method: "GET",
    path: "/IncomingPhoneNumbers\\.json$",
    status: 400,
    code: 20001,
    message: "Injected listing failure",
    times: 2,
  });
  const listing = await refusal(user.supabase, "attach-phone");
  assert.deepEqual([listing.status, listing.error.code, listing.error.twilioCode], [
    502,
    "twilio_error",
    20001,
  ]);
  const bulk = await refusal(user.supabase, "attach-phone", {
    method: "POST",
    body: { phoneNumbers: ["+15550001111", "+15550001112"] },
  });
  assert.deepEqual([bulk.status, bulk.error.twilioCode], [502, 20001]);
});

stackTest(
  "attach-phone: a row never provisioned is provisioned by POST; one that cannot be is refused clearly",
  async () => {
    // Rows written by another system (the old service): plaintext token, no trunk yet.
    const user = await newUser();
    const account = await emulator.createAccount();
    await db()`insert into public.user_twilio_credentials (user_id, account_sid, auth_token)
    values (${user.userId}, ${account.sid}, ${account.authToken})`;
    const number = await addNumber(account.sid, { voiceUrl: "https://example.test/migrated" });
    const data = await invoke(user.supabase, "attach-phone", {
      method: "POST",
      body: { phoneNumberSid: number.sid },
    });
    assert.equal(data.results[0].status, "attached");
    const [row] =
      await db()`select status, trunk_sid from public.user_twilio_credentials where user_id = ${user.userId}`;
    assert.deepEqual([row.status, row.trunk_sid], ["active", data.trunkSid]);
    assert.deepEqual((await emulator.state(account.sid)).trunks.map((t) => t.phone_numbers), [[number.sid]]);

    // Credentials Twilio rejects: no trunk can exist. Reads and detach say so; attach reports Twilio's refusal.
    const broken = await newUser();
    await db()`insert into public.user_twilio_credentials (user_id, account_sid, auth_token)
    values (${broken.userId}, ${account.sid}, ${"0".repeat(32)})`;
    const body = { phoneNumberSid: number.sid };
    const detach = await refusal(broken.supabase, "attach-phone", { method: "DELETE", body });
    assert.deepEqual([detach.status, detach.error.code], [409, "trunk_not_ready"]);
    const attach = await refusal(broken.supabase, "attach-phone", { method: "POST", body });
    assert.deepEqual([attach.status, attach.error.code], [422, "twilio_auth_failed"]);
    const recordings = await refusal(broken.supabase, "recording-info");
    assert.deepEqual([recordings.status, recordings.error.code], [409, "trunk_not_ready"]);
    assert.deepEqual((await emulator.state(account.sid)).trunks.map((t) => t.phone_numbers), [[number.sid]]);
  },
);

stackTest("attach-phone GET before the trunk exists: the account's numbers, mainTrunkSid null", async () => {
  const user = await newUser();
  const account = await emulator.createAccount();
  await withoutWebhook((tx) =>
    tx`insert into public.user_twilio_credentials (user_id, account_sid, auth_token)
      values (${user.userId}, ${account.sid}, ${account.authToken})`
  );
  const number = await addNumber(account.sid, { voiceUrl: "https://example.test/before" });
  const data = await invoke(user.supabase, "attach-phone");
  assert.equal(data.mainTrunkSid, null);
  assert.deepEqual(data.numbers.map((n) => [n.sid, n.attachment]), [
    [number.sid, "voice-url"],
  ]);
  assert.equal((await emulator.state(account.sid)).trunks.length, 0, "a read provisions nothing");
});

stackTest(
  "attach-phone DELETE: a detach whose answer was lost (retried, then 404) still restores the number",
  async () => {
    const { user, account, trunkSid } = await customerWithTrunk();
    const number = await addNumber(account.sid, { voiceApplicationSid: APP_SID });
    const before = await numberState(account.sid, number.sid);
    const body = { phoneNumberSid: number.sid };
    await invoke(user.supabase, "attach-phone", { method: "POST", body });
    // Twilio applies the DELETE and the answer is lost: the client retries and gets 404 (twilio-api-facts.md).
    await emulator.fault({
      accountSid: account.sid,
      method: "DELETE",
      path: `^/v1/Trunks/${trunkSid}/PhoneNumbers/${number.sid}$`,
      reset: true,
      applied: true,
    });
    const detached = await invoke(user.supabase, "attach-phone", { method: "DELETE", body });
    assert.deepEqual([detached.results[0].status, detached.results[0].restored], [
      "detached",
      true,
    ]);
    assert.deepEqual(await numberState(account.sid, number.sid), before, "the application is back");
  },
);
