/**
 * The operations the product documents. Functions call these; tests drive them directly too.
 *
 * ```ts
 * const result = await createMainTrunkForUser(ctx, { userId, accountSid, authToken });
 * const config = await getSipConfigForLiveKit(ctx, { userId, includePassword: true });
 * ```
 */
import { constantTimeEqual } from "../auth.ts";
import { secretContext } from "../crypto/secrets.ts";
import {
  activateCredential,
  type CredentialRow,
  type CredentialRowWithoutToken,
  deleteCredential,
  isSecondActiveRow,
  updateCredential,
} from "../db/credentials.ts";
import { findActiveCredentialWithNumbers } from "../db/sip-config.ts";
import { withLockWaited } from "../db/locks.ts";
import { ApiError, twilioAuthFailed, twilioUnavailable } from "../http/errors.ts";
import { isCredentialFailure, isRateLimitAnswer, TwilioApiError } from "../twilio/errors.ts";
import type { RecordingMode, TwilioRegion } from "../contract/fields.ts";
import type { MainTrunk } from "../contract/create-main-trunk.ts";
import type { ServiceSipConfig, SipConfig } from "../contract/get-sip-config.ts";
import { trunkFriendlyNameFor } from "./names.ts";
import { readAuthToken } from "./stored-secrets.ts";
import { findOrInsertForFirstRun, provisionClaimedCredential, provisionCredential } from "./provision.ts";
import { isProvisioned, isServing } from "./row-state.ts";
import { continueInBackground } from "../background.ts";
import { managesLiveKit } from "../livekit/side.ts";
import { enableTrunkRecording } from "./trunk-steps.ts";
import type { ServiceContext } from "../service-context.ts";

export interface CreateMainTrunkInput {
  userId: string;
  accountSid: string;
  authToken: string;
  label?: string;
  recordingMode?: RecordingMode;
  /** The account's Twilio region (default US1). */
  region?: TwilioRegion;
}

/**
 * Stores the user's Twilio credentials (encrypted) and provisions their main trunk; makes that row the user's
 * active one once it works. Idempotent: the same request again returns the same trunk. Bad credentials store
 * nothing and create nothing.
 */
export async function createMainTrunkForUser(
  ctx: ServiceContext,
  input: CreateMainTrunkInput,
): Promise<MainTrunk> {
  // At most twice: a row we waited on can vanish when its run found the credentials bad; then we try ourselves.
  for (let attempt = 1;; attempt++) {
    const { row, createdNow, runLease } = await chooseCredentialRow(ctx, input);
    // The run makes the row active as it finishes when no other row of the user is; activate() covers the rest.
    const outcome = runLease
      ? await provisionClaimedCredential(ctx, row, runLease, { activate: true })
      : await provisionCredential(ctx, row.id, { wait: true, retryFailed: true, seen: row, activate: true });
    if (outcome.kind === "missing" || outcome.kind === "busy") {
      if (attempt === 1) continue;
      throw new ApiError(
        "provisioning_conflict",
        "The credentials changed while provisioning; try again",
      );
    }
    if (outcome.kind === "failed" || outcome.kind === "retrying") {
      // Nothing may stay behind for credentials Twilio rejected; the run already removed what it created.
      if (createdNow && failedOnCredentials(outcome.row)) await deleteCredential(ctx.sql, outcome.row.id);
      throw provisioningError(outcome.row);
    }
    let active = outcome.row;
    if (!active.isActive) await activate(ctx, active);
    if (input.recordingMode && input.recordingMode !== active.recordingMode) {
      active = await changeRecording(ctx, active, input.recordingMode);
    }
    return mainTrunkResult(active);
  }
}

/**
 * The user's row for this Twilio account, chosen under a per-user lock so that concurrent identical requests
 * share one row (and so one trunk). A new row is inserted claimed for its first run (its lease comes back as
 * `runLease`), by the statement that looks for a known one and releases the per-user lock with an insert. A new
 * token for a known account is checked with Twilio before it replaces the stored one.
 */
