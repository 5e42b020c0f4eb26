/**
 * The local project's keys, in the formats a Supabase project has them: an ES256 signing key whose public half is
 * served as JWKS (the new JWT signing keys), the legacy JWT secret (HS256; every project has one, and projects that
 * never migrated sign their user tokens with it), a publishable key (`sb_publishable_…`) and a secret key
 * (`sb_secret_…`).
 *
 * ```ts
 * const keys = await generateProjectKeys();
 * const token = await signAccessToken(keys, "signing-keys", { userId, issuer: "http://127.0.0.1:54321/auth/v1" });
 * ```
 */
import { exportJWK, generateKeyPair, importJWK, type JWK, SignJWT } from "jose";

export interface ProjectKeys {
  kid: string;
  privateJwk: JWK;
  publicJwk: JWK;
  /** The legacy JWT secret: what the platform's `verify_jwt` gate checks, and what legacy projects sign with. */
  legacyJwtSecret: string;
  publishableKey: string;
  secretKey: string;
}

/** How the project signs its users' access tokens. */
export type JwtMode = "signing-keys" | "legacy";

export async function generateProjectKeys(): Promise<ProjectKeys> {
  const { privateKey, publicKey } = await generateKeyPair("ES256", { extractable: true });
  const kid = crypto.randomUUID();
  const decorate = (jwk: JWK): JWK => ({ ...jwk, kid, alg: "ES256", use: "sig" });
  return {
    kid,
    privateJwk: decorate(await exportJWK(privateKey)),
    publicJwk: decorate(await exportJWK(publicKey)),
    legacyJwtSecret: randomToken(40),
    publishableKey: `sb_publishable_${randomToken(22)}`,
    secretKey: `sb_secret_${randomToken(32)}`,
  };
}

/** Keys saved by an older version of the stack lack the legacy secret: add one rather than start over. */
export function withLegacySecret(
  keys: Omit<ProjectKeys, "legacyJwtSecret"> & Partial<ProjectKeys>,
): ProjectKeys {
  return { ...keys, legacyJwtSecret: keys.legacyJwtSecret ?? randomToken(40) };
}

/**
 * The JWKS the project publishes (and injects as SUPABASE_JWKS). A legacy project has no asymmetric key, and a
 * symmetric secret is never published, so its set is empty.
 */
export function jwksOf(
  keys: Pick<ProjectKeys, "publicJwk">,
  mode: JwtMode = "signing-keys",
): { keys: JWK[] } {
  return { keys: mode === "signing-keys" ? [keys.publicJwk] : [] };
}

export interface AccessTokenOptions {
  userId: string;
  issuer: string;
  email?: string;
  /** Seconds from now; negative for an already expired token. */
  expiresIn?: number;
  role?: string;
  sessionId?: string;
  isAnonymous?: boolean;
  /** Leave `exp` out altogether (Supabase never does; tests use it to prove it is required). */
  withoutExpiry?: boolean;
}

/** A user access token shaped like the ones Supabase Auth issues, signed the way the project's mode signs them. */
export async function signAccessToken(
  keys: Pick<ProjectKeys, "kid" | "privateJwk" | "legacyJwtSecret">,
  mode: JwtMode,
  options: AccessTokenOptions,
) {
  const now = Math.floor(Date.now() / 1000);
  const anonymous = options.isAnonymous ?? false;
  const jwt = new SignJWT({
    email: anonymous ? "" : options.email ?? `${options.userId}@example.test`,
    phone: "",
    app_metadata: anonymous ? {} : { provider: "email", providers: ["email"] },
    user_metadata: {},
    role: options.role ?? "authenticated",
    aal: "aal1",
    amr: [{ method: anonymous ? "anonymous" : "password", timestamp: now }],
    session_id: options.sessionId ?? crypto.randomUUID(),
    is_anonymous: anonymous,
  })
    .setIssuer(options.issuer)
    .setSubject(options.userId)
    .setAudience("authenticated")
    .setIssuedAt(now);
  if (!options.withoutExpiry) jwt.setExpirationTime(now + (options.expiresIn ?? 3600));
  if (mode === "legacy") {
    return await jwt.setProtectedHeader({ alg: "HS256", typ: "JWT" })
      .sign(new TextEncoder().encode(keys.legacyJwtSecret));
  }
  return await jwt.setProtectedHeader({ alg: "ES256", kid: keys.kid, typ: "JWT" })
    .sign(await importJWK(keys.privateJwk, "ES256"));
}

function randomToken(bytes: number): string {
  const raw = crypto.getRandomValues(new Uint8Array(bytes));
  return btoa(String.fromCharCode(...raw)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}
