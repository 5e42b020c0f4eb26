/**
 * Attaching the customer's numbers to their main trunk, and detaching them again with their voice settings
 * restored. One request may name up to 1,000 numbers (E.164 or PN SIDs, mixed); each gets its own result, and
 * one failure never stops the rest.
 *
 * - Numbers are resolved with one listing of the account (one fetch for a single number), never one request each.
 * - Twilio deletes a number's voice application when it joins a trunk (and ignores, but keeps, its voice URL), so
 *   what it had is written to twilio_phone_numbers before the attach; detach puts it back, then forgets the row.
 *   A number on another trunk is taken off that trunk first, which is recorded as the one to return it to. Rows
 *   are the numbers get-sip-config reports to LiveKit.
 * - Bulk work runs with an adaptive number of calls in flight (adaptive.ts): a 429 that outlasts the client's
 *   own retries lowers it by a quarter, so 1,000 numbers against a low per-account concurrency limit all get
 *   through.
 * - Idempotent: attaching an attached number reports `already-attached`, detaching a detached one
 *   `not-attached`. Changes to one user's numbers run one at a time (an advisory lock per credential row).
 *
 * ```ts
 * const result = await attachPhoneToMainTrunk(ctx, { userId, numbers: ["+15551234567"] });
 * result.results[0].status; // "attached"
 * ```
 */
import {
  type AttachResult,
  AttachStatus,
  type DetachOutcome,
  type DetachResult,
  DetachStatus,
  type LiveKitSync,
} from "../contract/attach-phone.ts";
import type { CredentialRow } from "../db/credentials.ts";
import { LockTimeoutError, withLockWaited } from "../db/locks.ts";
import {
  forgetAttachedNumbers,
  listAttachedNumbers,
  type NewAttachedNumber,
  recordAttachedNumbers,
  setNumberAgents,
} from "../db/numbers.ts";
import { managesLiveKit, releaseNumbersFromLiveKit, syncLiveKitAfterNumbers } from "../livekit/side.ts";
import { ApiError } from "../http/errors.ts";
import type { TwilioClient, TwilioIncomingNumber } from "../twilio/client.ts";
import { isOutcomeUnknown, isRateLimited, TwilioApiError, TwilioNetworkError } from "../twilio/errors.ts";
import { customerAccount, mainTrunkSid } from "./account.ts";
import { mapAdaptive } from "./adaptive.ts";
import { resolveNumbers } from "./list.ts";
import {
  isHalfDetached,
  restoreVoiceSettings,
  type VoiceSettings,
  voiceSettingsOf,
} from "./voice-settings.ts";
import type { ServiceContext } from "../service-context.ts";

/** One number's result, attach's or detach's (only detach sets `restored`). */
type NumberResult<S extends AttachStatus | DetachStatus> = Omit<DetachOutcome, "status"> & { status: S };

/** An AttachResult or a DetachResult, by the statuses. */
type NumbersResult<S extends AttachStatus | DetachStatus> = {
  trunkSid: string;
  results: NumberResult<S>[];
  counts: Record<S, number>;
  livekit?: LiveKitSync;
};

export interface NumbersRequest {
  userId: string;
  /** E.164 numbers and/or PN SIDs; duplicates are answered once. */
  numbers: readonly string[];
  /** Attach only: an agent of its own for some numbers, by the reference given in `numbers`. */
  agentNames?: Readonly<Record<string, string>>;
}

/** Calls in flight for bulk work: starts here and adapts to 429s between 1 and MAX. */
const INITIAL_CONCURRENCY = 16;
const MAX_CONCURRENCY = 32;
const BULK_DEADLINE_MS = 90_000;

type Outcome<S extends AttachStatus | DetachStatus> = Omit<
  NumberResult<S>,
  "input" | "phoneNumberSid" | "phoneNumber"
>;