async function chooseCredentialRow(ctx: ServiceContext, input: CreateMainTrunkInput) {
  // Sealed first: a new row stores the token, a known one may take it.
  const storedToken = await ctx.secrets.encrypt(input.authToken, secretContext("auth_token", input.userId));
  return await withLockWaited(ctx.sql, `user:${input.userId}`, async (userLease) => {
    const { row: existing, runLease } = await findOrInsertForFirstRun(ctx, {
      userId: input.userId,
      accountSid: input.accountSid,
      authToken: storedToken,
      label: input.label ?? null,
      twilioRegion: input.region ?? "us1",
      isActive: false,
      recordingMode: input.recordingMode ?? ctx.config.recording.mode,
      recordingTrim: ctx.config.recording.trim,
    }, userLease);
    if (runLease) return { row: existing, createdNow: true, runLease };
    const region = input.region ?? existing.twilioRegion;
    const tokenChanged = !constantTimeEqual(await readAuthToken(ctx.secrets, existing), input.authToken);
    if (tokenChanged || region !== existing.twilioRegion) {
      // Checked with Twilio before it replaces what works: a typo must not break a working setup.
      await ctx.twilio({ accountSid: input.accountSid, authToken: input.authToken, region }).fetchAccount()
        .catch((error) => {
          throw isCredentialFailure(error) ? twilioAuthFailed(twilioDetails(error), region) : error;
        });
      await updateCredential(ctx.sql, existing, { authToken: storedToken, twilioRegion: region }, {
        step: "auth_token_replaced",
        outcome: "succeeded",
        detail: { region },
      });
    }
    if (input.label !== undefined && input.label !== existing.label) {
      await updateCredential(ctx.sql, existing, { label: input.label });
    }
    return { row: existing, createdNow: false, runLease: undefined };
  });
}

/**
 * Makes the row the user's active one. Two accounts connected at the same moment cannot both be active (the
 * partial unique index decides); the loser is told to try again rather than shown a database error.
 */
async function activate(ctx: ServiceContext, row: CredentialRow) {
  try {
    await activateCredential(ctx.sql, row);
  } catch (error) {
    if (!isSecondActiveRow(error)) throw error;
    throw new ApiError(
      "activation_conflict",
      "Another Twilio account was being connected for this user at the same time; try again",
    );
  }
}

async function changeRecording(ctx: ServiceContext, row: CredentialRow, mode: RecordingMode) {
  const authToken = await readAuthToken(ctx.secrets, row);
  const twilio = ctx.twilio({ accountSid: row.accountSid, authToken, region: row.twilioRegion });
  const applied = await enableTrunkRecording(twilio, row.trunkSid!, { mode, trim: row.recordingTrim });
  await updateCredential(ctx.sql, row, { recordingMode: applied.mode, recordingTrim: applied.trim }, {
    step: "recording",
    outcome: "succeeded",
    detail: applied,
  });
  return { ...row, recordingMode: applied.mode, recordingTrim: applied.trim };
}

function mainTrunkResult(row: CredentialRow): MainTrunk {
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
    degraded: Object.keys(row.degraded),
  };
}

/** The customer's LiveKit objects, when this deployment manages the LiveKit side: LiveKit ids, never Twilio SIDs. */
type LiveKitObjects = Required<
  Pick<SipConfig["livekit"], "outboundTrunkId" | "inboundTrunkId" | "dispatchRuleIds" | "missing">
>;

/**
 * The user's SIP configuration for the voice backend, served whenever the row has a working one. A row never
 * provisioned here (an installation migrating from the old system, a row another system inserted) is provisioned
 * first: once, however many callers ask at the same time. A working row with something left to do (a part that
 * failed, a setting that changed) is completed in the background when its retry is due, never on the answer's
 * path. A failed row is reported, not retried: the voice backend calls this often, and each retry would cost
 * Twilio requests for an outcome that needs the customer (create-main-trunk) or a repair to change.
 */
