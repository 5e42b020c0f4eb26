// Trunking v1: trunks, credential list associations, origination URLs, phone numbers, recording.
import assert from "node:assert/strict";
import { trunkLinks } from "./render.ts";
import {
  assertTwilioError,
  createCredentialList,
  createTrunk,
  type Json,
  ORIGINATION_URL,
  withEmulator,
} from "./testing.ts";

Deno.test("trunk create/fetch/update/list/delete with the full resource shape", async () => {
  await withEmulator(async (emulator) => {
    const api = await emulator.newAccount();
    const trunk = await createTrunk(api, {
      FriendlyName: "main",
      DomainName: "acme-1.pstn.twilio.com",
      DisasterRecoveryUrl: "https://example.com/dr",
      DisasterRecoveryMethod: "GET",
      TransferMode: "sip-only",
      Secure: "true",
      CnamLookupEnabled: "true",
      TransferCallerId: "from-transferor",
    });
    const url = `https://trunking.twilio.com/v1/Trunks/${trunk.sid}`;
    assert.deepEqual(trunk, {
      sid: trunk.sid,
      account_sid: api.sid,
      friendly_name: "main",
      domain_name: "acme-1.pstn.twilio.com",
      secure: true,
      recording: { mode: "do-not-record", trim: "do-not-trim" },
      transfer_mode: "sip-only",
      transfer_caller_id: "from-transferor",
      cnam_lookup_enabled: true,
      auth_type: "",
      auth_type_set: [],
      symmetric_rtp_enabled: false,
      disaster_recovery_url: "https://example.com/dr",
      disaster_recovery_method: "GET",
      date_created: trunk.date_created,
      date_updated: trunk.date_updated,
      url,
      links: trunkLinks(url),
    });
    assert.deepEqual((await api.get(`/v1/Trunks/${trunk.sid}`)).body, trunk);

    const updated = await api.post(`/v1/Trunks/${trunk.sid}`, { FriendlyName: "renamed", Secure: "false" });
    assert.equal(updated.status, 200);
    assert.equal(updated.body.friendly_name, "renamed");
    assert.equal(updated.body.secure, false);
    assert.equal(updated.body.domain_name, "acme-1.pstn.twilio.com");

    // twilio-api-facts.md: "`TransferMode` defaults to `disable-all`"; twilio_trunking_v1.json: transfer_caller_id
    // "from-transferee (default)", secure and cnam_lookup_enabled booleans, symmetric_rtp_enabled on Trunks.
    const defaults = await createTrunk(api);
    assert.equal(defaults.transfer_mode, "disable-all");
    assert.equal(defaults.transfer_caller_id, "from-transferee");
    assert.equal(defaults.secure, false);
    assert.equal(defaults.cnam_lookup_enabled, false);
    assert.equal(defaults.symmetric_rtp_enabled, false);
    assert.equal(defaults.domain_name, null);
    assert.equal((await api.get("/v1/Trunks")).body.trunks.length, 2);

    assert.equal((await api.delete(`/v1/Trunks/${trunk.sid}`)).status, 204);
    assertTwilioError(await api.get(`/v1/Trunks/${trunk.sid}`), 404, 20404);
    assertTwilioError(await api.delete(`/v1/Trunks/${trunk.sid}`), 404, 20404);
    assert.equal((await emulator.state(api)).trunks.length, 1);
  });
});

Deno.test("trunk FriendlyName longer than 64 characters is 400 21245 (create and update)", async () => {
  await withEmulator(async (emulator) => {
    const api = await emulator.newAccount();
    assert.equal((await api.post("/v1/Trunks", { FriendlyName: "x".repeat(64) })).status, 201);
    assertTwilioError(await api.post("/v1/Trunks", { FriendlyName: "x".repeat(65) }), 400, 21245);
    const trunk = await createTrunk(api);
    assertTwilioError(
      await api.post(`/v1/Trunks/${trunk.sid}`, { FriendlyName: "y".repeat(65) }),
      400,
      21245,
    );
    assert.equal((await emulator.state(api)).trunks.length, 2);
  });
});

