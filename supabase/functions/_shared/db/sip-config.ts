/**
 * The read behind get-sip-config, its hot path: the user's active row, its numbers and their own LiveKit rules, in
 * one query.
 */
import type { Sql } from "./client.ts";
import { type CredentialRow, credentialsWithSecrets } from "./credentials.ts";

export async function findActiveCredentialWithNumbers(
  sql: Sql,
  userId: string,
): Promise<{ row: CredentialRow; numbers: string[]; numberRuleIds: string[] } | undefined> {
  const [found] = await sql<(CredentialRow & { numberList: string[]; numberRuleIds: string[] })[]>`
    select found.*, array(
      select n.phone_number from public.twilio_phone_numbers n
      where n.credential_id = found.id order by n.attached_at, n.phone_number
    ) as number_list, array(
      select n.livekit_dispatch_rule_id from public.twilio_phone_numbers n
      where n.credential_id = found.id and n.livekit_dispatch_rule_id is not null order by n.attached_at
    ) as number_rule_ids
    from (${credentialsWithSecrets(sql)} where c.user_id = ${userId} and c.is_active) found`;
  if (!found) return undefined;
  const { numberList, numberRuleIds, ...row } = found;
  return { row, numbers: numberList, numberRuleIds };
}
