/**
 * What attach and detach do to each number, decided from what Twilio and the database hold (the plan), and each
 * number's outcome once Twilio has answered. Pure: attach.ts carries the plans out.
 */
import type { CredentialRow } from "../db/credentials.ts";
import type { AttachedNumberRow, NewAttachedNumber } from "../db/numbers.ts";
import type { TwilioIncomingNumber } from "../twilio/types.ts";
import { TwilioApiError, TwilioNetworkError } from "../twilio/errors.ts";
import type { AttachStatus, DetachOutcome, DetachStatus } from "../contract/attach-phone.ts";
import { isHalfDetached, type VoiceSettings, voiceSettingsOf } from "./voice-settings.ts";

/** One number's result, attach's or detach's (only detach sets `restored`). */
export type NumberResult<S extends AttachStatus | DetachStatus> = Omit<DetachOutcome, "status"> & {
  status: S;
};

export type Outcome<S extends AttachStatus | DetachStatus> = Omit<
  NumberResult<S>,
  "input" | "phoneNumberSid" | "phoneNumber"
>;

/** Each reference as the caller gave it, with the account's number it names (null: none). */
export type ResolvedNumbers = Map<string, TwilioIncomingNumber | null>;

export interface AttachPlan {
  /** Not on the main trunk (maybe on another): attached, after their rows are recorded. */
  attach: TwilioIncomingNumber[];
  alreadyAttached: TwilioIncomingNumber[];
  /** For `attach`: the voice settings Twilio clears on attach. */
  rowsWithSettings: NewAttachedNumber[];
  /** For `alreadyAttached`: nothing is known of their settings (a row recorded earlier keeps its own). */
  rowsWithoutSettings: NewAttachedNumber[];
}

export function planAttach(row: CredentialRow, trunkSid: string, resolved: ResolvedNumbers): AttachPlan {
  const found = distinctNumbers(resolved);
  const attach = found.filter((number) => number.trunkSid !== trunkSid);
  const alreadyAttached = found.filter((number) => number.trunkSid === trunkSid);
  const rowFor = (number: TwilioIncomingNumber, settings: VoiceSettings): NewAttachedNumber => ({
    userId: row.userId,
    credentialId: row.id,
    accountSid: row.accountSid,
    trunkSid,
    phoneNumberSid: number.sid,
    phoneNumber: number.phoneNumber,
    ...settings,
  });
  return {
    attach,
    alreadyAttached,
    rowsWithSettings: attach.map((number) => rowFor(number, voiceSettingsOf(number))),
    rowsWithoutSettings: alreadyAttached.map((number) => rowFor(number, NOTHING_RECORDED)),
  };
}

/**
 * Each number's outcome from the attach results (in `plan.attach` order), and the numbers Twilio certainly did
 * not attach: a failure whose outcome is unknown may have attached the number after all.
 */
export function attachOutcomes(
  plan: AttachPlan,
  results: readonly PromiseSettledResult<unknown>[],
  unknownOutcome: ReadonlySet<string>,
): { outcomes: Map<string, Outcome<AttachStatus>>; notAttached: string[] } {
  const outcomes = new Map<string, Outcome<AttachStatus>>(
    plan.alreadyAttached.map((number) => [number.sid, { status: "already-attached" }]),
  );
  const notAttached: string[] = [];
  results.forEach((result, index) => {
    const { sid } = plan.attach[index];
    if (result.status === "fulfilled") {
      outcomes.set(sid, { status: "attached" });
      return;
    }
    outcomes.set(sid, { status: "failed", ...failureOf(result.reason) });
    if (!unknownOutcome.has(sid)) notAttached.push(sid);
  });
  return { outcomes, notAttached };
}

export interface DetachPlan {
  /** The rows attach recorded, by number SID: the settings to restore. */
  recorded: Map<string, AttachedNumberRow>;
  /** On the main trunk: taken off it, then their recorded settings restored. */
  detach: TwilioIncomingNumber[];
  /** The recorded ones among `detach`: they leave LiveKit before the trunk. */
  leaveLiveKit: AttachedNumberRow[];
  /** Not on the main trunk: reported not attached. */
  notAttached: TwilioIncomingNumber[];
  /** Among `notAttached`, those an earlier detach left half-way: their settings are restored now. */
  halfDetached: TwilioIncomingNumber[];
  /** Rows with nothing left to do: recorded numbers off the trunk and restored, numbers the account lost. */
  forget: string[];
}

