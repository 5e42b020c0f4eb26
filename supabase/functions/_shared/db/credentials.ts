/**
 * user_twilio_credentials, its secrets (twilio_credential_secrets, service_role only) and its event log, as the
 * service uses them: a row is read with its secrets, and a patch writes each field where it lives. Every query
 * names the row by id and, where a caller's request leads to it, by user id too. Secrets arrive here already
 * encrypted.
 */
import type postgres from "postgres";
import type { RecordedFailure } from "../contract/get-sip-config.ts";
import type { ProvisioningStatus, RecordingMode, RecordingTrim, TwilioRegion } from "../contract/fields.ts";
import { inTransaction, type Sql } from "./client.ts";
import { type Lease, releaseLeaseSql, takeLeaseSql } from "./locks.ts";

export interface CredentialRow {
  id: string;
  userId: string;
  accountSid: string;
  /** The account's Twilio region: its credentials work only on that region's hosts. */
  twilioRegion: TwilioRegion;
  /** Stored form: ciphertext, or plaintext written by another system until the webhook encrypts it. */
  authToken: string;
  trunkSid: string | null;
  label: string | null;
  isActive: boolean;
  domainName: string | null;
  domainPrefix: string | null;
  credentialListSid: string | null;
  sipUsername: string | null;
  /** Ciphertext. */
  sipPassword: string | null;
  status: ProvisioningStatus;
  lastErrorCode: number | null;
  lastErrorMessage: string | null;
  credentialSid: string | null;
  originationUrlSid: string | null;
  fallbackOriginationUrlSid: string | null;
  recordingMode: RecordingMode;
  recordingTrim: RecordingTrim;
  provisionedAt: Date | null;
  /** The resources this service created, each with the provisioning run that did; the others were adopted. */
  ownedResources: Partial<Record<OwnedResource, string>>;
  /** Parts that failed while the row kept serving, by part name. */
  degraded: Record<string, RecordedFailure>;
  attempts: number;
  /** When an unfinished row may be tried again (null: nothing to retry). */
  nextAttemptAt: Date | null;
  /** The URI our origination URL carries, normalised, so a changed LIVEKIT_SIP_URI is seen without asking Twilio. */
  originationSipUri: string | null;
  fallbackOriginationSipUri: string | null;
  /** The customer's LiveKit objects (see livekit/reconcile.ts); null until they exist. */
  livekitOutboundTrunkId: string | null;
  livekitInboundTrunkId: string | null;
  livekitDispatchRuleId: string | null;
  /** How many numbers are attached (read with the row; not a column). */
  attachedNumbers?: number;
  createdAt: Date;
  updatedAt: Date;
}

/** A row as readers that never call Twilio read it: without the auth token (get-sip-config's hot path). */
export type CredentialRowWithoutToken = Omit<CredentialRow, "authToken">;

export type OwnedResource =
  | "trunk"
  | "credentialList"
  | "credential"
  | "originationUrl"
  | "fallbackOriginationUrl";

/** Columns holding JSON: written as such whatever the driver infers (no type inference without prepared statements). */
const JSON_COLUMNS = ["ownedResources", "degraded"] as const;

function withJsonColumns(sql: Sql, patch: CredentialPatch): Record<string, unknown> {
  const columns: Record<string, unknown> = { ...patch };
  for (const name of JSON_COLUMNS) {
    if (patch[name] !== undefined) columns[name] = sql.json(patch[name] as postgres.JSONValue);
  }
  return columns;
}

export type CredentialPatch = Partial<Omit<CredentialRow, "id" | "userId" | "createdAt" | "updatedAt">> & {
  /**
   * Resources a run has just created, merged into `owned_resources` by the statement itself: the saves of one
   * run's concurrent steps can reach PostgreSQL in any order, and a whole-object write from an earlier step
   * would drop a later step's claim.
   */
  claimOwnership?: Partial<Record<OwnedResource, string>>;
  /**
   * Makes the row its user's active one unless another row is, decided by the statement itself (create-main-trunk's
   * run finishing: see activateCredential for the other case). Two such writes at once for one user: the partial
   * unique index fails the later one with 23505.
   */
  activateUnlessAnotherIs?: boolean;
};

export interface ProvisioningEvent {
  step: string;
  outcome: "started" | "succeeded" | "failed" | "skipped";
  twilioSid?: string | null;
  /** Facts for the audit trail; never secrets. */
  detail?: Record<string, unknown>;
}

