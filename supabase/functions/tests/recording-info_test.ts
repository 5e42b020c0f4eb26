/**
 * recording-info end to end, through supabase-js (and fetch for audio, as a browser would) against the local
 * stack and the Twilio emulator: a call's recordings, the main trunk's recordings paged (inbound calls through its
 * numbers included, page tokens that cannot be edited), media streamed with the customer's credentials (both
 * channels on request; recordings not completed, encrypted or stored elsewhere refused with their reason),
 * another account's recordings refused, recording settings, and bad input refused with nothing changed.
 */
import assert from "node:assert/strict";
import * as base64url from "jose/base64url";
import { CallRecordings, RecordingSettings, RecordingsPage } from "../_shared/contract/index.ts";
import { invoke, refusal } from "../../../scripts/testing/functions.ts";
import {
  customerWithTrunk,
  db,
  emulator,
  type EmulatorCallSeed,
  type EmulatorRecordingOptions,
  functionUrl,
  newUser,
  stackInfo,
  stackTest,
  uniquePhoneNumber,
} from "../../../scripts/testing/stack.ts";

/** The emulator's own media for a recording, fetched with the account's credentials. */
async function twilioMedia(
  account: { sid: string; authToken: string },
  recordingSid: string,
  format: string,
  query = "",
) {
  const res = await fetch(
    `${stackInfo().twilio_api_base_url}/2010-04-01/Accounts/${account.sid}/Recordings/${recordingSid}.${format}${query}`,
    { headers: { Authorization: `Basic ${btoa(`${account.sid}:${account.authToken}`)}` } },
  );
  assert.equal(res.status, 200);
  return { type: res.headers.get("content-type"), bytes: new Uint8Array(await res.arrayBuffer()) };
}

/** The query of a recording's audio. */
const mediaQuery = (sid: string, format = "mp3", channels?: string) => ({
  recordingSid: sid,
  format,
  ...(channels ? { channels } : {}),
});
const mediaUrlOf = (sid: string, format = "mp3") =>
  `${functionUrl("recording-info")}?${new URLSearchParams(mediaQuery(sid, format))}`;

/** The function's media answer for a user, as a browser fetches it. */
const mediaAs = (user: { token: string }, url: string) =>
  fetch(url, { headers: { Authorization: `Bearer ${user.token}` } });

/** A customer with a main trunk, and `call` seeding a call through it (one recording unless said otherwise). */
async function customerWithCalls() {
  const customer = await customerWithTrunk();
  const call = (seed: Partial<EmulatorCallSeed> = {}) =>
    emulator.addCall(customer.account.sid, {
      trunkSid: customer.trunkSid,
      to: "+15550100001",
      from: "+1555",
      recordings: 1,
      ...seed,
    });
  return { ...customer, call };
}

/** The channel count in a WAV header (bytes 22–23, little endian). */
const wavChannels = (bytes: Uint8Array) => new DataView(bytes.buffer, bytes.byteOffset).getUint16(22, true);

stackTest(
  "recording-info ?callSid: the call's recordings, duration a number, media through this function",
  async () => {
    const { user, account, call } = await customerWithCalls();
    const seeded = await call({ from: "+15550100002", recordings: 2 });
    await call({ from: "+15550100003" });

    const data = await invoke(user.supabase, "recording-info", {
      query: { callSid: seeded.call.sid },
      answer: CallRecordings,
    });
    assert.equal(data.callSid, seeded.call.sid);
    assert.deepEqual(
      data.recordings.map((r) => r.sid),
      seeded.recordings.map((r) => r.sid).reverse(),
      "newest first",
    );
    const [first] = data.recordings;
    assert.deepEqual(Object.keys(first).sort(), [
      "callSid",
      "channels",
      "duration",
      "mediaUrl",
      "sid",
      "source",
      "startTime",
      "status",
    ]);
    assert.equal(first.callSid, seeded.call.sid);
    assert.equal(first.status, "completed");
    assert.equal(first.duration, 30);
    assert.equal(first.channels, 1);
    assert.equal(first.source, "Trunking");
    assert.ok(first.startTime && !Number.isNaN(Date.parse(first.startTime)));
    assert.equal(first.mediaUrl, mediaUrlOf(first.sid));
    const text = JSON.stringify(data);
    assert.ok(
      !text.includes(account.authToken) && !text.includes(account.sid),
      "no Twilio URL or credential",
    );

    const none = await invoke(user.supabase, "recording-info", {
      query: { callSid: `CA${"0".repeat(32)}` },
      answer: CallRecordings,
    });
    assert.deepEqual(none.recordings, []);
  },
);

