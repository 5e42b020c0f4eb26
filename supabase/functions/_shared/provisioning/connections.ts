/**
 * The user's connected Twilio accounts as a frontend shows them (the seed's TwilioCredentials, never a secret),
 * and disconnecting one: the row goes, and with it everything this service created in Twilio for it.
 *
 * ```ts
 * const { credentials } = await listTwilioCredentials(ctx, { userId });
 * await disconnectTwilioCredentials(ctx, { userId, id: credentials[0].id });
 * ```
 */
import type { CredentialsList, Disconnected, TwilioCredentials } from "../contract/create-main-trunk.ts";
import type { CredentialRow } from "../db/credentials.ts";
import { teardownSucceeded } from "../db/teardowns.ts";
import { ApiError } from "../http/errors.ts";
import type { ServiceContext } from "../service-context.ts";
import { deprovisionCredential } from "./deprovision.ts";

export async function listTwilioCredentials(
  ctx: ServiceContext,
  request: { userId: string },
): Promise<CredentialsList> {
  const rows = await ctx.sql<CredentialRow[]>`
    select * from public.user_twilio_credentials where user_id = ${request.userId}
    order by is_active desc, created_at desc`;
  return { credentials: rows.map(asTwilioCredentials) };
}

/** The row under the table's own (snake_case) names, as supabase.from(...).select() would give it its owner. */
function asTwilioCredentials(row: CredentialRow): TwilioCredentials {
  return {
    id: row.id,
    user_id: row.userId,
    account_sid: row.accountSid,
    trunk_sid: row.trunkSid,
    label: row.label,
    domain_name: row.domainName,
    domain_prefix: row.domainPrefix,
    credential_list_sid: row.credentialListSid,
    sip_username: row.sipUsername,
    is_active: row.isActive,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
    status: row.status,
    degraded: Object.keys(row.degraded),
  };
}

/**
 * Deletes the user's row (its delete records the teardown) and works the teardown off at once: numbers restored,
 * our trunk and list deleted. Should Twilio fail mid-way, the teardown stays recorded and the sweeper finishes it.
 */
export async function disconnectTwilioCredentials(
  ctx: ServiceContext,
  request: { userId: string; id: string },
): Promise<Disconnected> {
  const deleted = await ctx.sql`delete from public.user_twilio_credentials
    where id = ${request.id} and user_id = ${request.userId} returning id`;
  if (deleted.length === 0) {
    throw new ApiError("credentials_not_found", "No such Twilio connection for this user", "id");
  }
  const { kind } = await deprovisionCredential(ctx, request.id);
  // The delete also fires the database webhook, which may have finished the teardown before this call got there.
  const teardown = kind === "nothing_to_do" && await teardownSucceeded(ctx.sql, request.id)
    ? "deprovisioned"
    : kind;
  ctx.log.info("disconnected", { credential_id: request.id, teardown });
  return { deleted: true, teardown };
}
