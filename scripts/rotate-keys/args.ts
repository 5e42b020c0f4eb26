/** The key rotation's command line: flags, defaults from env, and the usage text. */
import { parseRowTaskFlags, positiveInteger, type RowTaskArgs } from "../operator/args.ts";

export const USAGE = `Usage: deno task rotate-keys [options]

Re-encrypts every stored secret (twilio_credential_secrets: auth_token, sip_password) that is not under the
first key of ENCRYPTION_KEYS, and seals those still in plaintext, so the older keys can then be removed. Each row
is written only if it still holds what was read (a concurrent change is never overwritten). Safe to stop
(Ctrl-C: rows in flight finish) and to run again: a run after a complete one changes nothing.

Options:
  --db-url URL        database (default: SUPABASE_DB_URL, then DATABASE_URL, then the running local stack's,
                      with its settings, as \`deno task status\` shows it)
  --concurrency N     rows rewritten at the same time (default 8, at most 64)
  --batch-size N      rows read per query (default 500)
  --user-id UUID      only this user's secrets (repeatable)
  --dry-run           decrypt and count what a run would do (by key id, and plaintext); write nothing
  --json              print the summary as JSON
  -h, --help          this text

Environment: ENCRYPTION_KEYS (required): the new key first, then every key a stored secret may still be under.

Progress goes to stderr, the summary to stdout; no secret is ever printed. Exit status: 0 every secret is under
the first key (a dry run: none would fail), 1 some are not (one no configured key decrypts, an error, a row
changed meanwhile: see the summary), 2 bad usage, 130 interrupted.`;

export interface RotateArgs extends RowTaskArgs {
  batchSize: number;
}

export function parseRotateArgs(
  argv: string[],
  env: Record<string, string | undefined> = Deno.env.toObject(),
): RotateArgs {
  const { common, values } = parseRowTaskFlags(argv, env, { "batch-size": { type: "string" } });
  return {
    ...common,
    batchSize: positiveInteger("--batch-size", values["batch-size"]) ?? 500,
  };
}
