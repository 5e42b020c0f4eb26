/**
 * What a key rotation has done so far: the progress snapshots while it runs and the summary at the end. Secrets
 * are counted, never kept: row and user ids, column names, key ids and SecretBox's or the database's messages.
 */
import { type Pace, paceOf } from "../operator/progress.ts";
import { countErrorMessage } from "../operator/tally.ts";
import type { SecretColumn } from "../../supabase/functions/_shared/crypto/secrets.ts";
import type { RowRotation } from "./row.ts";

/** Counts of secrets (a row holds one or two), except `changedMeanwhile` and `errors`, which count rows. */
export interface RotationCounts {
  /** Moved under the active key, by the id of the key they were under. */
  reencrypted: Record<string, number>;
  /** Plaintext, now encrypted. */
  sealed: number;
  /** Under the active key already (and decrypting with it). */
  alreadyCurrent: number;
  /** No configured key decrypts them; left as they are (see `failures`). */
  failed: number;
  /** Rows written by someone else after they were read; left for the next run. */
  changedMeanwhile: number;
  /** Rows a database error kept from being written (see `errorMessages`). */
  errors: number;
}

/** `processed`: rows examined; `total`: rows in scope when the run started (more if rows arrive meanwhile). */
export interface RotationProgress extends RotationCounts, Pace {}

export interface RotationFailure {
  credentialId: string;
  userId: string;
  column: SecretColumn;
  /** The key the secret names (it may be one ENCRYPTION_KEYS lacks). */
  keyId: string;
  reason: string;
}

export interface RotationSummary extends RotationCounts {
  dryRun: boolean;
  /** The first key of ENCRYPTION_KEYS, which every secret is to be under. */
  activeKeyId: string;
  examined: number;
  elapsedSeconds: number;
  /** The first failures, to look at. */
  failures: RotationFailure[];
  /** Database errors by message. */
  errorMessages: Record<string, number>;
  /** Rows in scope still holding a secret not under the active key when the run ended (null: not counted). */
  remaining: number | null;
  stoppedBy: "aborted" | null;
}

const MAX_FAILURES_LISTED = 100;

export class RotationTally {
  readonly #startedAt = performance.now();
  readonly #total: number;
  #examined = 0;
  readonly #counts: RotationCounts = {
    reencrypted: {},
    sealed: 0,
    alreadyCurrent: 0,
    failed: 0,
    changedMeanwhile: 0,
    errors: 0,
  };
  readonly #failures: RotationFailure[] = [];
  readonly #errorMessages: Record<string, number> = {};

  constructor(total: number) {
    this.#total = total;
  }

  add(rotation: RowRotation): void {
    this.#examined++;
    if (rotation.changedMeanwhile) {
      this.#counts.changedMeanwhile++;
      return;
    }
    for (const { column, result } of rotation.columns) {
      switch (result.kind) {
        case "current":
          this.#counts.alreadyCurrent++;
          break;
        case "sealed":
          this.#counts.sealed++;
          break;
        case "reencrypted":
          this.#counts.reencrypted[result.from] = (this.#counts.reencrypted[result.from] ?? 0) + 1;
          break;
        case "failed":
          this.#counts.failed++;
          if (this.#failures.length < MAX_FAILURES_LISTED) {
            const { keyId, reason } = result;
            this.#failures.push({
              credentialId: rotation.id,
              userId: rotation.userId,
              column,
              keyId,
              reason,
            });
          }
      }
    }
  }

  errored(error: unknown): void {
    this.#examined++;
    this.#counts.errors++;
    countErrorMessage(this.#errorMessages, error);
  }

  progress(): RotationProgress {
    const total = Math.max(this.#total, this.#examined);
    return {
      ...paceOf(this.#examined, total, this.#startedAt),
      ...this.#counts,
      reencrypted: { ...this.#counts.reencrypted },
    };
  }

  summary(end: Pick<RotationSummary, "dryRun" | "activeKeyId" | "remaining" | "stoppedBy">): RotationSummary {
    const { elapsedSeconds } = this.progress();
    return {
      dryRun: end.dryRun,
      activeKeyId: end.activeKeyId,
      examined: this.#examined,
      ...this.#counts,
      reencrypted: { ...this.#counts.reencrypted },
      failures: [...this.#failures],
      errorMessages: { ...this.#errorMessages },
      remaining: end.remaining,
      stoppedBy: end.stoppedBy,
      elapsedSeconds,
    };
  }
}
