/**
 * The customer's secrets as stored on a credential row. Rows we write hold ciphertext; rows another system wrote
 * (or the old service left behind) may hold plaintext, which we encrypt the first time we touch the row.
 */
import { SecretBox, secretContext } from "../crypto/secrets.ts";
import { type CredentialRow, replaceSecrets } from "../db/credentials.ts";
import type { Sql } from "../db/client.ts";

type SecretFields = Pick<CredentialRow, "authToken" | "sipPassword" | "userId">;

/** The auth token in plaintext, for one Twilio client; it is never logged or returned. */
export const readAuthToken = (secrets: SecretBox, row: Pick<CredentialRow, "authToken" | "userId">) =>
  readStored(secrets, row.authToken, "auth_token", row.userId);

/** The stored SIP password in plaintext (a row another system wrote may hold it unsealed). */
export const readSipPassword = (secrets: SecretBox, row: Pick<CredentialRow, "sipPassword" | "userId">) =>
  readStored(secrets, row.sipPassword!, "sip_password", row.userId);

async function readStored(
  secrets: SecretBox,
  stored: string,
  column: "auth_token" | "sip_password",
  userId: string,
): Promise<string> {
  return SecretBox.isEncrypted(stored)
    ? await secrets.decrypt(stored, secretContext(column, userId))
    : stored;
}

function hasPlaintextSecrets(row: SecretFields): boolean {
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
