/**
 * Bringing a drifted setup back: forget (on the row) what verification found missing, let provisioning recreate
 * it exactly as it would the first time (new trunk, re-association, origination URLs, recording), re-attach
 * stored numbers that left the trunk, and verify again. Every step lands in the event log.
 *
 * ```ts
 * const { before, after, repaired } = await repairTrunk(ctx, { userId });
 * ```
 */
import type { HealthCheckName, RepairResult } from "../contract/get-sip-config.ts";
import { type CredentialPatch, recordEvents, reopenForRepair } from "../db/credentials.ts";
import { listAttachedNumbers } from "../db/numbers.ts";
import type { Sql } from "../db/client.ts";
import { provisioningError } from "../provisioning/service.ts";
import { provisionCredential } from "../provisioning/provision.ts";
import { bulk, putOnTrunk } from "../numbers/attach.ts";
import { nullIfNotFound } from "../twilio/errors.ts";
import { type Findings, inspectSetup } from "./verify.ts";
import type { ServiceContext } from "../service-context.ts";

export async function repairTrunk(ctx: ServiceContext, request: { userId: string }): Promise<RepairResult> {
  const found = await inspectSetup(ctx, request.userId);
  const before = found.report;
  const failing = before.checks.filter((check) => !check.ok).map((check) => check.name);
  // Nothing to do, or nothing we can do: credentials Twilio rejects have to be replaced by the customer.
  if (failing.length === 0 || failing.includes("credentials")) return { before, after: before, repaired: [] };

  await deleteDisabledOriginationUrls(found);
  const reopened = await reopenForRepair(ctx.sql, found.row, forgetMissing(found, failing), { failing });
  if (reopened) {
    const outcome = await provisionCredential(ctx, found.row.id, { wait: true, retryFailed: true });
    if (outcome.kind === "failed") throw provisioningError(outcome.row);
    if (outcome.kind === "active") await reattachNumbers(ctx.sql, found, outcome.row.trunkSid!);
  }
  const after = (await inspectSetup(ctx, request.userId)).report;
  const passing = new Set(after.checks.filter((check) => check.ok).map((check) => check.name));
  return { before, after, repaired: failing.filter((name) => passing.has(name)) };
}

/**
 * The row's columns to clear (or correct) so that provisioning recreates exactly what is missing. An origination
 * URL of ours that still exists but carries an old URI keeps its SID: provisioning points it at the configured
 * one in place rather than adding a second beside it.
 */
function forgetMissing(findings: Findings, failing: HealthCheckName[]) {
  const { changedDomainName, credentialListGone, row } = findings;
  const gone = (sid: string | null) =>
    !sid || !findings.originationUrlSids.has(sid) ||
    findings.disabledOriginationUrlSids.includes(sid);
  const patch: CredentialPatch = {};
  if (failing.includes("trunk") && changedDomainName) {
    // Someone renamed the termination host in the console: it is the trunk's address now, so record it.
    Object.assign(patch, { domainName: changedDomainName, domainPrefix: changedDomainName.split(".")[0] });
  } else if (failing.includes("trunk")) {
    Object.assign(patch, {
      trunkSid: null,
      domainName: null,
      domainPrefix: null,
      originationUrlSid: null,
      fallbackOriginationUrlSid: null,
    });
  }
  // A list that is only no longer associated keeps its SID: provisioning re-associates it.
  if (credentialListGone) Object.assign(patch, { credentialListSid: null, credentialSid: null });
  else if (failing.includes("credential")) patch.credentialSid = null;
  // Missing or disabled (the disabled one was deleted above): provisioning adds it again.
  if (failing.includes("origination_url") && gone(row.originationUrlSid)) {
    Object.assign(patch, { originationUrlSid: null, originationSipUri: null });
  }
  if (failing.includes("fallback_origination_url") && gone(row.fallbackOriginationUrlSid)) {
    Object.assign(patch, { fallbackOriginationUrlSid: null, fallbackOriginationSipUri: null });
  }
  // What provisioning recorded as failed is tried again now.
  patch.degraded = {};
  return patch;
}

async function deleteDisabledOriginationUrls({ row, twilio, disabledOriginationUrlSids }: Findings) {
  for (const sid of disabledOriginationUrlSids) {
    await nullIfNotFound(() => twilio.deleteOriginationUrl(row.trunkSid!, sid));
  }
}

/**
 * Puts stored numbers back on the (possibly new) main trunk, keeping the voice settings recorded at attach: with
 * the bounded, adaptive concurrency of bulk attach, each number's failure recorded on its own. The account's
 * numbers are listed once (a page holds 1,000) rather than fetched one by one: a repair of 1,000 numbers then
 * costs one request per number, not two, in wall time and in CPU.
 */
async function reattachNumbers(sql: Sql, found: Findings, trunkSid: string) {
  const trunkChanged = trunkSid !== found.row.trunkSid;
  const numbers = trunkChanged ? await listAttachedNumbers(sql, found.row.id) : found.detachedNumbers;
  if (numbers.length === 0) return;
  const inAccount = new Map((await found.twilio.listIncomingNumbers()).map((number) => [number.sid, number]));
  const { results } = await bulk(found.twilio, numbers, async (client, number) => {
    const current = inAccount.get(number.phoneNumberSid);
    if (current) await putOnTrunk(client, trunkSid, current);
    return current !== undefined;
  });
  const outcomes = results.map((result, index) => ({ number: numbers[index], result }));
  const moved = outcomes.filter(({ result }) => result.status === "fulfilled" && result.value).map((
    { number },
  ) => number.id);
  if (moved.length) {
    await sql`update public.twilio_phone_numbers set trunk_sid = ${trunkSid}
      where id = any(string_to_array(${moved.join(",")}, ',')::uuid[])`;
  }
  await recordEvents(
    sql,
    found.row,
    outcomes.map(({ number, result }) => ({
      step: "repair_number",
      outcome: result.status === "rejected" ? "failed" : result.value ? "succeeded" : "skipped",
      twilioSid: number.phoneNumberSid,
      detail: {
        phoneNumber: number.phoneNumber,
        trunkSid,
        ...(result.status === "rejected" ? { error: (result.reason as Error)?.message } : {}),
      },
    })),
  );
}