Deno.test("trunk DomainName: labels of letters/digits/-, ≤63 chars, ending in pstn.twilio.com, else 21245", async () => {
  await withEmulator(async (emulator) => {
    const api = await emulator.newAccount();
    for (
      const bad of [
        "acme.example.com",
        "pstn.twilio.com",
        "acme_1.pstn.twilio.com",
        "ac me.pstn.twilio.com",
        "acme..pstn.twilio.com",
        `${"a".repeat(64)}.pstn.twilio.com`,
        "acme.pstn.twilio.com.evil",
      ]
    ) {
      assertTwilioError(await api.post("/v1/Trunks", { DomainName: bad }), 400, 21245, "DomainName");
    }
    assert.equal(
      (await api.post("/v1/Trunks", { DomainName: `${"a".repeat(63)}.pstn.twilio.com` })).status,
      201,
    );
    assert.equal((await api.post("/v1/Trunks", { DomainName: "Acme-2.us.pstn.twilio.com" })).status, 201);
    const trunk = await createTrunk(api);
    assertTwilioError(await api.post(`/v1/Trunks/${trunk.sid}`, { DomainName: "x.example.com" }), 400, 21245);
  });
});

// twilio-api-facts.md: DomainName "unique across all of Twilio (taken: error 21248)"; "21245 | trunk validation: …
// a second trunk with the same termination URI in one account" (switch sameAccountDuplicateDomain, default 21245).
Deno.test("trunk DomainName: another account's is 21248, the same account's 21245 (switchable), on create and update", async () => {
  await withEmulator(async (emulator) => {
    const first = await emulator.newAccount();
    const second = await emulator.newAccount();
    const owner = await createTrunk(first, { DomainName: "taken.pstn.twilio.com" });
    assertTwilioError(await second.post("/v1/Trunks", { DomainName: "taken.pstn.twilio.com" }), 400, 21248);
    assertTwilioError(await first.post("/v1/Trunks", { DomainName: "TAKEN.pstn.twilio.com" }), 400, 21245);
    const other = await createTrunk(second);
    assertTwilioError(
      await second.post(`/v1/Trunks/${other.sid}`, { DomainName: "taken.pstn.twilio.com" }),
      400,
      21248,
    );
    const sibling = await createTrunk(first);
    assertTwilioError(
      await first.post(`/v1/Trunks/${sibling.sid}`, { DomainName: "taken.pstn.twilio.com" }),
      400,
      21245,
    );
    await emulator.admin("POST", "/_emulator/config", { sameAccountDuplicateDomain: "21248" });
    assertTwilioError(await first.post("/v1/Trunks", { DomainName: "taken.pstn.twilio.com" }), 400, 21248);
    // Re-saving a trunk's own domain is not a conflict.
    assert.equal(
      (await first.post(`/v1/Trunks/${owner.sid}`, { DomainName: "taken.pstn.twilio.com" })).status,
      200,
    );
  });
});

// twilio-api-facts.md: "A deleted trunk's domain stays reserved for up to 30 days (21248 meanwhile)". The admin
// call POST /_emulator/domains/release ends the reservation early for tests that need the domain again.
Deno.test("a deleted trunk's domain stays taken (21248) for every account until the admin releases it", async () => {
  await withEmulator(async (emulator) => {
    const first = await emulator.newAccount();
    const second = await emulator.newAccount();
    const trunk = await createTrunk(first, { DomainName: "gone.pstn.twilio.com" });
    await createTrunk(first, { DomainName: "kept-gone.pstn.twilio.com" }).then((t) =>
      first.delete(`/v1/Trunks/${t.sid}`)
    );
    assert.equal((await first.delete(`/v1/Trunks/${trunk.sid}`)).status, 204);
    assertTwilioError(await first.post("/v1/Trunks", { DomainName: "gone.pstn.twilio.com" }), 400, 21248);
    assertTwilioError(await second.post("/v1/Trunks", { DomainName: "Gone.pstn.twilio.com" }), 400, 21248);
    const renamed = await createTrunk(second);
    assertTwilioError(
      await second.post(`/v1/Trunks/${renamed.sid}`, { DomainName: "gone.pstn.twilio.com" }),
      400,
      21248,
    );

    const released = await emulator.admin("POST", "/_emulator/domains/release", {
      domainName: "GONE.pstn.twilio.com",
    });
    assert.deepEqual(released.body, { released: ["gone.pstn.twilio.com"] });
    assert.equal((await second.post("/v1/Trunks", { DomainName: "gone.pstn.twilio.com" })).status, 201);
    assertTwilioError(
      await first.post("/v1/Trunks", { DomainName: "kept-gone.pstn.twilio.com" }),
      400,
      21248,
    );
    assert.deepEqual((await emulator.admin("POST", "/_emulator/domains/release", {})).body, {
      released: ["kept-gone.pstn.twilio.com"],
    });
    assert.equal((await first.post("/v1/Trunks", { DomainName: "kept-gone.pstn.twilio.com" })).status, 201);
  });
});

