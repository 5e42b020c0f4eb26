/**
 * One row of twilio_credential_secrets brought under the active key: each secret decrypted with whichever
 * configured key it names and encrypted with the first, or sealed if it is plaintext; then both columns written
 * in one compare-and-swap, so a secret someone changed after it was read is never overwritten. Secrets already
 * under the active key are decrypted too: a run that ends without failures proves the first key reads them all.
 */
import {
  SecretBox,
  type SecretColumn,
  secretContext,
} from "../../supabase/functions/_shared/crypto/secrets.ts";
import type { Sql } from "../../supabase/functions/_shared/db/client.ts";
import { replaceSecrets } from "../../supabase/functions/_shared/db/credentials.ts";
import type { StoredSecrets } from "./select.ts";

/** What became of one stored secret. `value` is the new stored form (ciphertext). */
export type Resealed =
  | { kind: "current" }
  | { kind: "reencrypted"; from: string; value: string }
  | { kind: "sealed"; value: string }
  | { kind: "failed"; keyId: string; reason: string };

export async function reseal(box: SecretBox, stored: string, context: string): Promise<Resealed> {
  const keyId = SecretBox.keyIdOf(stored);
  if (keyId === null) return { kind: "sealed", value: await box.encrypt(stored, context) };
  let plaintext: string;
  try {
    plaintext = await box.decrypt(stored, context);
  } catch (error) {
    // SecretBox's messages name a key id at most, never a value.
    return { kind: "failed", keyId, reason: (error as Error).message };
  }
  if (!box.needsRotation(stored)) return { kind: "current" };
  return { kind: "reencrypted", from: keyId, value: await box.encrypt(plaintext, context) };
}

export interface RowRotation {
  id: string;
  userId: string;
  /** The row's secrets (sip_password only when it has one). */
  columns: { column: SecretColumn; result: Resealed }[];
  /** The row was written by someone else after it was read: this run wrote nothing; the next takes it. */
  changedMeanwhile: boolean;
}

/** `write: false` (a dry run) works out the same and writes nothing. */
export async function rotateRow(
  sql: Sql,
  box: SecretBox,
  row: StoredSecrets,
  options: { write: boolean },
): Promise<RowRotation> {
  const authToken = await reseal(box, row.authToken, secretContext("auth_token", row.userId));
  const sipPassword = row.sipPassword === null
    ? null
    : await reseal(box, row.sipPassword, secretContext("sip_password", row.userId));
  const columns = [
    { column: "auth_token" as const, result: authToken },
    ...(sipPassword ? [{ column: "sip_password" as const, result: sipPassword }] : []),
  ];
  const rewrite = options.write && columns.some(({ result }) => "value" in result);
  const replaced = rewrite &&
    await replaceSecrets(sql, row, {
      authToken: newValue(authToken, row.authToken),
      sipPassword: sipPassword ? newValue(sipPassword, row.sipPassword) : null,
    }, { step: "reencrypt_secrets", outcome: "succeeded", detail: { keyId: box.activeKeyId } });
  return { id: row.id, userId: row.userId, columns, changedMeanwhile: rewrite && !replaced };
}

/** A secret that failed or is current is written back as it was. */
const newValue = <T extends string | null>(result: Resealed, stored: T) =>
  "value" in result ? result.value : stored;