stackTest(
  "recording-info: the main trunk's recordings, newest first, paged with pageToken; other calls excluded",
  async () => {
    const { user, trunkSid, call } = await customerWithCalls();
    const stranger = await emulator.createAccount();
    const expected: string[] = [];
    const add = async (trunk: string | undefined, recordings: number) => {
      const seeded = await call({ trunkSid: trunk, recordings });
      if (trunk === trunkSid) expected.unshift(...seeded.recordings.map((r) => r.sid).reverse());
    };
    await add(trunkSid, 1);
    await add(undefined, 2); // a call that did not use the trunk
    await add(trunkSid, 2);
    await add(trunkSid, 0); // recording was off
    await add(trunkSid, 1);
    await emulator.addCall(stranger.sid, { to: "+15550100001", from: "+1555", recordings: 2 });
    await add(trunkSid, 3);
    await add(trunkSid, 1);
    assert.equal(expected.length, 8);

    const pages: string[][] = [];
    let token: string | null = null;
    do {
      const query: Record<string, string> = { pageSize: "3", ...(token ? { pageToken: token } : {}) };
      const page: RecordingsPage = await invoke(user.supabase, "recording-info", {
        query,
        answer: RecordingsPage,
      });
      assert.equal(page.trunkSid, trunkSid);
      assert.ok(page.recordings.every((r) => r.source === "Trunking" && r.mediaUrl === mediaUrlOf(r.sid)));
      pages.push(page.recordings.map((r) => r.sid));
      token = page.nextPageToken;
    } while (token && pages.length < 10);
    assert.deepEqual(pages, [expected.slice(0, 3), expected.slice(3, 6), expected.slice(6)]);

    const whole = await invoke(user.supabase, "recording-info", { answer: RecordingsPage });
    assert.deepEqual(whole.recordings.map((r) => r.sid), expected, "default page size holds them all");
    assert.equal(whole.nextPageToken, null);
  },
);

/** E.164 numbers unique within this test run. */

/** A number on another trunk of the account (with an origination URL, so it can take calls). */
async function numberOnAnotherTrunk(account: { sid: string; authToken: string }) {
  const number = await emulator.addNumber(account.sid, uniquePhoneNumber());
  const trunk = await emulator.twilio(account, "POST", "/v1/Trunks", { FriendlyName: "another trunk" });
  await emulator.twilio(account, "POST", `/v1/Trunks/${trunk.sid}/OriginationUrls`, {
    SipUrl: "sip:pbx.example.com",
    Priority: "1",
    Weight: "1",
    Enabled: "true",
    FriendlyName: "pbx",
  });
  await emulator.twilio(account, "POST", `/v1/Trunks/${trunk.sid}/PhoneNumbers`, {
    PhoneNumberSid: number.sid,
  });
  return number;
}

stackTest(
  "recording-info: recordings of inbound calls to the main trunk's numbers are listed; other numbers' are not",
  async () => {
    const { user, account, call } = await customerWithCalls();
    const ours = await emulator.addNumber(account.sid, uniquePhoneNumber());
    const inbound = (phoneNumberSid: string, recordings: number) =>
      emulator.addCall(account.sid, {
        direction: "inbound",
        phoneNumberSid,
        from: "+15550109999",
        recordings,
      });
    const beforeAttach = await inbound(ours.sid, 1); // answered by the number's voice URL, not the trunk
    const attached = await invoke(user.supabase, "attach-phone", {
      method: "POST",
      body: { phoneNumberSid: ours.sid },
    });
    assert.equal(attached.results[0].status, "attached");
    const elsewhere = await numberOnAnotherTrunk(account);
    const unattached = await emulator.addNumber(account.sid, uniquePhoneNumber());

    const outbound = await call({ direction: "outbound", from: ours.phone_number });
    const received = await inbound(ours.sid, 2);
    const otherTrunk = await inbound(elsewhere.sid, 1);
    const offTrunk = await inbound(unattached.sid, 1);
    // twilio-api-facts.md, "Calls": no trunk_sid on origination calls, only the number they reached.
    assert.deepEqual(
      [received.call.direction, received.call.trunk_sid, received.call.phone_number_sid],
      ["trunking-originating", null, ours.sid],
    );
    assert.match(received.call.to, /^sip:/);
    assert.equal(otherTrunk.call.direction, "trunking-originating");
    assert.deepEqual([beforeAttach.call.direction, offTrunk.call.direction], ["inbound", "inbound"]);

    const list = await invoke(user.supabase, "recording-info", { answer: RecordingsPage });
    assert.deepEqual(
      list.recordings.map((r) => r.sid),
      [...received.recordings.toReversed(), ...outbound.recordings].map((r) => r.sid),
      "the inbound call's recordings (newest first), then the older outbound call's",
    );
    assert.equal(list.nextPageToken, null);
  },
);

