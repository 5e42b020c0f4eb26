/**
 * Authentication of every user-facing function, through supabase-js, on both kinds of Supabase project the test
 * stack runs: one on the new JWT signing keys (ES256, verified against SUPABASE_JWKS) and one still on the legacy
 * JWT secret (HS256, confirmed by Auth). A valid token reaches the handler; every kind of bad token is the same
 * documented 401; the secret key works for get-sip-config on both.
 */
import assert from "node:assert/strict";
import { createClient, FunctionRegion } from "@supabase/supabase-js";
import { generateProjectKeys } from "../../../scripts/local/keys.ts";
import { mintAccessToken } from "../../../scripts/local/users.ts";
import {
  clientWithToken,
  db,
  functionUrl,
  newUser,
  project,
  type ProjectKind,
  stackTest,
} from "../../../scripts/testing/stack.ts";
import { callFunction, refusal } from "../../../scripts/testing/functions.ts";

const PROJECTS: ProjectKind[] = ["signing-keys", "legacy"];

/** Each user-facing function, the request used to reach it, and what its handler answers a new user. */
const USER_FUNCTIONS = [
  { fn: "create-main-trunk", call: { method: "POST", body: {} }, expected: [400, "invalid_input"] },
  { fn: "get-sip-config", call: {}, expected: [404, "credentials_not_found"] },
  { fn: "attach-phone", call: {}, expected: [404, "credentials_not_found"] },
  { fn: "recording-info", call: {}, expected: [404, "credentials_not_found"] },
] as const;

/**
 * Tokens that must never pass, each with exactly one defect: all belong to an existing user with a live session
 * and are signed as the project signs its tokens, unless the defect is the key, the user or the session.
 */
async function badTokens(kind: ProjectKind) {
  const target = project(kind);
  const user = await newUser(kind);
  const sign = (options: Parameters<typeof mintAccessToken>[3] = {}, signer = target) =>
    mintAccessToken(db(), signer, user.userId, options);
  const deleted = await newUser(kind);
  await db()`delete from auth.users where id = ${deleted.userId}`;
  return {
    expired: await sign({ expiresIn: -60 }),
    "without exp": await sign({ withoutExpiry: true }),
    "another project's key": await sign({}, { ...target, signing_key: await generateProjectKeys() }),
    "another issuer": await sign({ issuer: "https://another-project.supabase.co/auth/v1" }),
    "an anonymous user's": (await newUser(kind, { isAnonymous: true })).token,
    "a deleted user's": deleted.token,
    "not a JWT": "not-a-jwt",
  };
}

for (const kind of PROJECTS) {
  stackTest(`auth (${kind} project): a valid user token reaches every user-facing function`, async () => {
    const user = await newUser(kind);
    for (const { fn, call, expected } of USER_FUNCTIONS) {
      const result = await callFunction(user.supabase, fn, call);
      assert.deepEqual([result.status, result.error?.code], expected, `${fn}: ${JSON.stringify(result)}`);
    }
  });

  stackTest(`auth (${kind} project): bad tokens are a 401 with the documented body everywhere`, async () => {
    for (const [defect, token] of Object.entries(await badTokens(kind))) {
      for (const { fn, call } of USER_FUNCTIONS) {
        const result = await callFunction(clientWithToken(token, kind), fn, call);
        assert.equal(result.status, 401, `${defect} token on ${fn}: ${JSON.stringify(result)}`);
        assert.equal(result.error?.code, "unauthorized", `${defect} token on ${fn}`);
        assert.equal(result.error?.field, null);
        assert.equal(typeof result.error?.message, "string");
      }
    }
  });

  stackTest(
    `auth (${kind} project): no token at all is a 401 from the function, not the gateway`,
    async () => {
      const target = project(kind);
      const anonymousClient = createClient(target.api_url, target.publishable_key, {
        auth: { persistSession: false },
      });
      for (const { fn, call } of USER_FUNCTIONS) {
        const result = await callFunction(anonymousClient, fn, call);
        assert.deepEqual([result.status, result.error?.code], [401, "unauthorized"], fn);
      }
    },
  );

  stackTest(`auth (${kind} project): the secret key reaches get-sip-config for a named user`, async () => {
    const target = project(kind);
    const server = createClient(target.api_url, target.secret_key, { auth: { persistSession: false } });
    const user = await newUser(kind);
    const named = { query: { userId: user.userId } };
    const { status, error } = await refusal(server, "get-sip-config", named);
    assert.deepEqual([status, error.code], [404, "credentials_not_found"]);
    const wrongKey = createClient(target.api_url, "sb_secret_not-this-projects-key", {
      auth: { persistSession: false },
    });
    assert.equal((await callFunction(wrongKey, "get-sip-config", named)).status, 401);
  });

  stackTest(
    `auth (${kind} project): the secret key is told the user-only functions want a user`,
    async () => {
      const target = project(kind);
      const server = createClient(target.api_url, target.secret_key, { auth: { persistSession: false } });
      for (const { fn, call } of USER_FUNCTIONS.filter(({ fn }) => fn !== "get-sip-config")) {
        const result = await callFunction(server, fn, call);
        assert.deepEqual([result.status, result.error?.code], [403, "user_token_required"], fn);
      }
    },
  );
}

stackTest(
  "regional invocation: supabase-js with a region (x-region, forceFunctionRegion) reaches every function",
  async () => {
    // https://supabase.com/docs/guides/functions/regional-invocation: the platform's parameter, not an input.
    const user = await newUser();
    for (const { fn, call, expected } of USER_FUNCTIONS) {
      const result = await callFunction(user.supabase, fn, { ...call, region: FunctionRegion.UsEast1 });
      assert.deepEqual([result.status, result.error?.code], expected, `${fn}: ${JSON.stringify(result)}`);
    }
  },
);

/** What supabase-js may send from a browser: its own headers, tracing (tracePropagation) and a call's region. */
const SDK_HEADERS = [
  "authorization",
  "apikey",
  "content-type",
  "x-client-info",
  "x-retry-count",
  "traceparent",
  "tracestate",
  "baggage",
  "x-region",
];

stackTest("CORS: every function's preflight allows every header supabase-js sends", async () => {
  for (const { fn } of USER_FUNCTIONS) {
    const preflight = await fetch(functionUrl(fn), {
      method: "OPTIONS",
      headers: {
        Origin: "https://app.example",
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": SDK_HEADERS.join(", "),
      },
    });
    await preflight.body?.cancel();
    const allowed = (preflight.headers.get("access-control-allow-headers") ?? "").split(/\s*,\s*/);
    assert.deepEqual(SDK_HEADERS.filter((header) => !allowed.includes(header)), [], fn);
  }
});

stackTest("auth: a token of one project is refused by the other", async () => {
  const fromNewKeys = await newUser("signing-keys");
  const fromLegacy = await newUser("legacy");
  const onLegacy = await callFunction(clientWithToken(fromNewKeys.token, "legacy"), "get-sip-config");
  const onNewKeys = await callFunction(clientWithToken(fromLegacy.token, "signing-keys"), "get-sip-config");
  assert.equal(onLegacy.status, 401);
  assert.equal(onNewKeys.status, 401);
});
