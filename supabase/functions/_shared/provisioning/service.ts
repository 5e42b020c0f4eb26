/**
 * The operations the product documents. Functions call these; tests drive them directly too.
 *
 * ```ts
 * const result = await createMainTrunkForUser(ctx, { userId, accountSid, authToken });
 * const config = await getSipConfigForLiveKit(ctx, { userId, includePassword: true });
 * ```
 */
import { constantTimeEqual } from "../auth.ts";
import type { RecordingMode } from "../config.ts";
import { secretContext } from "../crypto/secrets.ts";
import {
  activateCredential,
  type CredentialRow,
  deleteCredential,
  findCredentialForAccount,
  insertCredential,
  updateCredential,
} from "../db/credentials.ts";
import { findActiveCredentialWithNumbers } from "../db/sip-config.ts";
import { withAdvisoryLock } from "../db/locks.ts";
import { ApiError, twilioAuthFailed, twilioUnavailable } from "../http/errors.ts";
import { isCredentialFailure } from "../twilio/errors.ts";
import { trunkFriendlyNameFor } from "./names.ts";
import { readAuthToken } from "./stored-secrets.ts";
import { isProvisioned, provisionCredential, type ServiceContext } from "./provision.ts";
import { enableTrunkRecording } from "./trunk-steps.ts";

export { addLiveKitOriginationToTrunk, enableTrunkRecording } from "./trunk-steps.ts";
export type { ServiceContext } from "./provision.ts";

export interface CreateMainTrunkInput {
  userId: string;
  accountSid: string;
  authToken: string;
  label?: string;
  recordingMode?: RecordingMode;
}

export interface MainTrunkResult {
  success: true;
  message: string;
  trunkSid: string;
  trunkName: string;
  domainName: string;
  domainPrefix: string;
  credentialListSid: string;
  sipUsername: string;
  status: "active";
}

/**
 * Stores the user's Twilio credentials (encrypted) and provisions their main trunk; makes that row the user's
 * active one once it works. Idempotent: the same request again returns the same trunk. Bad credentials store
 * nothing and create nothing.
 */
export async function createMainTrunkForUser(
  ctx: ServiceContext,
  input: CreateMainTrunkInput,
): Promise<MainTrunkResult> {
  // At most twice: a row we waited on can vanish when its run found the credentials bad; then we try ourselves.
  for (let attempt = 1;; attempt++) {
    const { row, createdNow } = await chooseCredentialRow(ctx, input);
    const outcome = await provisionCredential(ctx, row.id, { wait: true, retryFailed: true });
    if (outcome.kind === "missing" || outcome.kind === "busy") {
      if (attempt === 1) continue;
      throw new ApiError(
        409,
        "provisioning_conflict",
        "The credentials changed while provisioning; try again",
      );
    }
    if (outcome.kind === "failed") {
      // Nothing may stay behind for credentials Twilio rejected; the run already removed what it created.
      if (createdNow && failedOnCredentials(outcome.row)) await deleteCredential(ctx.sql, outcome.row.id);
      throw provisioningError(outcome.row);
    }
    let active = outcome.row;
    if (!active.isActive) await activateCredential(ctx.sql, active);
    if (input.recordingMode && input.recordingMode !== active.recordingMode) {
      active = await changeRecording(ctx, active, input.recordingMode);
    }
    return mainTrunkResult(active);
  }
}

/**
 * The user's row for this Twilio account, chosen under a per-user lock so that concurrent identical requests
 * share one row (and so one trunk). A new token for a known account is checked with Twilio before it replaces
 * the stored one.
 */
async function chooseCredentialRow(ctx: ServiceContext, input: CreateMainTrunkInput) {
  const chosen = await withAdvisoryLock(ctx.sql, `user:${input.userId}`, async () => {
    const existing = await findCredentialForAccount(ctx.sql, input.userId, input.accountSid);
    const storedToken = await ctx.secrets.encrypt(input.authToken, secretContext("auth_token", input.userId));
    if (!existing) {
      const row = await insertCredential(ctx.sql, {
        userId: input.userId,
        accountSid: input.accountSid,
        authToken: storedToken,
        label: input.label ?? null,
        isActive: false,
        recordingMode: input.recordingMode ?? ctx.config.recording.mode,
        recordingTrim: ctx.config.recording.trim,
      });
      return { row, createdNow: true };
    }
    if (!constantTimeEqual(await readAuthToken(ctx.secrets, existing), input.authToken)) {
      await ctx.twilio({ accountSid: input.accountSid, authToken: input.authToken }).fetchAccount();
      await updateCredential(ctx.sql, existing, { authToken: storedToken }, {
        step: "auth_token_replaced",
        outcome: "succeeded",
      });
    }
    if (input.label !== undefined && input.label !== existing.label) {
      await updateCredential(ctx.sql, existing, { label: input.label });
    }
    return { row: existing, createdNow: false };
  }, { wait: true });
  if (!chosen.acquired) throw new Error("unreachable: waited for the user lock");
  return chosen.value;
}

