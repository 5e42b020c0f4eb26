// 2010 incoming phone numbers (including trunk attach via TrunkSid), calls, recordings and recording media.
import assert from "node:assert/strict";
import {
  type Api,
  assertTwilioError,
  createTrunk,
  type Json,
  ORIGINATION_URL,
  withEmulator,
} from "./testing.ts";

const sids = (items: Json[]) => items.map((item) => item.sid);

/** `Tue, 24 Nov 2026 05:36:18 +0000` → `2026-11-24T05:36:18Z`, the form the SDK sends in filters. */
const isoSecond = (rfc2822: string) => new Date(rfc2822).toISOString().replace(/\.\d{3}Z$/, "Z");

function numberPath(api: Api, sid: string): string {
  return api.account(`/IncomingPhoneNumbers/${sid}.json`);
}

Deno.test("incoming phone number: 2010 shape, fetch, and list filters (PhoneNumber with * wildcard, FriendlyName)", async () => {
  await withEmulator(async (emulator) => {
    const api = await emulator.newAccount();
    const number = await emulator.addNumber(api, "+15551230001", { friendlyName: "support" });
    await emulator.addNumber(api, "+15551239002");
    await emulator.addNumber(api, "+442071230003", { friendlyName: "support" });
    assert.match(number.sid, /^PN[0-9a-f]{32}$/);
    assert.equal(number.account_sid, api.sid);
    assert.equal(number.phone_number, "+15551230001");
    assert.equal(number.friendly_name, "support");
    assert.equal(number.voice_url, null);
    assert.equal(number.voice_method, "POST");
    // Unset fields as twilio_api_v2010.json's IncomingPhoneNumber examples render them: "" for
    // voice_application_sid, sms_* and status_callback, null for voice_url, voice_fallback_url and trunk_sid.
    assert.equal(number.voice_fallback_url, null);
    assert.equal(number.voice_application_sid, "");
    assert.equal(number.trunk_sid, null);
    assert.equal(number.status_callback, "");
    assert.equal(number.sms_url, "");
    assert.equal(number.sms_fallback_url, "");
    assert.equal(number.sms_application_sid, "");
    assert.deepEqual(number.capabilities, { voice: true, sms: true, mms: true, fax: false });
    assert.equal(number.uri, numberPath(api, number.sid));
    assert.deepEqual((await api.get(numberPath(api, number.sid))).body, number);

    const list = (query: Record<string, string>) =>
      api.get(api.account("/IncomingPhoneNumbers.json"), query).then((r) =>
        r.body.incoming_phone_numbers.map((n: Json) => n.phone_number)
      );
    assert.deepEqual(await list({}), ["+15551230001", "+15551239002", "+442071230003"]);
    assert.deepEqual(await list({ PhoneNumber: "+15551230001" }), ["+15551230001"]);
    assert.deepEqual(await list({ PhoneNumber: "+1555123*00*" }), ["+15551230001", "+15551239002"]);
    assert.deepEqual(await list({ PhoneNumber: "123000" }), ["+15551230001", "+442071230003"]);
    assert.deepEqual(await list({ PhoneNumber: "+1555123**0*" }), ["+15551230001", "+15551239002"]);
    assert.deepEqual(await list({ PhoneNumber: "+1999*" }), []);
    assert.deepEqual(await list({ PhoneNumber: "+1*0001" }), [], "* stands for exactly one digit");
    assert.deepEqual(await list({ FriendlyName: "support" }), ["+15551230001", "+442071230003"]);
    assert.deepEqual(await list({ FriendlyName: "support", PhoneNumber: "+44*" }), ["+442071230003"]);
  });
});

Deno.test("incoming phone number update: voice fields, unknown parameters 20001, VoiceMethod validated", async () => {
  await withEmulator(async (emulator) => {
    const api = await emulator.newAccount();
    const number = await emulator.addNumber(api, "+15551230001");
    const updated = await api.post(numberPath(api, number.sid), {
      VoiceUrl: "https://example.com/voice",
      VoiceMethod: "GET",
      VoiceFallbackUrl: "https://example.com/fallback",
      FriendlyName: "front desk",
    });
    assert.equal(updated.status, 200);
    assert.equal(updated.body.voice_url, "https://example.com/voice");
    assert.equal(updated.body.voice_method, "GET");
    assert.equal(updated.body.voice_fallback_url, "https://example.com/fallback");
    assert.equal(updated.body.friendly_name, "front desk");
    assertTwilioError(await api.post(numberPath(api, number.sid), { VoiceMethod: "PUT" }), 400, 20001);
    assertTwilioError(await api.post(numberPath(api, number.sid), { Colour: "red" }), 400, 20001, "Colour");
    assertTwilioError(
      await api.post(numberPath(api, `PN${"0".repeat(32)}`), { FriendlyName: "x" }),
      404,
      20404,
    );
  });
});

