// API authentication as livekit-server's APIKeyAuthMiddleware and EnsureSIPAdminPermission do it: an optional
// `Authorization: Bearer <JWT>` (HS256 with the API secret, `iss` = API key), then a per-method grant check.
import { decodeJwt, jwtVerify } from "jose";
import type { Behaviour } from "./behaviour.ts";
import { PlainTextError, TwirpError } from "./errors.ts";

export interface Credentials {
  apiKey: string;
  apiSecret: string;
}

/** The SIP grant of a verified token (`{"sip": {"admin": true}}`); null when the request carried no token. */
export type SipGrant = { admin: boolean; call: boolean } | null;

const BEARER = "Bearer ";
/** go-jose's DefaultLeeway, which protocol's auth.Verify applies to `exp` and `nbf`. */
const CLOCK_TOLERANCE_SECONDS = 60;

function refuse(message: string, style: Behaviour["invalidToken"]): Error {
  return style === "text" ? new PlainTextError(401, message) : new TwirpError("unauthenticated", message);
}

/**
 * The request's SIP grant. Like livekit-server, a request without a token goes on with no grants (and then
 * fails the grant check), while a token that is present but cannot be verified is refused here.
 * Stricter than the server: `exp` is required and only HS256 is accepted (the SDK always signs so).
 */
export async function authenticate(
  req: Request,
  credentials: Credentials,
  style: Behaviour["invalidToken"],
): Promise<SipGrant> {
  const header = req.headers.get("authorization");
  if (!header) return null;
  if (!header.startsWith(BEARER)) {
    throw refuse(`invalid authorization header. Must start with ${BEARER}`, style);
  }
  const token = header.slice(BEARER.length);
  let issuer: string | undefined;
  try {
    issuer = decodeJwt(token).iss;
  } catch {
    throw refuse("invalid authorization token", style);
  }
  if (issuer !== credentials.apiKey) throw refuse(`invalid API key: ${issuer ?? ""}`, style);
  try {
    const { payload } = await jwtVerify(token, new TextEncoder().encode(credentials.apiSecret), {
      issuer: credentials.apiKey,
      algorithms: ["HS256"],
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
      requiredClaims: ["exp"],
    });
    const sip = payload.sip as { admin?: unknown; call?: unknown } | undefined;
    return { admin: sip?.admin === true, call: sip?.call === true };
  } catch (error) {
    // livekit-server also echoes the token here; the emulator leaves it out so it never reaches a log.
    throw refuse(`invalid token, error: ${(error as Error).message}`, style);
  }
}

/** Trunk and dispatch rule CRUD need `sip.admin` (EnsureSIPAdminPermission). */
export function requireSipAdmin(grant: SipGrant, style: Behaviour["missingGrant"]): void {
  if (grant?.admin) return;
  throw new TwirpError(style, "permissions denied");
}