async function changeRecording(ctx: ServiceContext, row: CredentialRow, mode: RecordingMode) {
  const twilio = ctx.twilio({ accountSid: row.accountSid, authToken: await readAuthToken(ctx.secrets, row) });
  const applied = await enableTrunkRecording(twilio, row.trunkSid!, { mode, trim: row.recordingTrim });
  await updateCredential(ctx.sql, row, { recordingMode: applied.mode, recordingTrim: applied.trim }, {
    step: "recording",
    outcome: "succeeded",
    detail: applied,
  });
  return { ...row, recordingMode: applied.mode, recordingTrim: applied.trim };
}

function mainTrunkResult(row: CredentialRow): MainTrunkResult {
  return {
    success: true,
    message: "Main trunk is provisioned",
    trunkSid: row.trunkSid!,
    trunkName: trunkFriendlyNameFor(row.userId),
    domainName: row.domainName!,
    domainPrefix: row.domainPrefix!,
    credentialListSid: row.credentialListSid!,
    sipUsername: row.sipUsername!,
    status: "active",
  };
}

export interface SipConfig {
  domainName: string;
  sipUsername: string;
  /** Only for server-side callers (secret key). */
  sipPassword?: string;
  trunkSid: string;
  credentialListSid: string;
  status: string;
  /** What a LiveKit outbound trunk needs (createSipOutboundTrunk(name, address, numbers, { auth... })). */
  livekit: {
    address: string;
    transport: string;
    numbers: string[];
    authUsername: string;
    authPassword?: string;
  };
}

/**
 * The user's SIP configuration for the voice backend. If their active row was never provisioned (an installation
 * migrating from the old system), provisions it first: once, however many callers ask at the same time. A row
 * whose provisioning failed answers with that failure.
 */
export async function getSipConfigForLiveKit(
  ctx: ServiceContext,
  request: { userId: string; includePassword: boolean },
): Promise<SipConfig> {
  let found = await findActiveCredentialWithNumbers(ctx.sql, request.userId);
  if (!found) throw noCredentials();
  if (!isProvisioned(found.row, ctx.config)) {
    // A failed row is reported, not retried: the voice backend calls this often, and each retry would cost Twilio
    // requests for an outcome that needs the customer (create-main-trunk) or a repair to change.
    const outcome = await provisionCredential(ctx, found.row.id, { wait: true, retryFailed: false });
    if (outcome.kind === "failed") throw provisioningError(outcome.row);
    found = await findActiveCredentialWithNumbers(ctx.sql, request.userId);
    if (!found || !isProvisioned(found.row, ctx.config)) throw noCredentials();
  }
  const { row, numbers } = found;
  const password = request.includePassword
    ? await ctx.secrets.decrypt(row.sipPassword!, secretContext("sip_password", row.userId))
    : undefined;
  return {
    domainName: row.domainName!,
    sipUsername: row.sipUsername!,
    ...(password === undefined ? {} : { sipPassword: password }),
    trunkSid: row.trunkSid!,
    credentialListSid: row.credentialListSid!,
    status: row.status,
    livekit: {
      address: row.domainName!,
      transport: ctx.config.outboundTransport,
      numbers,
      authUsername: row.sipUsername!,
      ...(password === undefined ? {} : { authPassword: password }),
    },
  };
}

const failedOnCredentials = (row: CredentialRow) => isCredentialFailure({ code: row.lastErrorCode });

/** What a caller learns from a failed row: Twilio's code and message, never anything secret. */
export function provisioningError(row: CredentialRow): ApiError {
  const details = { twilioCode: row.lastErrorCode, twilioMessage: row.lastErrorMessage };
  if (failedOnCredentials(row)) return twilioAuthFailed(details);
  if (row.lastErrorCode === 20429) return twilioUnavailable(details);
  return new ApiError(
    502,
    "provisioning_failed",
    `Provisioning failed: ${row.lastErrorMessage}`,
    undefined,
    details,
  );
}

export const noCredentials = () =>
  new ApiError(
    404,
    "credentials_not_found",
    "No active Twilio credentials for this user; call create-main-trunk",
  );
