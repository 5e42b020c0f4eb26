// Authentication and the sip.admin grant, as livekit-server's auth middleware (auth.go) and sip.go check them,
// seen through the SDK (what product code will meet) and on the wire.
import assert from "node:assert/strict";
import { SignJWT } from "jose";
import { SipClient } from "livekit-server-sdk";
import type { RunningLiveKitEmulator } from "./server.ts";
import {
  assertSdkError,
  assertTwirpError,
  configure,
  sdkToken,
  twirp,
  withLiveKitEmulator,
} from "./testing.ts";

interface Claims {
  /** null leaves exp out. */
  exp?: number | null;
  nbf?: number;
  sip?: object;
  alg?: string;
}

/** A hand-made token, for claims the SDK never produces (stale, without exp, other algorithms). */
function handMadeToken(emulator: RunningLiveKitEmulator, claims: Claims): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const jwt = new SignJWT({ sip: claims.sip ?? { admin: true } })
    .setProtectedHeader({ alg: claims.alg ?? "HS256" })
    .setIssuer(emulator.apiKey)
    .setNotBefore(claims.nbf ?? now);
  if (claims.exp !== null) jwt.setExpirationTime(claims.exp ?? now + 600);
  return jwt.sign(new TextEncoder().encode(emulator.apiSecret));
}

/** An SDK client that sends `jwt` verbatim (ClientOptions.token). */
const clientWith = (emulator: RunningLiveKitEmulator, jwt: string) =>
  new SipClient(emulator.url, undefined, undefined, { token: jwt });

const now = () => Math.floor(Date.now() / 1000);

Deno.test("auth: the SDK's own token (sip.admin grant, HS256, iss = API key) is accepted", async () => {
  await withLiveKitEmulator(async (emulator) => {
    assert.deepEqual(await emulator.sip.listSipInboundTrunk(), []);
    // go-jose's one-minute leeway (protocol auth.Verify): slightly stale or early tokens still pass.
    const lenient = await handMadeToken(emulator, { exp: now() - 30, nbf: now() + 30 });
    assert.deepEqual(await clientWith(emulator, lenient).listSipInboundTrunk(), []);
  });
});

Deno.test("auth: no Authorization header → 401 unauthenticated 'permissions denied' (no grants)", async () => {
  await withLiveKitEmulator(async (emulator) => {
    const reply = await twirp(emulator, "ListSIPInboundTrunk", {}, { authorization: "" });
    assertTwirpError(reply, 401, "unauthenticated", "permissions denied");
  });
});

Deno.test("auth: a token that fails verification → 401 with a plain-text body, so the SDK has no code", async () => {
  await withLiveKitEmulator(async (emulator) => {
    const refused: [string, SipClient, string][] = [
      ["wrong secret", new SipClient(emulator.url, emulator.apiKey, "not-the-secret"), "invalid token"],
      [
        "unknown key",
        new SipClient(emulator.url, "APIother", emulator.apiSecret),
        "invalid API key: APIother",
      ],
      ["expired", clientWith(emulator, await handMadeToken(emulator, { exp: now() - 120 })), "exp"],
      ["not yet valid", clientWith(emulator, await handMadeToken(emulator, { nbf: now() + 120 })), "nbf"],
      // Emulator-only strictness (the SDK always sets exp and signs HS256; go-jose would accept these).
      ["no exp", clientWith(emulator, await handMadeToken(emulator, { exp: null })), "exp"],
      ["HS512", clientWith(emulator, await handMadeToken(emulator, { alg: "HS512" })), "invalid token"],
      ["not a JWT", clientWith(emulator, "garbage"), "invalid authorization token"],
    ];
    for (const [name, client, msgPart] of refused) {
      const error = await assertSdkError(client.listSipInboundTrunk(), 401, undefined, msgPart);
      assert.ok(!error.message.includes(emulator.apiSecret), name);
    }
    const basic = await twirp(emulator, "ListSIPInboundTrunk", {}, { authorization: "Basic abc" });
    assert.equal(basic.status, 401);
    assert.equal(basic.contentType, "text/plain; charset=utf-8");
    assert.equal(basic.text, "invalid authorization header. Must start with Bearer ");
  });
});

Deno.test("auth: invalidToken 'twirp' answers the same refusals as 401 unauthenticated JSON", async () => {
  await withLiveKitEmulator(async (emulator) => {
    await configure(emulator.url, { invalidToken: "twirp" });
    const wrongSecret = new SipClient(emulator.url, emulator.apiKey, "not-the-secret");
    await assertSdkError(wrongSecret.listSipInboundTrunk(), 401, "unauthenticated", "invalid token");
  });
});

Deno.test("auth: a valid token without sip.admin → 401 unauthenticated (sip.go twirpAuthError)", async () => {
  await withLiveKitEmulator(async (emulator) => {
    for (const grant of [undefined, { call: true }, { admin: false }]) {
      const client = clientWith(emulator, await sdkToken(emulator, grant));
      await assertSdkError(client.listSipInboundTrunk(), 401, "unauthenticated", "permissions denied");
      await assertSdkError(client.createSipInboundTrunk("t", ["+15550000001"]), 401, "unauthenticated");
    }
    assert.equal((await emulator.sip.listSipInboundTrunk()).length, 0, "nothing was created");
  });
});

Deno.test("auth: missingGrant 'permission_denied' answers a missing sip.admin as 403", async () => {
  await withLiveKitEmulator(async (emulator) => {
    const client = clientWith(emulator, await sdkToken(emulator, { call: true }));
    await assertSdkError(client.listSipDispatchRule(), 403, "permission_denied", "permissions denied");
  }, { config: { missingGrant: "permission_denied" } });
});
