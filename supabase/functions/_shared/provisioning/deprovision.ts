/**
 * Undoing a main trunk after its credential row was deleted: the trunk goes (taking its origination URLs and
 * credential-list association with it), then the credential list, and every number we attached gets its
 * previous voice settings back. Each step treats "already gone" as done, so repeated deliveries are harmless.
 */
import { mapSettled } from "../concurrency.ts";
import {
  type CredentialRow,
  forgetSecrets,
  loadCredential,
  loadOrphanedSecrets,
  recordEvent,
} from "../db/credentials.ts";
import { withAdvisoryLock } from "../db/locks.ts";
import { forgetAttachedNumbers, listAttachedNumbers } from "../db/numbers.ts";
import { restoreVoiceSettings } from "../numbers/voice-settings.ts";
import type { TwilioClient } from "../twilio/client.ts";
import { nullIfNotFound } from "../twilio/errors.ts";
import { readAuthToken } from "./stored-secrets.ts";
import type { ServiceContext } from "./provision.ts";

export type DeprovisionTarget = Pick<
  CredentialRow,
  "id" | "userId" | "accountSid" | "trunkSid" | "credentialListSid"
>;

export type DeprovisionResult =
  | { kind: "deprovisioned"; deleted: string[]; restoredNumbers: string[] }
  /** The row still exists: a DELETE event for it is stale or forged, and nothing is touched. */
  | { kind: "row_exists" };

const RESTORE_CONCURRENCY = 8;

export async function deprovisionCredential(
  ctx: ServiceContext,
  target: DeprovisionTarget,
): Promise<DeprovisionResult> {
  // Waits for a provisioning run of this row to finish; that run sees the row gone and removes what it created.
  const locked = await withAdvisoryLock(
    ctx.sql,
    `provision:${target.id}`,
    async (): Promise<DeprovisionResult> => {
      if (await loadCredential(ctx.sql, target.id)) return { kind: "row_exists" };
      const numbers = await listAttachedNumbers(ctx.sql, target.id);
      // The secrets stay until a teardown is complete: without them, an earlier delivery finished the job.
      const stored = await loadOrphanedSecrets(ctx.sql, target.id);
      if (!stored || (!target.trunkSid && !target.credentialListSid && numbers.length === 0)) {
        await forgetSecrets(ctx.sql, target.id);
        return { kind: "deprovisioned", deleted: [], restoredNumbers: [] };
      }
      const twilio = ctx.twilio({
        accountSid: target.accountSid,
        authToken: await readAuthToken(ctx.secrets, { authToken: stored.authToken, userId: target.userId }),
      });
      const deleted: string[] = [];
      if (target.trunkSid && await deleteIfPresent(() => twilio.deleteTrunk(target.trunkSid!))) {
        deleted.push(target.trunkSid);
      }
      const [listDeleted, restored] = await Promise.all([
        target.credentialListSid
          ? deleteIfPresent(() => twilio.deleteCredentialList(target.credentialListSid!))
          : false,
        restoreNumbers(twilio, numbers),
      ]);
      if (listDeleted) deleted.push(target.credentialListSid!);
      await forgetAttachedNumbers(ctx.sql, target.id, restored);
      // The token is kept while anything is left to do, so a later delivery can finish the job.
      if (restored.length === numbers.length) await forgetSecrets(ctx.sql, target.id);
      await recordEvent(ctx.sql, target, {
        step: "deprovision",
        outcome: restored.length === numbers.length ? "succeeded" : "failed",
        detail: { deleted, restoredNumbers: restored, notRestored: numbers.length - restored.length },
      });
      ctx.log.info("deprovisioned", { credential_id: target.id, deleted, restored_numbers: restored.length });
      return { kind: "deprovisioned", deleted, restoredNumbers: restored };
    },
    { wait: true },
  );
  if (!locked.acquired) throw new Error("unreachable: waited for the row lock");
  return locked.value;
}

/** Restores each number; returns the SIDs that are back as they were (or no longer exist). */
async function restoreNumbers(
  twilio: TwilioClient,
  numbers: Awaited<ReturnType<typeof listAttachedNumbers>>,
) {
  const results = await mapSettled(numbers, RESTORE_CONCURRENCY, async (number) => {
    await deleteIfPresent(() => restoreVoiceSettings(twilio, number.phoneNumberSid, number));
    return number.phoneNumberSid;
  });
  return results.flatMap((result) => result.status === "fulfilled" ? [result.value] : []);
}

/** Runs a delete-like call; "not found" means someone already did it. Returns whether anything was there. */
async function deleteIfPresent(remove: () => Promise<unknown>): Promise<boolean> {
  return (await nullIfNotFound(async () => (await remove(), true))) ?? false;
}
