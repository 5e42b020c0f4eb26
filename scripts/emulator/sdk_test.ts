// Drives the emulator with the official twilio SDK (npm:twilio@6.2.0) to prove its shapes deserialize,
// its paging links are followed and its errors carry Twilio's codes.
import assert from "node:assert/strict";
import twilio from "twilio";
import { withEmulator } from "./testing.ts";

interface SdkRequest {
  method: string;
  uri: string;
  username?: string;
  password?: string;
  headers?: Record<string, string>;
  params?: Record<string, unknown>;
  data?: Record<string, unknown>;
}

/** Appends each value; arrays repeat the key, as Twilio expects for multi-valued parameters. */
function appendAll(target: URLSearchParams, values: Record<string, unknown> = {}): void {
  for (const [key, value] of Object.entries(values)) {
    for (const item of [value].flat()) if (item !== undefined) target.append(key, String(item));
  }
}

/** A minimal SDK httpClient for tests: rewrites twilio.com hosts to the emulator and uses fetch. */
function emulatorHttpClient(emulatorUrl: string, requests: string[]) {
  return {
    async request(opts: SdkRequest) {
      const url = new URL(opts.uri.replace(/^https:\/\/(api|trunking)\.twilio\.com/, emulatorUrl));
      appendAll(url.searchParams, opts.params);
      const headers = new Headers(opts.headers);
      headers.set("authorization", `Basic ${btoa(`${opts.username}:${opts.password}`)}`);
      let body: string | undefined;
      if (opts.data) {
        const form = new URLSearchParams();
        appendAll(form, opts.data);
        body = form.toString();
        headers.set("content-type", "application/x-www-form-urlencoded");
      }
      const method = opts.method.toUpperCase();
      requests.push(`${method} ${url.pathname}${url.search}`);
      const response = await fetch(url, { method, headers, body });
      return {
        statusCode: response.status,
        body: await response.text(),
        headers: Object.fromEntries(response.headers),
      };
    },
  };
}