stackTest(
  "recording-info ?recordingSid: streams Twilio's bytes with the right type; fetch with the token",
  async () => {
    const { user, account, call } = await customerWithCalls();
    const seeded = await call();
    const [recording] = (await invoke(user.supabase, "recording-info", {
      query: { callSid: seeded.call.sid },
      answer: CallRecordings,
    }))
      .recordings;

    for (const [format, url] of [["mp3", recording.mediaUrl], ["wav", mediaUrlOf(recording.sid, "wav")]]) {
      const res = await mediaAs(user, url);
      assert.equal(res.status, 200, format);
      const bytes = new Uint8Array(await res.arrayBuffer());
      const twilio = await twilioMedia(account, recording.sid, format);
      assert.deepEqual(bytes, twilio.bytes, `${format}: the emulator's bytes`);
      assert.equal(res.headers.get("content-type"), twilio.type);
      assert.match(
        res.headers.get("content-type")!,
        format === "mp3" ? /^audio\/mpeg$/ : /^audio\/(x-)?wav$/,
      );
      assert.equal(res.headers.get("access-control-allow-origin"), "*");
      assert.match(res.headers.get("content-disposition") ?? "", new RegExp(`${recording.sid}\\.${format}`));
    }
    // Without format: MP3.
    const plain = await mediaAs(user, mediaUrlOf(recording.sid).replace("&format=mp3", ""));
    assert.equal(plain.headers.get("content-type"), "audio/mpeg");
    await plain.body?.cancel();
    // No token, no audio.
    const anonymous = await fetch(recording.mediaUrl);
    assert.equal(anonymous.status, 401);
    await anonymous.body?.cancel();
  },
);

stackTest(
  "recording-info ?recordingSid&channels=2: both channels of a dual recording; a mono mix by default",
  async () => {
    const { user, account, call } = await customerWithCalls();
    const dual = (await call({ channels: 2 })).recordings[0].sid;
    const mono = (await call({ channels: 1 })).recordings[0].sid;

    // twilio-api-facts.md: dual recordings download as a mono mix unless RequestedChannels=2.
    const wav = mediaUrlOf(dual, "wav");
    const cases: [string, number][] = [[wav, 1], [`${wav}&channels=1`, 1], [`${wav}&channels=2`, 2]];
    for (const [url, channels] of cases) {
      const res = await mediaAs(user, url);
      assert.equal(res.status, 200, url);
      assert.equal(wavChannels(await res.bytes()), channels, url);
    }
    const mp3 = await mediaAs(user, `${mediaUrlOf(dual)}&channels=2`);
    assert.deepEqual(
      await mp3.bytes(),
      (await twilioMedia(account, dual, "mp3", "?RequestedChannels=2")).bytes,
    );

    // A mono recording has no second channel (Twilio: 16113).
    const refused = await refusal(user.supabase, "recording-info", { query: mediaQuery(mono, "wav", "2") });
    assert.deepEqual([refused.status, refused.error.code, refused.error.field], [
      400,
      "recording_not_dual_channel",
      "channels",
    ]);
    // Twilio's own 16113, should its metadata have claimed two channels.
    await emulator.fault({
      accountSid: account.sid,
      method: "GET",
      path: `/Recordings/${dual}\\.wav$`,
      status: 400,
      code: 16113,
    });
    const twilioRefused = await refusal(user.supabase, "recording-info", {
      query: mediaQuery(dual, "wav", "2"),
    });
    assert.deepEqual([twilioRefused.status, twilioRefused.error.code], [400, "recording_not_dual_channel"]);
  },
);

