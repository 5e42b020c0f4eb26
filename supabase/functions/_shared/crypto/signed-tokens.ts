/**
 * Tokens we hand out and must get back unchanged: `<payload>.<mac>`, both base64url, the MAC an HMAC-SHA256 over
 * the payload and what the token is bound to (say, the credential it pages through). An edited token, or one
 * presented for another binding, does not verify.
 *
 * ```ts
 * const key = await secrets.signingKey("recording-info page token");
 * const token = await signToken(key, credentialId, JSON.stringify(cursor));
 * const text = await verifiedPayload(key, credentialId, token); // null when tampered
 * ```
 */
import * as base64url from "jose/base64url";

const encoder = new TextEncoder();

// The payload's base64url holds no ".", so the binding and the payload cannot be shifted into each other.
const signedBytes = (binding: string, payload: string) => encoder.encode(`${binding}.${payload}`);

export async function signToken(key: CryptoKey, binding: string, payload: string): Promise<string> {
  const encoded = base64url.encode(payload);
  const mac = await crypto.subtle.sign("HMAC", key, signedBytes(binding, encoded));
  return `${encoded}.${base64url.encode(new Uint8Array(mac))}`;
}

/** The payload of a token `signToken` made with this key and binding; null for anything else. */
export async function verifiedPayload(
  key: CryptoKey,
  binding: string,
  token: string,
): Promise<string | null> {
  const [encoded, mac, ...rest] = token.split(".");
  if (!encoded || !mac || rest.length > 0) return null;
  try {
    const valid = await crypto.subtle.verify("HMAC", key, bytes(mac), signedBytes(binding, encoded));
    return valid ? new TextDecoder("utf-8", { fatal: true }).decode(base64url.decode(encoded)) : null;
  } catch {
    return null; // not base64, or not UTF-8
  }
}

const bytes = (text: string) => base64url.decode(text) as Uint8Array<ArrayBuffer>;
