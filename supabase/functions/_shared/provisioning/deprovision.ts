/**
 * The teardown of a deleted credential row, as its delete recorded it in twilio_teardowns: its LiveKit rules and
 * trunks go first (404: already gone), every number we attached gets its previous voice settings back (off the trunk, then its application, URL or previous
 * trunk restored), then the trunk and the credential list go if this service created them (what it adopted is
 * left in place, and the event says so). A step that fails leaves the teardown pending with a time to try again;
 * the webhook, the sweeper and `deno task sweep` call this until it is done. "Already gone" counts as done, so
 * repeats are harmless.
 *
 * ```ts
 * const result = await deprovisionCredential(ctx, credentialId);
 * ```
 */
import { loadOrphanedSecrets, recordEvents } from "../db/credentials.ts";
import { withLockWaited } from "../db/locks.ts";
import { type AttachedNumberRow, forgetAttachedNumbers, listAttachedNumbers } from "../db/numbers.ts";
import { finishTeardown, loadPendingTeardown, postponeTeardown, type TeardownRow } from "../db/teardowns.ts";
import { bulk, detachIfAttached } from "../numbers/attach.ts";
import { restoreVoiceSettings } from "../numbers/voice-settings.ts";
import type { ServiceContext } from "../service-context.ts";
import type { TwilioClient } from "../twilio/types.ts";
import { nullIfNotFound } from "../twilio/errors.ts";
import { nextAttemptAt } from "./backoff.ts";
import { readAuthToken } from "./stored-secrets.ts";
import { tearDownLiveKit } from "../livekit/side.ts";

export type DeprovisionResult =
  | { kind: "deprovisioned"; deleted: string[]; leftInPlace: string[]; restoredNumbers: string[] }
  /** Something failed; the teardown stays pending and is tried again later. */
  | { kind: "retrying"; error: string }
  /** No pending teardown for this row: done already, or the row was never deleted. */
  | { kind: "nothing_to_do" };

/** After this many failed attempts (about a day with the backoff), a teardown is given up and says why. */
const MAX_ATTEMPTS = 12;

export async function deprovisionCredential(
  ctx: ServiceContext,
  credentialId: string,
): Promise<DeprovisionResult> {
  // The row's provisioning (which sees the row gone and removes what it created) and its number changes finish
  // first; the teardown then sees everything they recorded.
  return await withLockWaited(
    ctx.sql,
    `provision:${credentialId}`,
    () =>
      withLockWaited(ctx.sql, `numbers:${credentialId}`, async () => {
        const teardown = await loadPendingTeardown(ctx.sql, credentialId);
        return teardown ? await tearDown(ctx, teardown) : { kind: "nothing_to_do" };
      }),
  );
}

async function tearDown(ctx: ServiceContext, teardown: TeardownRow): Promise<DeprovisionResult> {
  const target = { id: teardown.credentialId, userId: teardown.userId };
  const stored = await loadOrphanedSecrets(ctx.sql, teardown.credentialId);
  if (!stored) {
    const error = "no stored auth token: Twilio cannot be reached for this account";
    await finishTeardown(ctx.sql, teardown.credentialId, error);
    await recordEvents(ctx.sql, target, [{ step: "deprovision", outcome: "failed", detail: { error } }]);
    return { kind: "retrying", error };
  }
  const twilio = ctx.twilio({
    accountSid: teardown.accountSid,
    region: teardown.twilioRegion,
    authToken: await readAuthToken(ctx.secrets, { authToken: stored.authToken, userId: teardown.userId }),
  });
  try {
    const numbers = await listAttachedNumbers(ctx.sql, teardown.credentialId);
    // LiveKit first: its rules and trunks stop answering for these numbers before Twilio lets them go.
    const livekitDeleted = await tearDownLiveKit(ctx, { rowObjectIds: teardown.livekitObjectIds, numbers });
    const restored = await restoreNumbers(twilio, teardown.trunkSid, numbers);
    await forgetAttachedNumbers(ctx.sql, teardown.credentialId, restored);
    if (restored.length < numbers.length) {
      throw new Error(`${numbers.length - restored.length} number(s) could not be restored yet`);
    }
    const { deleted, leftInPlace } = await removeOwnedResources(twilio, teardown);
    // The trail first: whoever sees the teardown done finds what it deleted.
    await recordEvents(ctx.sql, target, [{
      step: "deprovision",
      outcome: "succeeded",
      detail: { deleted, leftInPlace, restoredNumbers: restored.length, livekitDeleted },
    }]);
    await finishTeardown(ctx.sql, teardown.credentialId);
    ctx.log.info("deprovisioned", {
      credential_id: teardown.credentialId,
      deleted,
      left_in_place: leftInPlace,
    });
    return { kind: "deprovisioned", deleted, leftInPlace, restoredNumbers: restored };
  } catch (error) {
    const message = (error as Error)?.message ?? String(error);
    const attempts = teardown.attempts + 1;
    if (attempts >= MAX_ATTEMPTS) await finishTeardown(ctx.sql, teardown.credentialId, `gave up: ${message}`);
    else await postponeTeardown(ctx.sql, teardown.credentialId, nextAttemptAt(attempts), message);
    await recordEvents(ctx.sql, target, [{
      step: "deprovision",
      outcome: "failed",
      detail: { error: message, attempts, gaveUp: attempts >= MAX_ATTEMPTS },
    }]);
    ctx.log.warn("deprovision_postponed", { credential_id: teardown.credentialId, attempts, message });
    return { kind: "retrying", error: message };
  }
}

/** Off the trunk, then as they were before; returns the SIDs that are back (or that the account no longer has). */
async function restoreNumbers(twilio: TwilioClient, trunkSid: string | null, numbers: AttachedNumberRow[]) {
  const { results } = await bulk(twilio, numbers, async (client, number) => {
    if (trunkSid) await detachIfAttached(client, trunkSid, number.phoneNumberSid);
    await nullIfNotFound(() => restoreVoiceSettings(client, number.phoneNumberSid, number));
    return number.phoneNumberSid;
  });
  return results.flatMap((result) => result.status === "fulfilled" ? [result.value] : []);
}

/** The trunk (taking its origination URLs and association with it), then the list: each only if ours. */
async function removeOwnedResources(twilio: TwilioClient, teardown: TeardownRow) {
  const deleted: string[] = [];
  const leftInPlace: string[] = [];
  const steps = [
    { sid: teardown.trunkSid, owned: !!teardown.ownedResources.trunk, remove: twilio.deleteTrunk },
    {
      sid: teardown.credentialListSid,
      owned: !!teardown.ownedResources.credentialList,
      remove: twilio.deleteCredentialList,
    },
  ];
  for (const { sid, owned, remove } of steps) {
    if (!sid) continue;
    if (!owned) leftInPlace.push(sid);
    else if (await nullIfNotFound(() => remove(sid)) !== null) deleted.push(sid); // null: already gone
  }
  return { deleted, leftInPlace };
}
