/**
 * What a backfill run has done so far, counted by outcome: the progress snapshots while it runs and the summary
 * at the end. Nothing secret is kept: Twilio's codes and messages, row and user ids, error messages.
 */
import type { ProvisionOutcome } from "../../supabase/functions/_shared/provisioning/provision.ts";
import { type Pace, paceOf } from "../operator/progress.ts";
import { countErrorMessage } from "../operator/tally.ts";
import type { BackfillPlan } from "./select.ts";

export interface OutcomeCounts {
  /** Provisioned by this run. */
  active: number;
  /** Provisioned already: at the start (never touched), or by someone else before this run got to the row. */
  alreadyActive: number;
  /** Twilio refused a step; the row is `failed`, with nothing this run created left behind in Twilio. */
  failed: number;
  /** Stopped by a transient failure (Twilio rate limiting or failing); resumable by the next run or the sweeper. */
  retrying: number;
  /** Another process was provisioning the row; left for the next run. */
  busy: number;
  /** Deleted before this run got to it. */
  missing: number;
  /** Something other than Twilio went wrong (database, decryption); the row is left as it was. */
  errors: number;
}

/** `total`: rows this run set out to provision (grows if rows arrive while it runs). */
export interface BackfillProgress extends OutcomeCounts, Pace {
  inFlight: number;
}

export interface BackfillFailure {
  id: string;
  userId: string;
  twilioCode: number | null;
  message: string | null;
}

export interface BackfillSummary extends Omit<BackfillProgress, "inFlight" | "etaSeconds"> {
  /** Rows the scope covers. */
  scope: number;
  /** Failed earlier and not retried (see retryFailed). */
  skippedFailed: number;
  /** Failed rows by Twilio error code ("none" when the failure had none). */
  failedCodes: Record<string, number>;
  /** The first failures, to look at. */
  failures: BackfillFailure[];
  /** Unexpected errors by message. */
  errorMessages: Record<string, number>;
  /** Rows of the scope still to provision when the run ended (null if they could not be counted). */
  remaining: number | null;
  /** Stopped before the work list was done: "aborted" (signal) or "errors" (too many in a row). */
  stoppedBy: "aborted" | "errors" | null;
}

const MAX_FAILURES_LISTED = 20;

export class Tally {
  readonly #startedAt = performance.now();
  readonly #plan: BackfillPlan;
  #total: number;
  #processed = 0;
  #inFlight = 0;
  #consecutiveErrors = 0;
  readonly #counts: OutcomeCounts = {
    active: 0,
    alreadyActive: 0,
    retrying: 0,
    failed: 0,
    busy: 0,
    missing: 0,
    errors: 0,
  };
  readonly #failedCodes: Record<string, number> = {};
  readonly #failures: BackfillFailure[] = [];
  readonly #errorMessages: Record<string, number> = {};

  constructor(plan: BackfillPlan, total: number) {
    this.#plan = plan;
    this.#total = total;
    this.#counts.alreadyActive = plan.alreadyActive;
  }

  get consecutiveErrors(): number {
    return this.#consecutiveErrors;
  }

  started(): void {
    this.#inFlight++;
    if (this.#processed + this.#inFlight > this.#total) this.#total = this.#processed + this.#inFlight;
  }

  /** `startedAt` is when the call began: a row a run changed since then was provisioned (or completed) by it. */
  finished(outcome: ProvisionOutcome, startedAt: Date): void {
    this.#done();
    this.#consecutiveErrors = 0;
    switch (outcome.kind) {
      case "active": {
        if (outcome.row.updatedAt.getTime() >= startedAt.getTime()) this.#counts.active++;
        else this.#counts.alreadyActive++;
        return;
      }
      case "failed": {
        this.#counts.failed++;
        const code = String(outcome.row.lastErrorCode ?? "none");
        this.#failedCodes[code] = (this.#failedCodes[code] ?? 0) + 1;
        if (this.#failures.length < MAX_FAILURES_LISTED) {
          const { id, userId, lastErrorCode, lastErrorMessage } = outcome.row;
          this.#failures.push({ id, userId, twilioCode: lastErrorCode, message: lastErrorMessage });
        }
        return;
      }
      default:
        this.#counts[outcome.kind]++;
    }
  }

  /** An error outside any row (`inFlight` false), e.g. reading the next page, counts too. */
  errored(error: unknown, inFlight = true): void {
    if (inFlight) this.#done();
    this.#counts.errors++;
    this.#consecutiveErrors++;
    countErrorMessage(this.#errorMessages, error);
  }

  #done() {
    this.#inFlight--;
    this.#processed++;
  }

  progress(): BackfillProgress {
    return {
      ...paceOf(this.#processed, this.#total, this.#startedAt),
      inFlight: this.#inFlight,
      ...this.#counts,
    };
  }

  summary(end: { remaining: number | null; stoppedBy: BackfillSummary["stoppedBy"] }): BackfillSummary {
    const progress = this.progress();
    return {
      scope: this.#plan.scope,
      total: progress.total,
      processed: progress.processed,
      active: progress.active,
      alreadyActive: progress.alreadyActive,
      failed: progress.failed,
      failedCodes: { ...this.#failedCodes },
      retrying: progress.retrying,
      busy: progress.busy,
      missing: progress.missing,
      errors: progress.errors,
      skippedFailed: this.#plan.skippedFailed,
      remaining: end.remaining,
      stoppedBy: end.stoppedBy,
      elapsedSeconds: progress.elapsedSeconds,
      rowsPerSecond: progress.rowsPerSecond,
      failures: [...this.#failures],
      errorMessages: { ...this.#errorMessages },
    };
  }
}
