/**
 * What Twilio's answers become here: the SDK's objects (and the JSON of the calls made around it) as this
 * product's types, and its exceptions, or an error body, as TwilioApiError.
 */
import { isTwilioError, TwilioApiError } from "./errors.ts";
import type {
  TrunkRecording,
  TwilioAccount,
  TwilioCall,
  TwilioCredential,
  TwilioCredentialList,
  TwilioIncomingNumber,
  TwilioOriginationUrl,
  TwilioRecording,
  TwilioTrunk,
} from "./types.ts";

interface TwilioErrorFields {
  code?: unknown;
  message?: unknown;
  moreInfo?: unknown;
}

/** SDK RestException (or anything else carrying an HTTP status) to TwilioApiError; typed errors pass through. */
export function toTwilioError(error: unknown): unknown {
  if (isTwilioError(error) || !(error instanceof Error)) return error;
  const { status } = error as { status?: unknown };
  return typeof status === "number" ? apiError(status, error as TwilioErrorFields) : error;
}

/** An error answer Twilio sent outside the SDK (its status and JSON body) as TwilioApiError. */
export function errorFromAnswer(status: number, bodyText: string): TwilioApiError {
  return apiError(status, parseErrorBody(bodyText));
}

function apiError(status: number, fields: TwilioErrorFields): TwilioApiError {
  const message = typeof fields.message === "string" && fields.message
    ? fields.message
    : `Twilio HTTP ${status}`;
  const code = typeof fields.code === "number" ? fields.code : null;
  return new TwilioApiError(
    status,
    code,
    message,
    typeof fields.moreInfo === "string" ? fields.moreInfo : undefined,
  );
}

function parseErrorBody(text: string): TwilioErrorFields {
  try {
    const body = JSON.parse(text);
    return { code: body?.code, message: body?.message, moreInfo: body?.more_info };
  } catch {
    return {};
  }
}

type DateField = Date | string | null | undefined;

const isoDate = (value: DateField): string | null =>
  value instanceof Date ? value.toISOString() : value ? String(value) : null;

const seconds = (value: string | number | null | undefined): number => Number(value ?? 0) || 0;

/** The account as Twilio's JSON has it (fetched through the version, not an AccountInstance). */
export const toAccount = (a: { sid: string; status: string; friendly_name: string }): TwilioAccount => ({
  sid: a.sid,
  status: a.status,
  friendlyName: a.friendly_name,
});

export const toTrunk = (
  t: {
    sid: string;
    friendlyName: string | null;
    domainName: string | null;
    secure: boolean | null;
    transferMode: string | null;
    transferCallerId: string | null;
    recording: Partial<TrunkRecording> | null;
    authTypeSet: string[] | null;
  },
): TwilioTrunk => ({
  sid: t.sid,
  friendlyName: t.friendlyName ?? null,
  domainName: t.domainName ?? null,
  secure: t.secure === true,
  transferMode: t.transferMode ?? null,
  transferCallerId: t.transferCallerId ?? null,
  recording: toTrunkRecording(t.recording ?? {}),
  authTypeSet: t.authTypeSet ?? [],
});

export const toTrunkRecording = (r: Partial<TrunkRecording>): TrunkRecording => ({
  mode: r.mode ?? "do-not-record",
  trim: r.trim ?? "do-not-trim",
});

export const toCredentialList = (l: { sid: string; friendlyName: string }): TwilioCredentialList => ({
  sid: l.sid,
  friendlyName: l.friendlyName,
});

export const toCredential = (c: { sid: string; username: string }): TwilioCredential => ({
  sid: c.sid,
  username: c.username,
});

export const toOriginationUrl = (o: TwilioOriginationUrl): TwilioOriginationUrl => ({
  sid: o.sid,
  sipUrl: o.sipUrl,
  priority: o.priority,
  weight: o.weight,
  enabled: o.enabled,
  friendlyName: o.friendlyName,
});

export const toIncomingNumber = (n: TwilioIncomingNumber): TwilioIncomingNumber => ({
  sid: n.sid,
  phoneNumber: n.phoneNumber,
  friendlyName: n.friendlyName,
  voiceUrl: n.voiceUrl ?? null,
  voiceMethod: n.voiceMethod ?? null,
  voiceApplicationSid: n.voiceApplicationSid ?? null,
  trunkSid: n.trunkSid ?? null,
});

export const toRecording = (
  r: Omit<TwilioRecording, "duration" | "startTime" | "encrypted"> & {
    duration: string | null;
    startTime: DateField;
    encryptionDetails: unknown;
  },
): TwilioRecording => ({
  sid: r.sid,
  callSid: r.callSid,
  status: r.status,
  duration: seconds(r.duration),
  channels: r.channels,
  startTime: isoDate(r.startTime),
  source: r.source,
  mediaUrl: r.mediaUrl ?? null,
  encrypted: r.encryptionDetails !== null && r.encryptionDetails !== undefined,
});

export const toCall = (
  c: Omit<TwilioCall, "duration" | "startTime" | "endTime"> & {
    duration: string | null;
    startTime: DateField;
    endTime: DateField;
  },
): TwilioCall => ({
  sid: c.sid,
  from: c.from,
  to: c.to,
  status: c.status,
  direction: c.direction,
  startTime: isoDate(c.startTime),
  endTime: isoDate(c.endTime),
  duration: seconds(c.duration),
  trunkSid: c.trunkSid || null,
  // Twilio renders an unset phone_number_sid (and may render trunk_sid) as "".
  phoneNumberSid: c.phoneNumberSid || null,
});
