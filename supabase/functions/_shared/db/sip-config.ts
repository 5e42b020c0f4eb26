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
    select found.*, coalesce(n.number_list, '{}') as number_list, coalesce(n.number_rule_ids, '{}') as number_rule_ids
    from (${credentialsWithSecrets(sql)} where c.user_id = ${userId} and c.is_active) found
    left join lateral (
      -- One pass over the row's numbers for both lists: this is the voice backend's hot path.
      select array_agg(phone_number order by attached_at, phone_number) as number_list,
             array_agg(livekit_dispatch_rule_id order by attached_at)
               filter (where livekit_dispatch_rule_id is not null) as number_rule_ids
      from public.twilio_phone_numbers where credential_id = found.id
    ) n on true`;
  if (!found) return undefined;
  const { numberList, numberRuleIds, ...row } = found;
  return { row, numbers: numberList, numberRuleIds };
}
