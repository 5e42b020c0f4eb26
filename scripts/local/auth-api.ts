/**
 * A development stand-in for the part of Supabase Auth that supabase-js uses for email + password accounts:
 * `auth.signUp`, `signInWithPassword`, `signInAnonymously`, `getUser`, `refreshSession` and `signOut`, plus the
 * JWKS. It issues the same tokens as `deno task token` (ES256 with the signing key, or HS256 with the legacy secret
 * on a legacy project) and keeps users, sessions and refresh tokens in the database under Auth's table names, with
 * bcrypt password hashes (pgcrypto), so seed scripts written for Supabase work here too.
 *
 * Not emulated: emails (sign-up confirms at once, as on a project with "Confirm email" off), OAuth and SSO, OTP,
 * MFA, password recovery, the admin API, rate limits, captcha.
 */
import { importJWK, jwtVerify } from "jose";
import type postgres from "postgres";
import { jwksOf, type JwtMode, type ProjectKeys, signAccessToken } from "./keys.ts";
import { startSession } from "./users.ts";

export interface AuthApiOptions {
  sql: postgres.Sql;
  keys: ProjectKeys;
  mode: JwtMode;
  /** `<api url>/auth/v1`: the issuer of every token. */
  issuer: string;
}

const ACCESS_TOKEN_SECONDS = 3600;
const MIN_PASSWORD_LENGTH = 6; // Supabase Auth's default