stackTest(
  "recording-info: a recording not completed is a 409 naming its status; the list and the call show the status",
  async () => {
    const { user, account, call } = await customerWithCalls();
    const seeded = await call({ recording: { status: "in-progress" } });
    const [recording] = seeded.recordings;
    for (const status of ["in-progress", "processing", "absent"] as const) {
      await emulator.updateRecording(account.sid, recording.sid, { status });
      const { status: http, error } = await refusal(user.supabase, "recording-info", {
        query: mediaQuery(recording.sid),
      });
      assert.deepEqual([http, error.code, error.field, error.recordingStatus], [
        409,
        "recording_not_ready",
        "recordingSid",
        status,
      ]);
      assert.match(error.message, new RegExp(status));
      const list = await invoke(user.supabase, "recording-info", { answer: RecordingsPage });
      const call = await invoke(user.supabase, "recording-info", {
        query: { callSid: seeded.call.sid },
        answer: CallRecordings,
      });
      assert.deepEqual([list.recordings[0].status, call.recordings[0].status], [status, status]);
    }
    await emulator.updateRecording(account.sid, recording.sid, { status: "completed" });
    const done = await mediaAs(user, mediaUrlOf(recording.sid));
    assert.equal(done.status, 200);
    await done.body?.cancel();
  },
);

stackTest(
  "recording-info: encrypted and externally stored recordings are refused for media and marked in the list",
  async () => {
    const { user, account, call } = await customerWithCalls();
    const seed = async (recording: EmulatorRecordingOptions = {}) =>
      (await call({ recording })).recordings[0].sid;
    const plain = await seed();
    const encrypted = await seed({ encrypted: true });
    const external = await seed({ externalMediaUrl: "https://recordings.example.com/bucket/call.wav" });
    // Completed, media_url on Twilio's host, yet Twilio has no media: stored elsewhere.
    const missing = await seed();

    const list = await invoke(user.supabase, "recording-info", { answer: RecordingsPage });
    const marks = Object.fromEntries(
      list.recordings.map((r) => [r.sid, { encrypted: r.encrypted, storedExternally: r.storedExternally }]),
    );
    assert.deepEqual(marks, {
      [plain]: { encrypted: undefined, storedExternally: undefined },
      [encrypted]: { encrypted: true, storedExternally: undefined },
      [external]: { encrypted: undefined, storedExternally: true },
      [missing]: { encrypted: undefined, storedExternally: undefined },
    });

    await emulator.fault({
      accountSid: account.sid,
      method: "GET",
      path: `/Recordings/${missing}\\.mp3$`,
      status: 404,
      code: 20404,
    });
    for (
      const [sid, code] of [
        [encrypted, "recording_encrypted"],
        [external, "recording_stored_externally"],
        [missing, "recording_stored_externally"],
      ]
    ) {
      const { status, error } = await refusal(user.supabase, "recording-info", { query: mediaQuery(sid) });
      assert.deepEqual([status, error.code, error.field], [422, code, "recordingSid"], sid);
    }
    const ok = await mediaAs(user, mediaUrlOf(plain));
    assert.equal(ok.status, 200);
    await ok.body?.cancel();
  },
);

stackTest(
  "recording-info: a page token edited to ask Twilio for 1,000 calls a page, or another account's, is a 400",
  async () => {
    const { user, call } = await customerWithCalls();
    await call({ recordings: 2 });
    const first = await invoke(user.supabase, "recording-info", {
      query: { pageSize: "1" },
      answer: RecordingsPage,
    });
    const pageToken = first.nextPageToken!;
    const [payload, mac] = pageToken.split(".");
    const cursor = JSON.parse(new TextDecoder().decode(base64url.decode(payload)));
    cursor.t = base64url.encode("PageSize=1000&Page=0"); // the Twilio query of the calls page to read
    const edited = `${base64url.encode(JSON.stringify(cursor))}.${mac}`;
    const other = await customerWithTrunk();
    for (
      const [supabase, token] of [
        [user.supabase, edited],
        [user.supabase, base64url.encode(JSON.stringify(cursor))], // unsigned
        [other.user.supabase, pageToken],
      ] as const
    ) {
      const { status, error } = await refusal(supabase, "recording-info", {
        query: { pageSize: "1", pageToken: token },
      });
      assert.deepEqual([status, error.code, error.field], [400, "invalid_page_token", "pageToken"], token);
    }
    const second = await invoke(user.supabase, "recording-info", {
      query: { pageSize: "1", pageToken },
      answer: RecordingsPage,
    });
    assert.equal(second.recordings.length, 1, "the untouched token still works");
  },
);

