/**
 * Provisioning one credential row into a working main trunk, correct under crashes, concurrency and failure:
 *
 * - one run per row at a time (advisory lock); callers that waited get the outcome of the run they waited for;
 * - two Twilio round trips on the critical path: {trunk, credential list}, then {credential, association,
 *   origination URL(s), recording}, each round settled in full before the next;
 * - every SID is written to the row the moment it exists, so a crash at any point resumes instead of duplicating
 *   (a row left in `provisioning` means a run died: the next one looks for unrecorded resources by name);
 * - on failure, what the row owns is deleted from Twilio again (for a row that was never active: everything; for
 *   one that was: only what this run added), and the row says `failed` with Twilio's code and message.
 */
import type { ProvisioningConfig } from "../config.ts";
import { type SecretBox, secretContext } from "../crypto/secrets.ts";
import type { Sql } from "../db/client.ts";
import {
  type CredentialPatch,
  type CredentialRow,
  loadCredential,
  type ProvisioningEvent,
  updateCredential,
} from "../db/credentials.ts";
import { withAdvisoryLock } from "../db/locks.ts";
import type { Logger } from "../log.ts";
import type { TwilioClient } from "../twilio/client.ts";
import { nullIfNotFound, TwilioApiError } from "../twilio/errors.ts";
import { readAuthToken, sealPlaintextSecrets } from "./stored-secrets.ts";
import { generateSipPassword, sipUsernameFor } from "./names.ts";
import {
  addLiveKitOriginationToTrunk,
  associateCredentialList,
  createMainTrunk,
  enableTrunkRecording,
  ensureCredential,
  ensureCredentialList,
  findMainTrunk,
} from "./trunk-steps.ts";

export interface ServiceContext {
  sql: Sql;
  secrets: SecretBox;
  config: ProvisioningConfig;
  twilio: (credentials: { accountSid: string; authToken: string }) => TwilioClient;
  log: Logger;
}

export type ProvisionOutcome =
  | { kind: "active"; row: CredentialRow }
  | { kind: "failed"; row: CredentialRow }
  /** Another run holds the row and the caller chose not to wait. */
  | { kind: "busy"; row: CredentialRow }
  /** The row does not exist (any more). */
  | { kind: "missing" };

/** Everything LiveKit and Twilio need exists and is recorded. */
export function isProvisioned(row: CredentialRow, config: ProvisioningConfig): boolean {
  return row.status === "active" && !!row.trunkSid && !!row.domainName && !!row.credentialListSid &&
    !!row.credentialSid && !!row.sipUsername && !!row.sipPassword &&
    (!config.livekitSipUri || !!row.originationUrlSid) &&
    (!config.livekitSipUriFallback || !!row.fallbackOriginationUrlSid);
}

export interface ProvisionOptions {
  /** Wait for a run already under way (and share its outcome), or return `busy` at once. */
  wait: boolean;
  /**
   * Try again on a row whose last run failed. Callers acting for a user do (the user is retrying); the webhook
   * does not: a late delivery must not quietly redo what a request just reported as failed.
   */
  retryFailed: boolean;
}

export async function provisionCredential(
  ctx: ServiceContext,
  rowId: string,
  options: ProvisionOptions,
): Promise<ProvisionOutcome> {
  const seen = await loadCredential(ctx.sql, rowId);
  if (!seen) return { kind: "missing" };
  if (isProvisioned(seen, ctx.config)) return { kind: "active", row: seen };
  if (seen.status === "failed" && !options.retryFailed) return { kind: "failed", row: seen };
  const locked = await withAdvisoryLock(ctx.sql, `provision:${rowId}`, async () => {
    const row = await loadCredential(ctx.sql, rowId);
    if (!row) return { kind: "missing" } as const;
    if (isProvisioned(row, ctx.config)) return { kind: "active", row } as const;
    // A run finished (and failed) while we waited for it: its outcome is ours, trying again at once would not help.
    const failedMeanwhile = row.status === "failed" && row.updatedAt > seen.updatedAt;
    if (row.status === "failed" && (failedMeanwhile || !options.retryFailed)) {
      return { kind: "failed", row } as const;
    }
    return await new ProvisioningRun(ctx, row).execute();
  }, { wait: options.wait });
  return locked.acquired ? locked.value : { kind: "busy", row: seen };
}

/** The row was deleted while provisioning ran: stop, and undo what this run created. */
class RowDeletedError extends Error {}

type Resource = "trunk" | "credentialList" | "credential" | "originationUrl" | "fallbackOriginationUrl";

class ProvisioningRun {
  readonly #ctx: ServiceContext;
  #row: CredentialRow;
  readonly #log: Logger;
  /** A previous run died mid-way: resources it created may exist without their SIDs on the row. */
  readonly #resuming: boolean;
  readonly #createdHere = new Set<Resource>();
  #twilio!: TwilioClient;

  constructor(ctx: ServiceContext, row: CredentialRow) {
    this.#ctx = ctx;
    this.#row = row;
    this.#resuming = row.status === "provisioning";
    this.#log = ctx.log.child({ credential_id: row.id, user_id: row.userId });
  }

