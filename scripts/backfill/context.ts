/**
 * The service context the backfill runs with: the functions' secrets, settings and Twilio clients from env (see
 * provisioning/context.ts), around a pool of its own on the given database, sized for its concurrency.
 *
 * ```ts
 * const ctx = createBackfillContext({ dbUrl, concurrency: 8, log: createLogger({ fn: "backfill" }) });
 * try { await runBackfill(ctx, { concurrency: 8 }); } finally { await ctx.sql.end(); }
 * ```
 */
import { createPool, isTransactionPooler } from "../../supabase/functions/_shared/db/client.ts";
import type { Logger } from "../../supabase/functions/_shared/log.ts";
import {
  serviceDependenciesFromEnv,
  withLogger,
} from "../../supabase/functions/_shared/provisioning/context.ts";
import type { ServiceContext } from "../../supabase/functions/_shared/service-context.ts";

/**
 * On a direct connection, a connection per four concurrent runs, at least two. A run's statements are short (its
 * lock is a lease, holding no connection) and postgres.js pipelines statements on a busy connection, so runs
 * sharing one do not wait for each other's round trips. Fewer connections start faster: each new one pays its
 * authentication and, on the server, its first use of every table and statement (about 25 ms). Measured with
 * `deno task bench --only backfill` (8 runs at a time): 0.83-0.86 of the bound with 10 connections (a connection
 * per run), 0.88-0.89 with 2, 0.87-0.88 with 3 or 4, 0.86-0.88 with 1. Through the transaction pooler nothing is
 * pipelined (db/client.ts), so there each run gets a connection of its own, and two more for the page reads.
 */
export function backfillPoolSize(concurrency: number, dbUrl: string): number {
  if (isTransactionPooler(dbUrl)) return concurrency + 2;
  return Math.max(2, Math.ceil(concurrency / 4));
}

export function createBackfillContext(
  options: { dbUrl: string; concurrency: number; log: Logger },
): ServiceContext {
  const sql = createPool(options.dbUrl, backfillPoolSize(options.concurrency, options.dbUrl));
  return withLogger(serviceDependenciesFromEnv(sql), options.log);
}
