/**
 * Provisioning one credential row into a working main trunk, correct under crashes, concurrency and failure:
 *
 * - one run per row at a time (a lease lock); callers that waited get the outcome of the run they waited for;
 * - two Twilio round trips on the critical path: {trunk, credential list}, then {credential, association,
 *   origination URL(s), recording}; round two starts when round one's answers are in (its writes overlap);
 * - every SID is written to the row with its owner (this run) when this run created it: round one's the moment
 *   they exist, round two's with the run's finishing write (one statement); a crash before a SID lands is resumed
 *   by name instead of duplicating, and nothing else is ever taken for ours;
 * - the core (trunk, domain, credential list, credential, association) makes a working configuration; an optional
 *   part that fails (origination URL, fallback, recording) is recorded as degraded and the row stays active;
 * - a transient failure (429, 5xx, no answer, a database hiccup) undoes nothing: the row stays resumable with the
 *   error and a time to try again; only a permanent refusal removes what this run created (and nothing else);
 * - a row that has served a working configuration keeps serving it, whatever a later run meets.
 */
import { setImmediate } from "node:timers";
import { settleAll } from "../concurrency.ts";
import { secretContext } from "../crypto/secrets.ts";
import {
  type CredentialPatch,
  type CredentialRow,
  isSecondActiveRow,
  type OwnedResource,
  type ProvisioningEvent,
  updateCredential,
} from "../db/credentials.ts";
import type { Lease } from "../db/locks.ts";
import type { Logger } from "../log.ts";
import type { ServiceContext } from "../service-context.ts";
import type { TrunkRecording, TwilioClient } from "../twilio/types.ts";
import { isTransientFailure, nullIfNotFound, TwilioApiError } from "../twilio/errors.ts";
import { nextAttemptAt } from "./backoff.ts";
import { generateSipPassword, sipUsernameFor } from "./names.ts";
import { readAuthToken, readSipPassword, sealPlaintextSecrets } from "./stored-secrets.ts";
import {
  addLiveKitOriginationToTrunk,
  associateCredentialList,
  createMainTrunk,
  enableTrunkRecording,
  ensureCredential,
  ensureCredentialList,
  type Ensured,
  findMainTrunk,
  trunkSettingsFor,
} from "./trunk-steps.ts";
import { normalizeSipUri } from "./sip-uri.ts";
import { managesLiveKit, syncLiveKitSide } from "../livekit/side.ts";
import type { ProvisionOutcome } from "./provision.ts";
import { isServing, originationMatches, type OriginationResource, URI_COLUMN } from "./row-state.ts";

/** What a run records as it starts, before Twilio sees anything. */
export const runStarted = (resuming: boolean): ProvisioningEvent => ({
  step: "provision",
  outcome: "started",
  detail: { resuming },
});

/** The row was deleted while provisioning ran: stop, and undo what this run created. */
class RowDeletedError extends Error {}

/** A resource of round one: its SID, whether this run just created it, and the write that records it. */
interface RoundOneResource {
  sid: string;
  fresh: boolean;
  recorded: Promise<void>;
  /** A trunk's recording settings, when this run created it (as Twilio's answer gave them). */
  recording?: TrunkRecording;
}

/** A step that failed, with the part it was for: core steps stop the run, optional ones degrade the row. */
class StepFailure extends Error {
  constructor(readonly part: string, readonly optional: boolean, override readonly cause: unknown) {
    super((cause as Error)?.message ?? String(cause));
  }
}

/**
 * Whether a run has anything to reconcile on the LiveKit side: numbers (LiveKit refuses trunks without them, so a
 * row's LiveKit objects come with its first attached number) or objects already recorded. A row without either, as
 * read under the run's lease, is skipped without a statement: a number attached while the run goes on is attached
 * by an attach-phone that waited for provisioning or, on a serving row, that syncs the LiveKit side itself.
 */