// twilio-api-facts.md, "Attaching a number to a trunk": the voice_url is kept (ignored while on the trunk), the
// voice_application_sid deleted ("Setting a trunk_sid will automatically delete your voice_application_sid and
// vice versa"); detaching restores nothing; an unset voice_application_sid reads "".
Deno.test("TrunkSid on a number attaches like the trunking API (voice URL kept, application deleted); '' detaches", async () => {
  await withEmulator(async (emulator) => {
    const api = await emulator.newAccount();
    const trunk = await createTrunk(api);
    const number = await emulator.addNumber(api, "+15551230001", {
      voiceUrl: "https://example.com/voice",
      voiceApplicationSid: `AP${"2".repeat(32)}`,
    });
    const attached = await api.post(numberPath(api, number.sid), { TrunkSid: trunk.sid });
    assert.equal(attached.status, 200);
    assert.equal(attached.body.trunk_sid, trunk.sid);
    assert.equal(attached.body.voice_url, "https://example.com/voice");
    assert.equal(attached.body.voice_method, "POST");
    assert.equal(attached.body.voice_application_sid, "");
    assert.deepEqual(sids((await api.get(`/v1/Trunks/${trunk.sid}/PhoneNumbers`)).body.phone_numbers), [
      number.sid,
    ]);
    const ignored = await api.post(numberPath(api, number.sid), { VoiceUrl: "https://example.com/ignored" });
    assert.equal(
      ignored.body.voice_url,
      "https://example.com/ignored",
      "kept, though the trunk takes the calls",
    );
    assert.equal(ignored.body.trunk_sid, trunk.sid);

    const detached = await api.post(numberPath(api, number.sid), { TrunkSid: "" });
    assert.equal(detached.body.trunk_sid, null);
    assert.equal(detached.body.voice_url, "https://example.com/ignored");
    assert.equal(detached.body.voice_application_sid, "", "detaching restores nothing");
    assert.deepEqual((await api.get(`/v1/Trunks/${trunk.sid}/PhoneNumbers`)).body.phone_numbers, []);

    const other = await emulator.newAccount();
    const foreignTrunk = await createTrunk(other);
    assertTwilioError(
      await api.post(numberPath(api, number.sid), { TrunkSid: foreignTrunk.sid }),
      404,
      20404,
    );
    assertTwilioError(
      await api.post(numberPath(api, number.sid), { TrunkSid: `TK${"0".repeat(32)}` }),
      404,
      20404,
    );
    assert.equal((await api.get(numberPath(api, number.sid))).body.trunk_sid, null);
  });
});

// The "vice versa" of the same sentence: a voice application takes the number off its trunk. The OpenAPI pattern
// for VoiceApplicationSid is ^AP[0-9a-fA-F]{32}$, so "" is rejected with 22108 ("Invalid Application SID … not a
// 34-character string that is prefixed with AP").
Deno.test("VoiceApplicationSid: an AP SID detaches the number; '' or a malformed SID is 400 22108", async () => {
  await withEmulator(async (emulator) => {
    const api = await emulator.newAccount();
    const trunk = await createTrunk(api);
    const number = await emulator.addNumber(api, "+15551230001", { voiceUrl: "https://example.com/voice" });
    await api.post(`/v1/Trunks/${trunk.sid}/PhoneNumbers`, { PhoneNumberSid: number.sid });
    const application = `AP${"a".repeat(32)}`;
    const updated = await api.post(numberPath(api, number.sid), { VoiceApplicationSid: application });
    assert.equal(updated.status, 200);
    assert.equal(updated.body.voice_application_sid, application);
    assert.equal(updated.body.trunk_sid, null);
    assert.equal(updated.body.voice_url, "https://example.com/voice");
    assert.deepEqual((await api.get(`/v1/Trunks/${trunk.sid}/PhoneNumbers`)).body.phone_numbers, []);

    for (const bad of ["", "AP123", `PN${"a".repeat(32)}`]) {
      assertTwilioError(
        await api.post(numberPath(api, number.sid), { VoiceApplicationSid: bad }),
        400,
        22108,
      );
    }
    assert.equal((await api.get(numberPath(api, number.sid))).body.voice_application_sid, application);
    // Lint: each deletes the other, so sending both has no documented outcome.
    const both = await api.post(numberPath(api, number.sid), {
      VoiceApplicationSid: application,
      TrunkSid: trunk.sid,
    });
    assertTwilioError(both, 400, 20001);
    assert.equal(
      (await api.post(numberPath(api, number.sid), { TrunkSid: trunk.sid })).body.voice_application_sid,
      "",
    );
  });
});