  async execute(): Promise<ProvisionOutcome> {
    this.#row = await sealPlaintextSecrets(this.#ctx.sql, this.#ctx.secrets, this.#row);
    const authToken = await readAuthToken(this.#ctx.secrets, this.#row);
    this.#twilio = this.#ctx.twilio({ accountSid: this.#row.accountSid, authToken });
    const password = this.#row.sipPassword
      ? await this.#ctx.secrets.decrypt(
        this.#row.sipPassword,
        secretContext("sip_password", this.#row.userId),
      )
      : generateSipPassword();
    try {
      // The password is stored (encrypted) before Twilio ever sees it, so no crash can lose it.
      await this.#save({
        status: "provisioning",
        lastErrorCode: null,
        lastErrorMessage: null,
        sipUsername: this.#row.sipUsername ?? sipUsernameFor(this.#row.userId),
        sipPassword: this.#row.sipPassword ??
          await this.#ctx.secrets.encrypt(password, secretContext("sip_password", this.#row.userId)),
      }, { step: "provision", outcome: "started", detail: { resuming: this.#resuming } });

      const [trunk, list] = await settleAll([this.#ensureTrunk(), this.#ensureCredentialList()]);
      await settleAll([
        this.#ensureCredential(list, password),
        this.#ensureAssociation(trunk, list),
        this.#ensureOrigination(trunk, "originationUrl"),
        this.#ensureOrigination(trunk, "fallbackOriginationUrl"),
        this.#ensureRecording(trunk),
      ]);
      await this.#save({ status: "active", provisionedAt: new Date() }, {
        step: "provision",
        outcome: "succeeded",
      });
      this.#log.info("provisioned", { trunk_sid: this.#row.trunkSid, resumed: this.#resuming });
      return { kind: "active", row: this.#row };
    } catch (error) {
      return await this.#fail(error);
    }
  }

  async #ensureTrunk(): Promise<{ sid: string; fresh: boolean }> {
    if (this.#row.trunkSid) return { sid: this.#row.trunkSid, fresh: false };
    const found = this.#resuming ? await findMainTrunk(this.#twilio, this.#row.userId) : undefined;
    const ensured = found
      ? { resource: found, created: false }
      : await createMainTrunk(this.#twilio, this.#row.userId);
    const trunk = ensured.resource;
    if (ensured.created) this.#createdHere.add("trunk");
    await this.#save(
      {
        trunkSid: trunk.sid,
        domainName: trunk.domainName,
        domainPrefix: trunk.domainName?.split(".")[0] ?? null,
      },
      { step: "trunk", outcome: "succeeded", twilioSid: trunk.sid, detail: { adopted: !ensured.created } },
    );
    return { sid: trunk.sid, fresh: ensured.created };
  }

  async #ensureCredentialList(): Promise<{ sid: string; fresh: boolean }> {
    if (this.#row.credentialListSid) return { sid: this.#row.credentialListSid, fresh: false };
    const ensured = await ensureCredentialList(this.#twilio, this.#row.userId, { mayExist: this.#resuming });
    if (ensured.created) this.#createdHere.add("credentialList");
    await this.#save(
      { credentialListSid: ensured.resource.sid },
      { step: "credential_list", outcome: "succeeded", twilioSid: ensured.resource.sid },
    );
    return { sid: ensured.resource.sid, fresh: ensured.created };
  }

  async #ensureCredential(list: { sid: string; fresh: boolean }, password: string) {
    if (this.#row.credentialSid) return;
    const ensured = await ensureCredential(this.#twilio, list.sid, this.#row.sipUsername!, password, {
      mayExist: !list.fresh,
    });
    if (ensured.created) this.#createdHere.add("credential");
    await this.#save(
      { credentialSid: ensured.resource.sid },
      { step: "credential", outcome: "succeeded", twilioSid: ensured.resource.sid },
    );
  }

  async #ensureAssociation(trunk: { sid: string; fresh: boolean }, list: { sid: string; fresh: boolean }) {
    await associateCredentialList(this.#twilio, trunk.sid, list.sid, {
      mayExist: !trunk.fresh && !list.fresh,
    });
    await this.#event({ step: "associate_credential_list", outcome: "succeeded", twilioSid: list.sid });
  }

  async #ensureOrigination(
    trunk: { sid: string; fresh: boolean },
    which: "originationUrl" | "fallbackOriginationUrl",
  ) {
    const primary = which === "originationUrl";
    const sipUri = primary ? this.#ctx.config.livekitSipUri : this.#ctx.config.livekitSipUriFallback;
    const column = primary ? "originationUrlSid" : "fallbackOriginationUrlSid";
    const step = primary ? "origination_url" : "fallback_origination_url";
    if (!sipUri || this.#row[column]) return;
    const ensured = await addLiveKitOriginationToTrunk(this.#twilio, trunk.sid, sipUri, {
      priority: primary ? 1 : 2,
      friendlyName: primary ? "livekit" : "livekit-fallback",
      mayExist: !trunk.fresh,
    });
    if (ensured.created) this.#createdHere.add(which);
    await this.#save({ [column]: ensured.resource.sid }, {
      step,
      outcome: "succeeded",
      twilioSid: ensured.resource.sid,
    });
  }

  async #ensureRecording(trunk: { sid: string }) {
    const recording = { mode: this.#row.recordingMode, trim: this.#row.recordingTrim };
    await enableTrunkRecording(this.#twilio, trunk.sid, recording);
    await this.#event({ step: "recording", outcome: "succeeded", detail: recording });
  }

  async #fail(error: unknown): Promise<ProvisionOutcome> {
    const rowDeleted = error instanceof RowDeletedError;
    const cleared = await this.#compensate(rowDeleted);
    const twilioError = error instanceof TwilioApiError ? error : undefined;
    const message = twilioError?.message ?? (error as Error)?.message ?? String(error);
    this.#log.warn("provisioning_failed", {
      twilio_code: twilioError?.code,
      message,
      cleaned_up: Object.keys(cleared),
    });
    if (rowDeleted) return { kind: "missing" };
    try {
      await this.#save(
        { ...cleared, status: "failed", lastErrorCode: twilioError?.code ?? null, lastErrorMessage: message },
        { step: "provision", outcome: "failed", detail: { twilioCode: twilioError?.code ?? null, message } },
      );
    } catch (saveError) {
      if (saveError instanceof RowDeletedError) return { kind: "missing" };
      throw saveError;
    }
    return { kind: "failed", row: this.#row };
  }

  /**
   * Deletes from Twilio what the failed row should not keep, and returns the columns to clear for what is gone.
   * A row that never became active keeps nothing; one that was active keeps what it had before this run.
   */
  async #compensate(rowDeleted: boolean): Promise<CredentialPatch> {
    const everything = rowDeleted || !this.#row.provisionedAt;
    const owned = (resource: Resource, sid: string | null) =>
      sid && (everything || this.#createdHere.has(resource)) ? sid : undefined;
    const trunkSid = owned("trunk", this.#row.trunkSid);
    const listSid = owned("credentialList", this.#row.credentialListSid);
    const cleared: CredentialPatch = {};
    // Gone means deleted now or already ("not found"); anything else is logged and the SID kept on the row.
    const gone = (remove: () => Promise<unknown>) =>
      nullIfNotFound(remove).then(() => true, (error) => {
        this.#log.error("cleanup_failed", { message: (error as Error).message });
        return false;
      });
    // Deleting the trunk takes its origination URLs and association with it; the list can go only after that.
    if (trunkSid && await gone(() => this.#twilio.deleteTrunk(trunkSid))) {
      Object.assign(cleared, { trunkSid: null, domainName: null, domainPrefix: null });
      Object.assign(cleared, { originationUrlSid: null, fallbackOriginationUrlSid: null });
    } else {
      for (const which of ["originationUrl", "fallbackOriginationUrl"] as const) {
        const sid = this.#createdHere.has(which) ? this.#row[`${which}Sid`] : null;
        if (sid && await gone(() => this.#twilio.deleteOriginationUrl(this.#row.trunkSid!, sid))) {
          cleared[`${which}Sid`] = null;
        }
      }
    }
    if (listSid && await gone(() => this.#twilio.deleteCredentialList(listSid))) {
      Object.assign(cleared, { credentialListSid: null, credentialSid: null, sipPassword: null });
    } else if (this.#createdHere.has("credential") && this.#row.credentialSid) {
      const { credentialListSid, credentialSid } = this.#row;
      if (await gone(() => this.#twilio.deleteCredential(credentialListSid!, credentialSid))) {
        Object.assign(cleared, { credentialSid: null });
      }
    }
    if (Object.keys(cleared).length) {
      await this.#event({ step: "cleanup", outcome: "succeeded", detail: { cleared: Object.keys(cleared) } })
        .catch(() => {});
    }
    return cleared;
  }

  /** Records a change; memory first, so a SID is known for cleanup even if the write finds the row gone. */
  async #save(patch: CredentialPatch, event: ProvisioningEvent) {
    this.#log.debug("provisioning_step", {
      step: event.step,
      outcome: event.outcome,
      twilio_sid: event.twilioSid,
    });
    this.#row = { ...this.#row, ...patch, updatedAt: new Date() } as CredentialRow;
    const exists = await updateCredential(this.#ctx.sql, this.#row, patch, event);
    if (!exists) throw new RowDeletedError("the credential row was deleted during provisioning");
  }

  async #event(event: ProvisioningEvent) {
    await this.#save({}, event);
  }
}

/**
 * Like Promise.all, but waits for every step to finish before reporting the first failure, so no step is still
 * creating something in Twilio while the failure is being cleaned up.
 */
async function settleAll<T extends readonly unknown[]>(
  steps: [...{ [K in keyof T]: Promise<T[K]> }],
): Promise<T> {
  const settled = await Promise.allSettled(steps);
  const failure = settled.find((result) => result.status === "rejected");
  if (failure) throw (failure as PromiseRejectedResult).reason;
  return settled.map((result) => (result as PromiseFulfilledResult<unknown>).value) as unknown as T;
}
