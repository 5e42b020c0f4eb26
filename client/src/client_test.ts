/**
 * The typed client against the test stack: answers come back typed, failures as ApiError with the status, code
 * and field a UI branches on (session over vs. Twilio refusing the credentials vs. a bad field).
 */
import assert from "node:assert/strict";
import { emulator, newUser, stackInfo, stackTest } from "../../scripts/testing/stack.ts";
import { ApiError, apiErrorFrom, createApiClient } from "./index.ts";

function clientFor(token: string | undefined) {
  const { api_url, publishable_key } = stackInfo();
  return createApiClient({ url: api_url, publishableKey: publishable_key, accessToken: () => token });
}

async function failure(promise: Promise<unknown>): Promise<ApiError> {
  const error = await promise.then(() => undefined, (caught) => caught);
  assert.ok(error instanceof ApiError, `expected an ApiError, got ${error}`);
  return error;
}

Deno.test("ApiError: function errors, the gateway's 401 and bodies that are not JSON", async () => {
  const field = await apiErrorFrom(Response.json(
    { error: { code: "invalid_input", message: "must be AC…", field: "accountSid", twilioCode: null } },
    { status: 400 },
  ));
  assert.deepEqual(
    [field.status, field.code, field.field, field.message, field.details],
    [400, "invalid_input", "accountSid", "must be AC…", { twilioCode: null }],
  );

  const gateway = await apiErrorFrom(Response.json({ code: 401, message: "Invalid JWT" }, { status: 401 }));
  assert.deepEqual([gateway.status, gateway.code, gateway.message, gateway.field], [
    401,
    "unauthorized",
    "Invalid JWT",
    null,
  ]);
  assert.ok(gateway.isSessionExpired);

  const html = await apiErrorFrom(new Response("<h1>Bad gateway</h1>", { status: 502 }));
  assert.deepEqual([html.status, html.code, html.isSessionExpired], [502, "http_502", false]);
});

stackTest(
  "client: signed out, refused token, wrong Twilio token and a bad field are told apart",
  async () => {
    const signedOut = await failure(clientFor(undefined).getSipConfig());
    assert.deepEqual([signedOut.status, signedOut.isSessionExpired], [401, true]);

    const refused = await failure(clientFor("not-a-token").getSipConfig());
    assert.deepEqual([refused.status, refused.code, refused.isSessionExpired], [401, "unauthorized", true]);

    const api = clientFor((await newUser()).token);
    const notConnected = await failure(api.getSipConfig());
    assert.deepEqual([notConnected.status, notConnected.code], [404, "credentials_not_found"]);

    const account = await emulator.createAccount();
    const wrongToken = await failure(
      api.connectTwilio({ accountSid: account.sid, authToken: "0".repeat(32) }),
    );
    assert.deepEqual(
      [wrongToken.status, wrongToken.code, wrongToken.field, wrongToken.isTwilioAuthFailure],
      [422, "twilio_auth_failed", null, true],
    );
    assert.equal(wrongToken.isSessionExpired, false, "Twilio refusing credentials is not the session ending");

    const badField = await failure(api.connectTwilio({ accountSid: "AC123", authToken: account.authToken }));
    assert.deepEqual([badField.status, badField.code, badField.field], [400, "invalid_input", "accountSid"]);
  },
);

stackTest(
  "client: connect, configuration, numbers, recordings and their media, settings, health",
  async () => {
    const api = clientFor((await newUser()).token);
    const account = await emulator.createAccount();
    const trunk = await api.connectTwilio({
      accountSid: account.sid,
      authToken: account.authToken,
      label: "Main",
    });
    assert.equal(trunk.status, "active");

    const config = await api.getSipConfig();
    assert.deepEqual([config.domainName, config.sipUsername], [trunk.domainName, trunk.sipUsername]);
    assert.equal(
      "sipPassword" in config || "authPassword" in config.livekit,
      false,
      "no secret for a browser",
    );

    const number = await emulator.addNumber(account.sid, "+15550107001");
    assert.equal((await api.attachNumbers([number.phone_number])).counts.attached, 1);
    const listed = await api.listNumbers();
    assert.deepEqual(listed.numbers.map((n) => [n.phoneNumber, n.attachment]), [[
      "+15550107001",
      "main-trunk",
    ]]);
    assert.equal((await api.detachNumbers([number.sid])).results[0].status, "detached");

    const seeded = await emulator.addCall(account.sid, {
      trunkSid: trunk.trunkSid,
      to: "+15550107002",
      from: "+15550107003",
      recordings: 1,
    });
    const page = await api.listRecordings({ pageSize: 5 });
    assert.deepEqual(page.recordings.map((r) => r.sid), [seeded.recordings[0].sid]);
    const media = await api.recordingMedia(seeded.recordings[0].sid);
    assert.equal(media.type, "audio/mpeg");
    assert.ok(media.size > 0);

    const settings = await api.setRecordingSettings({ mode: "record-from-answer", trim: "trim-silence" });
    assert.deepEqual(await api.getRecordingSettings(), settings);

    assert.equal((await api.verify()).status, "verified");
    assert.deepEqual((await api.repair()).repaired, []);
  },
);

stackTest(
  "client: a region pins every call to it (forceFunctionRegion), the functions answer as without",
  async () => {
    const { api_url, publishable_key } = stackInfo();
    const user = await newUser();
    const sent: string[] = [];
    const api = createApiClient({
      url: api_url,
      publishableKey: publishable_key,
      accessToken: () => user.token,
      region: "us-east-1",
      fetch: (input, init) => {
        sent.push(String(input));
        return fetch(input, init);
      },
    });
    const notConnected = await failure(api.getSipConfig());
    assert.deepEqual([notConnected.status, notConnected.code], [404, "credentials_not_found"]);
    assert.deepEqual(await api.listCredentials(), []);
    await failure(api.listRecordings({ pageSize: 5 }));
    assert.deepEqual(sent.map((url) => new URL(url).searchParams.get("forceFunctionRegion")), [
      "us-east-1",
      "us-east-1",
      "us-east-1",
    ]);
    assert.equal(new URL(sent[2]).searchParams.get("pageSize"), "5");
  },
);
