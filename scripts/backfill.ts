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
import { createProgressReporter } from "./backfill/progress.ts";
import { countBackfill, runBackfill } from "./backfill/run.ts";
import { stopOnInterrupt } from "./local/interrupt.ts";
import { UsageError } from "./local/operator-args.ts";
import { useRunningStackSettings } from "./local/operator-env.ts";

async function main(argv: string[]): Promise<number> {
  if (await useRunningStackSettings(argv)) {
    console.error("backfill: using the running local stack (task status)");
  }
  let args: BackfillArgs;
  try {
    args = parseBackfillArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`${error.message}\n\n${USAGE}`);
    return 2;
  }
  if (args.help) {
    console.log(USAGE);
    return 0;
  }
  try {
    return args.dryRun ? await dryRun(args) : await backfill(args);
  } catch (error) {
    // A setting that does not parse, a database that cannot be reached: say so, without a stack trace.
    console.error(`backfill: ${(error as Error)?.message ?? error}`);
    return 1;
  }
}

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
  const reporter = createProgressReporter({ terminal: Deno.stderr.isTerminal(), format: formatProgress });
  const log = createLogger({ fn: "backfill" }, (level, line) => {
    if (args.verbose || level === "error") reporter.log(line);
  });
  const ctx = createBackfillContext({ dbUrl: args.dbUrl, concurrency: args.concurrency, log });
  if (!ctx.config.livekitSipUri) {
    reporter.log("warning: LIVEKIT_SIP_URI is not set: trunks get no origination URL (no inbound calls)");
  }

  const interrupt = stopOnInterrupt((line) => reporter.log(line));
  try {
    const summary = await runBackfill(ctx, {
      concurrency: args.concurrency,
      limit: args.limit,
      retryFailed: args.retryFailed,
      onlyActive: args.onlyActive,
      userIds: args.userIds,
      signal: interrupt.signal,
      onProgress: (progress) => reporter.update(progress),
    });
    reporter.finish();
    console.log(args.json ? JSON.stringify(summary, null, 2) : formatSummary(summary));
    if (summary.failed > 0 || summary.errors > 0) return 1;
    return summary.stoppedBy === "aborted" ? 130 : 0;
  } finally {
    interrupt.release();
    await ctx.sql.end({ timeout: 5 });
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
