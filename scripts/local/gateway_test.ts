/**
 * The local gateway's JWT handling, seen through supabase-js as an app would see it: verify_jwt from config.toml
 * is honoured per function, tokens are checked against the project's JWKS, and valid ones reach the handler.
 */
import assert from "node:assert/strict";
import { createClient, FunctionsHttpError } from "@supabase/supabase-js";
import { generateProjectKeys, signAccessToken } from "./keys.ts";
import { clientWithToken, newUser, stackInfo, stackTest } from "../testing/stack.ts";

async function invokeStatus(token: string | undefined, fn: string, method: "GET" | "POST" = "POST") {
  const stack = stackInfo();
  const client = token
    ? clientWithToken(token)
    : createClient(stack.api_url, stack.publishable_key, { auth: { persistSession: false } });
  const { error } = await client.functions.invoke(fn, method === "POST" ? { body: {} } : { method });
  if (!error) return { status: 200, body: undefined };
  assert.ok(error instanceof FunctionsHttpError, `unexpected ${error}`);
  return { status: error.context.status, body: await error.context.json() };
}

stackTest(
  "gateway: a valid user token reaches the create-main-trunk handler (which then validates the body)",
  async () => {
    const user = await newUser();
    const result = await invokeStatus(user.token, "create-main-trunk");
    assert.equal(result.status, 400);
    assert.equal(result.body.error.code, "invalid_input", "the handler, not the gateway, answered");
  },
);

stackTest(
  "gateway: expired, wrongly signed, malformed and missing tokens are refused before the handler",
  async () => {
    const stack = stackInfo();
    const userId = crypto.randomUUID();
    const issuer = `${stack.api_url}/auth/v1`;
    const expired = await signAccessToken(stack.signing_key, { userId, issuer, expiresIn: -60 });
    const foreignKeys = await generateProjectKeys();
    const wrongKey = await signAccessToken(foreignKeys, { userId, issuer });
    for (const token of [expired, wrongKey, "not-a-jwt", undefined]) {
      const result = await invokeStatus(token, "create-main-trunk");
      assert.equal(result.status, 401, `token ${token?.slice(0, 12)}`);
      assert.deepEqual(
        result.body,
        { code: 401, message: "Invalid JWT" },
        "the gateway's answer, not the function's",
      );
    }
  },
);

stackTest("gateway: a function with verify_jwt = false gets the request and does its own auth", async () => {
  const result = await invokeStatus(undefined, "get-sip-config", "GET");
  assert.equal(result.status, 401);
  assert.equal(result.body.error.code, "unauthorized", "the function's own answer");
});

stackTest(
  "gateway: the project's JWKS is published where supabase-js and functions look for it",
  async () => {
    const res = await fetch(`${stackInfo().api_url}/auth/v1/.well-known/jwks.json`);
    const jwks = await res.json();
    assert.equal(jwks.keys.length, 1);
    assert.equal(jwks.keys[0].kty, "EC");
    assert.equal(jwks.keys[0].alg, "ES256");
    assert.equal(jwks.keys[0].d, undefined, "no private part");
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
