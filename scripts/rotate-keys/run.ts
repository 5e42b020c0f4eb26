/**
 * The key rotation: goes through every stored secret of a scope, `concurrency` rows at a time, and brings each
 * under the first key of the SecretBox (see row.ts), then counts what is left. Resumable by construction: each
 * row is written on its own, and a run only rewrites what is not under the first key yet.
 *
 * ```ts
 * const summary = await rotateKeys(sql, SecretBox.fromEnv(), { concurrency: 8, onProgress: (p) => draw(p) });
 * ```
 */
import { mapSettled } from "../../supabase/functions/_shared/concurrency.ts";
import type { SecretBox } from "../../supabase/functions/_shared/crypto/secrets.ts";
import type { Sql } from "../../supabase/functions/_shared/db/client.ts";
import { rotateRow } from "./row.ts";
import { countSecrets, secretPages, type SecretsScope } from "./select.ts";
import { type RotationProgress, type RotationSummary, RotationTally } from "./tally.ts";

export interface RotationOptions extends SecretsScope {
  /** Rows rewritten at the same time (at least 1). */
  concurrency: number;
  /** Rows read per query (default 500). */
  batchSize?: number;
  /** Decrypt and count, write nothing. */
  dryRun?: boolean;
  /** Stop taking rows; rows in flight finish, and the summary says `stoppedBy: "aborted"`. */
  signal?: AbortSignal;
  /** Called at the start and after every row. */
  onProgress?: (progress: RotationProgress) => void;
}

export async function rotateKeys(
  sql: Sql,
  box: SecretBox,
  options: RotationOptions,
): Promise<RotationSummary> {
  const scope: SecretsScope = { userIds: options.userIds };
  const stopped = () => options.signal?.aborted ?? false;
  const tally = new RotationTally((await countSecrets(sql, scope, box.activePrefix)).rows);
  const report = () => options.onProgress?.(tally.progress());
  report();
  for await (const page of secretPages(sql, scope, options.batchSize ?? 500)) {
    if (stopped()) break;
    await mapSettled(page, options.concurrency, async (row) => {
      if (stopped()) return; // a row not started yet stays for the next run
      try {
        tally.add(await rotateRow(sql, box, row, { write: !options.dryRun }));
      } catch (error) {
        tally.errored(error);
      }
      report();
    });
  }
  const remaining = await countSecrets(sql, scope, box.activePrefix).then((count) => count.stale, () => null);
  return tally.summary({
    dryRun: options.dryRun ?? false,
    activeKeyId: box.activeKeyId,
    remaining,
    stoppedBy: stopped() ? "aborted" : null,
  });
}