// twilio-api-facts.md, create trunk: "TransferMode (disable-all, enable-all, sip-only), Secure, CnamLookupEnabled,
// TransferCallerId (from-transferee, from-transferor)"; "Recording cannot be changed through the trunk update".
Deno.test("trunk enums and booleans are validated (400 20001); Recording is not a trunk update parameter", async () => {
  await withEmulator(async (emulator) => {
    const api = await emulator.newAccount();
    const cases: Record<string, string>[] = [
      { TransferMode: "sometimes" },
      { TransferCallerId: "from-nobody" },
      { DisasterRecoveryMethod: "PUT" },
      { Secure: "True" },
      { CnamLookupEnabled: "yes" },
    ];
    for (const form of cases) assertTwilioError(await api.post("/v1/Trunks", form), 400, 20001);
    for (const mode of ["disable-all", "enable-all", "sip-only"]) {
      assert.equal((await api.post("/v1/Trunks", { TransferMode: mode })).body.transfer_mode, mode);
    }
    const trunk = await createTrunk(api);
    const updated = await api.post(`/v1/Trunks/${trunk.sid}`, {
      TransferMode: "enable-all",
      TransferCallerId: "from-transferor",
      Secure: "true",
    });
    assert.equal(updated.body.transfer_mode, "enable-all");
    assert.equal(updated.body.transfer_caller_id, "from-transferor");
    assert.equal(updated.body.secure, true);
    for (const form of cases) assertTwilioError(await api.post(`/v1/Trunks/${trunk.sid}`, form), 400, 20001);
    assert.equal((await api.get(`/v1/Trunks/${trunk.sid}`)).body.transfer_mode, "enable-all");
    assertTwilioError(
      await api.post(`/v1/Trunks/${trunk.sid}`, { Recording: "record-from-answer" }),
      400,
      20001,
    );
    assertTwilioError(await api.post("/v1/Trunks", { Recording: "record-from-answer" }), 400, 20001);
    assert.equal((await api.get(`/v1/Trunks/${trunk.sid}`)).body.recording.mode, "do-not-record");
  });
});

Deno.test("at most 1000 trunks per account (21244); other accounts are unaffected", async () => {
  await withEmulator(async (emulator) => {
    const api = await emulator.newAccount();
    for (let batch = 0; batch < 10; batch++) {
      const replies = await Promise.all(Array.from({ length: 100 }, () => api.post("/v1/Trunks")));
      assert.ok(replies.every((r) => r.status === 201));
    }
    assertTwilioError(await api.post("/v1/Trunks", { FriendlyName: "one too many" }), 400, 21244);
    assert.equal((await emulator.state(api)).trunks.length, 1000);
    const other = await emulator.newAccount();
    assert.equal((await other.post("/v1/Trunks")).status, 201);
  });
});

Deno.test("credential list association: 201 shape, auth_type_set, duplicate 21245, other account 404", async () => {
  await withEmulator(async (emulator) => {
    const api = await emulator.newAccount();
    const trunk = await createTrunk(api);
    const list = await createCredentialList(api, "agents");
    const path = `/v1/Trunks/${trunk.sid}/CredentialLists`;
    const associated = await api.post(path, { CredentialListSid: list.sid });
    assert.equal(associated.status, 201);
    assert.deepEqual(associated.body, {
      account_sid: api.sid,
      sid: list.sid,
      trunk_sid: trunk.sid,
      friendly_name: "agents",
      date_created: associated.body.date_created,
      date_updated: associated.body.date_updated,
      url: `https://trunking.twilio.com${path}/${list.sid}`,
    });
    const withList = (await api.get(`/v1/Trunks/${trunk.sid}`)).body;
    assert.deepEqual(withList.auth_type_set, ["CREDENTIAL_LIST"]);
    assert.equal(withList.auth_type, "CREDENTIAL_LIST");

    assertTwilioError(await api.post(path, { CredentialListSid: list.sid }), 400, 21245);

    const other = await emulator.newAccount();
    const foreign = await createCredentialList(other, "foreign");
    assertTwilioError(await api.post(path, { CredentialListSid: foreign.sid }), 404, 20404);
    assertTwilioError(await api.post(path, { CredentialListSid: `CL${"0".repeat(32)}` }), 404, 20404);

    const listed = await api.get(path);
    assert.equal(listed.body.meta.key, "credential_lists");
    assert.deepEqual(listed.body.credential_lists.map((l: Json) => l.sid), [list.sid]);
    assert.equal((await api.get(`${path}/${list.sid}`)).body.sid, list.sid);
    assert.deepEqual((await emulator.state(api)).trunks[0].credential_lists, [list.sid]);

    assert.equal((await api.delete(`${path}/${list.sid}`)).status, 204);
    assertTwilioError(await api.get(`${path}/${list.sid}`), 404, 20404);
    assertTwilioError(await api.delete(`${path}/${list.sid}`), 404, 20404);
    assert.deepEqual((await api.get(`/v1/Trunks/${trunk.sid}`)).body.auth_type_set, []);
    // The list itself survives the disassociation.
    assert.equal((await api.get(api.account(`/SIP/CredentialLists/${list.sid}.json`))).status, 200);
  });
});

