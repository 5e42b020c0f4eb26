/**
 * Who is calling. User-facing requests carry the user's access token (an asymmetric Supabase Auth JWT, verified
 * against the project's JWKS); server-to-server callers send the project's secret key in the `apikey` header, as
 * Supabase clients do for secret keys. The user id only ever comes from a verified token.
 *
 * ```ts
 * const caller = await authenticate(req, { allowSecretKey: true });
 * if (caller.kind === "user") console.log(caller.userId);
 * ```
 */
import type { JSONWebKeySet, JWTVerifyGetKey } from "jose";
import { ApiError, unauthorized } from "./http/errors.ts";

/** jose loads with the first user token: the secret-key path (the voice backend's) starts without it. */
let jose: Promise<typeof import("jose")> | undefined;
const loadJose = () => jose ??= import("jose");

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
  const claims = await verifyAccessToken(bearer).catch(() => {
    throw unauthorized("The access token is invalid or expired");
  });
  return { kind: "user", userId: claims.sub };
}

/** For functions only users may call: the user id from the verified token (the secret key is refused). */
export async function authenticateUser(req: Request): Promise<string> {
  const caller = await authenticate(req);
  if (caller.kind !== "user") {
    throw new ApiError(403, "user_token_required", "Call this with a user's access token");
  }
  return caller.userId;
}

/** Verifies a Supabase Auth user token and returns its claims; rejects anything that is not a signed-in user. */
export async function verifyAccessToken(token: string, jwks?: JWTVerifyGetKey): Promise<{ sub: string }> {
  const { jwtVerify } = await loadJose();
  const { payload } = await jwtVerify(token, jwks ?? await projectJwks(), {
    audience: "authenticated",
    algorithms: ["ES256", "RS256"],
  });
  if (payload.role !== "authenticated" || typeof payload.sub !== "string") {
    throw new Error("not a user token");
  }
  if (!UUID.test(payload.sub)) throw new Error("subject is not a user id");
  return { sub: payload.sub };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function jwksFromJson(json: string): Promise<JWTVerifyGetKey> {
  const parsed = JSON.parse(json);
  const { createLocalJWKSet } = await loadJose();
  return createLocalJWKSet(Array.isArray(parsed) ? { keys: parsed } : parsed as JSONWebKeySet);
}

let cachedJwks: Promise<JWTVerifyGetKey> | undefined;

/** SUPABASE_JWKS when Supabase injects it; otherwise the project's published JWKS, fetched and cached. */
function projectJwks(): Promise<JWTVerifyGetKey> {
  return cachedJwks ??= (async () => {
    const inline = Deno.env.get("SUPABASE_JWKS");
    if (inline) return await jwksFromJson(inline);
    const url = Deno.env.get("SUPABASE_URL");
    if (!url) throw new Error("Neither SUPABASE_JWKS nor SUPABASE_URL is set");
    const { createRemoteJWKSet } = await loadJose();
    return createRemoteJWKSet(new URL("/auth/v1/.well-known/jwks.json", url));
  })();
}

function isProjectSecretKey(candidate: string): boolean {
  const keys = projectSecretKeys();
  // Compare against every key so the time taken does not reveal which one (or whether any) matched.
  return keys.map((key) => constantTimeEqual(candidate, key)).reduce((a, b) => a || b, false);
}

function projectSecretKeys(): string[] {
  const many = Deno.env.get("SUPABASE_SECRET_KEYS");
  if (many) return Object.values(JSON.parse(many) as Record<string, string>);
  const one = Deno.env.get("SUPABASE_SECRET_KEY");
  return one ? [one] : [];
}

/** Equal-length comparison whose duration does not depend on where the strings differ. */
export function constantTimeEqual(a: string, b: string): boolean {
  const left = new TextEncoder().encode(a);
  const right = new TextEncoder().encode(b);
  let diff = left.length ^ right.length;
  for (let i = 0; i < Math.max(left.length, right.length); i++) diff |= (left[i] ?? 0) ^ (right[i] ?? 0);
  return diff === 0;
}
