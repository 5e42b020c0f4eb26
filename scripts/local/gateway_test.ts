/**
 * The local gateway, held to the hosted platform's rules (supabase-platform-facts.md): `verify_jwt = true` lets
 * through only legacy HS256 tokens signed with the project's legacy secret and answers anything else with the
 * platform's 401; `verify_jwt = false` passes requests through untouched.
 */
import assert from "node:assert/strict";
import { generateProjectKeys, signAccessToken } from "./keys.ts";
import { startProject } from "./stack.ts";
import { ensureUser, mintAccessToken } from "./users.ts";
import { refusal } from "../testing/functions.ts";
import { clientWithToken, db, newUser, stackInfo, stackTest } from "../testing/stack.ts";

/** A second project over the test stack's database and Twilio, with get-sip-config switched to verify_jwt = true. */
async function projectWithVerifyJwt() {
  const stack = stackInfo();
  return await startProject({
    dbUrl: stack.db_url,
    twilio: { apiBaseUrl: stack.twilio_api_base_url, trunkingBaseUrl: stack.twilio_trunking_base_url },
    secrets: stack.function_secrets,
    log: () => {},
  }, {
    port: 0,
    keys: await generateProjectKeys(),
    mode: "signing-keys",
    overrides: { "get-sip-config": { verifyJwt: true } },
  });
}

stackTest(
  "gateway: a function switched back to verify_jwt = true refuses new-keys tokens, as the platform does",
  async () => {
    const gated = await projectWithVerifyJwt();
    try {
      const userId = crypto.randomUUID();
      await ensureUser(db(), userId);
      const url = `${gated.info.api_url}/functions/v1/get-sip-config`;
      const call = async (authorization?: string) => {
        const res = await fetch(url, { headers: authorization ? { Authorization: authorization } : {} });
        return {
          status: res.status,
          cors: res.headers.get("access-control-allow-origin"),
          body: await res.json(),
        };
      };

      const newKeysToken = await mintAccessToken(db(), gated.info, userId);
      assert.deepEqual(await call(`Bearer ${newKeysToken}`), {
        status: 401,
        cors: null,
        body: { code: 401, message: "Invalid JWT" },
      }, "a valid ES256 token never reaches the function");
      assert.deepEqual(await call(), {
        status: 401,
        cors: null,
        body: { code: 401, message: "Missing authorization header" },
      });
      const expiredLegacy = await mintAccessToken(db(), { ...gated.info, jwt_mode: "legacy" }, userId, {
        expiresIn: -60,
      });
      assert.equal((await call(`Bearer ${expiredLegacy}`)).status, 401);

      const legacyToken = await mintAccessToken(db(), { ...gated.info, jwt_mode: "legacy" }, userId);
      const passed = await call(`Bearer ${legacyToken}`);
      assert.deepEqual(
        [passed.status, passed.body.error?.code],
        [404, "credentials_not_found"],
        "the handler answered",
      );
      assert.equal(passed.cors, "*");
    } finally {
      await gated.close();
    }
  },
);

stackTest(
  "gateway: with verify_jwt = false (every function here) a request reaches the function untouched",
  async () => {
    const user = await newUser();
    const empty = { method: "POST", body: {} } as const;
    const { status, error } = await refusal(user.supabase, "create-main-trunk", empty);
    assert.equal(status, 400);
    assert.equal(error.code, "invalid_input", "the handler, not the gateway, answered");

    const stack = stackInfo();
    const foreign = await signAccessToken(await generateProjectKeys(), "signing-keys", {
      userId: user.userId,
      issuer: `${stack.api_url}/auth/v1`,
    });
    const refused = await refusal(clientWithToken(foreign), "create-main-trunk", empty);
    assert.equal(refused.status, 401);
    assert.equal(refused.error.code, "unauthorized", "the function's own answer");
  },
);

stackTest(
  "gateway: the JWKS is published where supabase-js and functions look for it (empty on a legacy project)",
  async () => {
    const stack = stackInfo();
    const jwks = await (await fetch(`${stack.api_url}/auth/v1/.well-known/jwks.json`)).json();
    assert.equal(jwks.keys.length, 1);
    assert.equal(jwks.keys[0].kty, "EC");
    assert.equal(jwks.keys[0].alg, "ES256");
    assert.equal(jwks.keys[0].d, undefined, "no private part");
    const legacy = await (await fetch(`${stack.legacy_project!.api_url}/auth/v1/.well-known/jwks.json`))
      .json();
    assert.deepEqual(legacy, { keys: [] }, "a symmetric secret is never published");
  },
);

stackTest("gateway: unknown functions are a 404", async () => {
  const res = await fetch(`${stackInfo().api_url}/functions/v1/no-such-function`, { method: "POST" });
  assert.equal(res.status, 404);
  await res.body?.cancel();
});

stackTest("functions: CORS preflight, 405 with Allow, and a request id on every answer", async () => {
  const api = stackInfo().api_url;
  const preflight = await fetch(`${api}/functions/v1/get-sip-config`, {
    method: "OPTIONS",
    headers: { Origin: "https://app.example", "Access-Control-Request-Method": "GET" },
  });
  await preflight.body?.cancel();
  assert.equal(preflight.status, 204);
  assert.equal(preflight.headers.get("access-control-allow-origin"), "*");
  assert.match(preflight.headers.get("access-control-allow-headers") ?? "", /authorization/);
  assert.match(preflight.headers.get("access-control-allow-headers") ?? "", /apikey/);

  const wrong = await fetch(`${api}/functions/v1/get-sip-config`, {
    method: "PUT",
    headers: { "x-request-id": "req-12345678" },
  });
  assert.equal(wrong.status, 405);
  assert.equal(wrong.headers.get("allow"), "GET, POST, OPTIONS");
  assert.equal(wrong.headers.get("x-request-id"), "req-12345678");
  assert.equal((await wrong.json()).error.code, "method_not_allowed");
});

stackTest(
  "gateway: Auth answers a page on another origin (preflight and CORS headers), as Supabase does",
  async () => {
    const api = stackInfo().api_url;
    const preflight = await fetch(`${api}/auth/v1/signup`, {
      method: "OPTIONS",
      headers: {
        Origin: "http://127.0.0.1:54323",
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "apikey, content-type, x-client-info, x-supabase-api-version",
      },
    });
    await preflight.body?.cancel();
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get("access-control-allow-origin"), "*");
    assert.match(preflight.headers.get("access-control-allow-headers") ?? "", /x-supabase-api-version/);

    const refused = await fetch(`${api}/auth/v1/token?grant_type=password`, {
      method: "POST",
      headers: { Origin: "http://127.0.0.1:54323", "Content-Type": "application/json" },
      body: JSON.stringify({ email: "nobody@example.test", password: "wrong-password" }),
    });
    assert.equal(refused.status, 400);
    assert.equal(
      refused.headers.get("access-control-allow-origin"),
      "*",
      "errors are readable by the page too",
    );
    assert.equal((await refused.json()).error_code, "invalid_credentials");
  },
);