// twilio-api-facts.md: "Whether attaching a number that is on another trunk moves it or is rejected is
// undocumented" → the numberOnOtherTrunk switch, "reject" (400 21245, a guess) by default; also through TrunkSid.
Deno.test("TrunkSid of another trunk: rejected with 21245 by default, moved under numberOnOtherTrunk=move", async () => {
  await withEmulator(async (emulator) => {
    const api = await emulator.newAccount();
    const [first, second] = [await createTrunk(api), await createTrunk(api)];
    const number = await emulator.addNumber(api, "+15551230001");
    await api.post(numberPath(api, number.sid), { TrunkSid: first.sid });
    assertTwilioError(
      await api.post(numberPath(api, number.sid), { TrunkSid: second.sid }),
      400,
      21245,
      first.sid,
    );
    assert.equal((await api.get(numberPath(api, number.sid))).body.trunk_sid, first.sid);
    assert.equal((await api.post(numberPath(api, number.sid), { TrunkSid: first.sid })).status, 200);

    await emulator.admin("POST", "/_emulator/config", { numberOnOtherTrunk: "move" });
    assert.equal(
      (await api.post(numberPath(api, number.sid), { TrunkSid: second.sid })).body.trunk_sid,
      second.sid,
    );
    assert.deepEqual((await api.get(`/v1/Trunks/${first.sid}/PhoneNumbers`)).body.phone_numbers, []);
    assert.deepEqual((await emulator.state(api)).trunks[1].phone_numbers, [number.sid]);
  });
});

// twilio-api-facts.md, "Calls": "Outbound (termination) calls carry `trunk_sid`"; a call made without a trunk
// renders trunk_sid null (the Call resource examples) and phone_number_sid "" (twilio-python's call fixtures).
Deno.test("calls: shape, newest first, fetch, and filters To/From/Status/StartTime (=, <, >)", async () => {
  await withEmulator(async (emulator) => {
    const api = await emulator.newAccount();
    const trunk = await createTrunk(api);
    const first =
      (await emulator.addCall(api, { trunkSid: trunk.sid, to: "+15550001", from: "+15559999" })).call;
    const second =
      (await emulator.addCall(api, { to: "+15550002", from: "+15559999", status: "in-progress" })).call;
    const third =
      (await emulator.addCall(api, { to: "+15550001", from: "+15558888", durationSeconds: 5 })).call;

    assert.match(first.sid, /^CA[0-9a-f]{32}$/);
    assert.equal(first.account_sid, api.sid);
    assert.equal(first.trunk_sid, trunk.sid);
    assert.equal(first.direction, "trunking-terminating");
    assert.equal(first.phone_number_sid, "");
    assert.equal(second.direction, "outbound-api");
    assert.equal(second.phone_number_sid, "");
    assert.equal(first.status, "completed");
    assert.equal(first.duration, "30");
    assert.equal(new Date(first.end_time).getTime() - new Date(first.start_time).getTime(), 30_000);
    assert.equal(first.uri, api.account(`/Calls/${first.sid}.json`));
    assert.ok(first.subresource_uris.recordings);
    assert.equal(second.trunk_sid, null);
    assert.equal(second.end_time, null);
    assert.equal(third.duration, "5");
    assert.ok(new Date(first.date_created) < new Date(second.date_created));
    assert.ok(new Date(second.date_created) < new Date(third.date_created));
    assert.deepEqual((await api.get(api.account(`/Calls/${second.sid}.json`))).body, second);
    assertTwilioError(await api.get(api.account(`/Calls/CA${"0".repeat(32)}.json`)), 404, 20404);

    const calls = (query: Record<string, string>) =>
      api.get(api.account("/Calls.json"), query).then((r) => sids(r.body.calls));
    assert.deepEqual(await calls({}), sids([third, second, first]));
    assert.deepEqual(await calls({ To: "+15550001" }), sids([third, first]));
    assert.deepEqual(await calls({ From: "+15559999" }), sids([second, first]));
    assert.deepEqual(await calls({ Status: "in-progress" }), sids([second]));
    assert.deepEqual(await calls({ "StartTime>": isoSecond(second.start_time) }), sids([third, second]));
    assert.deepEqual(await calls({ "StartTime<": isoSecond(second.start_time) }), sids([second, first]));
    assert.deepEqual(await calls({ StartTime: isoSecond(second.start_time) }), sids([second]));
    const day = isoSecond(first.start_time).slice(0, 10);
    const sameDay = [third, second, first].filter((c) => isoSecond(c.start_time).startsWith(day));
    assert.deepEqual(await calls({ StartTime: day }), sids(sameDay));
    assert.deepEqual(await calls({ "StartTime<": "2000-01-01" }), []);
    assertTwilioError(await api.get(api.account("/Calls.json"), { StartTime: "yesterday" }), 400, 20001);
    const paged = await api.get(api.account("/Calls.json"), { PageSize: "2", To: "+15550001" });
    assert.deepEqual(sids(paged.body.calls), sids([third, first]));
    assert.equal(paged.body.next_page_uri, null);
  });
});

