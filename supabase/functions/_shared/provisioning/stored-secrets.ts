/**
 * The customer's secrets as stored on a credential row. Rows we write hold ciphertext; rows another system wrote
 * (or the old service left behind) may hold plaintext, which we encrypt the first time we touch the row.
 */
import { SecretBox, secretContext } from "../crypto/secrets.ts";
import { type CredentialRow, replaceSecrets } from "../db/credentials.ts";
import type { Sql } from "../db/client.ts";

type SecretFields = Pick<CredentialRow, "authToken" | "sipPassword" | "userId">;

/** The auth token in plaintext, for one Twilio client; it is never logged or returned. */
export async function readAuthToken(secrets: SecretBox, row: Pick<CredentialRow, "authToken" | "userId">) {
  const context = secretContext("auth_token", row.userId);
  return SecretBox.isEncrypted(row.authToken) ? await secrets.decrypt(row.authToken, context) : row.authToken;
}

export function hasPlaintextSecrets(row: SecretFields): boolean {
  return !SecretBox.isEncrypted(row.authToken) ||
    (row.sipPassword !== null && !SecretBox.isEncrypted(row.sipPassword));
}

/**
 * Encrypts whatever the row holds in plaintext, only if the row still holds exactly that (so a token changed in
 * the meantime is never overwritten). Returns the row as it now is.
 */
export async function sealPlaintextSecrets<T extends SecretFields & Pick<CredentialRow, "id">>(
  sql: Sql,
  secrets: SecretBox,
  row: T,
): Promise<T> {
  if (!hasPlaintextSecrets(row)) return row;
  const seal = async (value: string, column: "auth_token" | "sip_password") =>
    SecretBox.isEncrypted(value) ? value : await secrets.encrypt(value, secretContext(column, row.userId));
  const sealed = {
    authToken: await seal(row.authToken, "auth_token"),
    sipPassword: row.sipPassword === null ? null : await seal(row.sipPassword, "sip_password"),
  };
  const replaced = await replaceSecrets(sql, row, sealed, {
    step: "encrypt_plaintext_secrets",
    outcome: "succeeded",
  });
  return replaced ? { ...row, ...sealed } : row;
}
