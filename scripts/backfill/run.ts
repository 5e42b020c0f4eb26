/**
 * The backfill: provisions every credential row of a scope that lacks its SIP configuration, `concurrency` rows
 * at a time, oldest first, and says what happened. Resumable by construction: provisioning is idempotent and
 * crash-safe per row, and a re-run selects only what is still not provisioned.
 *
 * ```ts
 * const ctx = createBackfillContext({ dbUrl, concurrency: 8, log });
 * const summary = await runBackfill(ctx, { concurrency: 8, onProgress: (p) => draw(p) });
 * ```
 *
 * Each row goes through provisionCredential(ctx, id, { wait: false }): a row another process is provisioning at
 * that moment is counted `busy` and left for the next run. A row's lock is a lease (db/locks.ts) that holds no
 * connection, so any pool size works (backfillPoolSize).
 */
import { provisionCredential } from "../../supabase/functions/_shared/provisioning/provision.ts";
import { preloadTwilioSdk } from "../../supabase/functions/_shared/twilio/client.ts";
import { type BackfillScope, countBackfill, rowsToProvision } from "./select.ts";
import { type BackfillProgress, type BackfillSummary, Tally } from "./tally.ts";
import type { ServiceContext } from "../../supabase/functions/_shared/service-context.ts";

export interface BackfillOptions extends BackfillScope {
  /** Rows provisioned at the same time (at least 1). */
  concurrency: number;
  /** Stop after taking this many rows; the next run continues with the rest. */
  limit?: number;
  /** Rows read per query (default 200). */
  batchSize?: number;
  /** Stop after this many unexpected errors in a row, e.g. the database went away (default 25). */
  maxConsecutiveErrors?: number;
  /** Stop taking rows; rows in flight finish, and the summary says `stoppedBy: "aborted"`. */
  signal?: AbortSignal;
  /** Called at the start and after every row. */
  onProgress?: (progress: BackfillProgress) => void;
}

export async function runBackfill(ctx: ServiceContext, options: BackfillOptions): Promise<BackfillSummary> {
  const concurrency = Math.max(1, Math.floor(options.concurrency));
  const limit = options.limit ?? Infinity;
  const scope: BackfillScope = {
    retryFailed: options.retryFailed ?? false,
    onlyActive: options.onlyActive,
    userIds: options.userIds,
  };
  // Every row calls Twilio: the SDK loads before the first row, not inside it, where its import would hold up
  // the event loop (and every other row in flight) for a few hundred milliseconds.
  const [plan] = await Promise.all([countBackfill(ctx.sql, ctx.config, scope), preloadTwilioSdk()]);
  const tally = new Tally(plan, Math.min(plan.toProvision, limit));
  const report = () => {
    try {
      options.onProgress?.(tally.progress());
    } catch (error) {
      ctx.log.error("backfill_progress_callback_failed", { message: (error as Error)?.message });
    }
  };
  const rows = rowsToProvision(ctx.sql, ctx.config, scope, options.batchSize);
  const maxConsecutiveErrors = options.maxConsecutiveErrors ?? 25;
  let taken = 0;
  let stoppedBy: BackfillSummary["stoppedBy"] = null;
  const stopping = () => {
    if (options.signal?.aborted) stoppedBy ??= "aborted";
    if (tally.consecutiveErrors >= maxConsecutiveErrors) stoppedBy ??= "errors";
    return stoppedBy !== null;
  };

  const worker = async () => {
    while (!stopping() && taken < limit) {
      taken++;
      let next: IteratorResult<string>;
      try {
        next = await rows.next();
      } catch (error) {
        tally.errored(error, false);
        ctx.log.error("backfill_read_failed", { message: (error as Error)?.message });
        stoppedBy ??= "errors";
        return;
      }
      if (next.done || stopping()) return; // a row read after the stop stays for the next run
      const id = next.value;
      tally.started();
      const startedAt = new Date();
      try {
        const outcome = await provisionCredential(ctx, id, { wait: false, retryFailed: scope.retryFailed! });
        tally.finished(outcome, startedAt);
      } catch (error) {
        tally.errored(error);
        ctx.log.error("backfill_row_failed", { credential_id: id, message: (error as Error)?.message });
      }
      report();
    }
  };

  report();
  await Promise.all(Array.from({ length: concurrency }, worker));
  await rows.return(undefined);
  const remaining = await countBackfill(ctx.sql, ctx.config, scope).then(
    (left) => left.toProvision,
    () => null,
  );
  return tally.summary({ remaining, stoppedBy });
}