// twilio-api-facts.md, "Calls": "an inbound (origination, `direction` `trunking-originating`) call through the
// trunk has no `trunk_sid`; its `phone_number_sid` names the IncomingPhoneNumber that received it, and its `to` is
// a SIP URI (`sip:+1…@host;…`)". The host and parameters are those of the origination URL Twilio tries first.
Deno.test("calls: inbound through a trunk carry no trunk_sid, the number's phone_number_sid and a SIP URI to", async () => {
  await withEmulator(async (emulator) => {
    const api = await emulator.newAccount();
    const trunk = await createTrunk(api);
    const urls = `/v1/Trunks/${trunk.sid}/OriginationUrls`;
    await api.post(urls, { ...ORIGINATION_URL, Priority: "20", SipUrl: "sip:fallback.example.com" });
    await api.post(urls, {
      ...ORIGINATION_URL,
      Priority: "5",
      Enabled: "false",
      SipUrl: "sip:off.example.com",
    });
    await api.post(urls, ORIGINATION_URL);
    const number = await emulator.addNumber(api, "+15551230001");
    await api.post(`/v1/Trunks/${trunk.sid}/PhoneNumbers`, { PhoneNumberSid: number.sid });

    const { call } = await emulator.addCall(api, {
      direction: "inbound",
      phoneNumberSid: number.sid,
      from: "+15559990000",
    });
    assert.equal(call.direction, "trunking-originating");
    assert.equal(call.trunk_sid, null);
    assert.equal(call.phone_number_sid, number.sid);
    assert.equal(call.to, "sip:+15551230001@project.sip.livekit.cloud;transport=tcp");
    assert.equal(call.from, "+15559990000");
    await api.post(`/v1/Trunks/${trunk.sid}/Recording`, { Mode: "record-from-answer-dual" });
    const byNumber = await emulator.addCall(api, {
      phoneNumber: "+15551230001",
      from: "+15559990001",
      recordings: 1,
    });
    assert.equal(byNumber.call.phone_number_sid, number.sid, "a number alone means inbound");
    assert.deepEqual([byNumber.recordings[0].source, byNumber.recordings[0].channels], ["Trunking", 2]);

    const plain = await emulator.addNumber(api, "+15551230002");
    const direct =
      (await emulator.addCall(api, { direction: "inbound", phoneNumberSid: plain.sid, from: "+1" })).call;
    assert.equal(direct.direction, "inbound");
    assert.equal(direct.to, "+15551230002");
    assert.equal(direct.phone_number_sid, plain.sid);

    const calls = (query: Record<string, string>) =>
      api.get(api.account("/Calls.json"), query).then((r) => sids(r.body.calls));
    assert.deepEqual(await calls({ To: call.to }), sids([byNumber.call, call]));
    assert.deepEqual(await calls({ From: "+15559990000" }), sids([call]));
    assert.deepEqual((await api.get(api.account(`/Calls/${call.sid}.json`))).body, call);

    const path = `/_emulator/accounts/${api.sid}/calls`;
    const inbound = { direction: "inbound", from: "+1" };
    assertTwilioError(await emulator.admin("POST", path, inbound), 400, 20001, "phoneNumberSid");
    assertTwilioError(await emulator.admin("POST", path, { ...inbound, phoneNumber: "+19999" }), 404, 20404);
    assertTwilioError(
      await emulator.admin("POST", path, { ...inbound, phoneNumberSid: number.sid, to: "+1" }),
      400,
      20001,
    );
    assertTwilioError(
      await emulator.admin("POST", path, { direction: "outbound", to: "+1", from: "+2" }),
      400,
      20001,
    );
    const bare = await createTrunk(api);
    const unrouted = await emulator.addNumber(api, "+15551230003");
    await api.post(`/v1/Trunks/${bare.sid}/PhoneNumbers`, { PhoneNumberSid: unrouted.sid });
    const noUrl = await emulator.admin("POST", path, { ...inbound, phoneNumberSid: unrouted.sid });
    assertTwilioError(noUrl, 400, 20001, "origination URL");
  });
});

