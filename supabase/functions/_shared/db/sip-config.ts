/**
 * The read behind get-sip-config, its hot path: the user's active row with its SIP password (not its Twilio auth
 * token, which answering never needs), its numbers and their own LiveKit rules, in one query and one pass over the
 * numbers (which also gives the row's `attached_numbers`, the count the other reads of a row take from a subquery
 * of their own). The password is a subquery on the secrets table's key rather than a join, so that its plan is
 * one index lookup whatever the table's size (joined, a small secrets table is read whole and hashed on every
 * call).
 */
import type { Sql } from "./client.ts";
import type { CredentialRowWithoutToken } from "./credentials.ts";

export async function findActiveCredentialWithNumbers(
  sql: Sql,
  userId: string,
): Promise<{ row: CredentialRowWithoutToken; numbers: string[]; numberRuleIds: string[] } | undefined> {
  const [found] = await sql<
    (CredentialRowWithoutToken & { numberList: string[]; numberRuleIds: string[] })[]
  >`
    select c.*,
           (select s.sip_password from public.twilio_credential_secrets s where s.credential_id = c.id)
             as sip_password,
           cardinality(n.number_list) as attached_numbers, n.number_list, n.number_rule_ids
    from public.user_twilio_credentials c
    cross join lateral (
      select coalesce(array_agg(phone_number order by attached_at, phone_number), '{}') as number_list,
             coalesce(array_agg(livekit_dispatch_rule_id order by attached_at)
               filter (where livekit_dispatch_rule_id is not null), '{}') as number_rule_ids
      from public.twilio_phone_numbers where credential_id = c.id
    ) n
    where c.user_id = ${userId} and c.is_active`;
  if (!found) return undefined;
  // The row keeps the two lists as extra fields: copying its ~45 columns into a new object costs more than they do.
  return { row: found, numbers: found.numberList, numberRuleIds: found.numberRuleIds };
}
