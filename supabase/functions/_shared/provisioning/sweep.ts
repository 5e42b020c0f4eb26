/**
 * The sweeper: what runs without a user to finish what requests and webhooks could not. Each sweep works off the
 * teardowns that are due (deleted rows whose Twilio resources are not all gone yet), then the rows with work left
 * whose retry is due: a first provisioning that failed transiently, a degraded part, an origination URL that no
 * longer matches LIVEKIT_SIP_URI. Bounded in items and time; what it does not reach, the next sweep does.
 *
 * pg_cron runs it every minute on Supabase (through the webhook function), `deno task sweep` from outside.
 *
 * ```ts
 * const summary = await sweep(ctx, { limit: 50, deadlineMs: 100_000 });
 * ```
 */
import { mapSettled } from "../concurrency.ts";
import type { SweepSummary } from "../contract/twilio-credentials-webhook.ts";
import { forUsers, provisionedSql } from "../db/provisioned.ts";
import { dueTeardowns } from "../db/teardowns.ts";
import type { ServiceContext } from "../service-context.ts";
import { deprovisionCredential } from "./deprovision.ts";
import { provisionCredential } from "./provision.ts";

export interface SweepOptions {
  /** Teardowns and rows taken per sweep, each. */
  limit?: number;
  /** Stop taking new items after this long (the webhook keeps well inside the Edge Runtime's 150 s). */
  deadlineMs?: number;
  concurrency?: number;
  /** Only these users' teardowns and rows (an operator fixing a few customers; tests sharing a database). */
  userIds?: readonly string[];
}

export async function sweep(ctx: ServiceContext, options: SweepOptions = {}): Promise<SweepSummary> {
  const limit = options.limit ?? 50;
  const concurrency = options.concurrency ?? 4;
  const deadline = Date.now() + (options.deadlineMs ?? 100_000);
  const summary: SweepSummary = { teardowns: {}, rows: {}, deferred: 0 };
  const count = <K extends string>(tally: Partial<Record<K, number>>, kind: K) =>
    tally[kind] = (tally[kind] ?? 0) + 1;
  const beforeDeadline = <T>(work: (id: string) => Promise<T>) => async (id: string) => {
    if (Date.now() > deadline) {
      summary.deferred++;
      return undefined;
    }
    return await work(id);
  };

  const teardowns = await dueTeardowns(ctx.sql, limit, options.userIds);
  for (
    const result of await mapSettled(
      teardowns,
      concurrency,
      beforeDeadline((id) => deprovisionCredential(ctx, id)),
    )
  ) {
    if (result.status === "rejected") count(summary.teardowns, "error");
    else if (result.value) count(summary.teardowns, result.value.kind);
  }

  const rows = await rowsDueForRetry(ctx, limit, options.userIds);
  const provision = (id: string) => provisionCredential(ctx, id, { wait: false, retryFailed: false });
  for (const result of await mapSettled(rows, concurrency, beforeDeadline(provision))) {
    if (result.status === "rejected") count(summary.rows, "error");
    else if (result.value) count(summary.rows, result.value.kind);
  }
  if (teardowns.length || rows.length) ctx.log.info("swept", { ...summary });
  return summary;
}

/** Rows with work left whose retry is due (never tried counts as due); failed rows wait for a person. */
async function rowsDueForRetry(ctx: ServiceContext, limit: number, userIds?: readonly string[]) {
  const rows = await ctx.sql<{ id: string }[]>`
    select id from public.user_twilio_credentials
    where status in ('pending', 'provisioning', 'active') and not ${provisionedSql(ctx.sql, ctx.config)}
      and (next_attempt_at is null or next_attempt_at <= now()) and ${forUsers(ctx.sql, userIds)}
    order by next_attempt_at nulls first, created_at
    limit ${limit}`;
  return rows.map((row) => row.id);
}