Deno.test("recordings: shape, source and channels, newest first, filters CallSid and DateCreated (=, <, >)", async () => {
  await withEmulator(async (emulator) => {
    const api = await emulator.newAccount();
    const trunk = await createTrunk(api);
    await api.post(`/v1/Trunks/${trunk.sid}/Recording`, { Mode: "record-from-answer-dual" });
    const trunked = await emulator.addCall(api, { trunkSid: trunk.sid, to: "+1", from: "+2", recordings: 3 });
    const direct = await emulator.addCall(api, { to: "+1", from: "+2", recordings: 1, durationSeconds: 7 });
    const [r1, r2, r3] = trunked.recordings;
    const [r4] = direct.recordings;

    assert.match(r1.sid, /^RE[0-9a-f]{32}$/);
    assert.equal(r1.call_sid, trunked.call.sid);
    assert.equal(r1.source, "Trunking");
    assert.equal(r1.channels, 2);
    assert.equal(r1.duration, "30");
    assert.equal(r1.status, "completed");
    assert.equal(r1.conference_sid, null);
    assert.equal(r1.price, null);
    assert.equal(r1.price_unit, "USD");
    assert.equal(r1.encryption_details, null);
    assert.equal(r1.error_code, null);
    assert.equal(r1.track, "both");
    assert.equal(r1.media_url, `https://api.twilio.com/2010-04-01/Accounts/${api.sid}/Recordings/${r1.sid}`);
    assert.equal(r1.uri, api.account(`/Recordings/${r1.sid}.json`));
    assert.equal(r4.source, "OutboundAPI");
    assert.equal(r4.channels, 1);
    assert.equal(r4.duration, "7");
    assert.deepEqual((await api.get(api.account(`/Recordings/${r2.sid}.json`))).body, r2);

    const recordings = (query: Record<string, string>) =>
      api.get(api.account("/Recordings.json"), query).then((r) => sids(r.body.recordings));
    assert.deepEqual(await recordings({}), sids([r4, r3, r2, r1]));
    assert.deepEqual(await recordings({ CallSid: trunked.call.sid }), sids([r3, r2, r1]));
    assert.deepEqual(await recordings({ "DateCreated>": isoSecond(r2.date_created) }), sids([r4, r3, r2]));
    assert.deepEqual(await recordings({ "DateCreated<": isoSecond(r2.date_created) }), sids([r2, r1]));
    assert.deepEqual(await recordings({ DateCreated: isoSecond(r3.date_created) }), sids([r3]));
    assert.deepEqual(
      await recordings({
        "DateCreated>": isoSecond(r2.date_created),
        "DateCreated<": isoSecond(r3.date_created),
        CallSid: trunked.call.sid,
      }),
      sids([r3, r2]),
    );

    const firstPage = await api.get(api.account("/Recordings.json"), {
      PageSize: "3",
      CallSid: trunked.call.sid,
    });
    assert.deepEqual(sids(firstPage.body.recordings), sids([r3, r2, r1]));
    const page = await api.get(api.account("/Recordings.json"), { PageSize: "2" });
    assert.deepEqual(sids(page.body.recordings), sids([r4, r3]));
    assert.deepEqual(sids((await api.follow(page.body.next_page_uri)).body.recordings), sids([r2, r1]));
  });
});

