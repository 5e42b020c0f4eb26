/**
 * The trunk listing's page token: where a walk stopped (a `Cursor`), signed with a key derived from
 * ENCRYPTION_KEYS' active key and bound to the credential row. The cursor holds Twilio's token for a calls page,
 * which is Twilio's own query, `PageSize` included: unsigned, a caller could edit it into 1,000-call pages.
 * Rotating the key (or another account's token) makes a token a 400 asking to start again.
 *
 * ```ts
 * const tokens = pageTokens(ctx.secrets, row.id);
 * const cursor = await tokens.open(request.pageToken);
 * const nextPageToken = await tokens.seal({ t: twilioToken, c: callSid });
 * ```
 */
import type { SecretBox } from "../crypto/secrets.ts";
import { signToken, verifiedPayload } from "../crypto/signed-tokens.ts";
import { ApiError } from "../http/errors.ts";

/** Where a walk stopped. */
export interface Cursor {
  /** Twilio's token of the calls page to read; null: the first page. */
  t: string | null;
  /** The trunk call to resume at (on that page or, for the first page, a later one); absent: the page's start. */
  c?: string;
  /** Recordings of that call already returned. */
  r?: number;
}

/** The HKDF purpose of the signing key. Bump it when the cursor's shape changes: old tokens then fail to verify. */
export const PAGE_TOKEN_PURPOSE = "recording-info page token v1";

export interface PageTokens {
  seal(cursor: Cursor): Promise<string>;
  /** The cursor a token carries; 400 `invalid_page_token` for a token this function did not give out. */
  open(token: string): Promise<Cursor>;
}

export function pageTokens(secrets: SecretBox, credentialId: string): PageTokens {
  const key = () => secrets.signingKey(PAGE_TOKEN_PURPOSE);
  return {
    seal: async (cursor) => signToken(await key(), credentialId, JSON.stringify(cursor)),
    open: async (token) => {
      const payload = await verifiedPayload(await key(), credentialId, token);
      const cursor = payload === null ? null : parseCursor(payload);
      if (!cursor) throw invalidPageToken();
      return cursor;
    },
  };
}

const CALL_SID = /^CA[0-9a-f]{32}$/;

/** A verified cursor is ours; its shape is checked still, in case a release changed it without a new purpose. */
function parseCursor(payload: string): Cursor | null {
  try {
    const cursor = JSON.parse(payload);
    const valid = cursor !== null && typeof cursor === "object" &&
      (cursor.t === null || (typeof cursor.t === "string" && cursor.t.length > 0)) &&
      (cursor.c === undefined || (typeof cursor.c === "string" && CALL_SID.test(cursor.c))) &&
      (cursor.r === undefined || (Number.isSafeInteger(cursor.r) && cursor.r > 0 && cursor.c !== undefined));
    return valid ? { t: cursor.t, c: cursor.c, r: cursor.r } : null;
  } catch {
    return null;
  }
}

export const invalidPageToken = () =>
  new ApiError(
    "invalid_page_token",
    "pageToken is not one this function gave out, or no longer valid; start again without it",
    "pageToken",
  );