/** `select` of credential rows (alias `c`) with their secrets, for a query to add its `where` to. */
const credentialsWithSecrets = (sql: Sql) =>
  sql`select c.*, s.auth_token, s.sip_password,
      (select count(*)::int from public.twilio_phone_numbers n where n.credential_id = c.id) as attached_numbers
    from public.user_twilio_credentials c
    left join public.twilio_credential_secrets s on s.credential_id = c.id`;

export async function loadCredential(sql: Sql, id: string): Promise<CredentialRow | undefined> {
  const [row] = await sql<CredentialRow[]>`${credentialsWithSecrets(sql)} where c.id = ${id}`;
  return row;
}

export async function findActiveCredential(sql: Sql, userId: string): Promise<CredentialRow | undefined> {
  const [row] = await sql<CredentialRow[]>`${
    credentialsWithSecrets(sql)
  } where c.user_id = ${userId} and c.is_active`;
  return row;
}

/** A row as create-main-trunk writes it, its secrets encrypted; the id is chosen first, for its run's lease. */
export type NewCredential = Pick<
  CredentialRow,
  | "id"
  | "userId"
  | "accountSid"
  | "twilioRegion"
  | "authToken"
  | "label"
  | "isActive"
  | "recordingMode"
  | "recordingTrim"
  | "sipUsername"
  | "sipPassword"
>;

/**
 * The user's row for a Twilio account (the active one if any, else the most recently changed), or, when there is
 * none, `row` inserted claimed for its first provisioning run, in one statement: `provisioning`, its SIP username
 * and password stored before Twilio sees them, the run's lease taken (so the database webhook leaves the row to
 * that run), the lease of the caller that chose to insert it released, and the run's start logged. The caller
 * holds the user's lease (`chooser`), so no request of ours inserts between the look and the insert; a row found
 * leaves that lease to its holder.
 */
export async function findOrInsertClaimedCredential(
  sql: Sql,
  row: NewCredential,
  leases: { run: Lease; chooser: Lease },
  started: ProvisioningEvent,
): Promise<{ row: CredentialRow; inserted: boolean }> {
  const values = {
    id: row.id,
    user_id: row.userId,
    account_sid: row.accountSid,
    twilio_region: row.twilioRegion,
    auth_token: row.authToken,
    label: row.label,
    is_active: row.isActive,
    recording_mode: row.recordingMode,
    recording_trim: row.recordingTrim,
    sip_username: row.sipUsername,
    sip_password: row.sipPassword,
    status: "provisioning",
  };
  const ifInserted = sql`exists (select from inserted)`;
  // The secrets go in through the table's inlet columns; its trigger stores them with the secrets.
  const [found] = await sql<(CredentialRow & { claimedNow: boolean })[]>`
    with existing as (
      ${credentialsWithSecrets(sql)}
      where c.user_id = ${row.userId} and c.account_sid = ${row.accountSid}
      order by c.is_active desc, c.updated_at desc
      limit 1
    ), inserted as (
      insert into public.user_twilio_credentials (id, user_id, account_sid, twilio_region, auth_token, label,
        is_active, recording_mode, recording_trim, sip_username, sip_password, status)
      select id, user_id, account_sid, twilio_region, auth_token, label,
        is_active, recording_mode, recording_trim, sip_username, sip_password, status
      from jsonb_populate_record(null::public.user_twilio_credentials, ${sql.json(values)}::jsonb)
      where not exists (select from existing)
      returning *
    ), run_lease as (
      ${takeLeaseSql(sql, leases.run, sql`where ${ifInserted}`)}
    ), chooser_released as (
      ${releaseLeaseSql(sql, leases.chooser, sql`and ${ifInserted}`)}
    ), logged as (
      ${eventsInsert(sql, row, [started], sql`where ${ifInserted}`)}
    )
    select *, false as claimed_now from existing
    union all
    select inserted.*, null, null, 0, true from inserted`;
  const { claimedNow, ...stored } = found;
  if (!claimedNow) return { row: stored, inserted: false };
  leases.chooser.released = true;
  return { row: { ...stored, authToken: row.authToken, sipPassword: row.sipPassword }, inserted: true };
}

/**
 * Applies a patch and, in the same statement, appends the events that explain it (and releases the writer's
 * lease, when this is its last write under it). Says whether the row was found (a row deleted while we worked is
 * a reason for callers to stop and clean up) and whether it is its user's active one after the write.
 */
