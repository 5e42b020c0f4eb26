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
 *   `not-attached`. Changes to one user's numbers run one at a time (a lease per credential row, db/locks.ts).
 *
 * ```ts
 * const result = await attachPhoneToMainTrunk(ctx, { userId, numbers: ["+15551234567"] });
 * result.results[0].status; // "attached"
 * ```
 */
import {
  type AttachResult,
  AttachStatus,
  type DetachResult,
  DetachStatus,
  type LiveKitSync,
} from "../contract/attach-phone.ts";
import type { CredentialRow } from "../db/credentials.ts";
import { LockTimeoutError, withLockWaited } from "../db/locks.ts";
import {
  forgetAttachedNumbers,
  listAttachedNumbers,
  recordAttachedNumbers,
  setNumberAgents,
} from "../db/numbers.ts";
import { managesLiveKit, releaseNumbersFromLiveKit, syncLiveKitAfterNumbers } from "../livekit/side.ts";
import { ApiError } from "../http/errors.ts";
import type { TwilioClient, TwilioIncomingNumber } from "../twilio/types.ts";
import { isOutcomeUnknown, isRateLimited, TwilioApiError } from "../twilio/errors.ts";
import { customerAccount, mainTrunkSid } from "./account.ts";
import {
  attachOutcomes,
  detachOutcomes,
  type NumberResult,
  numbersToRestore,
  type Outcome,
  planAttach,
  planDetach,
  type ResolvedNumbers,
} from "./attach-plan.ts";
import { mapAdaptive } from "./adaptive.ts";
import { resolveNumbers } from "./list.ts";
import { restoreVoiceSettings } from "./voice-settings.ts";
import type { ServiceContext } from "../service-context.ts";

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
    const plan = planAttach(row, trunkSid, resolved);
    // Before the attach: once Twilio has cleared them, the settings are gone for good.
    await recordAttachedNumbers(ctx.sql, plan.rowsWithSettings, { replaceVoiceSettings: true });
    // Attached earlier (or outside this API): a row recorded then keeps its settings; otherwise nothing is known.
    await recordAttachedNumbers(ctx.sql, plan.rowsWithoutSettings, { replaceVoiceSettings: false });

    const unknownOutcome = new Set<string>();
    const report = await bulk(
      twilio,
      plan.attach,
      (client, number) => attachOne(client, trunkSid, number, unknownOutcome),
    );
    const { outcomes, notAttached } = attachOutcomes(plan, report.results, unknownOutcome);
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
    const plan = planDetach(trunkSid, resolved, await listAttachedNumbers(ctx.sql, row.id));

    // Step 0: a number with an agent of its own leaves LiveKit first (its trunk and rule); should that fail, the
    // number stays attached on both sides rather than half.
    await releaseNumbersFromLiveKit(ctx, plan.leaveLiveKit);
    // Step 1: off the trunk. A 404 counts as done: it is what a DELETE retried after a lost answer gets
    // (twilio-api-facts.md), and the number was on the trunk a moment ago, so it still needs its settings back.
    const detach = await bulk(
      twilio,
      plan.detach,
      (client, number) => detachIfAttached(client, trunkSid, number.sid),
    );
    // Step 2: the settings recorded at attach, back on the number. Unrecorded numbers have nothing to restore.
    const restoring = numbersToRestore(plan, detach.results);
    const restore = await bulk(
      twilio,
      restoring,
      (client, number) => restoreVoiceSettings(client, number.sid, plan.recorded.get(number.sid)!),
    );

    const { outcomes, forget } = detachOutcomes(plan, detach.results, restoring, restore.results);
    if (forget.length) await forgetAttachedNumbers(ctx.sql, row.id, forget);
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
  resolved: ResolvedNumbers,
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

/**
 * Runs `work` over every item with the adaptive concurrency bulk attach uses; one failure never stops the rest.
 * `work` gets the account's client for bulk work: its 429s reach the limiter at once (fewer requests, less CPU).
 */
export function bulk<T, R>(
  twilio: TwilioClient,
  items: readonly T[],
  work: (twilio: TwilioClient, item: T) => Promise<R>,
) {
  const bulkTwilio = twilio.forBulkWork();
  return mapAdaptive(items, {
    initial: INITIAL_CONCURRENCY,
    max: MAX_CONCURRENCY,
    isThrottled: isRateLimited,
    deadlineMs: BULK_DEADLINE_MS,
  }, (item) => work(bulkTwilio, item));
}

function shape<S extends AttachStatus | DetachStatus>(
  trunkSid: string,
  inputs: string[],
  resolved: ResolvedNumbers,
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