/** Attaches each number to the user's main trunk (provisioning it first if it never was). */
export async function attachPhoneToMainTrunk(
  ctx: ServiceContext,
  request: NumbersRequest,
): Promise<AttachResult> {
  const { row, twilio } = await customerAccount(ctx, request.userId, { provision: true });
  const trunkSid = mainTrunkSid(row);
  const inputs = [...new Set(request.numbers)];
  return await oneChangeAtATime(ctx, row, async () => {
    const resolved = await resolveNumbers(twilio, inputs);
    const found = distinctNumbers(resolved);
    const onTrunk = found.filter((number) => number.trunkSid === trunkSid);
    const toAttach = found.filter((number) => number.trunkSid !== trunkSid);

    const rowFor = (number: TwilioIncomingNumber, settings: VoiceSettings): NewAttachedNumber => ({
      userId: row.userId,
      credentialId: row.id,
      accountSid: row.accountSid,
      trunkSid,
      phoneNumberSid: number.sid,
      phoneNumber: number.phoneNumber,
      ...settings,
    });
    // Before the attach: once Twilio has cleared them, the settings are gone for good.
    await recordAttachedNumbers(ctx.sql, toAttach.map((n) => rowFor(n, voiceSettingsOf(n))), {
      replaceVoiceSettings: true,
    });
    // Attached earlier (or outside this API): a row recorded then keeps its settings; otherwise nothing is known.
    await recordAttachedNumbers(ctx.sql, onTrunk.map((n) => rowFor(n, NOTHING_RECORDED)), {
      replaceVoiceSettings: false,
    });

    const unknownOutcome = new Set<string>();
    const report = await bulk(toAttach, (number) => attachOne(twilio, trunkSid, number, unknownOutcome));
    const outcomes = new Map<string, Outcome<AttachStatus>>(
      onTrunk.map((number) => [number.sid, { status: "already-attached" }]),
    );
    const notAttached: string[] = [];
    report.results.forEach((result, index) => {
      const { sid } = toAttach[index];
      if (result.status === "fulfilled") {
        outcomes.set(sid, { status: "attached" });
        return;
      }
      outcomes.set(sid, { status: "failed", ...failureOf(result.reason) });
      if (!unknownOutcome.has(sid)) notAttached.push(sid);
    });
    // Twilio certainly did not attach these: they must not be reported to LiveKit as the trunk's numbers.
    if (notAttached.length) await forgetAttachedNumbers(ctx.sql, row.id, notAttached);

    await recordAgents(ctx, row, request, resolved, outcomes);
    const result = shape(trunkSid, inputs, resolved, outcomes, AttachStatus.options);
    if (managesLiveKit(ctx)) result.livekit = await syncLiveKitAfterNumbers(ctx, row);
    ctx.log.info("numbers_attached", { trunk_sid: trunkSid, ...result.counts, throttled: report.throttled });
    return result;
  });
}

