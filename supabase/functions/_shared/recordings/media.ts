/**
 * A recording's audio, streamed through the function with the customer's own credentials: the browser gets the
 * bytes with the right Content-Type and never sees Twilio's media URL or the auth token. The recording's metadata
 * is read first (one GET), so a recording Twilio cannot serve is refused with its reason before any byte
 * (availability.ts); one Twilio does not find in the customer's account (another account's, or deleted) is a
 * 404. Both channels of a dual-channel recording on request (`channels: 2`); Twilio mixes them by default.
 *
 * ```ts
 * const response = await streamRecordingMedia(ctx, { userId, recordingSid: "RE…", format: "wav", channels: 2 });
 * ```
 */
import { customerAccount } from "../numbers/account.ts";
import type { RecordingChannels, RecordingFormat, TwilioClient } from "../twilio/types.ts";
import { hasTwilioCode, nullIfNotFound, TwilioApiError } from "../twilio/errors.ts";
import {
  assertMediaAvailable,
  recordingNotDualChannel,
  recordingNotFound,
  recordingStoredExternally,
} from "./availability.ts";
import type { ServiceContext } from "../service-context.ts";

const MEDIA_TYPES: Record<RecordingFormat, string> = { mp3: "audio/mpeg", wav: "audio/wav" };

interface MediaRequest {
  recordingSid: string;
  format: RecordingFormat;
  channels: RecordingChannels;
}

export async function streamRecordingMedia(
  ctx: ServiceContext,
  request: { userId: string } & MediaRequest,
): Promise<Response> {
  const { twilio } = await customerAccount(ctx, request.userId);
  const recording = await nullIfNotFound(() => twilio.fetchRecording(request.recordingSid));
  if (!recording) throw recordingNotFound();
  assertMediaAvailable(recording, request.channels);
  return mediaResponse(await fetchMedia(twilio, request), request);
}

/** Twilio's media; refusals the metadata did not foretell keep their meaning. */
async function fetchMedia(twilio: TwilioClient, { recordingSid, format, channels }: MediaRequest) {
  try {
    return await twilio.fetchRecordingMedia(recordingSid, format, { channels });
  } catch (error) {
    if (!(error instanceof TwilioApiError)) throw error;
    // The recording exists and is completed: no media at Twilio means it went to external storage.
    if (error.isNotFound) throw recordingStoredExternally();
    if (hasTwilioCode(error, "notDualChannel")) throw recordingNotDualChannel();
    throw error;
  }
}

function mediaResponse(media: Response, { recordingSid, format }: MediaRequest): Response {
  const twilioType = media.headers.get("content-type") ?? "";
  const headers: Record<string, string> = {
    // Twilio's own audio type when it sends one (audio/mpeg, audio/x-wav), else the format's.
    "Content-Type": twilioType.startsWith("audio/") ? twilioType : MEDIA_TYPES[format],
    "Content-Disposition": `inline; filename="${recordingSid}.${format}"`,
    // The audio of a finished recording never changes, but it is the customer's: browsers only.
    "Cache-Control": "private, max-age=3600",
  };
  const length = media.headers.get("content-length");
  if (length && /^\d+$/.test(length)) headers["Content-Length"] = length;
  return new Response(media.body, { status: 200, headers });
}