export async function updateCredential(
  sql: Sql,
  row: Pick<CredentialRow, "id" | "userId">,
  patch: CredentialPatch,
  events: ProvisioningEvent | ProvisioningEvent[] = [],
  options: { releasing?: Lease } = {},
): Promise<{ found: boolean; isActive: boolean }> {
  const { authToken, sipPassword, claimOwnership, activateUnlessAnotherIs, ...plain } = patch;
  const columns = withJsonColumns(sql, plain);
  const secrets = {
    ...(authToken === undefined ? {} : { authToken }),
    ...(sipPassword === undefined ? {} : { sipPassword }),
  };
  const explained = [events].flat();
  // An empty patch still touches the row: the event is a change to it, and the update proves the row exists.
  const assignments = Object.keys(columns).length ? sql(columns) : sql`updated_at = now()`;
  // Right after the column list: postgres.js writes `sql(columns)` as assignments only where it follows `set`.
  const claims = claimOwnership
    ? sql`, owned_resources = owned_resources || ${sql.json(claimOwnership)}::jsonb`
    : sql``;
  const activation = activateUnlessAnotherIs
    ? sql`, is_active = is_active or not ${anotherActiveRow(sql, row)}`
    : sql``;
  const [{ updated, isActive }] = await sql<{ updated: number; isActive: boolean | null }[]>`
    with changed as (
      update public.user_twilio_credentials set ${assignments}${claims}${activation} where id = ${row.id}
      returning id, is_active
    ), secrets_changed as (
      ${
    Object.keys(secrets).length
      ? sql`update public.twilio_credential_secrets set ${sql({ ...secrets, updatedAt: new Date() })}
            where credential_id = (select id from changed)`
      : sql`select 1`
  }
    ), logged as (
      ${
    explained.length
      ? eventsInsert(sql, row, explained, sql`where exists (select from changed)`)
      : sql`select 1`
  }
    ), released as (
      ${
    options.releasing
      ? releaseLeaseSql(sql, options.releasing, sql`and exists (select from changed)`)
      : sql`select 1`
  }
    )
    select (select count(*) from changed)::int as updated, (select is_active from changed) as is_active`;
  // A row found gone keeps its lease: the writer still has cleaning up to do under it.
  if (options.releasing && updated === 1) options.releasing.released = true;
  return { found: updated === 1, isActive: isActive === true };
}

/** Appends events to the log in one statement, in the order given (a repair of 1,000 numbers is one insert). */
export async function recordEvents(
  sql: Sql,
  row: Pick<CredentialRow, "id" | "userId">,
  events: ProvisioningEvent[],
) {
  if (events.length === 0) return;
  await eventsInsert(sql, row, events);
}

/** Inserts the events from one JSON array, in their order. */
function eventsInsert(
  sql: Sql,
  row: Pick<CredentialRow, "id" | "userId">,
  events: ProvisioningEvent[],
  condition = sql``,
) {
  const records = events.map((event) => ({
    step: event.step,
    outcome: event.outcome,
    twilio_sid: event.twilioSid ?? null,
    detail: event.detail ?? null,
  }));
  return sql`
    insert into public.provisioning_events (credential_id, user_id, step, outcome, twilio_sid, detail)
    select ${row.id}, ${row.userId}, e.step, e.outcome, e.twilio_sid, e.detail
    from jsonb_to_recordset(${sql.json(records as postgres.JSONValue)}::jsonb)
      as e(step text, outcome text, twilio_sid text, detail jsonb)
    ${condition}`;
}

/** Whether another row of the row's user is active (a row becomes active only where none is). */
const anotherActiveRow = (sql: Sql, row: Pick<CredentialRow, "id" | "userId">) =>
  sql`exists (select from public.user_twilio_credentials other
    where other.user_id = ${row.userId} and other.is_active and other.id <> ${row.id})`;

/** The error of a write that would have made a second row of one user active (the partial unique index). */
export function isSecondActiveRow(error: unknown): boolean {
  const failure = error as { code?: unknown; constraint_name?: unknown } | undefined;
  return failure?.code === "23505" &&
    failure.constraint_name === "user_twilio_credentials_one_active_per_user";
}