async function fetchMedia(api: Api, path: string) {
  const response = await api.raw("GET", path);
  assert.equal(response.status, 200, path);
  return { type: response.headers.get("content-type"), bytes: new Uint8Array(await response.arrayBuffer()) };
}

const wavChannels = (bytes: Uint8Array) => new DataView(bytes.buffer).getUint16(22, true);

// twilio-api-facts.md: "Dual-channel recordings download as a mono mix unless the media URL carries
// `?RequestedChannels=2` (16113 if the recording has one channel)."
Deno.test("recording media: a dual recording downloads as a mono mix unless RequestedChannels=2; mono + 2 is 16113", async () => {
  await withEmulator(async (emulator) => {
    const api = await emulator.newAccount();
    const dual =
      (await emulator.addCall(api, { to: "+1", from: "+2", recordings: 1, channels: 2 })).recordings[0];
    const mono = (await emulator.addCall(api, { to: "+1", from: "+2", recordings: 1 })).recordings[0];
    assert.equal(dual.channels, 2);
    const base = api.account(`/Recordings/${dual.sid}`);
    assert.equal(wavChannels((await fetchMedia(api, `${base}.wav`)).bytes), 1, "mono mix by default");
    assert.equal(wavChannels((await fetchMedia(api, `${base}.wav?RequestedChannels=1`)).bytes), 1);
    assert.equal(wavChannels((await fetchMedia(api, `${base}.wav?RequestedChannels=2`)).bytes), 2);
    assert.equal(wavChannels((await fetchMedia(api, `${base}?RequestedChannels=2`)).bytes), 2);
    const mp3ChannelMode = async (query: string) => {
      const { bytes } = await fetchMedia(api, `${base}.mp3${query}`);
      const tagSize = 10 + ((bytes[6] << 21) | (bytes[7] << 14) | (bytes[8] << 7) | bytes[9]);
      return bytes[tagSize + 3] >> 6; // 3 = mono, 0 = stereo
    };
    assert.equal(await mp3ChannelMode(""), 3);
    assert.equal(await mp3ChannelMode("?RequestedChannels=2"), 0);

    const monoPath = api.account(`/Recordings/${mono.sid}.wav`);
    assertTwilioError(await api.get(monoPath, { RequestedChannels: "2" }), 400, 16113);
    assert.equal(wavChannels((await fetchMedia(api, monoPath)).bytes), 1);
  });
});

Deno.test("recording media: WAV (default and .wav) and MP3, deterministic per recording, behind Basic auth", async () => {
  await withEmulator(async (emulator) => {
    const api = await emulator.newAccount();
    const { recordings } = await emulator.addCall(api, { to: "+1", from: "+2", recordings: 2 });
    const base = api.account(`/Recordings/${recordings[0].sid}`);
    const wav = await fetchMedia(api, `${base}.wav`);
    assert.equal(wav.type, "audio/x-wav");
    const view = new DataView(wav.bytes.buffer);
    assert.equal(new TextDecoder().decode(wav.bytes.slice(0, 4)), "RIFF");
    assert.equal(new TextDecoder().decode(wav.bytes.slice(8, 12)), "WAVE");
    assert.equal(view.getUint32(4, true), wav.bytes.length - 8);
    assert.equal(view.getUint16(20, true), 1); // PCM
    assert.equal(wavChannels(wav.bytes), 1);
    assert.equal(view.getUint32(40, true), wav.bytes.length - 44);

    assert.deepEqual((await fetchMedia(api, base)).bytes, wav.bytes);
    assert.equal((await fetchMedia(api, base)).type, "audio/x-wav");
    assert.deepEqual((await fetchMedia(api, `${base}.wav`)).bytes, wav.bytes);
    const otherRecording = await fetchMedia(api, api.account(`/Recordings/${recordings[1].sid}.wav`));
    assert.notDeepEqual(otherRecording.bytes, wav.bytes);

    const mp3 = await fetchMedia(api, `${base}.mp3`);
    assert.equal(mp3.type, "audio/mpeg");
    assert.equal(new TextDecoder().decode(mp3.bytes.slice(0, 3)), "ID3");
    const tagSize = 10 + ((mp3.bytes[6] << 21) | (mp3.bytes[7] << 14) | (mp3.bytes[8] << 7) | mp3.bytes[9]);
    assert.deepEqual([...mp3.bytes.slice(tagSize, tagSize + 2)], [0xff, 0xfb]);
    assert.deepEqual((await fetchMedia(api, `${base}.mp3`)).bytes, mp3.bytes);
    const otherMp3 = await fetchMedia(api, api.account(`/Recordings/${recordings[1].sid}.mp3`));
    assert.notDeepEqual(otherMp3.bytes, mp3.bytes);

    assertTwilioError(await api.get(`${base}.wav`, { RequestedChannels: "3" }), 400, 20001);
    assertTwilioError(await api.get(api.account(`/Recordings/RE${"0".repeat(32)}.mp3`)), 404, 20404);
    const noAuth = await fetch(`${emulator.url}${base}.wav`);
    assert.equal(noAuth.status, 401);
    await noAuth.body?.cancel();
  });
});

