/** The read behind get-sip-config, its hot path: the user's active row and its numbers in one query. */
import type { Sql } from "./client.ts";
import { type CredentialRow, credentialsWithSecrets } from "./credentials.ts";

export async function findActiveCredentialWithNumbers(
  sql: Sql,
  userId: string,
): Promise<{ row: CredentialRow; numbers: string[] } | undefined> {
  const [found] = await sql<(CredentialRow & { attachedNumbers: string[] })[]>`
    select found.*, array(
      select n.phone_number from public.twilio_phone_numbers n
      where n.credential_id = found.id order by n.attached_at, n.phone_number
    ) as attached_numbers
    from (${credentialsWithSecrets(sql)} where c.user_id = ${userId} and c.is_active) found`;
  if (!found) return undefined;
  const { attachedNumbers, ...row } = found;
  return { row, numbers: attachedNumbers };
}