/** Detaches each number from the user's main trunk and restores the voice settings it had before. */
export async function detachPhoneFromMainTrunk(
  ctx: ServiceContext,
  request: NumbersRequest,
): Promise<DetachResult> {
  const { row, twilio } = await customerAccount(ctx, request.userId);
  const trunkSid = mainTrunkSid(row);
  const inputs = [...new Set(request.numbers)];
  return await oneChangeAtATime(ctx, row, async () => {
    const resolved = await resolveNumbers(twilio, inputs);
    const recorded = new Map((await listAttachedNumbers(ctx.sql, row.id)).map((r) => [r.phoneNumberSid, r]));
    const found = distinctNumbers(resolved);
    const onTrunk = found.filter((number) => number.trunkSid === trunkSid);
    const offTrunk = found.filter((number) => number.trunkSid !== trunkSid);
    const outcomes = new Map<string, Outcome<DetachStatus>>();
    const forget = new Set<string>();

    // Step 0: a number with an agent of its own leaves LiveKit first (its trunk and rule); should that fail, the
    // number stays attached on both sides rather than half.
    const leaving = [...recorded.values()].filter((r) =>
      onTrunk.some((number) => number.sid === r.phoneNumberSid)
    );
    await releaseNumbersFromLiveKit(ctx, leaving);

    // Step 1: off the trunk. A 404 counts as done: it is what a DELETE retried after a lost answer gets
    // (twilio-api-facts.md), and the number was on the trunk a moment ago, so it still needs its settings back.
    const detached: TwilioIncomingNumber[] = [];
    const detach = await bulk(onTrunk, (number) => detachIfAttached(twilio, trunkSid, number.sid));
    detach.results.forEach((result, index) => {
      const number = onTrunk[index];
      if (result.status === "rejected") {
        outcomes.set(number.sid, { status: "failed", ...failureOf(result.reason) });
      } else detached.push(number);
    });

    // Judged from what was recorded at attach, never from an empty voice URL (Twilio keeps the URL on attach):
    // otherwise a half-way detach would forget the application it still has to put back.
    const halfDetached = offTrunk.filter((number) =>
      recorded.has(number.sid) && isHalfDetached(number, recorded.get(number.sid)!)
    );
    for (const number of offTrunk) {
      outcomes.set(number.sid, { status: "not-attached" });
      if (recorded.has(number.sid) && !halfDetached.includes(number)) forget.add(number.sid);
    }

    // Step 2: the settings recorded at attach, back on the number. Unrecorded numbers have nothing to restore.
    const toRestore = [...detached, ...halfDetached].filter((number) => recorded.has(number.sid));
    const restore = await bulk(
      toRestore,
      (number) => restoreVoiceSettings(twilio, number.sid, recorded.get(number.sid)!),
    );
    for (const number of detached) {
      if (recorded.has(number.sid)) outcomes.set(number.sid, { status: "detached", restored: false });
      else outcomes.set(number.sid, { status: "detached", restored: false, message: NOTHING_TO_RESTORE });
    }
    restore.results.forEach((result, index) => {
      const number = toRestore[index];
      const status = outcomes.get(number.sid)!.status;
      if (result.status === "fulfilled") {
        outcomes.set(number.sid, { status, restored: true });
        forget.add(number.sid);
      } else {
        // The row stays, so calling detach again finishes the restore.
        const failure = failureOf(result.reason);
        outcomes.set(
          number.sid,
          status === "detached" ? { status, restored: false, ...failure } : {
            status: "failed",
            ...failure,
          },
        );
      }
    });

    // Numbers the account no longer has cannot be on the trunk: their rows go.
    for (const [reference, number] of resolved) {
      if (number) continue;
      for (const stale of recorded.values()) {
        if (stale.phoneNumberSid === reference || stale.phoneNumber === reference) {
          forget.add(stale.phoneNumberSid);
        }
      }
    }
    if (forget.size) await forgetAttachedNumbers(ctx.sql, row.id, [...forget]);

    const result = shape(trunkSid, inputs, resolved, outcomes, DetachStatus.options);
    if (managesLiveKit(ctx)) result.livekit = await syncLiveKitAfterNumbers(ctx, row);
    ctx.log.info("numbers_detached", { trunk_sid: trunkSid, ...result.counts });
    return result;
  });
}

/** The agents asked for, on the numbers that are now on the trunk. */
async function recordAgents(
  ctx: ServiceContext,
  row: CredentialRow,
  request: NumbersRequest,
  resolved: Map<string, TwilioIncomingNumber | null>,
  outcomes: Map<string, Outcome<AttachStatus>>,
) {
  const agents = new Map<string, string>();
  for (const [reference, agentName] of Object.entries(request.agentNames ?? {})) {
    const number = resolved.get(reference);
    const status = number && outcomes.get(number.sid)?.status;
    if (number && (status === "attached" || status === "already-attached")) agents.set(number.sid, agentName);
  }
  if (agents.size) await setNumberAgents(ctx.sql, row.id, agents);
}

const NOTHING_TO_RESTORE = "Attached outside this API: no voice settings were recorded to restore";

const NOTHING_RECORDED: VoiceSettings = {
  previousVoiceUrl: null,
  previousVoiceMethod: null,
  previousVoiceApplicationSid: null,
  previousTrunkSid: null,
};

/**
 * Puts a number on the trunk. One on another trunk is taken off it first: whether Twilio moves such a number or
 * refuses it is undocumented (twilio-api-facts.md), and this way either behaviour ends the same.
 */