Deno.test("official twilio SDK: create, associate, list with paging, update, remove, and typed errors", async () => {
  await withEmulator(async (emulator) => {
    const api = await emulator.newAccount();
    const requests: string[] = [];
    const client = twilio(api.sid, api.token, {
      httpClient: emulatorHttpClient(emulator.url, requests) as unknown as twilio.RequestClient,
    });

    const account = await client.api.v2010.accounts(api.sid).fetch();
    assert.equal(account.sid, api.sid);
    assert.equal(account.status, "active");
    assert.ok(account.dateCreated instanceof Date && !Number.isNaN(account.dateCreated.getTime()));

    const trunk = await client.trunking.v1.trunks.create({
      friendlyName: "sdk",
      domainName: "sdk-test.pstn.twilio.com",
      secure: false,
    });
    assert.match(trunk.sid, /^TK[0-9a-f]{32}$/);
    assert.equal(trunk.domainName, "sdk-test.pstn.twilio.com");
    assert.deepEqual(trunk.recording, { mode: "do-not-record", trim: "do-not-trim" });
    assert.ok(trunk.dateCreated instanceof Date && !Number.isNaN(trunk.dateCreated.getTime()));

    const sip = client.api.v2010.accounts(api.sid).sip;
    const list = await sip.credentialLists.create({ friendlyName: "sdk-agents" });
    assert.match(list.sid, /^CL[0-9a-f]{32}$/);
    assert.ok(!Number.isNaN(list.dateCreated.getTime()), "RFC 2822 dates parse");
    const credential = await sip.credentialLists(list.sid).credentials.create({
      username: "agent",
      password: "Str0ngPassword1",
    });
    assert.equal(credential.username, "agent");
    assert.equal(credential.credentialListSid, list.sid);
    assert.ok(!JSON.stringify(credential.toJSON()).includes("Str0ngPassword1"));

    const association = await client.trunking.v1.trunks(trunk.sid).credentialsLists.create({
      credentialListSid: list.sid,
    });
    assert.equal(association.sid, list.sid);
    assert.deepEqual((await client.trunking.v1.trunks(trunk.sid).fetch()).authTypeSet, ["CREDENTIAL_LIST"]);

    const origination = await client.trunking.v1.trunks(trunk.sid).originationUrls.create({
      weight: 10,
      priority: 1,
      enabled: true,
      friendlyName: "livekit",
      sipUrl: "sip:project.sip.livekit.cloud;transport=tcp",
    });
    assert.equal(origination.weight, 10);
    assert.equal(origination.enabled, true);
    assert.equal(origination.sipUrl, "sip:project.sip.livekit.cloud;transport=tcp");

    const number = await emulator.addNumber(api, "+15551230001", { voiceUrl: "https://example.com/v" });
    const attached = await client.trunking.v1.trunks(trunk.sid).phoneNumbers.create({
      phoneNumberSid: number.sid,
    });
    assert.equal(attached.trunkSid, trunk.sid);
    assert.equal(attached.voiceUrl, "https://example.com/v");
    const detached = await client.api.v2010.accounts(api.sid).incomingPhoneNumbers(number.sid).update({
      trunkSid: "",
    });
    assert.equal(detached.trunkSid, null);

    const recording = await client.trunking.v1.trunks(trunk.sid).recordings().update({
      mode: "record-from-answer-dual",
    });
    assert.equal(recording.mode, "record-from-answer-dual");

    for (let i = 0; i < 5; i++) await client.trunking.v1.trunks.create({ friendlyName: `bulk-${i}` });
    requests.length = 0;
    const paged = await client.trunking.v1.trunks.list({ pageSize: 2, limit: 5 });
    assert.deepEqual(paged.map((t) => t.friendlyName), ["sdk", "bulk-0", "bulk-1", "bulk-2", "bulk-3"]);
    assert.equal(requests.length, 3, `three pages of two: ${requests.join(", ")}`);
    assert.match(requests[1], /PageToken=/);
    const all = await client.trunking.v1.trunks.list({ pageSize: 4 });
    assert.equal(all.length, 6);

    await emulator.addCall(api, {
      trunkSid: trunk.sid,
      to: "+15551230001",
      from: "+15550000000",
      recordings: 3,
    });
    const recordings = await client.api.v2010.accounts(api.sid).recordings.list({ pageSize: 2 });
    assert.equal(recordings.length, 3);
    assert.ok(recordings.every((r) => r.source === "Trunking" && r.channels === 2));
    const calls = await client.api.v2010.accounts(api.sid).calls.list({ to: "+15551230001" });
    assert.equal(calls.length, 1);
    assert.equal(calls[0].trunkSid, trunk.sid);
    assert.equal(calls[0].direction, "trunking-terminating");

    const otherAccount = await emulator.newAccount();
    const other = twilio(otherAccount.sid, otherAccount.token, {
      httpClient: emulatorHttpClient(emulator.url, []) as unknown as twilio.RequestClient,
    });
    await assert.rejects(
      other.trunking.v1.trunks.create({ domainName: "sdk-test.pstn.twilio.com" }),
      (error: { status: number; code: number; moreInfo: string }) => {
        assert.equal(error.status, 400);
        assert.equal(error.code, 21248);
        assert.equal(error.moreInfo, "https://www.twilio.com/docs/errors/21248");
        return true;
      },
    );
    await assert.rejects(sip.credentialLists(list.sid).remove(), { status: 400, code: 21241 });
    await assert.rejects(client.trunking.v1.trunks(`TK${"0".repeat(32)}`).fetch(), {
      status: 404,
      code: 20404,
    });

    assert.equal(await client.trunking.v1.trunks(trunk.sid).credentialsLists(list.sid).remove(), true);
    assert.equal(await sip.credentialLists(list.sid).remove(), true);
    assert.equal(await client.trunking.v1.trunks(trunk.sid).remove(), true);

    const wrong = twilio(api.sid, "0".repeat(32), {
      httpClient: emulatorHttpClient(emulator.url, []) as unknown as twilio.RequestClient,
    });
    await assert.rejects(wrong.trunking.v1.trunks.list(), { status: 401, code: 20003 });
  });
});