export async function getSipConfigForLiveKit(
  ctx: ServiceContext,
  request: { userId: string; includePassword: true },
): Promise<ServiceSipConfig>;
export async function getSipConfigForLiveKit(
  ctx: ServiceContext,
  request: { userId: string; includePassword: boolean },
): Promise<SipConfig | ServiceSipConfig>;
export async function getSipConfigForLiveKit(
  ctx: ServiceContext,
  request: { userId: string; includePassword: boolean },
): Promise<SipConfig | ServiceSipConfig> {
  let found = await findActiveCredentialWithNumbers(ctx.sql, request.userId);
  if (!found) throw noCredentials();
  if (found.row.provisionedAt === null && !isProvisioned(found.row, ctx.config)) {
    const outcome = await provisionCredential(ctx, found.row.id, { wait: true, retryFailed: false });
    if ((outcome.kind === "failed" || outcome.kind === "retrying") && !isServing(outcome.row)) {
      throw provisioningError(outcome.row);
    }
    found = await findActiveCredentialWithNumbers(ctx.sql, request.userId);
    if (!found) throw noCredentials();
  } else if (!isProvisioned(found.row, ctx.config) && isDue(found.row)) {
    const rowId = found.row.id;
    continueInBackground(
      ctx.log,
      "completion_failed",
      () => provisionCredential(ctx, rowId, { wait: false, retryFailed: false }),
    );
  }
  if (!isServing(found.row)) {
    throw found.row.status === "failed" ? provisioningError(found.row) : noCredentials();
  }
  const { row, numbers, numberRuleIds } = found;
  const config: SipConfig = {
    domainName: row.domainName!,
    sipUsername: row.sipUsername!,
    trunkSid: row.trunkSid!,
    credentialListSid: row.credentialListSid!,
    status: row.status,
    degraded: Object.keys(row.degraded),
    livekit: {
      address: row.domainName!,
      transport: ctx.config.outboundTransport,
      numbers,
      authUsername: row.sipUsername!,
      ...(managesLiveKit(ctx) ? liveKitObjects(row, numbers, numberRuleIds) : {}),
    },
  };
  if (!request.includePassword) return config;
  const password = await ctx.secrets.decrypt(row.sipPassword!, secretContext("sip_password", row.userId));
  return { ...config, sipPassword: password, livekit: { ...config.livekit, authPassword: password } };
}

function liveKitObjects(
  row: CredentialRowWithoutToken,
  numbers: string[],
  numberRuleIds: string[],
): LiveKitObjects {
  const missing = [
    ...(row.livekitOutboundTrunkId ? [] : ["outbound_trunk"]),
    ...(row.livekitInboundTrunkId || numberRuleIds.length === numbers.length && numbers.length ? [] : [
      "inbound_trunk",
    ]),
    ...(row.livekitDispatchRuleId || numberRuleIds.length === numbers.length && numbers.length ? [] : [
      "dispatch_rule",
    ]),
  ];
  return {
    outboundTrunkId: row.livekitOutboundTrunkId,
    inboundTrunkId: row.livekitInboundTrunkId,
    dispatchRuleIds: [row.livekitDispatchRuleId, ...numberRuleIds].filter((id): id is string => !!id),
    missing,
  };
}

const failedOnCredentials = (row: CredentialRowWithoutToken) =>
  isCredentialFailure({ code: row.lastErrorCode });

const twilioDetails = (error: unknown) =>
  error instanceof TwilioApiError
    ? { twilioCode: error.code, twilioStatus: error.status, twilioMessage: error.message }
    : { twilioCode: null, twilioMessage: null };

/** Whether an unfinished row's retry is due (a row that never failed is due at once). */
const isDue = (row: CredentialRowWithoutToken) =>
  !row.nextAttemptAt || row.nextAttemptAt.getTime() <= Date.now();

/**
 * What a caller learns from a row that could not be provisioned: Twilio's code and message, never anything
 * secret. A row stopped by a transient failure (still `provisioning`) is resumable: try again later.
 */
export function provisioningError(row: CredentialRowWithoutToken): ApiError {
  const details = { twilioCode: row.lastErrorCode, twilioMessage: row.lastErrorMessage };
  if (failedOnCredentials(row)) return twilioAuthFailed(details, row.twilioRegion);
  if (row.status === "provisioning" || isRateLimitAnswer({ code: row.lastErrorCode })) {
    return twilioUnavailable(details);
  }
  return new ApiError(
    "provisioning_failed",
    `Provisioning failed: ${row.lastErrorMessage}`,
    undefined,
    details,
  );
}

export const noCredentials = () =>
  new ApiError(
    "credentials_not_found",
    "No active Twilio credentials for this user; call create-main-trunk",
  );