Deno.test("origination URL: create/fetch/update/list/delete; sip: only, parameters kept verbatim", async () => {
  await withEmulator(async (emulator) => {
    const api = await emulator.newAccount();
    const trunk = await createTrunk(api);
    const path = `/v1/Trunks/${trunk.sid}/OriginationUrls`;
    const created = await api.post(path, ORIGINATION_URL);
    assert.equal(created.status, 201);
    const url = created.body;
    assert.deepEqual(url, {
      account_sid: api.sid,
      sid: url.sid,
      trunk_sid: trunk.sid,
      weight: 10,
      enabled: true,
      sip_url: "sip:project.sip.livekit.cloud;transport=tcp",
      friendly_name: "livekit",
      priority: 1,
      date_created: url.date_created,
      date_updated: url.date_updated,
      url: `https://trunking.twilio.com${path}/${url.sid}`,
    });
    assert.match(url.sid, /^OU[0-9a-f]{32}$/);
    const edge = "sip:project.sip.livekit.cloud;transport=tls;edge=frankfurt";
    const updated = await api.post(`${path}/${url.sid}`, { Priority: "2", Enabled: "false", SipUrl: edge });
    assert.equal(updated.status, 200);
    assert.equal(updated.body.priority, 2);
    assert.equal(updated.body.enabled, false);
    assert.equal(updated.body.sip_url, edge);
    assert.equal(updated.body.weight, 10);
    assert.deepEqual((await api.get(`${path}/${url.sid}`)).body, updated.body);
    assert.equal((await api.get(path)).body.origination_urls.length, 1);
    assert.equal((await api.delete(`${path}/${url.sid}`)).status, 204);
    assertTwilioError(await api.get(`${path}/${url.sid}`), 404, 20404);
    assert.equal((await api.get(path)).body.origination_urls.length, 0);
  });
});

Deno.test("origination URL validation: scheme, ranges, boolean, name length → 21245; all five required", async () => {
  await withEmulator(async (emulator) => {
    const api = await emulator.newAccount();
    const trunk = await createTrunk(api);
    const path = `/v1/Trunks/${trunk.sid}/OriginationUrls`;
    const invalid: Record<string, string>[] = [
      { SipUrl: "sips:project.sip.livekit.cloud" },
      { SipUrl: "https://project.sip.livekit.cloud" },
      { SipUrl: "project.sip.livekit.cloud" },
      { SipUrl: "sip:" },
      { Weight: "0" },
      { Weight: "65536" },
      { Weight: "1.5" },
      { Priority: "-1" },
      { Priority: "65536" },
      { Enabled: "yes" },
      { FriendlyName: "n".repeat(65) },
    ];
    for (const change of invalid) {
      assertTwilioError(await api.post(path, { ...ORIGINATION_URL, ...change }), 400, 21245);
    }
    for (const name of Object.keys(ORIGINATION_URL)) {
      const form: Record<string, string> = { ...ORIGINATION_URL };
      delete form[name];
      assertTwilioError(await api.post(path, form), 400, 20001, name);
    }
    assert.equal((await api.post(path, { ...ORIGINATION_URL, Priority: "0", Weight: "65535" })).status, 201);
    assert.equal((await api.post(path, { ...ORIGINATION_URL, Priority: "65535", Weight: "1" })).status, 201);
    const [first] = (await api.get(path)).body.origination_urls;
    assertTwilioError(await api.post(`${path}/${first.sid}`, { SipUrl: "sips:x.example.com" }), 400, 21245);
    assertTwilioError(await api.post(`${path}/${first.sid}`, { Weight: "0" }), 400, 21245);
    assert.equal((await api.get(`${path}/${first.sid}`)).body.weight, 65535);
  });
});