stackTest(
  "recording-info: another account's recording is a 404, its call has no recordings for us",
  async () => {
    const { user } = await customerWithTrunk();
    const other = await customerWithCalls();
    const theirs = await other.call();
    const recordingSid = theirs.recordings[0].sid;
    const res = await mediaAs(user, mediaUrlOf(recordingSid));
    assert.equal(res.status, 404);
    const body = await res.json();
    assert.deepEqual([body.error.code, body.error.field], ["recording_not_found", "recordingSid"]);
    const unknown = await refusal(user.supabase, "recording-info", {
      query: mediaQuery(`RE${"0".repeat(32)}`, "wav"),
    });
    assert.deepEqual([unknown.status, unknown.error.code], [404, "recording_not_found"]);
    const call = await invoke(user.supabase, "recording-info", {
      query: { callSid: theirs.call.sid },
      answer: CallRecordings,
    });
    assert.deepEqual(call.recordings, []);
    const list = await invoke(user.supabase, "recording-info", { answer: RecordingsPage });
    assert.deepEqual(list.recordings, []);
    // The owner can.
    const own = await mediaAs(other.user, mediaUrlOf(recordingSid));
    assert.equal(own.status, 200);
    await own.body?.cancel();
  },
);

stackTest(
  "recording-info settings: GET ?settings reads Twilio; POST sets the trunk and the row",
  async () => {
    const { user, account, trunkSid } = await customerWithTrunk();
    assert.deepEqual(
      await invoke(user.supabase, "recording-info", { query: "?settings", answer: RecordingSettings }),
      {
        trunkSid,
        mode: "do-not-record",
        trim: "do-not-trim",
      },
    );

    const data = await invoke(user.supabase, "recording-info", {
      method: "POST",
      body: { mode: "record-from-answer-dual", trim: "trim-silence" },
    });
    assert.deepEqual(data, { trunkSid, mode: "record-from-answer-dual", trim: "trim-silence" });
    assert.deepEqual((await emulator.state(account.sid)).trunks[0].recording, {
      mode: "record-from-answer-dual",
      trim: "trim-silence",
    });
    const rowOf = async () =>
      (await db()`select recording_mode, recording_trim from public.user_twilio_credentials
      where user_id = ${user.userId}`)[0];
    assert.deepEqual({ ...await rowOf() }, {
      recording_mode: "record-from-answer-dual",
      recording_trim: "trim-silence",
    });
    assert.deepEqual(await invoke(user.supabase, "recording-info", { query: { settings: "1" } }), {
      trunkSid,
      mode: "record-from-answer-dual",
      trim: "trim-silence",
    });

    // Without trim, the trim stays.
    const modeOnly = await invoke(user.supabase, "recording-info", {
      method: "POST",
      body: { mode: "record-from-ringing" },
    });
    assert.deepEqual(modeOnly, { trunkSid, mode: "record-from-ringing", trim: "trim-silence" });
    assert.deepEqual({ ...await rowOf() }, {
      recording_mode: "record-from-ringing",
      recording_trim: "trim-silence",
    });
  },
);

