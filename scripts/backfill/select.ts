/**
 * Which credential rows the backfill provisions, in SQL: the rows of its scope that are not provisioned
 * (db/provisioned.ts, the SQL twin of row-state.ts's isProvisioned), oldest first, read in batches by keyset so a large table is never loaded
 * at once. Rows whose last run failed are included only when retrying failures; rows being deprovisioned never.
 *
 * ```ts
 * const plan = await countBackfill(sql, config, { retryFailed: false });
 * for await (const id of rowsToProvision(sql, config, { retryFailed: false })) await provision(id);
 * ```
 */
import type { ProvisioningConfig } from "../../supabase/functions/_shared/config.ts";
import type { Sql } from "../../supabase/functions/_shared/db/client.ts";
import { forUsers, type Fragment, provisionedSql } from "../../supabase/functions/_shared/db/provisioned.ts";

export interface BackfillScope {
  /** Also rows whose last provisioning run failed (default: leave them alone). */
  retryFailed?: boolean;
  /** Only each user's active row (`is_active`). */
  onlyActive?: boolean;
  /**
   * Only these users' rows (an empty list matches none): for provisioning a few users, and for tests that share
   * their database with others.
   */
  userIds?: readonly string[];
}

export interface BackfillPlan {
  /** Rows the scope covers. */
  scope: number;
  /** Provisioned already: nothing to do. */
  alreadyActive: number;
  /** Failed earlier and left alone (0 when retrying failures: they are in `toProvision`). */
  skippedFailed: number;
  /** Rows to provision, by what they look like now. */
  toProvision: number;
  byStatus: { pending: number; provisioning: number; incompleteActive: number; failed: number };
}

function inScope(sql: Sql, scope: BackfillScope): Fragment {
  let where = sql`true`;
  if (scope.onlyActive) where = sql`${where} and is_active`;
  if (scope.userIds) where = sql`${where} and ${forUsers(sql, scope.userIds)}`;
  return where;
}

function needsProvisioning(sql: Sql, config: ProvisioningConfig, scope: BackfillScope): Fragment {
  const statuses = scope.retryFailed
    ? sql`status in ('pending', 'provisioning', 'active', 'failed')`
    : sql`status in ('pending', 'provisioning', 'active')`;
  return sql`${statuses} and not ${provisionedSql(sql, config)}`;
}

export async function countBackfill(
  sql: Sql,
  config: ProvisioningConfig,
  scope: BackfillScope,
): Promise<BackfillPlan> {
  // Aliases are quoted camelCase: the same names whether or not the pool transforms column names.
  const [row] = await sql<{ [key: string]: number }[]>`
    select count(*)::int as "scope",
      count(*) filter (where done)::int as "alreadyActive",
      count(*) filter (where wanted)::int as "toProvision",
      count(*) filter (where not done and not wanted and status = 'failed')::int as "skippedFailed",
      count(*) filter (where wanted and status = 'pending')::int as "pending",
      count(*) filter (where wanted and status = 'provisioning')::int as "provisioning",
      count(*) filter (where wanted and status = 'active')::int as "incompleteActive",
      count(*) filter (where wanted and status = 'failed')::int as "failed"
    from (
      select status, ${provisionedSql(sql, config)} as done, ${
    needsProvisioning(sql, config, scope)
  } as wanted
      from public.user_twilio_credentials
      where ${inScope(sql, scope)}
    ) rows`;
  return {
    scope: row.scope,
    alreadyActive: row.alreadyActive,
    skippedFailed: row.skippedFailed,
    toProvision: row.toProvision,
    byStatus: {
      pending: row.pending,
      provisioning: row.provisioning,
      incompleteActive: row.incompleteActive,
      failed: row.failed,
    },
  };
}

/**
 * The ids of the rows to provision, ordered by (created_at, id), fetched `batchSize` at a time after the last one
 * seen: rows provisioned meanwhile do not shift the pages, and rows inserted meanwhile come last.
 */
export async function* rowsToProvision(
  sql: Sql,
  config: ProvisioningConfig,
  scope: BackfillScope,
  batchSize = 200,
): AsyncGenerator<string> {
  // created_at travels as text both ways: a JS Date (which postgres.js also makes of a string parameter it knows
  // to be a timestamptz) drops the microseconds, and the next page would start with rows already taken.
  let after: { createdAt: string; id: string } | undefined;
  for (;;) {
    const page = await sql<{ id: string; createdAt: string }[]>`
      select id, created_at::text as "createdAt" from public.user_twilio_credentials
      where ${inScope(sql, scope)} and ${needsProvisioning(sql, config, scope)}
        ${
      after ? sql`and (created_at, id) > (${after.createdAt}::text::timestamptz, ${after.id}::uuid)` : sql``
    }
      order by created_at, id
      limit ${batchSize}`;
    for (const row of page) yield row.id;
    if (page.length < batchSize) return;
    after = page[page.length - 1];
  }
}
