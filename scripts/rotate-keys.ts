/**
 * `deno task rotate-keys`: after a new key was put first in ENCRYPTION_KEYS, re-encrypts every stored secret under
 * it (and seals plaintext ones), so the older keys can be removed (see scripts/rotate-keys/run.ts), with a
 * progress display on stderr and a summary on stdout. `--help` for the flags.
 */
import { SecretBox } from "../supabase/functions/_shared/crypto/secrets.ts";
import { createPool } from "../supabase/functions/_shared/db/client.ts";
import { runTask } from "./operator/main.ts";
import { runWithProgress } from "./operator/progress.ts";
import { parseRotateArgs, type RotateArgs, USAGE } from "./rotate-keys/args.ts";
import { formatRotationProgress, formatRotationSummary } from "./rotate-keys/format.ts";
import { rotateKeys } from "./rotate-keys/run.ts";
import type { RotationSummary } from "./rotate-keys/tally.ts";

async function rotate(args: RotateArgs): Promise<number> {
  const box = SecretBox.fromEnv();
  const sql = createPool(args.dbUrl, args.concurrency + 1); // a connection per row in flight, one for the pages
  const display = { format: formatRotationProgress, describe: formatRotationSummary, json: args.json };
  try {
    const summary = await runWithProgress(display, ({ signal, onProgress }) =>
      rotateKeys(sql, box, {
        concurrency: args.concurrency,
        batchSize: args.batchSize,
        userIds: args.userIds,
        dryRun: args.dryRun,
        signal,
        onProgress,
      }));
    return exitStatus(summary);
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/** 0 only when every secret in scope is under the first key (a dry run: when none would fail). */
function exitStatus(summary: RotationSummary): number {
  if (summary.failed > 0 || summary.errors > 0) return 1;
  if (summary.stoppedBy === "aborted") return 130;
  return summary.dryRun || summary.remaining === 0 ? 0 : 1;
}

if (import.meta.main) {
  await runTask("rotate-keys", { usage: USAGE, parse: parseRotateArgs, localStack: true }, rotate);
}
