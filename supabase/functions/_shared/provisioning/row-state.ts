/**
 * What state a credential row is in, read from the row alone: whether it serves a working configuration, and
 * whether provisioning has anything left to do with it (checked on every get-sip-config call, so nothing here
 * touches the database or Twilio).
 */
import type { ProvisioningConfig } from "../config.ts";
import type { CredentialRowWithoutToken } from "../db/credentials.ts";
import { normalizeSipUri } from "./sip-uri.ts";

/**
 * Trunk, domain and credential list, with the username and password we keep: what LiveKit needs to place calls
 * (the credential's SID is bookkeeping: a row the old service left may lack it while its credential works).
 */
function hasWorkingConfig(row: CredentialRowWithoutToken): boolean {
  return !!row.trunkSid && !!row.domainName && !!row.credentialListSid && !!row.sipUsername &&
    !!row.sipPassword;
}

/**
 * The row serves a working configuration and must keep serving it: one we provisioned, or one that arrived with
 * its trunk (the old service's rows, rows other systems inserted), which customers' calls already use.
 */
export function isServing(row: CredentialRowWithoutToken): boolean {
  return hasWorkingConfig(row) && (row.provisionedAt !== null || !row.ownedResources.trunk);
}

/** Everything configured exists and is recorded, nothing is degraded: no run has anything left to do. */
export function isProvisioned(row: CredentialRowWithoutToken, config: ProvisioningConfig): boolean {
  return row.status === "active" && hasWorkingConfig(row) && !!row.credentialSid &&
    Object.keys(row.degraded).length === 0 && hasLiveKitSide(row, config) &&
    originationMatches(row, "originationUrl", config.livekitSipUri) &&
    originationMatches(row, "fallbackOriginationUrl", config.livekitSipUriFallback);
}

/** With LiveKit managed, a row with numbers has its LiveKit side (an outbound trunk at least); see livekit/. */
function hasLiveKitSide(row: CredentialRowWithoutToken, config: ProvisioningConfig): boolean {
  return !config.livekit || !row.attachedNumbers || !!row.livekitOutboundTrunkId;
}

/** Our origination URL must carry the configured URI; one we adopted (or none configured) only needs to exist. */
export function originationMatches(
  row: CredentialRowWithoutToken,
  which: OriginationResource,
  configured?: string,
): boolean {
  if (!configured) return true;
  if (!row[`${which}Sid`]) return false;
  return !row.ownedResources[which] || row[URI_COLUMN[which]] === normalizedSetting(configured);
}

/** The configured URIs are the same for every row a process sees: normalised once each, not per request. */
const normalizedSettings = new Map<string, string>();
function normalizedSetting(uri: string): string {
  let normalized = normalizedSettings.get(uri);
  if (normalized === undefined) normalizedSettings.set(uri, normalized = normalizeSipUri(uri));
  return normalized;
}

/** The two origination URLs a main trunk can have, and the row column holding the SIP URI each was set to. */
export type OriginationResource = "originationUrl" | "fallbackOriginationUrl";
export const URI_COLUMN = {
  originationUrl: "originationSipUri",
  fallbackOriginationUrl: "fallbackOriginationSipUri",
} as const;
