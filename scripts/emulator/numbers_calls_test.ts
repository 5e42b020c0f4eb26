// 2010 incoming phone numbers (including trunk attach via TrunkSid), calls, recordings and recording media.
import assert from "node:assert/strict";
import { type Api, assertTwilioError, createTrunk, type Json, withEmulator } from "./testing.ts";

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
    assert.equal(number.voice_fallback_url, null);
    assert.equal(number.voice_application_sid, null);
    assert.equal(number.trunk_sid, null);
    assert.equal(number.status_callback, null);
    assert.equal(number.sms_url, null);
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

Deno.test("TrunkSid on a number attaches like the trunking API, moves between trunks, and '' detaches", async () => {
  await withEmulator(async (emulator) => {
    const api = await emulator.newAccount();
    const trunk = await createTrunk(api);
    const number = await emulator.addNumber(api, "+15551230001", {
      voiceUrl: "https://example.com/voice",
      voiceApplicationSid: `AP${"2".repeat(32)}`,
    });
    const attached = await api.post(numberPath(api, number.sid), {
      TrunkSid: trunk.sid,
      VoiceUrl: "https://example.com/ignored",
    });
    assert.equal(attached.status, 200);
    assert.equal(attached.body.trunk_sid, trunk.sid);
    assert.equal(attached.body.voice_url, null);
    assert.equal(attached.body.voice_method, null);
    assert.equal(attached.body.voice_application_sid, null);
    assert.deepEqual(sids((await api.get(`/v1/Trunks/${trunk.sid}/PhoneNumbers`)).body.phone_numbers), [
      number.sid,
    ]);

    const second = await createTrunk(api);
    await api.post(numberPath(api, number.sid), { TrunkSid: second.sid });
    assert.deepEqual((await api.get(`/v1/Trunks/${trunk.sid}/PhoneNumbers`)).body.phone_numbers, []);
    assert.deepEqual((await emulator.state(api)).trunks[1].phone_numbers, [number.sid]);

    const detached = await api.post(numberPath(api, number.sid), { TrunkSid: "" });
    assert.equal(detached.body.trunk_sid, null);
    assert.equal(detached.body.voice_url, null);
    assert.deepEqual((await api.get(`/v1/Trunks/${second.sid}/PhoneNumbers`)).body.phone_numbers, []);

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
    assert.equal(first.direction, "trunking-originating");
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

Deno.test("recording media: WAV (default, .wav, RequestedChannels=2) and MP3, deterministic per recording", async () => {
  await withEmulator(async (emulator) => {
    const api = await emulator.newAccount();
    const { recordings } = await emulator.addCall(api, { to: "+1", from: "+2", recordings: 2 });
    const media = async (path: string) => {
      const response = await api.raw("GET", path);
      assert.equal(response.status, 200);
      return {
        type: response.headers.get("content-type"),
        bytes: new Uint8Array(await response.arrayBuffer()),
      };
    };
    const base = api.account(`/Recordings/${recordings[0].sid}`);
    const wav = await media(`${base}.wav`);
    assert.equal(wav.type, "audio/x-wav");
    const view = new DataView(wav.bytes.buffer);
    assert.equal(new TextDecoder().decode(wav.bytes.slice(0, 4)), "RIFF");
    assert.equal(new TextDecoder().decode(wav.bytes.slice(8, 12)), "WAVE");
    assert.equal(view.getUint32(4, true), wav.bytes.length - 8);
    assert.equal(view.getUint16(20, true), 1); // PCM
    assert.equal(view.getUint16(22, true), 1); // channels
    assert.equal(view.getUint32(40, true), wav.bytes.length - 44);

    const stereo = await media(`${base}.wav?RequestedChannels=2`);
    assert.equal(new DataView(stereo.bytes.buffer).getUint16(22, true), 2);
    assert.deepEqual((await media(base)).bytes, wav.bytes);
    assert.equal((await media(base)).type, "audio/x-wav");
    assert.deepEqual((await media(`${base}.wav`)).bytes, wav.bytes);
    const otherRecording = await media(api.account(`/Recordings/${recordings[1].sid}.wav`));
    assert.notDeepEqual(otherRecording.bytes, wav.bytes);

    const mp3 = await media(`${base}.mp3`);
    assert.equal(mp3.type, "audio/mpeg");
    assert.equal(new TextDecoder().decode(mp3.bytes.slice(0, 3)), "ID3");
    const tagSize = 10 + ((mp3.bytes[6] << 21) | (mp3.bytes[7] << 14) | (mp3.bytes[8] << 7) | mp3.bytes[9]);
    assert.deepEqual([...mp3.bytes.slice(tagSize, tagSize + 2)], [0xff, 0xfb]);
    assert.deepEqual((await media(`${base}.mp3`)).bytes, mp3.bytes);
    assert.notDeepEqual((await media(api.account(`/Recordings/${recordings[1].sid}.mp3`))).bytes, mp3.bytes);

    assertTwilioError(await api.get(`${base}.wav`, { RequestedChannels: "3" }), 400, 20001);
    assertTwilioError(await api.get(api.account(`/Recordings/RE${"0".repeat(32)}.mp3`)), 404, 20404);
    const noAuth = await fetch(`${emulator.url}${base}.wav`);
    assert.equal(noAuth.status, 401);
    await noAuth.body?.cancel();
  });
});
