/**
 * Where provisioning a credential row starts: a run for an existing row under its lease (waiting for a run
 * already under way, or not), and the first run of a row create-main-trunk inserts claimed. The run itself, and
 * what it guarantees, is run.ts.
 */
import { secretContext } from "../crypto/secrets.ts";
import {
  type CredentialRow,
  findOrInsertClaimedCredential,
  loadCredential,
  type NewCredential,
} from "../db/credentials.ts";
import { holdLease, type Lease, newLease, withLock } from "../db/locks.ts";
import type { ServiceContext } from "../service-context.ts";
import { generateSipPassword, sipUsernameFor } from "./names.ts";
import { isProvisioned, isServing } from "./row-state.ts";
import { ProvisioningRun, runStarted } from "./run.ts";

export type ProvisionOutcome =
  /** Serving a working configuration: complete, or with parts recorded as degraded. */
  | { kind: "active"; row: CredentialRow }
  /** Twilio refused for good (bad credentials, invalid request); what this run created is gone again. */
  | { kind: "failed"; row: CredentialRow }
  /** Stopped by a transient failure before a working configuration existed; resumable from `next_attempt_at`. */
  | { kind: "retrying"; row: CredentialRow }
  /** Another run holds the row and the caller chose not to wait. */
  | { kind: "busy" }
  /** The row does not exist (any more). */
  | { kind: "missing" };

export interface ProvisionOptions {
  /** Wait for a run already under way (and share its outcome), or return `busy` at once. */
  wait: boolean;
  /**
   * Try again on a row whose last run failed. Callers acting for a user do (the user is retrying); the webhook
   * does not: a late delivery must not quietly redo what a request just reported as failed.
   */
  retryFailed: boolean;
  /** The row as the caller has just read or written it: saves reading it again before the lock. */
  seen?: CredentialRow;
  /** A run makes the row its user's active one as it finishes, unless another row is (create-main-trunk). */
  activate?: boolean;
}

export async function provisionCredential(
  ctx: ServiceContext,
  rowId: string,
  options: ProvisionOptions,
): Promise<ProvisionOutcome> {
  // A caller that waits reads the row first: a run that finishes while it waits is told apart by the row's change.
  // One that does not wait (backfill, sweeper) has picked a row with work left and reads it under the lease only.
  const seen = options.seen ?? (options.wait ? await loadCredential(ctx.sql, rowId) : undefined);
  if (options.wait && !seen) return { kind: "missing" };
  if (seen && isProvisioned(seen, ctx.config)) return { kind: "active", row: seen };
  if (seen?.status === "failed" && !options.retryFailed) return { kind: "failed", row: seen };
  const locked = await withLock(ctx.sql, provisioningLeaseKey(rowId), async (lease) => {
    const row = await loadCredential(ctx.sql, rowId);
    if (!row) return { kind: "missing" } as const;
    if (isProvisioned(row, ctx.config)) return { kind: "active", row } as const;
    // A run finished while we waited: its outcome is ours, trying again at once would not help.
    const changedMeanwhile = !!seen && row.updatedAt > seen.updatedAt;
    if (row.status === "failed" && (changedMeanwhile || !options.retryFailed)) {
      return { kind: "failed", row } as const;
    }
    if (changedMeanwhile && isServing(row)) return { kind: "active", row } as const;
    return await new ProvisioningRun(ctx, row, { lease, activate: options.activate }).execute();
  }, { wait: options.wait });
  return locked.acquired ? locked.value : { kind: "busy" };
}

/** The lease of a row's provisioning runs (the database webhook checks it too: see its migration of 2026-12-07). */
export const provisioningLeaseKey = (rowId: string) => `provision:${rowId}`;

/**
 * The user's row for the account, or a new one inserted claimed for its first run, with the SIP username and a
 * new password that run will use (one statement, see findOrInsertClaimedCredential; `chooser`, the lease it was
 * chosen under, is released with an insert). A new row comes with its run's lease: the caller runs it with
 * provisionClaimedCredential.
 */
export async function findOrInsertForFirstRun(
  ctx: ServiceContext,
  fields: Omit<NewCredential, "id" | "sipUsername" | "sipPassword">,
  chooser: Lease,
): Promise<{ row: CredentialRow; runLease?: Lease }> {
  const id = crypto.randomUUID();
  const lease = newLease(provisioningLeaseKey(id));
  const sipPassword = await ctx.secrets.encrypt(
    generateSipPassword(),
    secretContext("sip_password", fields.userId),
  );
  const { row, inserted } = await findOrInsertClaimedCredential(
    ctx.sql,
    { ...fields, id, sipUsername: sipUsernameFor(fields.userId), sipPassword },
    { run: lease, chooser },
    runStarted(false),
  );
  return inserted ? { row, runLease: lease } : { row };
}

/**
 * The first run of a row its caller has just inserted claimed (findOrInsertForFirstRun: the run's lease taken, the SIP
 * password stored and the start logged by the insert itself): nothing to read, wait for or record first.
 */
export async function provisionClaimedCredential(
  ctx: ServiceContext,
  row: CredentialRow,
  lease: Lease,
  options: Pick<ProvisionOptions, "activate"> = {},
): Promise<ProvisionOutcome> {
  return await holdLease(
    ctx.sql,
    lease,
    () => new ProvisioningRun(ctx, row, { lease, claimedAtInsert: true, ...options }).execute(),
  );
}
