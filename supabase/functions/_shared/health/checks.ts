/**
 * The health checks as a pure judgement of what verify.ts fetched: each check, the verdict, and the findings
 * repair acts on. Nothing here talks to Twilio, LiveKit or the database.
 */
import type { ProvisioningConfig } from "../config.ts";
import type { CredentialRow } from "../db/credentials.ts";
import type { AttachedNumberRow } from "../db/numbers.ts";
import { normalizeSipUri } from "../provisioning/sip-uri.ts";
import type {
  TrunkRecording,
  TwilioAccount,
  TwilioCredential,
  TwilioCredentialList,
  TwilioIncomingNumber,
  TwilioOriginationUrl,
  TwilioTrunk,
} from "../twilio/types.ts";
import type { LiveKitCheck } from "./livekit-checks.ts";
import type { HealthCheck, HealthCheckName, HealthReport } from "../contract/get-sip-config.ts";
import type { Findings } from "./verify.ts";

/** What the customer's setup looks like, fetched only as far as the checks get. */
export interface ObservedSetup {
  /** Null: Twilio rejects the stored credentials (or has no such account). */
  account: TwilioAccount | null;
  /** Looked up only for an active account; null: the recorded trunk does not exist. */
  trunk?: TwilioTrunk | null;
  /** Looked up only when the trunk exists. */
  parts?: TrunkParts;
}

export interface TrunkParts {
  associatedLists: TwilioCredentialList[];
  /** The recorded credential list's credentials; null: the list does not exist. */
  credentials: TwilioCredential[] | null;
  originationUrls: TwilioOriginationUrl[];
  recording: TrunkRecording;
  numbersOnTrunk: TwilioIncomingNumber[];
  storedNumbers: AttachedNumberRow[];
  /** Only when this service manages the LiveKit side. */
  livekit?: LiveKitCheck[];
}

export type SetupConfig = Pick<
  ProvisioningConfig,
  "secure" | "transfer" | "livekitSipUri" | "livekitSipUriFallback"
>;

export type Evaluation = Omit<Findings, "row" | "twilio">;

/** Checks past the credentials need an account that can make calls. */
export const isActive = (account: TwilioAccount | null) => account?.status === "active";

export function evaluateSetup(row: CredentialRow, config: SetupConfig, observed: ObservedSetup): Evaluation {
  const { account, trunk, parts } = observed;
  const checks = [
    check(
      "credentials",
      true,
      isActive(account),
      account ? `account ${account.status}` : "Twilio rejects the stored credentials",
    ),
  ];
  if (trunk !== undefined) checks.push(trunkCheck(row, trunk));
  if (trunk) checks.push(...trunkSettingsChecks(config, trunk));
  const found = trunk && parts ? evaluateTrunkParts(row, config, parts) : undefined;
  checks.push(...found?.checks ?? []);
  return {
    report: verdict(row, checks),
    changedDomainName: trunk && trunk.domainName !== row.domainName ? trunk.domainName : null,
    detachedNumbers: found?.detachedNumbers ?? [],
    disabledOriginationUrlSids: found?.disabledOriginationUrlSids ?? [],
    originationUrlSids: new Set(parts?.originationUrls.map((url) => url.sid)),
    credentialListGone: !!parts && !parts.credentials,
  };
}

