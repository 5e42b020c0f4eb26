/**
 * The local project's keys, in Supabase's current formats: an ES256 signing key whose public half is served as
 * JWKS (asymmetric JWT signing keys), a publishable key (`sb_publishable_…`) and a secret key (`sb_secret_…`).
 *
 * ```ts
 * const keys = await generateProjectKeys();
 * const token = await signAccessToken(keys, { userId, issuer: "http://127.0.0.1:54321/auth/v1" });
 * ```
 */
import { exportJWK, generateKeyPair, importJWK, type JWK, SignJWT } from "jose";

export interface ProjectKeys {
  kid: string;
  privateJwk: JWK;
  publicJwk: JWK;
  publishableKey: string;
  secretKey: string;
}

export async function generateProjectKeys(): Promise<ProjectKeys> {
  const { privateKey, publicKey } = await generateKeyPair("ES256", { extractable: true });
  const kid = crypto.randomUUID();
  const decorate = (jwk: JWK): JWK => ({ ...jwk, kid, alg: "ES256", use: "sig" });
  return {
    kid,
    privateJwk: decorate(await exportJWK(privateKey)),
    publicJwk: decorate(await exportJWK(publicKey)),
    publishableKey: `sb_publishable_${randomToken(22)}`,
    secretKey: `sb_secret_${randomToken(32)}`,
  };
}

export function jwksOf(keys: Pick<ProjectKeys, "publicJwk">): { keys: JWK[] } {
  return { keys: [keys.publicJwk] };
}

export interface AccessTokenOptions {
  userId: string;
  issuer: string;
  email?: string;
  /** Seconds from now; negative for an already expired token. */
  expiresIn?: number;
  role?: string;
}

/** A user access token shaped like the ones Supabase Auth issues. */
export async function signAccessToken(
  keys: Pick<ProjectKeys, "kid" | "privateJwk">,
  options: AccessTokenOptions,
) {
  const now = Math.floor(Date.now() / 1000);
  const key = await importJWK(keys.privateJwk, "ES256");
  return await new SignJWT({
    email: options.email ?? `${options.userId}@example.test`,
    role: options.role ?? "authenticated",
    aal: "aal1",
    session_id: crypto.randomUUID(),
    is_anonymous: false,
  })
    .setProtectedHeader({ alg: "ES256", kid: keys.kid, typ: "JWT" })
    .setIssuer(options.issuer)
    .setSubject(options.userId)
    .setAudience("authenticated")
    .setIssuedAt(now)
    .setExpirationTime(now + (options.expiresIn ?? 3600))
    .sign(key);
}

function randomToken(bytes: number): string {
  const raw = crypto.getRandomValues(new Uint8Array(bytes));
  return btoa(String.fromCharCode(...raw)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}