/** Requests recording-info refuses, each with the field its 400 names. */
function badInputs(callSid: string, recordingSid: string, trunkSid: string) {
  const getCases: [string, string][] = [
    ["?callSid=CA123", "callSid"],
    [`?callSid=${callSid.toUpperCase()}`, "callSid"],
    [`?callSid=${recordingSid}`, "callSid"],
    ["?recordingSid=RE123", "recordingSid"],
    [`?recordingSid=${callSid}`, "recordingSid"],
    [`?recordingSid=${recordingSid}&format=ogg`, "format"],
    [`?recordingSid=${recordingSid}&channels=3`, "channels"],
    [`?recordingSid=${recordingSid}&channels=stereo`, "channels"],
    ["?format=mp3", "format"],
    ["?channels=2", "channels"],
    [`?callSid=${callSid}&channels=2`, "channels"],
    [`?callSid=${callSid}&pageSize=2`, "pageSize"],
    [`?callSid=${callSid}&recordingSid=${recordingSid}`, "callSid"],
    [`?recordingSid=${recordingSid}&pageToken=abc`, "pageToken"],
    ["?pageSize=0", "pageSize"],
    ["?pageSize=101", "pageSize"],
    ["?pageSize=abc", "pageSize"],
    ["?pageSize=-1", "pageSize"],
    ["?pageToken=", "pageToken"],
    ["?pageToken=%7B%7D", "pageToken"],
    ["?pageToken=eyJ0IjpudWxsLCJyIjoyfQ", "pageToken"],
    ["?settings=yes", "settings"],
    [`?settings&callSid=${callSid}`, "callSid"],
    ["?limit=5", "limit"],
  ];
  const postCases: [unknown, string | null][] = [
    [{}, "mode"],
    [{ mode: "record-always" }, "mode"],
    [{ mode: "RECORD-FROM-ANSWER" }, "mode"],
    [{ mode: 1 }, "mode"],
    [{ mode: "record-from-answer", trim: "trim" }, "trim"],
    [{ mode: "record-from-answer", trim: null }, "trim"],
    [{ mode: "record-from-answer", enabled: true }, "enabled"],
    [{ mode: "record-from-answer", trunkSid }, "trunkSid"],
  ];
  return { getCases, postCases };
}

stackTest("recording-info: bad input is a 400 naming the field, and changes nothing", async () => {
  const { user, account, trunkSid, call } = await customerWithCalls();
  const seeded = await call();
  const { getCases, postCases } = badInputs(seeded.call.sid, seeded.recordings[0].sid, trunkSid);
  const snapshot = async () => ({
    twilio: await emulator.state(account.sid),
    row: [...await db()`select * from public.user_twilio_credentials where user_id = ${user.userId}`],
  });
  const before = await snapshot();

  for (const [query, field] of getCases) {
    const { status, error } = await refusal(user.supabase, "recording-info", { query });
    assert.equal(status, 400, query);
    assert.equal(error.field, field, `${query}: ${error.message}`);
    assert.ok(["invalid_input", "invalid_page_token"].includes(error.code), query);
  }
  for (const [body, field] of postCases) {
    const { status, error } = await refusal(user.supabase, "recording-info", { method: "POST", body });
    assert.equal(status, 400, JSON.stringify(body));
    assert.equal(error.field, field, `${JSON.stringify(body)}: ${error.message}`);
  }
  const query = await refusal(user.supabase, "recording-info", {
    method: "POST",
    query: { settings: "1" },
    body: { mode: "record-from-answer" },
  });
  assert.deepEqual([query.status, query.error.field], [400, "settings"]);
  const notJson = await refusal(user.supabase, "recording-info", {
    method: "POST",
    body: "mode=record-from-answer",
  });
  assert.deepEqual([notJson.status, notJson.error.code], [400, "invalid_json"]);
  assert.deepEqual(await snapshot(), before, "nothing changed in Twilio or the database");
});

stackTest("recording-info: users without credentials get 404; methods and auth", async () => {
  const user = await newUser();
  for (
    const query of ["", "?settings", `?callSid=CA${"1".repeat(32)}`, `?recordingSid=RE${"1".repeat(32)}`]
  ) {
    const { status, error } = await refusal(user.supabase, "recording-info", { query });
    assert.deepEqual([status, error.code], [404, "credentials_not_found"], query);
  }
  const post = await refusal(user.supabase, "recording-info", {
    method: "POST",
    body: { mode: "record-from-answer" },
  });
  assert.deepEqual([post.status, post.error.code], [404, "credentials_not_found"]);
  const url = functionUrl("recording-info");
  const del = await fetch(url, { method: "DELETE", headers: { Authorization: `Bearer ${user.token}` } });
  assert.equal(del.status, 405);
  await del.body?.cancel();
  const anonymous = await fetch(url);
  assert.equal(anonymous.status, 401);
  await anonymous.body?.cancel();
});
