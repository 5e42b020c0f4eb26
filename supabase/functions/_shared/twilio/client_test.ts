// The facade over the official SDK, driven against the project's Twilio emulator (scripts/emulator).
import assert from "node:assert/strict";
import { startEmulator } from "../../../../scripts/emulator/server.ts";
import { TwilioApiError, TwilioNetworkError } from "./errors.ts";
import { createTwilioClient, InvalidPageTokenError, TwilioClientOptions } from "./client.ts";
import type { TwilioClient } from "./types.ts";

interface Emulator {
  url: string;
  accountSid: string;
  authToken: string;
  admin<T = Record<string, unknown>>(path: string, body?: unknown): Promise<T>;
  /** A client for the seeded account; `statuses` records every HTTP status the transport saw. */
  client(
    options?: TwilioClientOptions,
  ): { twilio: ReturnType<typeof createTwilioClient>; statuses: number[] };
}

async function withEmulator(run: (emulator: Emulator) => Promise<void>): Promise<void> {
  const { url, close } = await startEmulator({ port: 0 });
  try {
    const admin = async <T>(path: string, body?: unknown): Promise<T> => {
      const response = await fetch(`${url}/_emulator/${path}`, {
        method: body === undefined ? "GET" : "POST",
        headers: { "Content-Type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      if (!response.ok) throw new Error(`emulator admin ${path}: ${response.status} ${text}`);
      return JSON.parse(text) as T;
    };
    const { sid, authToken } = await admin<{ sid: string; authToken: string }>("accounts", {});
    await run({
      url,
      accountSid: sid,
      authToken,
      admin,
      client(options = {}) {
        const statuses: number[] = [];
        const twilio = createTwilioClient({ accountSid: sid, authToken }, {
          apiBaseUrl: url,
          trunkingBaseUrl: url,
          pageSize: 2,
          baseDelayMs: 5,
          maxDelayMs: 40,
          fetch: async (input, init) => {
            const response = await fetch(input, init);
            statuses.push(response.status);
            return response;
          },
          ...options,
        });
        return { twilio, statuses };
      },
    });
  } finally {
    await close();
  }
}

const STRONG_PASSWORD = "Str0ng-Passw0rd-xyz";

const createFirstTrunk = (twilio: TwilioClient) =>
  twilio.createTrunk({ friendlyName: "trunk 1", domainName: "user-1-t.pstn.twilio.com" });

// Every facade method works against the emulator, following pages (the client lists two at a time).

Deno.test("facade: the account; trunks created, fetched, listed across pages and deleted", () =>
  withEmulator(async ({ accountSid, admin, client }) => {
    const { twilio } = client();

    const account = await twilio.fetchAccount();
    assert.equal(account.sid, accountSid);
    assert.equal(account.status, "active");

    // Three trunks so listing spans two pages of two.
    const trunks = [await createFirstTrunk(twilio)];
    for (const n of [2, 3]) {
      trunks.push(
        await twilio.createTrunk({ friendlyName: `trunk ${n}`, domainName: `user-${n}-t.pstn.twilio.com` }),
      );
    }
    const [trunk] = trunks;
    assert.match(trunk.sid, /^TK[0-9a-f]{32}$/);
    assert.equal(trunk.domainName, "user-1-t.pstn.twilio.com");
    assert.equal(trunk.secure, false);
    assert.deepEqual(trunk.recording, { mode: "do-not-record", trim: "do-not-trim" });
    assert.deepEqual(await twilio.fetchTrunk(trunk.sid), trunk);
    assert.deepEqual((await twilio.listTrunks()).map((t) => t.sid).sort(), trunks.map((t) => t.sid).sort());
    const secure = await twilio.createTrunk({
      friendlyName: "secure",
      domainName: "user-s-t.pstn.twilio.com",
      secure: true,
    });
    assert.equal(secure.secure, true);

    await twilio.deleteTrunk(trunks[2].sid);
    const state = await admin<{ trunks: unknown[] }>(`accounts/${accountSid}/state`);
    assert.equal(state.trunks.length, 3);
    await assert.rejects(
      twilio.fetchTrunk(trunks[2].sid),
      (error) =>
        error instanceof TwilioApiError && error.status === 404 && error.code === 20404 && error.isNotFound,
    );
  }));

Deno.test("facade: credential lists and their credentials, listed across pages, updated and deleted", () =>
  withEmulator(async ({ accountSid, admin, client }) => {
    const { twilio } = client();
    const lists = [];
    for (const n of [1, 2, 3]) lists.push(await twilio.createCredentialList(`list ${n}`));
    const [list] = lists;
    assert.match(list.sid, /^CL[0-9a-f]{32}$/);
    assert.equal(list.friendlyName, "list 1");
    assert.deepEqual(
      (await twilio.listCredentialLists()).map((l) => l.sid).sort(),
      lists.map((l) => l.sid).sort(),
    );
    const credentials = [];
    for (const n of [1, 2, 3]) {
      credentials.push(await twilio.createCredential(list.sid, `sip-user-${n}`, STRONG_PASSWORD));
    }
    assert.deepEqual(credentials.map((c) => c.username), ["sip-user-1", "sip-user-2", "sip-user-3"]);
    assert.deepEqual(
      (await twilio.listCredentials(list.sid)).map((c) => c.sid).sort(),
      credentials.map((c) => c.sid).sort(),
    );
    const updated = await twilio.updateCredentialPassword(
      list.sid,
      credentials[0].sid,
      "An0ther-Passw0rd-abc",
    );
    assert.deepEqual(updated, credentials[0]);
    await twilio.deleteCredential(list.sid, credentials[2].sid);
    assert.equal((await twilio.listCredentials(list.sid)).length, 2);

    await twilio.deleteCredentialList(lists[2].sid);
    const state = await admin<{ credential_lists: unknown[] }>(`accounts/${accountSid}/state`);
    assert.equal(state.credential_lists.length, 2);
  }));

Deno.test("facade: a trunk's credential lists, origination URLs and recording settings", () =>
  withEmulator(async ({ client }) => {
    const { twilio } = client();
    const trunk = await createFirstTrunk(twilio);
    const list = await twilio.createCredentialList("list 1");

    const associated = await twilio.associateCredentialList(trunk.sid, list.sid);
    assert.deepEqual(associated, { sid: list.sid, friendlyName: "list 1" });
    assert.deepEqual(await twilio.listTrunkCredentialLists(trunk.sid), [associated]);
    assert.deepEqual((await twilio.fetchTrunk(trunk.sid)).authTypeSet, ["CREDENTIAL_LIST"]);
    await twilio.removeTrunkCredentialList(trunk.sid, list.sid);
    assert.deepEqual(await twilio.listTrunkCredentialLists(trunk.sid), []);

    const origination = {
      sipUrl: "sip:project.sip.livekit.cloud;transport=tcp",
      priority: 1,
      weight: 10,
      enabled: true,
      friendlyName: "LiveKit",
    };
    const url = await twilio.createOriginationUrl(trunk.sid, origination);
    assert.match(url.sid, /^OU[0-9a-f]{32}$/);
    assert.deepEqual({ ...url, sid: undefined }, { ...origination, sid: undefined });
    assert.deepEqual(await twilio.listOriginationUrls(trunk.sid), [url]);
    await twilio.deleteOriginationUrl(trunk.sid, url.sid);
    assert.deepEqual(await twilio.listOriginationUrls(trunk.sid), []);

    assert.deepEqual(await twilio.fetchTrunkRecording(trunk.sid), {
      mode: "do-not-record",
      trim: "do-not-trim",
    });
    const recording = { mode: "record-from-answer-dual", trim: "trim-silence" } as const;
    assert.deepEqual(await twilio.updateTrunkRecording(trunk.sid, recording), recording);
    assert.deepEqual(await twilio.fetchTrunkRecording(trunk.sid), recording);
    assert.deepEqual((await twilio.fetchTrunk(trunk.sid)).recording, recording);
  }));

Deno.test("facade: numbers listed across pages, filtered, updated, attached to a trunk and detached", () =>
  withEmulator(async ({ accountSid, admin, client }) => {
    const { twilio } = client();
    const trunk = await createFirstTrunk(twilio);
    for (const phoneNumber of ["+15550000001", "+15550000002", "+15550000003"]) {
      await admin(`accounts/${accountSid}/numbers`, { phoneNumber });
    }
    const numbers = await twilio.listIncomingNumbers();
    assert.deepEqual(numbers.map((n) => n.phoneNumber).sort(), [
      "+15550000001",
      "+15550000002",
      "+15550000003",
    ]);
    const [number] = await twilio.listIncomingNumbers({ phoneNumber: "+15550000002" });
    assert.equal(number.phoneNumber, "+15550000002");
    assert.deepEqual(await twilio.fetchIncomingNumber(number.sid), number);
    const withUrl = await twilio.updateIncomingNumber(number.sid, { voiceUrl: "https://example.com/voice" });
    assert.equal(withUrl.voiceUrl, "https://example.com/voice");
    const attached = await twilio.attachNumberToTrunk(trunk.sid, number.sid);
    assert.equal(attached.sid, number.sid);
    assert.equal(attached.trunkSid, trunk.sid);
    assert.equal((await twilio.fetchIncomingNumber(number.sid)).trunkSid, trunk.sid);
    assert.deepEqual((await twilio.listTrunkNumbers(trunk.sid)).map((n) => n.sid), [number.sid]);
    await twilio.detachNumberFromTrunk(trunk.sid, number.sid);
    assert.deepEqual(await twilio.listTrunkNumbers(trunk.sid), []);
    assert.equal((await twilio.fetchIncomingNumber(number.sid)).trunkSid, null);
  }));

Deno.test("facade: calls and recordings one page at a time with an opaque token; media as wav and mp3", () =>
  withEmulator(async ({ accountSid, admin, client }) => {
    const { twilio } = client();
    const trunk = await createFirstTrunk(twilio);
    // Dual-channel recording on the trunk, so its calls' recordings have two channels.
    await twilio.updateTrunkRecording(trunk.sid, { mode: "record-from-answer-dual", trim: "trim-silence" });
    const seeded = await admin<{ call: { sid: string }; recordings: { sid: string }[] }>(
      `accounts/${accountSid}/calls`,
      { trunkSid: trunk.sid, to: "+15550000002", from: "+15551112222", recordings: 3 },
    );
    await admin(`accounts/${accountSid}/calls`, { to: "+15550000001", from: "+15551113333" });
    await admin(`accounts/${accountSid}/calls`, { to: "+15550000003", from: "+15551114444" });

    const first = await twilio.listRecordings({ callSid: seeded.call.sid, pageSize: 2 });
    assert.equal(first.items.length, 2);
    assert.ok(first.nextPageToken);
    const second = await twilio.listRecordings({ pageToken: first.nextPageToken });
    assert.equal(second.items.length, 1);
    assert.equal(second.nextPageToken, null);
    const recordings = [...first.items, ...second.items];
    assert.deepEqual(recordings.map((r) => r.sid).sort(), seeded.recordings.map((r) => r.sid).sort());
    const [rec] = recordings;
    assert.equal(rec.callSid, seeded.call.sid);
    assert.equal(rec.source, "Trunking");
    assert.equal(rec.channels, 2);
    assert.equal(typeof rec.duration, "number");
    assert.ok(rec.duration > 0);
    assert.ok(rec.startTime && !Number.isNaN(Date.parse(rec.startTime)));
    assert.deepEqual(await twilio.fetchRecording(rec.sid), rec);

    const callsPage = await twilio.listCalls({ pageSize: 2 });
    assert.equal(callsPage.items.length, 2);
    const callsRest = await twilio.listCalls({ pageToken: callsPage.nextPageToken ?? undefined });
    assert.equal(callsRest.nextPageToken, null);
    const calls = [...callsPage.items, ...callsRest.items];
    assert.equal(calls.length, 3);
    assert.equal(calls.find((c) => c.sid === seeded.call.sid)?.trunkSid, trunk.sid);
    assert.deepEqual((await twilio.listCalls({ to: "+15550000001" })).items.map((c) => c.from), [
      "+15551113333",
    ]);

    const wav = await twilio.fetchRecordingMedia(rec.sid, "wav");
    assert.equal(new TextDecoder().decode((await wav.bytes()).slice(0, 4)), "RIFF");
    const mp3 = await twilio.fetchRecordingMedia(rec.sid, "mp3");
    assert.equal(mp3.headers.get("content-type"), "audio/mpeg");
    assert.equal(new TextDecoder().decode((await mp3.bytes()).slice(0, 3)), "ID3");
  }));

Deno.test("Twilio's validation errors surface as TwilioApiError with code, status and message", () =>
  withEmulator(async ({ client }) => {
    const { twilio } = client();
    await twilio.createTrunk({ friendlyName: "a", domainName: "taken-domain.pstn.twilio.com" });
    const error = await twilio.createTrunk({ friendlyName: "b", domainName: "taken-domain.pstn.twilio.com" })
      .then(
        () => assert.fail("duplicate domain accepted"),
        (e) => e,
      );
    // A second trunk with the same termination URI in one account is 21245 (twilio-api-facts.md, error codes).
    assert.ok(error instanceof TwilioApiError);
    assert.equal(error.status, 400);
    assert.equal(error.code, 21245);
    assert.ok(error.message.length > 0);
    assert.match(error.moreInfo ?? "", /21245/);
  }));

Deno.test("a wrong auth token is TwilioApiError 20003 / 401 and the token appears nowhere in it", () =>
  withEmulator(async ({ url, accountSid }) => {
    const wrongToken = "f".repeat(32);
    const twilio = createTwilioClient({ accountSid, authToken: wrongToken }, {
      apiBaseUrl: url,
      trunkingBaseUrl: url,
    });
    const error = await twilio.listTrunks().then(() => assert.fail("accepted a wrong token"), (e) => e);
    assert.ok(error instanceof TwilioApiError);
    assert.equal(error.code, 20003);
    assert.equal(error.status, 401);
    assert.ok(error.isAuthFailure);
    assert.ok(!JSON.stringify({ ...error, message: error.message, stack: error.stack }).includes(wrongToken));
    await assert.rejects(twilio.fetchAccount(), (e) => e instanceof TwilioApiError && e.code === 20003);
  }));

Deno.test("a 429 storm (one request in flight per account) ends with every parallel create done once", () =>
  withEmulator(async ({ accountSid, admin, client }) => {
    await admin("config", { maxConcurrentPerAccount: 1, latencyMs: 15 });
    const { twilio, statuses } = client({ maxAttempts: 30, baseDelayMs: 10, maxDelayMs: 80 });
    const created = await Promise.all(
      Array.from({ length: 8 }, (_, n) => twilio.createCredentialList(`storm ${n}`)),
    );
    assert.equal(new Set(created.map((l) => l.sid)).size, 8);
    assert.ok(statuses.filter((s) => s === 429).length > 0, "the storm never produced a 429");
    assert.equal(statuses.filter((s) => s === 201).length, 8);
    const state = await admin<{ credential_lists: unknown[] }>(`accounts/${accountSid}/state`);
    assert.equal(state.credential_lists.length, 8);
  }));

Deno.test("a Retry-After from the emulator is honoured before the retry", () =>
  withEmulator(async ({ admin, client }) => {
    await admin("config", { retryAfterSeconds: 1 });
    await admin("faults", { path: "^/v1/Trunks$", method: "POST", status: 429, code: 20429, times: 1 });
    const { twilio, statuses } = client();
    const started = performance.now();
    await twilio.createTrunk({ friendlyName: "later", domainName: "later-t.pstn.twilio.com" });
    assert.ok(performance.now() - started >= 1000, "retried before Retry-After elapsed");
    assert.deepEqual(statuses, [429, 201]);
  }));

Deno.test("a dropped connection on a GET is retried; on a create POST it is not", () =>
  withEmulator(async ({ accountSid, admin, client }) => {
    const { twilio, statuses } = client();
    await twilio.createTrunk({ friendlyName: "one", domainName: "one-t.pstn.twilio.com" });
    statuses.length = 0;

    // Three drops in a row: the client's own retries (four attempts) get through.
    await admin("faults", { path: "^/v1/Trunks$", method: "GET", reset: true, times: 3 });
    assert.equal((await twilio.listTrunks()).length, 1);
    assert.deepEqual(statuses, [200]); // dropped attempts produce no status

    await admin("faults", { path: "/SIP/CredentialLists\\.json$", method: "POST", reset: true, times: 1 });
    await assert.rejects(twilio.createCredentialList("dropped"), (e) => e instanceof TwilioNetworkError);
    const faults = await admin<{ faults: unknown[] }>("faults");
    assert.equal(faults.faults.length, 0, "the POST was sent exactly once");
    assert.deepEqual(
      (await admin<{ credential_lists: unknown[] }>(`accounts/${accountSid}/state`)).credential_lists,
      [],
    );
  }));

Deno.test("a 5xx is retried for reads and updates, returned at once for creates", () =>
  withEmulator(async ({ admin, client }) => {
    const { twilio, statuses } = client();
    const trunk = await twilio.createTrunk({ friendlyName: "x", domainName: "x-t.pstn.twilio.com" });
    statuses.length = 0;

    await admin("faults", { path: "^/v1/Trunks/TK[0-9a-f]+$", method: "GET", status: 503, times: 2 });
    assert.equal((await twilio.fetchTrunk(trunk.sid)).sid, trunk.sid);
    await admin("faults", { path: "/Recording$", method: "POST", status: 500, times: 1 });
    await twilio.updateTrunkRecording(trunk.sid, { mode: "record-from-answer", trim: "do-not-trim" });
    assert.deepEqual(statuses, [503, 503, 200, 500, 202], "the recording update answers 202 (OpenAPI)");

    statuses.length = 0;
    await admin("faults", { path: "/OriginationUrls$", method: "POST", status: 500, times: 1 });
    const error = await twilio.createOriginationUrl(trunk.sid, {
      sipUrl: "sip:a.example.com",
      priority: 1,
      weight: 1,
      enabled: true,
      friendlyName: "a",
    }).then(() => assert.fail("500 swallowed"), (e) => e);
    assert.ok(
      error instanceof TwilioApiError && error.status === 500 && error.code === 20500 && error.isTransient,
    );
    assert.deepEqual(statuses, [500]);
  }));

Deno.test("calls name their number and direction; recordings their encryption; media both channels on request", () =>
  withEmulator(async ({ admin, accountSid, client }) => {
    const { twilio } = client();
    const trunk = await twilio.createTrunk({ friendlyName: "t", domainName: "calls-t.pstn.twilio.com" });
    await twilio.createOriginationUrl(trunk.sid, {
      sipUrl: "sip:agents.example.com;transport=tcp",
      priority: 1,
      weight: 1,
      enabled: true,
      friendlyName: "agents",
    });
    const number = await admin<{ sid: string }>(`accounts/${accountSid}/numbers`, {
      phoneNumber: "+15550000009",
    });
    await twilio.attachNumberToTrunk(trunk.sid, number.sid);
    const inbound = await admin<{ call: { sid: string }; recordings: { sid: string }[] }>(
      `accounts/${accountSid}/calls`,
      { direction: "inbound", phoneNumberSid: number.sid, from: "+15551112222", recordings: 1, channels: 2 },
    );
    const outbound = await admin<{ call: { sid: string }; recordings: { sid: string }[] }>(
      `accounts/${accountSid}/calls`,
      { trunkSid: trunk.sid, to: "+15550000001", from: "+15550000009", recordings: 1, channels: 1 },
    );
    const calls = (await twilio.listCalls()).items;
    const call = (sid: string) => calls.find((c) => c.sid === sid)!;
    // twilio-api-facts.md, "Calls": origination calls have no trunk_sid but the number they reached.
    assert.deepEqual(
      [
        call(inbound.call.sid).direction,
        call(inbound.call.sid).trunkSid,
        call(inbound.call.sid).phoneNumberSid,
      ],
      ["trunking-originating", null, number.sid],
    );
    assert.deepEqual(
      [
        call(outbound.call.sid).direction,
        call(outbound.call.sid).trunkSid,
        call(outbound.call.sid).phoneNumberSid,
      ],
      ["trunking-terminating", trunk.sid, null],
    );

    const dual = inbound.recordings[0].sid;
    assert.equal((await twilio.fetchRecording(dual)).encrypted, false);
    await admin(`accounts/${accountSid}/recordings/${dual}`, { encrypted: true });
    assert.equal((await twilio.fetchRecording(dual)).encrypted, true);

    const channelsOf = async (media: Response) =>
      new DataView((await media.bytes()).buffer).getUint16(22, true);
    assert.equal(await channelsOf(await twilio.fetchRecordingMedia(outbound.recordings[0].sid, "wav")), 1);
    await admin(`accounts/${accountSid}/recordings/${dual}`, { encrypted: false });
    assert.equal(await channelsOf(await twilio.fetchRecordingMedia(dual, "wav")), 1, "a mono mix by default");
    assert.equal(await channelsOf(await twilio.fetchRecordingMedia(dual, "wav", { channels: 2 })), 2);
    await assert.rejects(
      twilio.fetchRecordingMedia(outbound.recordings[0].sid, "wav", { channels: 2 }),
      (e) => e instanceof TwilioApiError && e.status === 400 && e.code === 16113,
    );
  }));

Deno.test("page tokens are opaque and validated; missing media is a TwilioApiError", () =>
  withEmulator(async ({ client }) => {
    const { twilio } = client();
    await assert.rejects(twilio.listRecordings({ pageToken: "%%%not-base64" }), InvalidPageTokenError);
    await assert.rejects(
      twilio.fetchRecordingMedia("RE" + "0".repeat(32), "mp3"),
      (e) => e instanceof TwilioApiError && e.status === 404 && e.code === 20404,
    );
  }));

Deno.test("importing client.ts and creating a client does not load the twilio package; the first call does", async () => {
  const dir = await Deno.makeTempDir();
  try {
    // The twilio package's modules that client.ts loads, mapped to modules that throw when evaluated.
    const modules = [
      "lib/base/BaseTwilio.js",
      "lib/base/Domain.js",
      "lib/base/Version.js",
      "lib/rest/Trunking.js",
      "lib/rest/api/v2010/account/sip/credentialList.js",
      "lib/rest/api/v2010/account/incomingPhoneNumber.js",
      "lib/rest/api/v2010/account/call.js",
      "lib/rest/api/v2010/account/recording.js",
    ];
    for (const module of modules) {
      await Deno.mkdir(`${dir}/twilio/${module.slice(0, module.lastIndexOf("/"))}`, { recursive: true });
      await Deno.writeTextFile(`${dir}/twilio/${module}`, "throw new Error('twilio was loaded');");
    }
    // The rest as the project maps it (zod, for the settings the client reads; jose's base64url, for page tokens).
    const project = JSON.parse(await Deno.readTextFile(new URL("../../../../deno.json", import.meta.url)));
    await Deno.writeTextFile(
      `${dir}/map.json`,
      JSON.stringify({
        imports: { "twilio/": "./twilio/", zod: project.imports.zod, "jose/": project.imports["jose/"] },
      }),
    );
    await Deno.writeTextFile(
      `${dir}/main.ts`,
      `import { createTwilioClient } from ${JSON.stringify(new URL("./client.ts", import.meta.url).href)};
       const twilio = createTwilioClient({ accountSid: "AC${"0".repeat(32)}", authToken: "token" });
       console.log("created");
       await twilio.fetchAccount().catch((error) => console.log(error.message));`,
    );
    const { stdout, success } = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--no-config", "--import-map", `${dir}/map.json`, "--allow-env", `${dir}/main.ts`],
      stdout: "piped",
      stderr: "inherit",
    }).output();
    assert.ok(success);
    assert.deepEqual(new TextDecoder().decode(stdout).trim().split("\n"), ["created", "twilio was loaded"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