interface UserRow {
  id: string;
  email: string | null;
  emailConfirmedAt: Date | null;
  rawAppMetaData: Record<string, unknown> | null;
  rawUserMetaData: Record<string, unknown> | null;
  isAnonymous: boolean;
  lastSignInAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/** Answers a request under /auth/v1 (`path` is what follows it). */
export function createAuthApi(options: AuthApiOptions) {
  const { sql } = options;
  const verifyKeys = tokenKeys(options);

  async function issueSession(user: UserRow, sessionId?: string) {
    const session = sessionId ?? await startSession(sql, user.id);
    const refreshToken = randomRefreshToken();
    await sql`insert into auth.refresh_tokens (token, user_id, session_id) values (${refreshToken}, ${user.id}, ${session})`;
    const [signedIn] = await sql<UserRow[]>`
      update auth.users set last_sign_in_at = now() where id = ${user.id} returning *`;
    const accessToken = await signAccessToken(options.keys, options.mode, {
      userId: user.id,
      issuer: options.issuer,
      email: user.email ?? "",
      isAnonymous: user.isAnonymous,
      sessionId: session,
      expiresIn: ACCESS_TOKEN_SECONDS,
    });
    return Response.json({
      access_token: accessToken,
      token_type: "bearer",
      expires_in: ACCESS_TOKEN_SECONDS,
      expires_at: Math.floor(Date.now() / 1000) + ACCESS_TOKEN_SECONDS,
      refresh_token: refreshToken,
      user: userJson(signedIn),
    });
  }

  /** The caller's user and session from their bearer token, as Auth checks it: signature, expiry, both still exist. */
  async function bearerUser(req: Request) {
    const token = req.headers.get("authorization")?.match(/^Bearer\s+(\S+)$/i)?.[1];
    if (!token) throw authError(401, "no_authorization", "This endpoint requires a Bearer token");
    const payload = await verifyKeys(token).catch(() => {
      throw authError(403, "bad_jwt", "invalid JWT: unable to parse or verify signature, token is expired");
    });
    const [user] = await sql<UserRow[]>`select * from auth.users where id = ${payload
      .sub!} and deleted_at is null`;
    if (!user) throw authError(403, "user_not_found", "User from sub claim in JWT does not exist");
    const sessionId = String(payload.session_id ?? "");
    const [session] = await sql`select id from auth.sessions where id::text = ${sessionId}`;
    if (!session) {
      throw authError(403, "session_not_found", "Session from session_id claim in JWT does not exist");
    }
    return { user, sessionId };
  }

  const routes: Record<string, (req: Request, url: URL) => Promise<Response>> = {
    "POST /signup": async (req) => {
      const body = await jsonBody(req);
      if (body.email === undefined && body.password === undefined) {
        const [user] = await sql<UserRow[]>`
          insert into auth.users (id, aud, role, raw_app_meta_data, raw_user_meta_data, is_anonymous)
          values (${crypto.randomUUID()}, 'authenticated', 'authenticated', '{}', ${
          sql.json(metadata(body) as postgres.JSONValue)
        }, true)
          returning *`;
        return await issueSession(user);
      }
      const email = normalizedEmail(body.email);
      const password = validPassword(body.password);
      const [user] = await sql<UserRow[]>`
        insert into auth.users (id, aud, role, email, encrypted_password, email_confirmed_at, raw_app_meta_data,
                                raw_user_meta_data)
        values (${crypto.randomUUID()}, 'authenticated', 'authenticated', ${email},
                extensions.crypt(${password}, extensions.gen_salt('bf')), now(),
                ${sql.json({ provider: "email", providers: ["email"] })}, ${
        sql.json(metadata(body) as postgres.JSONValue)
      })
        on conflict do nothing
        returning *`;
      if (!user) throw authError(422, "user_already_exists", "User already registered");
      return await issueSession(user);
    },
    "POST /token": async (req, url) => {
      const body = await jsonBody(req);
      const grant = url.searchParams.get("grant_type");
      if (grant === "password") {
        const [user] = await sql<UserRow[]>`
          select * from auth.users
          where email = ${String(body.email ?? "").trim().toLowerCase()} and deleted_at is null
            and encrypted_password = extensions.crypt(${String(body.password ?? "")}, encrypted_password)`;
        if (!user) throw authError(400, "invalid_credentials", "Invalid login credentials");
        return await issueSession(user);
      }
      if (grant === "refresh_token") {
        const token = String(body.refresh_token ?? "");
        const [used] = await sql<{ userId: string; sessionId: string }[]>`
          select user_id, session_id from auth.refresh_tokens where token = ${token}`;
        if (!used) {
          throw authError(400, "refresh_token_not_found", "Invalid Refresh Token: Refresh Token Not Found");
        }
        const revoked =
          await sql`update auth.refresh_tokens set revoked = true where token = ${token} and not revoked`;
        if (revoked.count === 0) {
          throw authError(400, "refresh_token_already_used", "Invalid Refresh Token: Already Used");
        }
        const [user] = await sql<UserRow[]>`select * from auth.users where id::text = ${used.userId}`;
        if (!user) {
          throw authError(400, "refresh_token_not_found", "Invalid Refresh Token: Refresh Token Not Found");
        }
        return await issueSession(user, used.sessionId);
      }
      throw authError(400, "validation_failed", `unsupported_grant_type: ${grant}`);
    },
    "GET /user": async (req) => Response.json(userJson((await bearerUser(req)).user)),
    "POST /logout": async (req, url) => {
      const { user, sessionId } = await bearerUser(req);
      const scope = url.searchParams.get("scope") ?? "global";
      if (scope === "local") await sql`delete from auth.sessions where id = ${sessionId}`;
      else if (scope === "others") {
        await sql`delete from auth.sessions where user_id = ${user.id} and id <> ${sessionId}`;
      } else await sql`delete from auth.sessions where user_id = ${user.id}`;
      return new Response(null, { status: 204 });
    },
  };

  return async (req: Request, path: string): Promise<Response> => {
    if (req.method === "GET" && (path === "/.well-known/jwks.json" || path === "/jwks")) {
      return Response.json(jwksOf(options.keys, options.mode));
    }
    const route = routes[`${req.method} ${path}`];
    if (!route) {
      return authErrorResponse(
        authError(404, "not_found", "Not found (not part of the local Auth stand-in)"),
      );
    }
    try {
      return await route(req, new URL(req.url));
    } catch (error) {
      if (error instanceof AuthError) return authErrorResponse(error);
      throw error;
    }
  };
}

/** Verifies a token the way Auth does: the current signing key and, until it is revoked, the legacy secret. */
function tokenKeys(options: AuthApiOptions) {
  const legacy = new TextEncoder().encode(options.keys.legacyJwtSecret);
  const signing = importJWK(options.keys.publicJwk, "ES256");
  return async (token: string) => {
    const header = JSON.parse(atob(token.split(".")[0].replace(/-/g, "+").replace(/_/g, "/")));
    const key = header.alg === "HS256" ? legacy : options.mode === "signing-keys" ? await signing : undefined;
    if (!key) throw new Error("no key for this algorithm");
    const { payload } = await jwtVerify(token, key, {
      issuer: options.issuer,
      audience: "authenticated",
      requiredClaims: ["exp", "sub"],
    });
    return payload;
  };
}

class AuthError extends Error {
  constructor(readonly status: number, readonly errorCode: string, message: string) {
    super(message);
  }
}

const authError = (status: number, errorCode: string, message: string) =>
  new AuthError(status, errorCode, message);

/** Auth's error body before API version 2024-01-01, which supabase-js reads (`error_code`, `msg`). */
function authErrorResponse(error: AuthError) {
  const body: Record<string, unknown> = {
    code: error.status,
    error_code: error.errorCode,
    msg: error.message,
  };
  if (error.errorCode === "weak_password") body.weak_password = { reasons: ["length"] };
  return Response.json(body, { status: error.status });
}

async function jsonBody(req: Request): Promise<Record<string, unknown>> {
  try {
    const body = await req.json();
    if (body && typeof body === "object" && !Array.isArray(body)) return body;
  } catch { /* answered below */ }
  throw authError(400, "bad_json", "Could not parse request body as JSON");
}

function normalizedEmail(value: unknown): string {
  const email = typeof value === "string" ? value.trim().toLowerCase() : "";
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) {
    throw authError(400, "validation_failed", "Unable to validate email address: invalid format");
  }
  return email;
}

function validPassword(value: unknown): string {
  const password = typeof value === "string" ? value : "";
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw authError(422, "weak_password", `Password should be at least ${MIN_PASSWORD_LENGTH} characters.`);
  }
  return password;
}

function metadata(body: Record<string, unknown>): Record<string, unknown> {
  const data = body.data;
  return data && typeof data === "object" && !Array.isArray(data) ? data as Record<string, unknown> : {};
}

function userJson(user: UserRow) {
  return {
    id: user.id,
    aud: "authenticated",
    role: "authenticated",
    email: user.email ?? "",
    email_confirmed_at: user.emailConfirmedAt,
    phone: "",
    confirmed_at: user.emailConfirmedAt,
    last_sign_in_at: user.lastSignInAt,
    app_metadata: user.rawAppMetaData ?? {},
    user_metadata: user.rawUserMetaData ?? {},
    identities: [],
    created_at: user.createdAt,
    updated_at: user.updatedAt,
    is_anonymous: user.isAnonymous,
  };
}

function randomRefreshToken(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(12)), (b) => b.toString(16).padStart(2, "0")).join(
    "",
  );
}
