/**
 * The stored secrets the rotation goes through, in SQL: every row of twilio_credential_secrets (those of the
 * given users only, if any), read in pages by credential_id, so a large table is never loaded at once and rows
 * rewritten meanwhile do not shift the pages. Rows whose credential row is gone (a teardown still needs their
 * token) are included: their secrets are under a key like any other.
 */
import type { Sql } from "../../supabase/functions/_shared/db/client.ts";
import { forUsers, type Fragment } from "../../supabase/functions/_shared/db/provisioned.ts";

export interface SecretsScope {
  /** Only these users' secrets (an empty list matches none): for a few users, and for tests sharing a database. */
  userIds?: readonly string[];
}

/** A row of twilio_credential_secrets as stored: ciphertext, or plaintext another system wrote. */
export interface StoredSecrets {
  /** The credential id. */
  id: string;
  userId: string;
  authToken: string;
  sipPassword: string | null;
}

const inScope = (sql: Sql, scope: SecretsScope): Fragment => forUsers(sql, scope.userIds);

/** Rows in scope, and how many of them hold a secret that does not start with `activePrefix` (plaintext too). */
export async function countSecrets(
  sql: Sql,
  scope: SecretsScope,
  activePrefix: string,
): Promise<{ rows: number; stale: number }> {
  // starts_with, not like: a key id may hold "_", which like takes for a wildcard.
  const [count] = await sql<{ rows: number; stale: number }[]>`
    select count(*)::int as "rows",
      count(*) filter (
        where not starts_with(auth_token, ${activePrefix}) or not starts_with(sip_password, ${activePrefix})
      )::int as "stale"
    from public.twilio_credential_secrets
    where ${inScope(sql, scope)}`;
  return count;
}

/** The rows in scope, `batchSize` at a time, in credential_id order. */
export async function* secretPages(
  sql: Sql,
  scope: SecretsScope,
  batchSize: number,
): AsyncGenerator<StoredSecrets[]> {
  let after: string | undefined;
  for (;;) {
    const page = await sql<StoredSecrets[]>`
      select credential_id as id, user_id, auth_token, sip_password from public.twilio_credential_secrets
      where ${inScope(sql, scope)} ${after ? sql`and credential_id > ${after}::uuid` : sql``}
      order by credential_id
      limit ${batchSize}`;
    if (page.length) yield page;
    if (page.length < batchSize) return;
    after = page[page.length - 1].id;
  }
}