export function planDetach(
  trunkSid: string,
  resolved: ResolvedNumbers,
  recordedRows: readonly AttachedNumberRow[],
): DetachPlan {
  const recorded = new Map(recordedRows.map((row) => [row.phoneNumberSid, row]));
  const found = distinctNumbers(resolved);
  const detach = found.filter((number) => number.trunkSid === trunkSid);
  const notAttached = found.filter((number) => number.trunkSid !== trunkSid);
  // Judged from what was recorded at attach, never from an empty voice URL (Twilio keeps the URL on attach):
  // otherwise a half-way detach would forget the application it still has to put back.
  const halfDetached = notAttached.filter((number) =>
    recorded.has(number.sid) && isHalfDetached(number, recorded.get(number.sid)!)
  );
  const restoredBefore = notAttached.filter((number) =>
    recorded.has(number.sid) && !halfDetached.includes(number)
  );
  const detaching = new Set(detach.map((number) => number.sid));
  return {
    recorded,
    detach,
    leaveLiveKit: recordedRows.filter((row) => detaching.has(row.phoneNumberSid)),
    notAttached,
    halfDetached,
    forget: [...restoredBefore.map((number) => number.sid), ...rowsOfLostNumbers(resolved, recordedRows)],
  };
}

/** Numbers the account no longer has cannot be on the trunk: their rows go. */
function rowsOfLostNumbers(resolved: ResolvedNumbers, recordedRows: readonly AttachedNumberRow[]): string[] {
  const lost = new Set([...resolved].filter(([, number]) => !number).map(([reference]) => reference));
  return recordedRows
    .filter((row) => lost.has(row.phoneNumberSid) || lost.has(row.phoneNumber))
    .map((row) => row.phoneNumberSid);
}

/** The numbers whose recorded settings go back: those now off the trunk (detach results in plan order), and those left half-way. */
export function numbersToRestore(
  plan: DetachPlan,
  detachResults: readonly PromiseSettledResult<unknown>[],
): TwilioIncomingNumber[] {
  const detached = plan.detach.filter((_, index) => detachResults[index].status === "fulfilled");
  return [...detached, ...plan.halfDetached].filter((number) => plan.recorded.has(number.sid));
}

/**
 * Each number's outcome once detach (results in `plan.detach` order) and restore (results in `restoring` order)
 * have run, and the rows with nothing left to do.
 */
export function detachOutcomes(
  plan: DetachPlan,
  detachResults: readonly PromiseSettledResult<unknown>[],
  restoring: readonly TwilioIncomingNumber[],
  restoreResults: readonly PromiseSettledResult<unknown>[],
): { outcomes: Map<string, Outcome<DetachStatus>>; forget: string[] } {
  const outcomes = new Map<string, Outcome<DetachStatus>>();
  const forget = new Set(plan.forget);
  plan.detach.forEach((number, index) => {
    const result = detachResults[index];
    if (result.status === "rejected") {
      outcomes.set(number.sid, { status: "failed", ...failureOf(result.reason) });
    } else if (plan.recorded.has(number.sid)) {
      outcomes.set(number.sid, { status: "detached", restored: false });
    } else outcomes.set(number.sid, { status: "detached", restored: false, message: NOTHING_TO_RESTORE });
  });
  for (const number of plan.notAttached) outcomes.set(number.sid, { status: "not-attached" });
  restoring.forEach((number, index) => {
    const result = restoreResults[index];
    const { status } = outcomes.get(number.sid)!;
    if (result.status === "fulfilled") {
      outcomes.set(number.sid, { status, restored: true });
      forget.add(number.sid);
      return;
    }
    // The row stays, so calling detach again finishes the restore.
    const failure = failureOf(result.reason);
    outcomes.set(
      number.sid,
      status === "detached" ? { status, restored: false, ...failure } : { status: "failed", ...failure },
    );
  });
  return { outcomes, forget: [...forget] };
}

const NOTHING_TO_RESTORE = "Attached outside this API: no voice settings were recorded to restore";

const NOTHING_RECORDED: VoiceSettings = {
  previousVoiceUrl: null,
  previousVoiceMethod: null,
  previousVoiceApplicationSid: null,
  previousTrunkSid: null,
};

function failureOf(error: unknown): { twilioCode: number | null; message: string } {
  if (error instanceof TwilioApiError) return { twilioCode: error.code, message: error.message };
  if (error instanceof TwilioNetworkError) {
    return { twilioCode: null, message: "Twilio did not answer in time" };
  }
  return { twilioCode: null, message: "Unexpected error" };
}

function distinctNumbers(resolved: ResolvedNumbers): TwilioIncomingNumber[] {
  const bySid = new Map<string, TwilioIncomingNumber>();
  for (const number of resolved.values()) if (number) bySid.set(number.sid, number);
  return [...bySid.values()];
}
