/**
 * The LiveKit side as the service runs it: reconciled for a credential row under its `livekit:` lock (so a
 * provisioning run, an attach and a repair never create the same object twice), and torn down with the row.
 *
 * ```ts
 * await syncLiveKitSide(ctx, row, { password });
 * ```
 */
import type { LiveKitSync } from "../contract/attach-phone.ts";
import { secretContext } from "../crypto/secrets.ts";
import { type CredentialRow, updateCredential } from "../db/credentials.ts";
import { withLockWaited } from "../db/locks.ts";
import { type AttachedNumberRow, listAttachedNumbers, updateNumberLiveKitIds } from "../db/numbers.ts";
import type { ServiceContext } from "../service-context.ts";
import { nextAttemptAt } from "../provisioning/backoff.ts";
import { deleteIfPresent, type LiveKitIds, reconcileLiveKit } from "./reconcile.ts";

/** Whether this deployment manages the LiveKit side at all (LIVEKIT_URL and its key set). */
export const managesLiveKit = (ctx: ServiceContext) => !!ctx.livekit && !!ctx.config.livekit;

/**
 * Makes the row's LiveKit objects match its attached numbers. `record` lets a provisioning run write the ids
 * through its own bookkeeping; otherwise they are written here.
 */
export async function syncLiveKitSide(
  ctx: ServiceContext,
  row: CredentialRow,
  options: { password?: string; record?: (patch: Partial<LiveKitIds>) => Promise<void> } = {},
): Promise<void> {
  if (!ctx.livekit || !ctx.config.livekit || !row.domainName || !row.sipUsername || !row.sipPassword) return;
  const { livekit, config } = ctx;
  const livekitConfig = config.livekit!;
  await withLockWaited(ctx.sql, `livekit:${row.id}`, async () => {
    const numbers = await listAttachedNumbers(ctx.sql, row.id);
    const ids = await currentIds(ctx, row);
    await reconcileLiveKit({
      config: livekitConfig,
      livekit,
      credentialId: row.id,
      userId: row.userId,
      ids,
      domainName: row.domainName!,
      sipUsername: row.sipUsername!,
      sipPassword: options.password ??
        await ctx.secrets.decrypt(row.sipPassword!, secretContext("sip_password", row.userId)),
      outboundTransport: config.outboundTransport,
      secure: config.secure,
      numbers,
      record: async (patch) => {
        Object.assign(ids, patch);
        if (options.record) await options.record(patch);
        else {await updateCredential(ctx.sql, row, patch, {
            step: "livekit",
            outcome: "succeeded",
            detail: patch,
          });}
      },
      recordNumber: (id, patch) => updateNumberLiveKitIds(ctx.sql, id, patch),
    });
  });
}

/** The ids as the database has them now (another holder of the lock may have changed them since `row` was read). */
async function currentIds(ctx: ServiceContext, row: CredentialRow): Promise<LiveKitIds> {
  const [ids] = await ctx.sql<LiveKitIds[]>`
    select livekit_outbound_trunk_id, livekit_inbound_trunk_id, livekit_dispatch_rule_id
    from public.user_twilio_credentials where id = ${row.id}`;
  return ids ?? {
    livekitOutboundTrunkId: row.livekitOutboundTrunkId,
    livekitInboundTrunkId: row.livekitInboundTrunkId,
    livekitDispatchRuleId: row.livekitDispatchRuleId,
  };
}

/** Deletes the LiveKit objects of a deleted row: its numbers' own rules and trunks, then its rule and trunks. */
export async function tearDownLiveKit(
  ctx: ServiceContext,
  objects: { rowObjectIds: string[]; numbers: AttachedNumberRow[] },
): Promise<string[]> {
  const livekit = ctx.livekit;
  const ids = [
    ...objects.numbers.flatMap((n) => [n.livekitDispatchRuleId, n.livekitInboundTrunkId]),
    ...objects.rowObjectIds,
  ].filter((id): id is string => !!id);
  if (!ids.length) return [];
  if (!livekit) throw new Error("LiveKit objects to delete, but LIVEKIT_URL is not configured");
  for (const id of ids) {
    await deleteIfPresent(() =>
      id.startsWith("SDR_") ? livekit.deleteDispatchRule(id) : livekit.deleteTrunk(id)
    );
  }
  return ids;
}

/**
 * After the numbers changed on the Twilio side: brings the LiveKit side along. A failure does not undo the Twilio
 * change; the row records `livekit` as degraded (retried when due) and the caller says so.
 */
export async function syncLiveKitAfterNumbers(
  ctx: ServiceContext,
  row: CredentialRow,
): Promise<LiveKitSync> {
  const degraded = { ...row.degraded };
  delete degraded.livekit;
  try {
    await syncLiveKitSide(ctx, row);
    if (row.degraded.livekit) await updateCredential(ctx.sql, row, { degraded, nextAttemptAt: null });
    return { synced: true };
  } catch (error) {
    const message = (error as Error)?.message ?? String(error);
    ctx.log.warn("livekit_sync_failed", { credential_id: row.id, message });
    await updateCredential(ctx.sql, row, {
      degraded: { ...degraded, livekit: { code: null, message, at: new Date().toISOString() } },
      nextAttemptAt: nextAttemptAt(row.attempts + 1),
    }, { step: "livekit", outcome: "failed", detail: { message } });
    return { synced: false, message };
  }
}

/** Deletes the LiveKit objects of numbers that are leaving (their own trunk and rule), before Twilio lets go. */
export async function releaseNumbersFromLiveKit(ctx: ServiceContext, numbers: AttachedNumberRow[]) {
  for (const number of numbers) {
    if (!number.livekitInboundTrunkId && !number.livekitDispatchRuleId) continue;
    await tearDownLiveKit(ctx, { rowObjectIds: [], numbers: [number] });
    await updateNumberLiveKitIds(ctx.sql, number.id, {
      livekitInboundTrunkId: null,
      livekitDispatchRuleId: null,
    });
  }
}