function hasLiveKitWork(row: CredentialRow): boolean {
  return row.attachedNumbers !== 0 || !!row.livekitOutboundTrunkId || !!row.livekitInboundTrunkId ||
    !!row.livekitDispatchRuleId;
}

export class ProvisioningRun {
  readonly #ctx: ServiceContext;
  #row: CredentialRow;
  readonly #log: Logger;
  /** Recorded as the owner of every resource this run creates. */
  readonly #runId = crypto.randomUUID();
  /** A previous run died mid-way: resources it created may exist without their SIDs on the row. */
  readonly #resuming: boolean;
  /** The row was inserted for this run, its start already recorded (provisionClaimedCredential). */
  readonly #claimedAtInsert: boolean;
  /** The row's provisioning lease: the finishing write releases it (on any other way out, its holder does). */
  readonly #lease: Lease;
  /** The finishing write makes the row its user's active one, unless another row is (ProvisionOptions). */
  readonly #activate: boolean;
  readonly #degraded: Record<string, { code: number | null; message: string; at: string }> = {};
  /** Round one's writes, which round two does not wait for: a run that fails waits for them before anything. */
  readonly #writesInFlight: Promise<void>[] = [];
  /**
   * Records not yet written: they go with the run's next write (round one's on the event loop's next turn, round
   * two's with the finishing write).
   */
  #staged: { patch: CredentialPatch; events: ProvisioningEvent[] } = { patch: {}, events: [] };
  #twilio!: TwilioClient;

  constructor(
    ctx: ServiceContext,
    row: CredentialRow,
    options: { lease: Lease; claimedAtInsert?: boolean; activate?: boolean },
  ) {
    this.#ctx = ctx;
    this.#row = row;
    this.#lease = options.lease;
    this.#activate = options.activate ?? false;
    this.#claimedAtInsert = options.claimedAtInsert ?? false;
    this.#resuming = !this.#claimedAtInsert && row.status === "provisioning";
    this.#log = ctx.log.child({ credential_id: row.id, user_id: row.userId, run_id: this.#runId });
  }

  async execute(): Promise<ProvisionOutcome> {
    // Failing before any Twilio step (no key to decrypt with, no client) is not the row's failure: it propagates.
    const authToken = await readAuthToken(this.#ctx.secrets, this.#row);
    this.#twilio = this.#ctx.twilio(
      { accountSid: this.#row.accountSid, authToken, region: this.#row.twilioRegion },
      this.#log,
    );
    const password = this.#row.sipPassword
      ? await readSipPassword(this.#ctx.secrets, this.#row)
      : generateSipPassword();
    try {
      // The password is stored (encrypted) before Twilio ever sees it, so no crash can lose it. Plaintext another
      // system wrote is sealed meanwhile: the two writes touch different columns (see replaceSecrets).
      await settleAll([
        this.#sealPlaintext(),
        this.#claimedAtInsert ? Promise.resolve() : this.#save({
          status: this.#row.provisionedAt ? this.#row.status : "provisioning",
          sipUsername: this.#row.sipUsername ?? sipUsernameFor(this.#row.userId),
          ...(this.#row.sipPassword === null && {
            sipPassword: await this.#ctx.secrets.encrypt(
              password,
              secretContext("sip_password", this.#row.userId),
            ),
          }),
        }, runStarted(this.#resuming)),
      ]);

      const [trunk, list] = await settleAll([
        this.#core("trunk", () => this.#ensureTrunk()),
        this.#core("credential_list", () => this.#ensureCredentialList()),
      ]);
      // Round two starts once Twilio has answered round one, while round one's SIDs are written. Round two's are
      // staged and written with the finishing write. A crash before either lands is resumed by name, as a crash
      // between any create and its write is.
      await settleAll([
        this.#core("trunk", () => trunk.recorded),
        this.#core("credential_list", () => list.recorded),
        this.#core("credential", () => this.#ensureCredential(list, password)),
        this.#core("credential_list_association", () => this.#ensureAssociation(trunk, list)),
        this.#optional("origination_url", () => this.#ensureOrigination(trunk, "originationUrl")),
        this.#optional(
          "fallback_origination_url",
          () => this.#ensureOrigination(trunk, "fallbackOriginationUrl"),
        ),
        this.#optional("recording", () => this.#ensureRecording(trunk)),
        this.#optional("trunk_settings", () => this.#ensureTrunkSettings(trunk)),
        // Its inputs (host, username, password, numbers) are known once the trunk exists: it overlaps round two.
        // Not earlier: the outbound trunk's address is the host, and LiveKit refuses trunks without numbers, so
        // a new customer's LiveKit objects come with the first attached number (attach-phone), not here.
        this.#optional("livekit", () => this.#ensureLiveKit(password)),
      ]);
      return await this.#finish();
    } catch (error) {
      return await this.#fail(error);
    }
  }

