/**
 * `deno task rotate-keys`: after a new key was put first in ENCRYPTION_KEYS, re-encrypts every stored secret under
 * it (and seals plaintext ones), so the older keys can be removed (see scripts/rotate-keys/run.ts), with a
 * progress display on stderr and a summary on stdout. `--help` for the flags.
 */
import { SecretBox } from "../supabase/functions/_shared/crypto/secrets.ts";
import { createPool } from "../supabase/functions/_shared/db/client.ts";
import { createProgressReporter } from "./backfill/progress.ts";
import { stopOnInterrupt } from "./local/interrupt.ts";
import { UsageError } from "./local/operator-args.ts";
import { useRunningStackSettings } from "./local/operator-env.ts";
import { parseRotateArgs, type RotateArgs, USAGE } from "./rotate-keys/args.ts";
import { formatRotationProgress, formatRotationSummary } from "./rotate-keys/format.ts";
import { rotateKeys } from "./rotate-keys/run.ts";
import type { RotationSummary } from "./rotate-keys/tally.ts";

async function main(argv: string[]): Promise<number> {
  if (await useRunningStackSettings(argv)) {
    console.error("rotate-keys: using the running local stack (task status)");
  }
  let args: RotateArgs;
  try {
    args = parseRotateArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`${error.message}\n\n${USAGE}`);
    return 2;
  }
  if (args.help) {
    console.log(USAGE);
    return 0;
  }
  const reporter = createProgressReporter({
    terminal: Deno.stderr.isTerminal(),
    format: formatRotationProgress,
  });
  const interrupt = stopOnInterrupt((line) => reporter.log(line));
  let sql: ReturnType<typeof createPool> | undefined;
  try {
    const box = SecretBox.fromEnv();
    sql = createPool(args.dbUrl, args.concurrency + 1); // a connection per row in flight, one for the pages
    const summary = await rotateKeys(sql, box, {
      concurrency: args.concurrency,
      batchSize: args.batchSize,
      userIds: args.userIds,
      dryRun: args.dryRun,
      signal: interrupt.signal,
      onProgress: (progress) => reporter.update(progress),
    });
    reporter.finish();
    console.log(args.json ? JSON.stringify(summary, null, 2) : formatRotationSummary(summary));
    return exitStatus(summary);
  } catch (error) {
    // A setting that does not parse, a database that cannot be reached: say so, without a stack trace.
    console.error(`rotate-keys: ${(error as Error)?.message ?? error}`);
    return 1;
  } finally {
    interrupt.release();
    await sql?.end({ timeout: 5 });
  }
}

/** 0 only when every secret in scope is under the first key (a dry run: when none would fail). */
function exitStatus(summary: RotationSummary): number {
  if (summary.failed > 0 || summary.errors > 0) return 1;
  if (summary.stoppedBy === "aborted") return 130;
  return summary.dryRun || summary.remaining === 0 ? 0 : 1;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