export async function putOnTrunk(
  twilio: TwilioClient,
  trunkSid: string,
  number: Pick<TwilioIncomingNumber, "sid" | "trunkSid">,
) {
  if (number.trunkSid && number.trunkSid !== trunkSid) {
    await detachIfAttached(twilio, number.trunkSid, number.sid);
  }
  await twilio.attachNumberToTrunk(trunkSid, number.sid);
}

async function attachOne(
  twilio: TwilioClient,
  trunkSid: string,
  number: TwilioIncomingNumber,
  unknownOutcome: Set<string>,
): Promise<void> {
  try {
    await putOnTrunk(twilio, trunkSid, number);
  } catch (error) {
    if (!isOutcomeUnknown(error)) throw error;
    // No answer, or a 5xx to a create: Twilio may have attached it anyway. Look before reporting.
    const now = await twilio.fetchIncomingNumber(number.sid).catch(() => undefined);
    if (now?.trunkSid === trunkSid) return;
    if (!now) unknownOutcome.add(number.sid);
    throw error;
  }
}

/** True when this call detached the number; false when it was no longer on the trunk. */
export async function detachIfAttached(
  twilio: TwilioClient,
  trunkSid: string,
  numberSid: string,
): Promise<boolean> {
  try {
    await twilio.detachNumberFromTrunk(trunkSid, numberSid);
    return true;
  } catch (error) {
    if (error instanceof TwilioApiError && error.isNotFound) return false;
    throw error;
  }
}

/** Runs `work` over every item with the adaptive concurrency bulk attach uses; one failure never stops the rest. */
export function bulk<T, R>(items: readonly T[], work: (item: T) => Promise<R>) {
  return mapAdaptive(items, {
    initial: INITIAL_CONCURRENCY,
    max: MAX_CONCURRENCY,
    isThrottled: isRateLimited,
    deadlineMs: BULK_DEADLINE_MS,
  }, work);
}

function failureOf(error: unknown): { twilioCode: number | null; message: string } {
  if (error instanceof TwilioApiError) return { twilioCode: error.code, message: error.message };
  if (error instanceof TwilioNetworkError) {
    return { twilioCode: null, message: "Twilio did not answer in time" };
  }
  return { twilioCode: null, message: "Unexpected error" };
}

function distinctNumbers(resolved: Map<string, TwilioIncomingNumber | null>): TwilioIncomingNumber[] {
  const bySid = new Map<string, TwilioIncomingNumber>();
  for (const number of resolved.values()) if (number) bySid.set(number.sid, number);
  return [...bySid.values()];
}

function shape<S extends AttachStatus | DetachStatus>(
  trunkSid: string,
  inputs: string[],
  resolved: Map<string, TwilioIncomingNumber | null>,
  outcomes: Map<string, Outcome<S>>,
  statuses: readonly S[],
): NumbersResult<S> {
  const counts = Object.fromEntries(statuses.map((status) => [status, 0])) as Record<S, number>;
  const results = inputs.map((input): NumberResult<S> => {
    const number = resolved.get(input) ?? null;
    const outcome = number ? outcomes.get(number.sid)! : { status: "not-found" as S };
    counts[outcome.status]++;
    return {
      input,
      phoneNumberSid: number?.sid ?? null,
      phoneNumber: number?.phoneNumber ?? null,
      ...outcome,
    };
  });
  return { trunkSid, results, counts };
}

/**
 * Serialises attach and detach for one credential row across every function instance, so a detach can never
 * read a row an attach is about to act on. Waiting longer than the lock timeout is a 409, not a 500.
 */
async function oneChangeAtATime<T>(
  ctx: ServiceContext,
  row: CredentialRow,
  work: () => Promise<T>,
): Promise<T> {
  try {
    return await withLockWaited(ctx.sql, `numbers:${row.id}`, work);
  } catch (error) {
    if (error instanceof LockTimeoutError) {
      throw new ApiError(
        "numbers_busy",
        "Another change to this account's numbers is still running; try again",
      );
    }
    throw error;
  }
}
