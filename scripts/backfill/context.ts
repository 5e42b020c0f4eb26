/**
 * The service context the backfill runs with: the functions' secrets, settings and Twilio clients from env (see
 * provisioning/context.ts), around a pool of its own on the given database, sized for its concurrency.
 *
 * ```ts
 * const ctx = createBackfillContext({ dbUrl, concurrency: 8, log: createLogger({ fn: "backfill" }) });
 * try { await runBackfill(ctx, { concurrency: 8 }); } finally { await ctx.sql.end(); }
 * ```
 */
import { createPool } from "../../supabase/functions/_shared/db/client.ts";
import type { Logger } from "../../supabase/functions/_shared/log.ts";
import {
  serviceDependenciesFromEnv,
  withLogger,
} from "../../supabase/functions/_shared/provisioning/context.ts";
import type { ServiceContext } from "../../supabase/functions/_shared/service-context.ts";

/**
 * Each concurrent run writes a few short statements per Twilio step (its lock is a lease, holding no
 * connection); a connection per run keeps those writes from queueing behind each other, plus a few for the page
 * reads.
 */
export function backfillPoolSize(concurrency: number): number {
  return concurrency + Math.max(2, Math.ceil(concurrency / 4));
}

export function createBackfillContext(
  options: { dbUrl: string; concurrency: number; log: Logger; poolSize?: number },
): ServiceContext {
  const sql = createPool(options.dbUrl, options.poolSize ?? backfillPoolSize(options.concurrency));
  return withLogger(serviceDependenciesFromEnv(sql), options.log);
}
