/**
 * twilio_teardowns: what a deleted credential row leaves to remove from Twilio, recorded by the row's own delete
 * (see the migration), and worked off by the webhook, the sweeper and `deno task sweep` until done.
 */
import type { Sql } from "./client.ts";
import { forUsers } from "./provisioned.ts";
import type { OwnedResource } from "./credentials.ts";
import type { TwilioRegion } from "../contract/fields.ts";

export interface TeardownRow {
  credentialId: string;
  userId: string;
  accountSid: string;
  twilioRegion: TwilioRegion;
  trunkSid: string | null;
  credentialListSid: string | null;
  ownedResources: Partial<Record<OwnedResource, string>>;
  /** The row's LiveKit objects: its dispatch rule, inbound and outbound trunks (numbers keep their own). */
  livekitObjectIds: string[];
  attempts: number;
  nextAttemptAt: Date;
  lastError: string | null;
  createdAt: Date;
  doneAt: Date | null;
}

export async function loadPendingTeardown(sql: Sql, credentialId: string): Promise<TeardownRow | undefined> {
  const [row] = await sql<TeardownRow[]>`
    select * from public.twilio_teardowns where credential_id = ${credentialId} and done_at is null`;
  return row;
}

/** Whether the row's teardown has run to the end without error (perhaps in another worker, e.g. the webhook). */
export async function teardownSucceeded(sql: Sql, credentialId: string): Promise<boolean> {
  const [row] = await sql`select from public.twilio_teardowns
    where credential_id = ${credentialId} and done_at is not null and last_error is null`;
  return row !== undefined;
}

/** Teardowns whose next attempt is due, oldest first (of these users only, when given). */
export async function dueTeardowns(sql: Sql, limit: number, userIds?: readonly string[]): Promise<string[]> {
  const rows = await sql<{ credentialId: string }[]>`
    select credential_id from public.twilio_teardowns
    where done_at is null and next_attempt_at <= now() and ${forUsers(sql, userIds)}
    order by next_attempt_at limit ${limit}`;
  return rows.map((row) => row.credentialId);
}

/** Done: the teardown is marked so, and the secrets it kept are dropped in the same statement. */
export async function finishTeardown(sql: Sql, credentialId: string, lastError: string | null = null) {
  await sql`
    with finished as (
      update public.twilio_teardowns set done_at = now(), last_error = ${lastError}
      where credential_id = ${credentialId} returning credential_id
    )
    delete from public.twilio_credential_secrets
    where credential_id = (select credential_id from finished)
      and not exists (select from public.user_twilio_credentials c where c.id = ${credentialId})`;
}

export async function postponeTeardown(sql: Sql, credentialId: string, nextAttemptAt: Date, error: string) {
  await sql`update public.twilio_teardowns
    set attempts = attempts + 1, next_attempt_at = ${nextAttemptAt}, last_error = ${error}
    where credential_id = ${credentialId}`;
}