/** Makes this row the user's active one; the previous active row stays, inactive, with its trunk. */
export async function activateCredential(sql: Sql, row: Pick<CredentialRow, "id" | "userId">): Promise<void> {
  // The usual case, no other active row (a user's first account): one statement instead of a transaction.
  const [activated] = await sql`update public.user_twilio_credentials set is_active = true
    where id = ${row.id} and not is_active and not ${anotherActiveRow(sql, row)} returning id`;
  if (activated) return;
  await inTransaction(sql, async (tx) => {
    await tx`update public.user_twilio_credentials set is_active = false
      where user_id = ${row.userId} and is_active and id <> ${row.id}`;
    await tx`update public.user_twilio_credentials set is_active = true where id = ${row.id} and not is_active`;
  });
}

/** Deletes a row; its delete records the teardown of whatever it has in Twilio (or drops its secrets at once). */
export async function deleteCredential(sql: Sql, id: string): Promise<void> {
  await sql`delete from public.user_twilio_credentials where id = ${id}`;
}

/** The secrets a deleted credential row left for its teardown. */
export async function loadOrphanedSecrets(sql: Sql, credentialId: string) {
  const [found] = await sql<Pick<CredentialRow, "authToken" | "sipPassword">[]>`
    select auth_token, sip_password from public.twilio_credential_secrets where credential_id = ${credentialId}`;
  return found as Pick<CredentialRow, "authToken" | "sipPassword"> | undefined;
}

/**
 * Swaps a row's secrets for `replacement` (plaintext sealed, or values re-encrypted under a new key): each secret
 * that changes is written if, and only if, the row still holds the value read, so a secret changed in the meantime
 * is never overwritten, and one that does not change is neither written nor a condition (a run storing a new SIP
 * password while another system's plaintext token is sealed touch different columns). `event` records the swap.
 */
export async function replaceSecrets(
  sql: Sql,
  row: Pick<CredentialRow, "id" | "userId" | "authToken" | "sipPassword">,
  replacement: Pick<CredentialRow, "authToken" | "sipPassword">,
  event: ProvisioningEvent,
): Promise<boolean> {
  const tokenChanges = replacement.authToken !== row.authToken;
  const passwordChanges = replacement.sipPassword !== row.sipPassword;
  if (!tokenChanges && !passwordChanges) return true;
  const columns = {
    ...(tokenChanges ? { authToken: replacement.authToken } : {}),
    ...(passwordChanges ? { sipPassword: replacement.sipPassword } : {}),
    updatedAt: new Date(),
  };
  const [{ replaced }] = await sql<{ replaced: number }[]>`
    with changed as (
      update public.twilio_credential_secrets set ${sql(columns)}
      where credential_id = ${row.id}
        ${tokenChanges ? sql`and auth_token = ${row.authToken}` : sql``}
        ${passwordChanges ? sql`and sip_password is not distinct from ${row.sipPassword}` : sql``}
      returning credential_id
    ), logged as (
      ${eventsInsert(sql, row, [event], sql`where exists (select from changed)`)}
    )
    select count(*)::int as replaced from changed`;
  return replaced === 1;
}

export type ResourceSids = Pick<
  CredentialRow,
  "trunkSid" | "credentialListSid" | "credentialSid" | "originationUrlSid" | "fallbackOriginationUrlSid"
>;

/**
 * Marks the row for provisioning again with `patch` applied (typically SIDs of resources found missing set to
 * null), only if its SIDs are still the ones the caller inspected: two repairs racing cannot each clear what the
 * other just recreated.
 */
export async function reopenForRepair(
  sql: Sql,
  row: Pick<CredentialRow, "id"> & ResourceSids,
  patch: CredentialPatch,
  detail: Record<string, unknown>,
): Promise<boolean> {
  const [{ reopened }] = await sql<{ reopened: number }[]>`
    with changed as (
      update public.user_twilio_credentials set ${sql({ ...withJsonColumns(sql, patch), status: "pending" })}
      where id = ${row.id}
        and trunk_sid is not distinct from ${row.trunkSid}
        and credential_list_sid is not distinct from ${row.credentialListSid}
        and credential_sid is not distinct from ${row.credentialSid}
        and origination_url_sid is not distinct from ${row.originationUrlSid}
        and fallback_origination_url_sid is not distinct from ${row.fallbackOriginationUrlSid}
      returning id, user_id
    ), logged as (
      insert into public.provisioning_events (credential_id, user_id, step, outcome, detail)
      select id, user_id, 'repair', 'started', ${sql.json(detail as postgres.JSONValue)} from changed
    )
    select count(*)::int as reopened from changed`;
  return reopened === 1;
}