// twilio-api-facts.md: "A recording whose `status` is not `completed` has no media yet" (404 20404, as Twilio's
// media URLs answer before the file exists). Encrypted recordings carry encryption_details (shape of the
// Recording examples: encryption_public_key_sid, encryption_cek, encryption_iv) and ciphertext media. With
// external storage media_url points off api.twilio.com and Twilio keeps no media ("it won't be possible … to
// fetch a recording media file", Twilio's external S3 storage announcement).
Deno.test("recordings: status without media, encryption and external storage are visible and refuse media", async () => {
  await withEmulator(async (emulator) => {
    const api = await emulator.newAccount();
    const seed = (recording: Record<string, unknown>) =>
      emulator.addCall(api, { to: "+1", from: "+2", recordings: 1, recording }).then((r) => r.recordings[0]);
    const mediaPath = (sid: string) => api.account(`/Recordings/${sid}.wav`);

    const processing = await seed({ status: "processing" });
    assert.equal(processing.status, "processing");
    assertTwilioError(await api.get(mediaPath(processing.sid)), 404, 20404);
    const path = `/_emulator/accounts/${api.sid}/recordings/${processing.sid}`;
    const completed = await emulator.admin("POST", path, { status: "completed" });
    assert.equal(completed.body.status, "completed");
    assert.equal(wavChannels((await fetchMedia(api, mediaPath(processing.sid))).bytes), 1);
    for (const status of ["in-progress", "paused", "stopped", "absent", "deleted"]) {
      assertTwilioError(await api.get(mediaPath((await seed({ status })).sid)), 404, 20404);
    }

    const encrypted = await seed({ encrypted: true });
    assert.match(encrypted.encryption_details.encryption_public_key_sid, /^CR[0-9a-f]{32}$/);
    assert.equal(typeof encrypted.encryption_details.encryption_cek, "string");
    assert.equal(atob(encrypted.encryption_details.encryption_iv).length, 12);
    const cipher = await fetchMedia(api, mediaPath(encrypted.sid));
    assert.notEqual(new TextDecoder().decode(cipher.bytes.slice(0, 4)), "RIFF");
    assert.deepEqual((await fetchMedia(api, mediaPath(encrypted.sid))).bytes, cipher.bytes);
    assert.deepEqual((await api.get(api.account(`/Recordings/${encrypted.sid}.json`))).body, encrypted);

    const s3 = "https://acme-recordings.s3.amazonaws.com/calls";
    const external = await seed({ externalMediaUrl: s3 });
    assert.equal(external.media_url, s3);
    assertTwilioError(await api.get(mediaPath(external.sid)), 404, 20404);

    const plain = await seed({});
    assert.equal(plain.status, "completed");
    assert.equal(plain.encryption_details, null);
    assert.equal(plain.media_url, `https://api.twilio.com${api.account(`/Recordings/${plain.sid}`)}`);

    const calls = `/_emulator/accounts/${api.sid}/calls`;
    for (const recording of [{ status: "done" }, { encrypted: "yes" }, { externalMediaUrl: "not a url" }]) {
      assertTwilioError(
        await emulator.admin("POST", calls, { to: "+1", from: "+2", recordings: 1, recording }),
        400,
        20001,
      );
    }
    const other = await emulator.newAccount();
    assertTwilioError(
      await emulator.admin("POST", `/_emulator/accounts/${other.sid}/recordings/${plain.sid}`, {}),
      404,
      20404,
    );
  });
});
