/**
 * The local Auth stand-in, driven by supabase-js exactly as an app drives Supabase Auth: sign up, sign in with a
 * password, get the user, refresh, sign out, sign in anonymously, on both kinds of project; and a signed-in
 * session that calls a function.
 */
import assert from "node:assert/strict";
import { AuthApiError, createClient } from "@supabase/supabase-js";
import { decodeJwt, decodeProtectedHeader } from "jose";
import { refusal } from "../testing/functions.ts";
import { project, type ProjectKind, stackTest } from "../testing/stack.ts";

const PROJECTS: ProjectKind[] = ["signing-keys", "legacy"];

function appClient(kind: ProjectKind) {
  const target = project(kind);
  return createClient(target.api_url, target.publishable_key, {
    auth: { persistSession: false, autoRefreshToken: false },
  });
}

const email = () => `user-${crypto.randomUUID()}@example.test`;

for (const kind of PROJECTS) {
  stackTest(`auth stand-in (${kind}): sign up, sign in, get the user, refresh and sign out`, async () => {
    const supabase = appClient(kind);
    const address = email();
    const signUp = await supabase.auth.signUp({ email: address, password: "correct horse battery" });
    assert.equal(signUp.error, null);
    assert.equal(signUp.data.user?.email, address);
    assert.ok(signUp.data.session, "a project without email confirmation signs the user in at once");

    const signIn = await supabase.auth.signInWithPassword({
      email: address,
      password: "correct horse battery",
    });
    assert.equal(signIn.error, null);
    const token = signIn.data.session!.access_token;
    assert.equal(decodeProtectedHeader(token).alg, kind === "legacy" ? "HS256" : "ES256");
    const claims = decodeJwt(token);
    assert.equal(claims.sub, signUp.data.user!.id);
    assert.equal(claims.iss, `${project(kind).api_url}/auth/v1`);
    assert.equal(claims.aud, "authenticated");

    const { data: got, error: getError } = await supabase.auth.getUser();
    assert.equal(getError, null);
    assert.equal(got.user?.id, claims.sub);

    const refreshed = await supabase.auth.refreshSession();
    assert.equal(refreshed.error, null);
    assert.notEqual(refreshed.data.session?.refresh_token, signIn.data.session!.refresh_token, "rotated");

    assert.equal((await supabase.auth.signOut()).error, null);
    const afterSignOut = await appClient(kind).auth.getUser(refreshed.data.session!.access_token);
    assert.ok(afterSignOut.error, "the session is gone");
  });

  stackTest(
    `auth stand-in (${kind}): wrong password, taken email and weak password are Auth's errors`,
    async () => {
      const supabase = appClient(kind);
      const address = email();
      await supabase.auth.signUp({ email: address, password: "correct horse battery" });
      const wrong = await supabase.auth.signInWithPassword({ email: address, password: "wrong password" });
      assert.ok(wrong.error instanceof AuthApiError);
      assert.equal(wrong.error.code, "invalid_credentials");
      const taken = await supabase.auth.signUp({ email: address, password: "another password" });
      assert.equal(taken.error?.code, "user_already_exists");
      const weak = await supabase.auth.signUp({ email: email(), password: "123" });
      assert.equal(weak.error?.code, "weak_password");
    },
  );

  stackTest(
    `auth stand-in (${kind}): a signed-in session calls functions; an anonymous one is refused`,
    async () => {
      const supabase = appClient(kind);
      await supabase.auth.signUp({ email: email(), password: "correct horse battery" });
      const { error } = await refusal(supabase, "get-sip-config");
      assert.equal(error.code, "credentials_not_found", "the function knew the user");

      const guest = appClient(kind);
      const anonymous = await guest.auth.signInAnonymously();
      assert.equal(anonymous.error, null);
      assert.equal(anonymous.data.user?.is_anonymous, true);
      const refused = await refusal(guest, "get-sip-config");
      assert.equal(refused.status, 401);
      assert.match(refused.error.message, /Anonymous/);
    },
  );
}
