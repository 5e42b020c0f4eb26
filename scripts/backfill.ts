/**
 * `deno task backfill`: provisions every credential row that lacks its SIP configuration (see
 * scripts/backfill/run.ts), with a progress display on stderr and a summary on stdout. `--help` for the flags.
 */
import { provisioningConfigFromEnv } from "../supabase/functions/_shared/config.ts";
import { createPool } from "../supabase/functions/_shared/db/client.ts";
import { createLogger } from "../supabase/functions/_shared/log.ts";
import { type BackfillArgs, parseBackfillArgs, USAGE } from "./backfill/args.ts";
import { createBackfillContext } from "./backfill/context.ts";
import { formatProgress, formatSummary } from "./backfill/format.ts";
import { runBackfill } from "./backfill/run.ts";
import { countBackfill } from "./backfill/select.ts";
import { runTask } from "./operator/main.ts";
import { runWithProgress } from "./operator/progress.ts";

async function dryRun(args: BackfillArgs): Promise<number> {
  const sql = createPool(args.dbUrl, 1);
  try {
    const plan = await countBackfill(sql, provisioningConfigFromEnv(), args);
    const toProvision = Math.min(plan.toProvision, args.limit ?? Infinity);
    if (args.json) console.log(JSON.stringify({ dryRun: true, ...plan, toProvision }, null, 2));
    else {
      console.log(
        [
          "Dry run: nothing changed.",
          `  rows in scope        ${plan.scope}`,
          `  already active       ${plan.alreadyActive}`,
          `  would provision      ${toProvision} (pending ${plan.byStatus.pending}, left mid-way ` +
          `${plan.byStatus.provisioning}, active but incomplete ${plan.byStatus.incompleteActive}, ` +
          `failed ${plan.byStatus.failed})`,
          `  failed before, left  ${plan.skippedFailed}`,
        ].join("\n"),
      );
    }
    return 0;
  } finally {
    await sql.end({ timeout: 5 });
  }
}

async function backfill(args: BackfillArgs): Promise<number> {
  if (args.dryRun) return await dryRun(args);
  const display = { format: formatProgress, describe: formatSummary, json: args.json };
  const summary = await runWithProgress(display, async ({ signal, onProgress, log: say }) => {
    const log = createLogger({ fn: "backfill" }, (level, line) => {
      if (args.verbose || level === "error") say(line);
    });
    const ctx = createBackfillContext({ dbUrl: args.dbUrl, concurrency: args.concurrency, log });
    if (!ctx.config.livekitSipUri) {
      say("warning: LIVEKIT_SIP_URI is not set: trunks get no origination URL (no inbound calls)");
    }
    try {
      return await runBackfill(ctx, {
        concurrency: args.concurrency,
        limit: args.limit,
        retryFailed: args.retryFailed,
        onlyActive: args.onlyActive,
        userIds: args.userIds,
        signal,
        onProgress,
      });
    } finally {
      await ctx.sql.end({ timeout: 5 });
    }
  });
  if (summary.failed > 0 || summary.errors > 0) return 1;
  return summary.stoppedBy === "aborted" ? 130 : 0;
}

if (import.meta.main) {
  await runTask("backfill", { usage: USAGE, parse: parseBackfillArgs, localStack: true }, backfill);
}
