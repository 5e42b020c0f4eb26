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
import type { HealthCheck, HealthCheckName, HealthReport } from "../contract/get-sip-config.ts";
import type { CredentialRow } from "../db/credentials.ts";
import { type AttachedNumberRow, listAttachedNumbers } from "../db/numbers.ts";
import { customerAccount } from "../numbers/account.ts";
import { normalizeSipUri } from "../provisioning/sip-uri.ts";
import type { TwilioClient } from "../twilio/client.ts";
import { nullIfNotFound, TwilioApiError } from "../twilio/errors.ts";
import type { ServiceContext } from "../service-context.ts";
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
  const checks: HealthCheck[] = [];
  const add = (name: HealthCheckName, critical: boolean, ok: boolean, detail: string) =>
    checks.push({ name, critical, ok, detail });
  const findings = {
    row,
    twilio,
    detachedNumbers: [] as AttachedNumberRow[],
    disabledOriginationUrlSids: [] as string[],
    originationUrlSids: new Set<string>(),
    changedDomainName: null as string | null,
    credentialListGone: false,
  };

  const account = await nullIfNotFound(() => twilio.fetchAccount()).catch((error) => {
    if (error instanceof TwilioApiError && error.isAuthFailure) return null;
    throw error;
  });
  add(
    "credentials",
    true,
    account?.status === "active",
    account ? `account ${account.status}` : "Twilio rejects the stored credentials",
  );
  if (!account || account.status !== "active") return { ...findings, report: verdict(row, checks) };

  const trunk = row.trunkSid ? await nullIfNotFound(() => twilio.fetchTrunk(row.trunkSid!)) : null;
  add(
    "trunk",
    true,
    !!trunk && trunk.domainName === row.domainName,
    !trunk
      ? `trunk ${row.trunkSid ?? "(none recorded)"} does not exist`
      : trunk.domainName === row.domainName
      ? `${trunk.sid} answers at ${trunk.domainName}`
      : `domain is ${trunk.domainName}, recorded ${row.domainName}`,
  );
  if (!trunk) return { ...findings, report: verdict(row, checks) };
  if (trunk.domainName !== row.domainName) findings.changedDomainName = trunk.domainName;
  // Secure trunking must match the LiveKit side in both directions, or calls fail (32207): critical.
  add(
    "secure_trunking",
    true,
    trunk.secure === ctx.config.secure,
    `Secure=${trunk.secure}${
      trunk.secure === ctx.config.secure ? "" : `, the LiveKit side needs ${ctx.config.secure}`
    }`,
  );
  const { mode, callerId } = ctx.config.transfer;
  const transferMatches = trunk.transferMode === mode && trunk.transferCallerId === callerId;
  add(
    "transfer",
    false,
    transferMatches,
    transferMatches
      ? `${mode}, caller id ${callerId}`
      : `Twilio has ${trunk.transferMode}/${trunk.transferCallerId}, configured ${mode}/${callerId}`,
  );

  const [associated, credentials, originationUrls, recording, onTrunk, stored] = await Promise.all([
    twilio.listTrunkCredentialLists(trunk.sid),
    row.credentialListSid ? nullIfNotFound(() => twilio.listCredentials(row.credentialListSid!)) : null,
    twilio.listOriginationUrls(trunk.sid),
    twilio.fetchTrunkRecording(trunk.sid),
    twilio.listTrunkNumbers(trunk.sid),
    listAttachedNumbers(ctx.sql, row.id),
  ]);

  findings.originationUrlSids = new Set(originationUrls.map((url) => url.sid));
  const listAssociated = associated.some((list) => list.sid === row.credentialListSid);
  findings.credentialListGone = !credentials;
  add(
    "credential_list",
    true,
    !!credentials && listAssociated,
    !credentials
      ? `credential list ${row.credentialListSid ?? "(none recorded)"} does not exist`
      : listAssociated
      ? `${row.credentialListSid} associated for termination`
      : `${row.credentialListSid} is not associated with the trunk`,
  );
  const hasUsername = !!credentials?.some((credential) => credential.username === row.sipUsername);
  add(
    "credential",
    true,
    hasUsername,
    hasUsername ? `${row.sipUsername} present` : `${row.sipUsername} is missing from the list`,
  );

  for (
    const [name, sipUri] of [
      ["origination_url", ctx.config.livekitSipUri],
      ["fallback_origination_url", ctx.config.livekitSipUriFallback],
    ] as const
  ) {
    if (!sipUri) continue;
    const matching = originationUrls.filter((url) => normalizeSipUri(url.sipUrl) === normalizeSipUri(sipUri));
    const enabled = matching.some((url) => url.enabled);
    findings.disabledOriginationUrlSids.push(...matching.filter((url) => !url.enabled).map((url) => url.sid));
    add(
      name,
      false,
      enabled,
      enabled ? `${sipUri} enabled` : matching.length ? `${sipUri} is disabled` : `${sipUri} is missing`,
    );
  }

  const recordingMatches = recording.mode === row.recordingMode && recording.trim === row.recordingTrim;
  add(
    "recording",
    false,
    recordingMatches,
    recordingMatches
      ? `${recording.mode}, ${recording.trim}`
      : `Twilio has ${recording.mode}/${recording.trim}, recorded ${row.recordingMode}/${row.recordingTrim}`,
  );

  const onTrunkSids = new Set(onTrunk.map((number) => number.sid));
  findings.detachedNumbers = stored.filter((number) => !onTrunkSids.has(number.phoneNumberSid));
  add(
    "numbers",
    false,
    findings.detachedNumbers.length === 0,
    findings.detachedNumbers.length === 0
      ? `${stored.length} stored number(s) on the trunk`
      : `not on the trunk: ${findings.detachedNumbers.map((number) => number.phoneNumber).join(", ")}`,
  );

  if (ctx.livekit && ctx.config.livekit) {
    for (const check of await checkLiveKitSide(ctx.livekit, row, stored)) {
      add(check.name, false, check.ok, check.detail);
    }
  }

  return { ...findings, report: verdict(row, checks) };
}

function verdict(row: CredentialRow, checks: HealthCheck[]): HealthReport {
  const failed = checks.filter((check) => !check.ok);
  const status = failed.some((check) => check.critical) ? "broken" : failed.length ? "degraded" : "verified";
  return {
    status,
    trunkSid: row.trunkSid,
    domainName: row.domainName,
    checks,
    recordedFailures: row.degraded,
  };
}