Deno.test("at most 10 origination URLs per trunk (21249)", async () => {
  await withEmulator(async (emulator) => {
    const api = await emulator.newAccount();
    const trunk = await createTrunk(api);
    const path = `/v1/Trunks/${trunk.sid}/OriginationUrls`;
    for (let i = 0; i < 10; i++) assert.equal((await api.post(path, ORIGINATION_URL)).status, 201);
    assertTwilioError(await api.post(path, ORIGINATION_URL), 400, 21249);
    const otherTrunk = await createTrunk(api);
    assert.equal(
      (await api.post(`/v1/Trunks/${otherTrunk.sid}/OriginationUrls`, ORIGINATION_URL)).status,
      201,
    );
  });
});

// twilio_trunking_v1.json, UpdateRecording: the POST answers "202 Accepted" with {mode, trim}.
Deno.test("recording: defaults, every mode and trim accepted (202), invalid values 400 20001", async () => {
  await withEmulator(async (emulator) => {
    const api = await emulator.newAccount();
    const trunk = await createTrunk(api);
    const path = `/v1/Trunks/${trunk.sid}/Recording`;
    assert.deepEqual((await api.get(path)).body, { mode: "do-not-record", trim: "do-not-trim" });
    assert.equal((await api.post(path, { Mode: "record-from-answer" })).status, 202);
    for (
      const mode of [
        "record-from-ringing",
        "record-from-answer",
        "record-from-ringing-dual",
        "record-from-answer-dual",
        "do-not-record",
      ]
    ) {
      assert.deepEqual((await api.post(path, { Mode: mode })).body, { mode, trim: "do-not-trim" });
    }
    assert.deepEqual((await api.post(path, { Trim: "trim-silence" })).body, {
      mode: "do-not-record",
      trim: "trim-silence",
    });
    assertTwilioError(await api.post(path, { Mode: "record-always" }), 400, 20001, "Mode");
    assertTwilioError(await api.post(path, { Trim: "trim" }), 400, 20001, "Trim");
    await api.post(path, { Mode: "record-from-answer-dual" });
    assert.deepEqual((await api.get(`/v1/Trunks/${trunk.sid}`)).body.recording, {
      mode: "record-from-answer-dual",
      trim: "trim-silence",
    });
  });
});

// twilio-api-facts.md, "Attaching a number to a trunk": voice_url kept (the spec's PhoneNumbers example shows
// trunk_sid and a voice_url together), voice_application_sid deleted, detaching restores nothing, an unset
// voice_application_sid reads "". A number on another trunk: undocumented, switch numberOnOtherTrunk.
Deno.test("phone numbers: attach keeps the voice URL and deletes the application; detach restores nothing; idempotent", async () => {
  await withEmulator(async (emulator) => {
    const api = await emulator.newAccount();
    const trunk = await createTrunk(api);
    const number = await emulator.addNumber(api, "+15551230001", {
      voiceUrl: "https://example.com/voice",
      voiceMethod: "GET",
      voiceApplicationSid: `AP${"1".repeat(32)}`,
    });
    assert.equal(number.voice_url, "https://example.com/voice");
    const path = `/v1/Trunks/${trunk.sid}/PhoneNumbers`;
    const attached = await api.post(path, { PhoneNumberSid: number.sid });
    assert.equal(attached.status, 201);
    assert.equal(attached.body.sid, number.sid);
    assert.equal(attached.body.trunk_sid, trunk.sid);
    assert.equal(attached.body.phone_number, "+15551230001");
    assert.equal(attached.body.voice_url, "https://example.com/voice");
    assert.equal(attached.body.voice_method, "GET");
    assert.equal(attached.body.voice_application_sid, "");
    assert.equal(attached.body.url, `https://trunking.twilio.com${path}/${number.sid}`);
    assert.ok(attached.body.links);

    const again = await api.post(path, { PhoneNumberSid: number.sid });
    assert.equal(again.status, 201);
    assert.equal((await api.get(path)).body.phone_numbers.length, 1);
    assert.equal((await api.get(`${path}/${number.sid}`)).body.trunk_sid, trunk.sid);

    assert.equal((await api.delete(`${path}/${number.sid}`)).status, 204);
    const detached = (await api.get(api.account(`/IncomingPhoneNumbers/${number.sid}.json`))).body;
    assert.equal(detached.trunk_sid, null);
    assert.equal(detached.voice_url, "https://example.com/voice");
    assert.equal(detached.voice_method, "GET");
    assert.equal(detached.voice_application_sid, "");
    assertTwilioError(await api.delete(`${path}/${number.sid}`), 404, 20404);
  });
});

