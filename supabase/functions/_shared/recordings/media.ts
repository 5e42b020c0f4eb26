/**
 * A recording's audio, streamed through the function with the customer's own credentials: the browser gets the
 * bytes with the right Content-Type and never sees Twilio's media URL or the auth token. A recording Twilio does
 * not find in the customer's account (another account's, or deleted) is a 404.
 *
 * ```ts
 * const response = await streamRecordingMedia(ctx, { userId, recordingSid: "RE…", format: "mp3" });
 * ```
 */
import { ApiError } from "../http/errors.ts";
import { customerAccount } from "../numbers/account.ts";
import type { ServiceContext } from "../provisioning/provision.ts";
import type { RecordingFormat } from "../twilio/client.ts";
import { TwilioApiError } from "../twilio/errors.ts";

export const MEDIA_TYPES: Record<RecordingFormat, string> = { mp3: "audio/mpeg", wav: "audio/wav" };

export async function streamRecordingMedia(
  ctx: ServiceContext,
  request: { userId: string; recordingSid: string; format: RecordingFormat },
): Promise<Response> {
  const { twilio } = await customerAccount(ctx, request.userId);
  let media: Response;
  try {
    media = await twilio.fetchRecordingMedia(request.recordingSid, request.format);
  } catch (error) {
    if (error instanceof TwilioApiError && error.isNotFound) {
      throw new ApiError(
        404,
        "recording_not_found",
        "No such recording in your Twilio account",
        "recordingSid",
      );
    }
    throw error;
  }
  const twilioType = media.headers.get("content-type") ?? "";
  const headers: Record<string, string> = {
    // Twilio's own audio type when it sends one (audio/mpeg, audio/x-wav), else the format's.
    "Content-Type": twilioType.startsWith("audio/") ? twilioType : MEDIA_TYPES[request.format],
    "Content-Disposition": `inline; filename="${request.recordingSid}.${request.format}"`,
    // The audio of a finished recording never changes, but it is the customer's: browsers only.
    "Cache-Control": "private, max-age=3600",
  };
  const length = media.headers.get("content-length");
  if (length && /^\d+$/.test(length)) headers["Content-Length"] = length;
  return new Response(media.body, { status: 200, headers });
}
