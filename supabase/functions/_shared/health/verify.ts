/**
 * Does the customer's SIP setup still work, after whatever someone did in the Twilio console? One entry per
 * check, and an overall verdict:
 *   broken    calls cannot flow at all (credentials rejected, trunk gone, no way to authenticate outbound);
 *   degraded  something a customer would notice is missing (inbound route, recording, a number off the trunk);
 *   verified  everything recorded in the database is there in Twilio.
 *
 * ```ts
 * const report = await verifyTrunkExists(ctx, { userId });
 * if (report.status !== "verified") console.log(report.checks.filter((check) => !check.ok));
 * ```
 */
import type { HealthReport } from "../contract/get-sip-config.ts";
import type { CredentialRow } from "../db/credentials.ts";
import { type AttachedNumberRow, listAttachedNumbers } from "../db/numbers.ts";
import { customerAccount } from "../numbers/account.ts";
import type { TwilioClient } from "../twilio/types.ts";
import { nullIfNotFound, TwilioApiError } from "../twilio/errors.ts";
import type { ServiceContext } from "../service-context.ts";
import { evaluateSetup, isActive, type ObservedSetup, type TrunkParts } from "./checks.ts";
import { checkLiveKitSide } from "./livekit-checks.ts";

/** What verification found, beyond the report: the facts repair acts on. */
export interface Findings {
  report: HealthReport;
  row: CredentialRow;
  twilio: TwilioClient;
  /** Stored numbers that are no longer on the main trunk. */
  detachedNumbers: AttachedNumberRow[];
  /** Disabled origination URLs of ours, which repair replaces. */
  disabledOriginationUrlSids: string[];
  /** The origination URLs the trunk has in Twilio, by SID: a recorded one missing here is recreated by repair. */
  originationUrlSids: Set<string>;
  /** The trunk's domain in Twilio when it differs from the recorded one. */
  changedDomainName: string | null;
  /** The recorded credential list no longer exists (as opposed to merely not being associated). */
  credentialListGone: boolean;
}

export async function verifyTrunkExists(
  ctx: ServiceContext,
  request: { userId: string },
): Promise<HealthReport> {
  return (await inspectSetup(ctx, request.userId)).report;
}

export async function inspectSetup(ctx: ServiceContext, userId: string): Promise<Findings> {
  const { row, twilio } = await customerAccount(ctx, userId);
  return { row, twilio, ...evaluateSetup(row, ctx.config, await observeSetup(ctx, row, twilio)) };
}

/** Fetches what the checks look at, stopping where a failed critical check leaves nothing more to check. */
async function observeSetup(
  ctx: ServiceContext,
  row: CredentialRow,
  twilio: TwilioClient,
): Promise<ObservedSetup> {
  const account = await nullIfNotFound(() => twilio.fetchAccount()).catch((error) => {
    if (error instanceof TwilioApiError && error.isAuthFailure) return null;
    throw error;
  });
  if (!isActive(account)) return { account };
  const trunk = row.trunkSid ? await nullIfNotFound(() => twilio.fetchTrunk(row.trunkSid!)) : null;
  if (!trunk) return { account, trunk };
  return { account, trunk, parts: await fetchTrunkParts(ctx, row, twilio, trunk.sid) };
}

async function fetchTrunkParts(
  ctx: ServiceContext,
  row: CredentialRow,
  twilio: TwilioClient,
  trunkSid: string,
): Promise<TrunkParts> {
  const [associatedLists, credentials, originationUrls, recording, numbersOnTrunk, storedNumbers] =
    await Promise.all([
      twilio.listTrunkCredentialLists(trunkSid),
      row.credentialListSid ? nullIfNotFound(() => twilio.listCredentials(row.credentialListSid!)) : null,
      twilio.listOriginationUrls(trunkSid),
      twilio.fetchTrunkRecording(trunkSid),
      twilio.listTrunkNumbers(trunkSid),
      listAttachedNumbers(ctx.sql, row.id),
    ]);
  const livekit = ctx.livekit && ctx.config.livekit
    ? await checkLiveKitSide(ctx.livekit, row, storedNumbers)
    : undefined;
  return { associatedLists, credentials, originationUrls, recording, numbersOnTrunk, storedNumbers, livekit };
}
