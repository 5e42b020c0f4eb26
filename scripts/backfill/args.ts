/** The backfill's command line: flags, defaults from env, and the usage text. */
import { parseRowTaskFlags, positiveInteger, type RowTaskArgs } from "../operator/args.ts";

export const USAGE = `Usage: deno task backfill [options]

Provisions every credential row that lacks its SIP configuration (status pending or provisioning, or active with
a resource missing), oldest first, with the functions' secrets and Twilio settings from the environment. Safe to
stop (Ctrl-C: rows in flight finish) and to run again: it continues with what is left.

Options:
  --db-url URL        database to backfill (default: SUPABASE_DB_URL, then DATABASE_URL, then the
                      running local stack's, with its settings, as \`deno task status\` shows it)
  --concurrency N     rows provisioned at the same time (default 8, at most 64)
  --limit N           stop after N rows; the next run continues
  --retry-failed      also retry rows whose last run failed (default: leave them)
  --only-active       only each user's active row
  --user-id UUID      only this user's rows (repeatable)
  --dry-run           count what would be done, change nothing
  --json              print the summary as JSON
  --verbose           print the service's log lines (JSON) on stderr
  -h, --help          this text

Environment (as the functions have it): ENCRYPTION_KEYS (required), LIVEKIT_SIP_URI, LIVEKIT_SIP_URI_FALLBACK,
TRUNK_RECORDING_MODE, TRUNK_RECORDING_TRIM, TWILIO_API_BASE_URL, TWILIO_TRUNKING_BASE_URL, TWILIO_TIMEOUT_MS,
TWILIO_MAX_ATTEMPTS.

Progress goes to stderr, the summary to stdout. Exit status: 0 done, 1 rows failed or errors, 2 bad usage,
130 interrupted.`;

export interface BackfillArgs extends RowTaskArgs {
  limit?: number;
  retryFailed: boolean;
  onlyActive: boolean;
  verbose: boolean;
}

export function parseBackfillArgs(
  argv: string[],
  env: Record<string, string | undefined> = Deno.env.toObject(),
): BackfillArgs {
  const { common, values } = parseRowTaskFlags(argv, env, {
    limit: { type: "string" },
    "retry-failed": { type: "boolean" },
    "only-active": { type: "boolean" },
    verbose: { type: "boolean" },
  });
  return {
    ...common,
    limit: positiveInteger("--limit", values.limit),
    retryFailed: values["retry-failed"] ?? false,
    onlyActive: values["only-active"] ?? false,
    verbose: values.verbose ?? false,
  };
}