/** Any failed critical check breaks the setup; other failures degrade it. */
export function verdict(row: CredentialRow, checks: HealthCheck[]): HealthReport {
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

const check = (name: HealthCheckName, critical: boolean, ok: boolean, detail: string): HealthCheck => ({
  name,
  critical,
  ok,
  detail,
});

function trunkCheck(row: CredentialRow, trunk: TwilioTrunk | null): HealthCheck {
  const detail = !trunk
    ? `trunk ${row.trunkSid ?? "(none recorded)"} does not exist`
    : trunk.domainName === row.domainName
    ? `${trunk.sid} answers at ${trunk.domainName}`
    : `domain is ${trunk.domainName}, recorded ${row.domainName}`;
  return check("trunk", true, !!trunk && trunk.domainName === row.domainName, detail);
}

function trunkSettingsChecks(config: SetupConfig, trunk: TwilioTrunk): HealthCheck[] {
  const secureMatches = trunk.secure === config.secure;
  const { mode, callerId } = config.transfer;
  const transferMatches = trunk.transferMode === mode && trunk.transferCallerId === callerId;
  return [
    // Secure trunking must match the LiveKit side in both directions, or calls fail (32207): critical.
    check(
      "secure_trunking",
      true,
      secureMatches,
      `Secure=${trunk.secure}${secureMatches ? "" : `, the LiveKit side needs ${config.secure}`}`,
    ),
    check(
      "transfer",
      false,
      transferMatches,
      transferMatches
        ? `${mode}, caller id ${callerId}`
        : `Twilio has ${trunk.transferMode}/${trunk.transferCallerId}, configured ${mode}/${callerId}`,
    ),
  ];
}

function evaluateTrunkParts(row: CredentialRow, config: SetupConfig, parts: TrunkParts) {
  const origination = originationChecks(config, parts.originationUrls);
  const onTrunk = new Set(parts.numbersOnTrunk.map((number) => number.sid));
  const detachedNumbers = parts.storedNumbers.filter((number) => !onTrunk.has(number.phoneNumberSid));
  return {
    checks: [
      ...credentialChecks(row, parts),
      ...origination.checks,
      recordingCheck(row, parts.recording),
      check(
        "numbers",
        false,
        detachedNumbers.length === 0,
        detachedNumbers.length === 0
          ? `${parts.storedNumbers.length} stored number(s) on the trunk`
          : `not on the trunk: ${detachedNumbers.map((number) => number.phoneNumber).join(", ")}`,
      ),
      ...(parts.livekit ?? []).map((found) => check(found.name, false, found.ok, found.detail)),
    ],
    detachedNumbers,
    disabledOriginationUrlSids: origination.disabledSids,
  };
}

function credentialChecks(row: CredentialRow, { associatedLists, credentials }: TrunkParts): HealthCheck[] {
  const listAssociated = associatedLists.some((list) => list.sid === row.credentialListSid);
  const hasUsername = !!credentials?.some((credential) => credential.username === row.sipUsername);
  return [
    check(
      "credential_list",
      true,
      !!credentials && listAssociated,
      !credentials
        ? `credential list ${row.credentialListSid ?? "(none recorded)"} does not exist`
        : listAssociated
        ? `${row.credentialListSid} associated for termination`
        : `${row.credentialListSid} is not associated with the trunk`,
    ),
    check(
      "credential",
      true,
      hasUsername,
      hasUsername ? `${row.sipUsername} present` : `${row.sipUsername} is missing from the list`,
    ),
  ];
}

/** One check per configured LiveKit URI; our disabled URLs are collected for repair to replace. */
function originationChecks(config: SetupConfig, urls: TwilioOriginationUrl[]) {
  const checks: HealthCheck[] = [];
  const disabledSids: string[] = [];
  for (
    const [name, sipUri] of [
      ["origination_url", config.livekitSipUri],
      ["fallback_origination_url", config.livekitSipUriFallback],
    ] as const
  ) {
    if (!sipUri) continue;
    const matching = urls.filter((url) => normalizeSipUri(url.sipUrl) === normalizeSipUri(sipUri));
    const enabled = matching.some((url) => url.enabled);
    disabledSids.push(...matching.filter((url) => !url.enabled).map((url) => url.sid));
    const detail = enabled
      ? `${sipUri} enabled`
      : matching.length
      ? `${sipUri} is disabled`
      : `${sipUri} is missing`;
    checks.push(check(name, false, enabled, detail));
  }
  return { checks, disabledSids };
}

function recordingCheck(row: CredentialRow, recording: TrunkRecording): HealthCheck {
  const matches = recording.mode === row.recordingMode && recording.trim === row.recordingTrim;
  return check(
    "recording",
    false,
    matches,
    matches
      ? `${recording.mode}, ${recording.trim}`
      : `Twilio has ${recording.mode}/${recording.trim}, recorded ${row.recordingMode}/${row.recordingTrim}`,
  );
}
