/**
 * Recordings as callers see them: Twilio's fields that matter, the duration as a number of seconds, and a media
 * URL of the recording-info function itself (which streams the audio with the customer's credentials), never
 * Twilio's media URL.
 *
 * ```ts
 * const { recordings } = await getCallRecordingInfo(ctx, { userId, callSid: "CA…" });
 * recordings[0].mediaUrl; // https://<ref>.supabase.co/functions/v1/recording-info?recordingSid=RE…&format=mp3
 * ```
 */
import type { CallRecordings, Recording } from "../contract/recording-info.ts";
import { customerAccount } from "../numbers/account.ts";
import type { RecordingFormat, TwilioClient, TwilioRecording } from "../twilio/types.ts";
import { isStoredExternally } from "./availability.ts";
import type { ServiceContext } from "../service-context.ts";
import { projectUrlFromEnv } from "../config.ts";

/** The function that serves recordings (and their media) under /functions/v1/. */
const RECORDINGS_FUNCTION = "recording-info";

let projectUrl: string | undefined;

function recordingMediaUrl(recordingSid: string, format: RecordingFormat = "mp3"): string {
  const query = new URLSearchParams({ recordingSid, format });
  return `${projectUrl ??= projectUrlFromEnv()}/functions/v1/${RECORDINGS_FUNCTION}?${query}`;
}

export function toRecordingInfo(recording: TwilioRecording): Recording {
  return {
    sid: recording.sid,
    callSid: recording.callSid,
    status: recording.status,
    duration: recording.duration,
    channels: recording.channels,
    startTime: recording.startTime,
    source: recording.source,
    mediaUrl: recordingMediaUrl(recording.sid),
    ...(recording.encrypted ? { encrypted: true } : {}),
    ...(isStoredExternally(recording) ? { storedExternally: true } : {}),
  };
}

/** Recordings per Twilio request when collecting all of a call's (a call rarely has more than one). */
const CALL_RECORDINGS_PAGE = 100;

/** Every recording of one call, newest first (all pages). */
async function recordingsOfCall(twilio: TwilioClient, callSid: string): Promise<TwilioRecording[]> {
  const recordings: TwilioRecording[] = [];
  let page = await twilio.listRecordings({ callSid, pageSize: CALL_RECORDINGS_PAGE });
  recordings.push(...page.items);
  while (page.nextPageToken) {
    page = await twilio.listRecordings({ pageToken: page.nextPageToken });
    recordings.push(...page.items);
  }
  return recordings;
}

/**
 * The recordings of one call of the customer's account. A call without recordings (or one Twilio does not know)
 * has an empty list, as Twilio's own filter answers.
 */
export async function getCallRecordingInfo(
  ctx: ServiceContext,
  request: { userId: string; callSid: string },
): Promise<CallRecordings> {
  const { twilio } = await customerAccount(ctx, request.userId);
  const recordings = await recordingsOfCall(twilio, request.callSid);
  return { callSid: request.callSid, recordings: recordings.map(toRecordingInfo) };
}
