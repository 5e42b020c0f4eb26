/**
 * Who is calling. Every function authenticates its callers itself (`verify_jwt = false`: the platform's gate
 * accepts only legacy HS256 tokens, see supabase/config.toml). Users send their Supabase Auth access token as the
 * bearer, from a project on the new JWT signing keys (ES256/RS256, verified here against SUPABASE_JWKS) or on the
 * legacy JWT secret (HS256, which no function can verify locally: Supabase Auth confirms it). Both go through
 * supabase-js's `auth.getClaims`, the official way to cover both. Server-to-server callers send the project's
 * secret key in the `apikey` header. The user id only ever comes from a verified token.
 *
 * ```ts
 * const caller = await authenticate(req, { allowSecretKey: true });
 * if (caller.kind === "user") console.log(caller.userId);
 * ```
 */
import type { GoTrueClient } from "@supabase/auth-js";
import { type AuthConfig, authConfigFromEnv, projectSecretKeysFromEnv } from "./config.ts";
import { getSql } from "./db/client.ts";
import { ApiError, unauthorized } from "./http/errors.ts";

export type Caller = { kind: "user"; userId: string } | { kind: "service" };

export interface AuthOptions {
  /** Accept the project's secret key (server-to-server) as well as user tokens. */
  allowSecretKey?: boolean;
}

export async function authenticate(req: Request, options: AuthOptions = {}): Promise<Caller> {
  const apiKey = req.headers.get("apikey");
  if (options.allowSecretKey && apiKey?.startsWith("sb_secret_")) {
    if (isProjectSecretKey(apiKey)) return { kind: "service" };
    throw unauthorized("The secret key is not valid for this project");
  }
  const bearer = req.headers.get("authorization")?.match(/^Bearer\s+(\S+)$/i)?.[1];
  if (!bearer) throw unauthorized();
  const userId = await verifyUserToken(bearer);
  await requireExistingUser(userId);
  return { kind: "user", userId };
}

/** For functions only users may call: the user id from the verified token (the secret key is refused). */
export async function authenticateUser(req: Request): Promise<string> {
  // A valid secret key is recognised, so that a backend that sent it learns why it is refused.
  const caller = await authenticate(req, { allowSecretKey: true });
  if (caller.kind !== "user") {
    throw new ApiError("user_token_required", "Call this with a user's access token");
  }
  return caller.userId;
}

/**
 * The user id of a valid access token of this project, or a 401: signature, `exp` (required), `aud`
 * `authenticated`, the project's issuer, a user (not an anon or service token) and, unless allowed, not anonymous.
 */
async function verifyUserToken(token: string): Promise<string> {
  const config = authConfig();
  const client = await authClient(config);
  const { data, error } = await client.getClaims(token, { jwks: config.jwks }).catch((thrown: Error) => ({
    data: null,
    error: thrown,
  }));
  if (error?.name === "AuthRetryableFetchError") {
    throw new ApiError("auth_unavailable", "Supabase Auth did not answer; try again shortly");
  }
  if (error || !data) {
    throw unauthorized(
      /expired/i.test(error?.message ?? "")
        ? "The access token has expired"
        : "The access token is not a valid token of this project",
    );
  }
  const claims = data.claims;
  const audiences = [claims.aud].flat();
  if (claims.iss !== config.issuer) throw unauthorized("The access token was issued by another project");
  if (
    !audiences.includes("authenticated") || claims.role !== "authenticated" || !UUID.test(claims.sub ?? "")
  ) {
    throw unauthorized("The access token is not a signed-in user's token");
  }
  if (claims.is_anonymous === true && !config.allowAnonymous) {
    throw unauthorized("Anonymous users cannot do this; sign in with an account");
  }
  return claims.sub;
}

/** A token outlives its user: one deleted since it was issued is a 401 here, not a foreign-key error later. */
async function requireExistingUser(userId: string) {
  const [user] = await getSql()`select 1 from auth.users where id = ${userId} and deleted_at is null`;
  if (!user) throw unauthorized("The user of this access token no longer exists");
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

let config: AuthConfig | undefined;
const authConfig = () => config ??= authConfigFromEnv();

/** auth-js loads with the first user token: the secret-key path (the voice backend's) starts without it. */
let client: Promise<GoTrueClient> | undefined;
function authClient(config: AuthConfig): Promise<GoTrueClient> {
  return client ??= import("@supabase/auth-js").then(({ GoTrueClient }) =>
    new GoTrueClient({
      url: config.authUrl,
      headers: { apikey: config.apiKey },
      persistSession: false,
      autoRefreshToken: false,
      detectSessionInUrl: false,
    })
  );
}

let secretKeys: string[] | undefined;

function isProjectSecretKey(candidate: string): boolean {
  const keys = secretKeys ??= projectSecretKeysFromEnv();
  // Compare against every key so the time taken does not reveal which one (or whether any) matched.
  return keys.map((key) => constantTimeEqual(candidate, key)).reduce((a, b) => a || b, false);
}

/** Equal-length comparison whose duration does not depend on where the strings differ. */
export function constantTimeEqual(a: string, b: string): boolean {
  // UTF-16 code units compared in place: equal strings have equal units, and nothing is allocated per request.
  let diff = a.length ^ b.length;
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    diff |= (a.charCodeAt(i) | 0) ^ (b.charCodeAt(i) | 0);
  }
  return diff === 0;
}