  /** Seals what the row holds in plaintext; the row in memory takes the sealed values (and keeps other changes). */
  async #sealPlaintext() {
    const before = this.#row;
    const sealed = await sealPlaintextSecrets(this.#ctx.sql, this.#ctx.secrets, before);
    this.#row = {
      ...this.#row,
      authToken: sealed.authToken,
      sipPassword: sealed.sipPassword === before.sipPassword ? this.#row.sipPassword : sealed.sipPassword,
    };
  }

  /** A write awaited later: marked as handled now (an unhandled rejection ends a Deno process), and kept. */
  #writeInFlight(write: Promise<void>): Promise<void> {
    write.catch(() => {});
    this.#writesInFlight.push(write);
    return write;
  }

  async #core<T>(part: string, step: () => Promise<T>): Promise<T> {
    try {
      return await step();
    } catch (error) {
      throw error instanceof RowDeletedError ? error : new StepFailure(part, false, error);
    }
  }

  /** An optional part: its failure is recorded as degraded and the run goes on (a deleted row still stops it). */
  async #optional(part: string, step: () => Promise<unknown>): Promise<void> {
    try {
      await step();
    } catch (error) {
      if (error instanceof RowDeletedError) throw error;
      const twilioError = error instanceof TwilioApiError ? error : undefined;
      this.#degraded[part] = {
        code: twilioError?.code ?? null,
        message: (error as Error)?.message ?? String(error),
        at: new Date().toISOString(),
      };
      this.#log.warn("provisioning_part_degraded", { part, twilio_code: twilioError?.code });
    }
  }

  async #finish(): Promise<ProvisionOutcome> {
    const degraded = Object.keys(this.#degraded).length > 0;
    await this.#save({
      status: "active",
      provisionedAt: this.#row.provisionedAt ?? new Date(),
      degraded: this.#degraded,
      lastErrorCode: null,
      lastErrorMessage: null,
      attempts: degraded ? this.#row.attempts + 1 : 0,
      nextAttemptAt: degraded ? nextAttemptAt(this.#row.attempts + 1) : null,
      ...(this.#activate && !this.#row.isActive && { activateUnlessAnotherIs: true }),
    }, {
      step: "provision",
      outcome: "succeeded",
      detail: degraded ? { degraded: this.#degraded } : undefined,
    }, { last: true });
    this.#log.info("provisioned", { trunk_sid: this.#row.trunkSid, resumed: this.#resuming, degraded });
    return { kind: "active", row: this.#row };
  }

  async #ensureTrunk(): Promise<RoundOneResource> {
    if (this.#row.trunkSid) return { sid: this.#row.trunkSid, fresh: false, recorded: Promise.resolve() };
    // A trunk found under our deterministic name was created by a run of ours that died before recording it.
    const found = this.#resuming ? await findMainTrunk(this.#twilio, this.#row.userId) : undefined;
    const ensured = found
      ? { resource: found, created: true }
      : await createMainTrunk(this.#twilio, this.#row.userId, trunkSettingsFor(this.#ctx.config));
    const trunk = ensured.resource;
    this.#stage(
      this.#owned("trunk", ensured, {
        trunkSid: trunk.sid,
        domainName: trunk.domainName,
        domainPrefix: trunk.domainName?.split(".")[0] ?? null,
      }),
      { step: "trunk", outcome: "succeeded", twilioSid: trunk.sid, detail: { recovered: !!found } },
    );
    // Only a create's answer is trusted for recording: a new trunk has Twilio's defaults (do-not-record, do-not-trim).
    const recording = found ? undefined : trunk.recording;
    return { sid: trunk.sid, fresh: !found, recorded: this.#flushNextTurn(), recording };
  }

  async #ensureCredentialList(): Promise<RoundOneResource> {
    if (this.#row.credentialListSid) {
      return { sid: this.#row.credentialListSid, fresh: false, recorded: Promise.resolve() };
    }
    const ensured = await ensureCredentialList(this.#twilio, this.#row.userId, { mayExist: this.#resuming });
    // As with the trunk: a list found under our deterministic name was created by a run of ours that died before
    // recording it, so it is ours (its teardown deletes it), not adopted.
    const ours = { ...ensured, created: true };
    this.#stage(this.#owned("credentialList", ours, { credentialListSid: ensured.resource.sid }), {
      step: "credential_list",
      outcome: "succeeded",
      twilioSid: ensured.resource.sid,
    });
    return {
      sid: ensured.resource.sid,
      fresh: ensured.created && !this.#resuming,
      recorded: this.#flushNextTurn(),
    };
  }

  async #ensureCredential(list: { sid: string; fresh: boolean }, password: string) {
    if (this.#row.credentialSid) return;
    const ensured = await ensureCredential(this.#twilio, list.sid, this.#row.sipUsername!, password, {
      mayExist: !list.fresh,
    });
    this.#stage(this.#owned("credential", ensured, { credentialSid: ensured.resource.sid }), {
      step: "credential",
      outcome: "succeeded",
      twilioSid: ensured.resource.sid,
    });
  }

  async #ensureAssociation(trunk: { sid: string; fresh: boolean }, list: { sid: string; fresh: boolean }) {
    await associateCredentialList(this.#twilio, trunk.sid, list.sid, {
      mayExist: !trunk.fresh || !list.fresh,
    });
    this.#stage({}, { step: "associate_credential_list", outcome: "succeeded", twilioSid: list.sid });
  }

  /**
   * The LiveKit origination URL. Ours carrying another URI (LIVEKIT_SIP_URI changed) is updated in place, never
   * joined by a second one (inbound calls would split between the old and the new host). On a trunk we adopted,
   * ours is added only when the trunk routes nowhere but to the configured URIs: a takeover does not change where
   * calls already go (the part is recorded as degraded instead).
   */
  async #ensureOrigination(trunk: { sid: string; fresh: boolean }, which: OriginationResource) {
    const primary = which === "originationUrl";
    const sipUri = primary ? this.#ctx.config.livekitSipUri : this.#ctx.config.livekitSipUriFallback;
    const step = primary ? "origination_url" : "fallback_origination_url";
    const sidColumn = `${which}Sid` as const;
    if (!sipUri || originationMatches(this.#row, which, sipUri)) return;
    const wanted = normalizeSipUri(sipUri);
    if (this.#row[sidColumn] && this.#row.ownedResources[which]) {
      // Updated in place: the SID and the priority stay, the calls go to the new host.
      await this.#twilio.updateOriginationUrl(trunk.sid, this.#row[sidColumn]!, { sipUrl: sipUri });
      this.#stage({ [URI_COLUMN[which]]: wanted }, {
        step,
        outcome: "succeeded",
        twilioSid: this.#row[sidColumn],
        detail: { replacedUri: true },
      });
      return;
    }
    const configured = [this.#ctx.config.livekitSipUri, this.#ctx.config.livekitSipUriFallback]
      .filter((uri): uri is string => !!uri).map(normalizeSipUri);
    const friendlyName = primary ? "livekit" : "livekit-fallback";
    const ensured = await addLiveKitOriginationToTrunk(this.#twilio, trunk.sid, sipUri, {
      priority: primary ? 1 : 2,
      friendlyName,
      mayExist: !trunk.fresh,
      onlyBeside: this.#row.ownedResources.trunk ? undefined : configured,
    });
    // Found on a trunk of ours under our name: a run of ours that died before recording it made it.
    const ours = ensured.created ||
      (!!this.#row.ownedResources.trunk && ensured.resource.friendlyName === friendlyName);
    const claimed = { ...ensured, created: ours };
    this.#stage(
      this.#owned(which, claimed, { [sidColumn]: ensured.resource.sid, [URI_COLUMN[which]]: wanted }),
      {
        step,
        outcome: "succeeded",
        twilioSid: ensured.resource.sid,
      },
    );
  }

  /**
   * Transfer and secure trunking as configured, on a trunk of ours that was not created just now (a new one got
   * them at creation): a repair brings them back, a changed setting reaches existing trunks. An adopted trunk is
   * left as it is; verification reports what differs.
   */
  async #ensureTrunkSettings(trunk: { sid: string; fresh: boolean }) {
    if (trunk.fresh || !this.#row.ownedResources.trunk) return;
    const settings = trunkSettingsFor(this.#ctx.config);
    await this.#twilio.updateTrunk(trunk.sid, settings);
    this.#stage({}, { step: "trunk_settings", outcome: "succeeded", detail: { ...settings } });
  }

  /**
   * The customer's LiveKit trunks and rules, in step with the attached numbers (livekit/side.ts). A LiveKit
   * failure never undoes or blocks the Twilio side: it is this optional part that degrades.
   */
  async #ensureLiveKit(password: string) {
    if (!managesLiveKit(this.#ctx) || !hasLiveKitWork(this.#row)) return;
    await syncLiveKitSide(this.#ctx, this.#row, {
      password,
      record: (patch) => this.#save(patch, { step: "livekit", outcome: "succeeded", detail: patch }),
    });
  }

  /**
   * On our trunk, the row's recording is applied (unless the trunk, created by this run, has it already: a new
   * trunk comes with do-not-record and do-not-trim); on one we adopted, the trunk's own is read and recorded.
   */
  async #ensureRecording(trunk: { sid: string; recording?: TrunkRecording }) {
    if (!this.#row.ownedResources.trunk) {
      const existing = await this.#twilio.fetchTrunk(trunk.sid);
      this.#stage(
        { recordingMode: existing.recording.mode, recordingTrim: existing.recording.trim },
        { step: "recording", outcome: "skipped", detail: { adoptedTrunk: true, ...existing.recording } },
      );
      return;
    }
    const recording = { mode: this.#row.recordingMode, trim: this.#row.recordingTrim };
    const alreadySet = trunk.recording?.mode === recording.mode && trunk.recording.trim === recording.trim;
    if (!alreadySet) await enableTrunkRecording(this.#twilio, trunk.sid, recording);
    this.#stage({}, { step: "recording", outcome: "succeeded", detail: { ...recording, alreadySet } });
  }

  /** A SID for the row, and this run as its owner when it created the resource. */
  #owned(resource: OwnedResource, ensured: Ensured<unknown>, patch: CredentialPatch): CredentialPatch {
    return ensured.created ? { ...patch, claimOwnership: { [resource]: this.#runId } } : patch;
  }

  async #fail(error: unknown): Promise<ProvisionOutcome> {
    // Nothing of this run may land after it ends (its lease ends with it): round one's writes settle first.
    const writes = await Promise.allSettled(this.#writesInFlight);
    const cause = error instanceof StepFailure ? error.cause : error;
    const part = error instanceof StepFailure ? error.part : "provision";
    const rowDeleted = error instanceof RowDeletedError ||
      writes.some((write) => write.status === "rejected" && write.reason instanceof RowDeletedError);
    const transient = !rowDeleted && isTransientFailure(cause);
    // A transient failure undoes nothing: the next run continues from what is recorded.
    const cleared = transient ? {} : await this.#removeWhatThisRunCreated();
    const twilioError = cause instanceof TwilioApiError ? cause : undefined;
    const message = (cause as Error)?.message ?? String(cause);
    this.#log.warn("provisioning_failed", { part, transient, twilio_code: twilioError?.code, message });
    if (rowDeleted) return { kind: "missing" };
    const serving = isServing({ ...this.#row, ...cleared } as CredentialRow);
    const failure = { code: twilioError?.code ?? null, message, at: new Date().toISOString() };
    try {
      await this.#save({
        ...cleared,
        status: serving ? "active" : transient ? "provisioning" : "failed",
        // A working configuration keeps serving; what failed is recorded against its part.
        degraded: serving ? { ...this.#degraded, [part]: failure } : this.#degraded,
        lastErrorCode: failure.code,
        lastErrorMessage: message,
        attempts: this.#row.attempts + 1,
        nextAttemptAt: transient || serving ? nextAttemptAt(this.#row.attempts + 1) : null,
      }, {
        step: "provision",
        outcome: "failed",
        detail: { part, transient, twilioCode: failure.code, message },
      });
    } catch (saveError) {
      if (saveError instanceof RowDeletedError) return { kind: "missing" };
      if (transient) return { kind: "retrying", row: this.#row };
      throw saveError;
    }
    if (serving) return { kind: "active", row: this.#row };
    return { kind: transient ? "retrying" : "failed", row: this.#row };
  }

  /**
   * Deletes from Twilio what this run created, and nothing else: not what an earlier run created, not what the
   * row arrived with. Returns the columns to clear for what is gone.
   */
  async #removeWhatThisRunCreated(): Promise<CredentialPatch> {
    const mine = (resource: OwnedResource) => this.#row.ownedResources[resource] === this.#runId;
    const cleared: CredentialPatch = {};
    const owned = { ...this.#row.ownedResources };
    const forget = (...resources: OwnedResource[]) => resources.forEach((resource) => delete owned[resource]);
    // Gone means deleted now or already ("not found"); anything else is logged and the SID kept on the row.
    const gone = (remove: () => Promise<unknown>) =>
      nullIfNotFound(remove).then(() => true, (error) => {
        this.#log.error("cleanup_failed", { message: (error as Error).message });
        return false;
      });
    const trunkSid = this.#row.trunkSid;
    // Deleting the trunk takes its origination URLs and association with it; the list can go only after that.
    if (trunkSid && mine("trunk") && await gone(() => this.#twilio.deleteTrunk(trunkSid))) {
      Object.assign(cleared, {
        trunkSid: null,
        domainName: null,
        domainPrefix: null,
        originationUrlSid: null,
        fallbackOriginationUrlSid: null,
        originationSipUri: null,
        fallbackOriginationSipUri: null,
      });
      forget("trunk", "originationUrl", "fallbackOriginationUrl");
    } else {
      for (const which of ["originationUrl", "fallbackOriginationUrl"] as const) {
        const sid = mine(which) ? this.#row[`${which}Sid`] : null;
        if (sid && await gone(() => this.#twilio.deleteOriginationUrl(trunkSid!, sid))) {
          Object.assign(cleared, { [`${which}Sid`]: null, [URI_COLUMN[which]]: null });
          forget(which);
        }
      }
    }
    const listSid = this.#row.credentialListSid;
    if (listSid && mine("credentialList") && await gone(() => this.#twilio.deleteCredentialList(listSid))) {
      Object.assign(cleared, { credentialListSid: null, credentialSid: null });
      forget("credentialList", "credential");
    } else if (mine("credential") && this.#row.credentialSid) {
      const credentialSid = this.#row.credentialSid;
      if (await gone(() => this.#twilio.deleteCredential(listSid!, credentialSid))) {
        cleared.credentialSid = null;
        forget("credential");
      }
    }
    if (Object.keys(cleared).length) {
      cleared.ownedResources = owned;
      await this.#save({}, {
        step: "cleanup",
        outcome: "succeeded",
        detail: { cleared: Object.keys(cleared) },
      })
        .catch(() => {});
    }
    return cleared;
  }

  /** Records a change, with whatever was staged before it, in one statement. */
  async #save(patch: CredentialPatch, event: ProvisioningEvent, options: { last?: boolean } = {}) {
    this.#stage(patch, event);
    await this.#flush(options);
  }

  /**
   * Writes what is staged, in one statement. Memory has it already, so a SID is known for cleanup even if the
   * write finds the row gone.
   */
  async #flush(options: { last?: boolean } = {}) {
    const staged = this.#staged;
    if (staged.events.length === 0) return; // every change staged comes with its event
    this.#staged = { patch: {}, events: [] };
    const write = (patch: CredentialPatch) =>
      updateCredential(this.#ctx.sql, this.#row, patch, staged.events, {
        releasing: options.last ? this.#lease : undefined,
      });
    const written = await write(staged.patch).catch((error) => {
      if (!staged.patch.activateUnlessAnotherIs || !isSecondActiveRow(error)) throw error;
      // Another row of the user became active at the same moment: this one is written inactive, and the caller's
      // activation decides between them (create-main-trunk: activateCredential, or activation_conflict).
      const { activateUnlessAnotherIs: _lost, ...rest } = staged.patch;
      return write(rest);
    });
    if (!written.found) throw new RowDeletedError("the credential row was deleted during provisioning");
    if (staged.patch.activateUnlessAnotherIs) this.#row = { ...this.#row, isActive: written.isActive };
  }

  /**
   * Round one's records, written once round two's requests are on their way (they are sent in this turn of the
   * event loop) and in one statement when both answers came in the same turn.
   */
  #flushNextTurn(): Promise<void> {
    return this.#writeInFlight(new Promise((turn) => setImmediate(turn)).then(() => this.#flush()));
  }

  /** A change recorded in memory now and in the row with the run's next write (see #staged). */
  #stage(patch: CredentialPatch, event: ProvisioningEvent) {
    this.#remember(patch, event);
    this.#staged = {
      patch: mergedPatches(this.#staged.patch, patch),
      events: [...this.#staged.events, event],
    };
  }

  /** The change in the row as this run holds it in memory (and in the debug log). */
  #remember(patch: CredentialPatch, event: ProvisioningEvent) {
    this.#log.debug("provisioning_step", {
      step: event.step,
      outcome: event.outcome,
      twilio_sid: event.twilioSid,
    });
    const { claimOwnership, activateUnlessAnotherIs: _decidedByTheWrite, ...columns } = patch;
    const ownedResources = claimOwnership
      ? { ownedResources: { ...this.#row.ownedResources, ...claimOwnership } }
      : {};
    this.#row = { ...this.#row, ...columns, ...ownedResources, updatedAt: new Date() } as CredentialRow;
  }
}

/**
 * One patch for two changes, the later winning. Ownership claims add up; a whole owned_resources (a cleanup's,
 * computed from memory, which holds every claim) replaces them.
 */
function mergedPatches(earlier: CredentialPatch, later: CredentialPatch): CredentialPatch {
  const { claimOwnership: _claims, ...merged } = { ...earlier, ...later };
  if (later.ownedResources || (!earlier.claimOwnership && !later.claimOwnership)) return merged;
  return { ...merged, claimOwnership: { ...earlier.claimOwnership, ...later.claimOwnership } };
}