Deno.test("phone numbers: a number on another trunk is rejected (21245) by default, moved under numberOnOtherTrunk=move", async () => {
  await withEmulator(async (emulator) => {
    const api = await emulator.newAccount();
    const [first, second] = [await createTrunk(api), await createTrunk(api)];
    const number = await emulator.addNumber(api, "+15551230001");
    const firstPath = `/v1/Trunks/${first.sid}/PhoneNumbers`;
    const secondPath = `/v1/Trunks/${second.sid}/PhoneNumbers`;
    await api.post(firstPath, { PhoneNumberSid: number.sid });
    assertTwilioError(await api.post(secondPath, { PhoneNumberSid: number.sid }), 400, 21245, first.sid);
    assert.deepEqual((await api.get(secondPath)).body.phone_numbers, []);
    assert.equal((await api.get(`${firstPath}/${number.sid}`)).body.trunk_sid, first.sid);

    await emulator.admin("POST", "/_emulator/config", { numberOnOtherTrunk: "move" });
    assert.equal((await api.post(secondPath, { PhoneNumberSid: number.sid })).status, 201);
    assert.equal((await api.get(firstPath)).body.phone_numbers.length, 0);
    assertTwilioError(await api.get(`${firstPath}/${number.sid}`), 404, 20404);
    assertTwilioError(await api.delete(`${firstPath}/${number.sid}`), 404, 20404);
    assert.equal((await api.get(`${secondPath}/${number.sid}`)).body.trunk_sid, second.sid);
  });
});

Deno.test("phone numbers: a number of another account or an unknown SID is 404 20404", async () => {
  await withEmulator(async (emulator) => {
    const api = await emulator.newAccount();
    const other = await emulator.newAccount();
    const trunk = await createTrunk(api);
    const foreign = await emulator.addNumber(other, "+15551230002");
    const path = `/v1/Trunks/${trunk.sid}/PhoneNumbers`;
    assertTwilioError(await api.post(path, { PhoneNumberSid: foreign.sid }), 404, 20404);
    assertTwilioError(await api.post(path, { PhoneNumberSid: `PN${"0".repeat(32)}` }), 404, 20404);
    assert.equal(
      (await other.get(other.account(`/IncomingPhoneNumbers/${foreign.sid}.json`))).body.trunk_sid,
      null,
    );
  });
});

Deno.test("deleting a trunk removes associations and origination URLs and detaches its numbers", async () => {
  await withEmulator(async (emulator) => {
    const api = await emulator.newAccount();
    const trunk = await createTrunk(api, { DomainName: "gone.pstn.twilio.com" });
    const list = await createCredentialList(api, "agents");
    const number = await emulator.addNumber(api, "+15551230003", { voiceUrl: "https://example.com/v" });
    await api.post(`/v1/Trunks/${trunk.sid}/CredentialLists`, { CredentialListSid: list.sid });
    await api.post(`/v1/Trunks/${trunk.sid}/OriginationUrls`, ORIGINATION_URL);
    await api.post(`/v1/Trunks/${trunk.sid}/PhoneNumbers`, { PhoneNumberSid: number.sid });
    assert.equal((await api.delete(`/v1/Trunks/${trunk.sid}`)).status, 204);
    const state = await emulator.state(api);
    assert.equal(state.trunks.length, 0);
    assert.equal(state.credential_lists.length, 1);
    assert.equal(state.incoming_phone_numbers[0].trunk_sid, null);
    assert.equal(
      state.incoming_phone_numbers[0].voice_url,
      "https://example.com/v",
      "kept through attach and delete",
    );
    // The list is no longer associated, so it can now be deleted.
    assert.equal((await api.delete(api.account(`/SIP/CredentialLists/${list.sid}.json`))).status, 204);
    assertTwilioError(await api.get(`/v1/Trunks/${trunk.sid}/OriginationUrls`), 404, 20404);
  });
});
