// Recording media at /Recordings/{RE}(.wav|.mp3): what Twilio serves for each kind of recording.
import { type ApiContext, findOwned } from "./api-context.ts";
import { invalidParameter, notFound, validationError } from "./errors.ts";
import { mp3Bytes, wavBytes } from "./media.ts";
import { encryptMedia } from "./recording-encryption.ts";
import type { Params } from "./router.ts";
import type { Recording } from "./store.ts";

const CONTENT_TYPES = { mp3: "audio/mpeg", wav: "audio/x-wav" } as const;

/**
 * "Dual-channel recordings download as a mono mix unless the media URL carries `?RequestedChannels=2` (16113
 * if the recording has one channel)" (twilio-api-facts.md).
 */
function downloadChannels(recording: Recording, query: URLSearchParams): 1 | 2 {
  const value = query.get("RequestedChannels") ?? "1";
  if (value !== "1" && value !== "2") throw invalidParameter("RequestedChannels must be 1 or 2");
  if (value === "2" && recording.channels === 1) {
    throw validationError(
      16113,
      `RequestedChannels=2 is not possible: recording ${recording.sid} has one channel`,
    );
  }
  return value === "2" ? 2 : 1;
}

/**
 * Only a completed recording kept at Twilio has media there. Any other status ("has no media yet",
 * twilio-api-facts.md) and a recording in external storage (Twilio keeps no media: "it won't be possible … to
 * fetch a recording media file", Twilio's external S3 storage announcement) answer 404 20404, as a media URL
 * without a file does. An encrypted recording's media is ciphertext.
 */
export function recordingMedia(format: keyof typeof CONTENT_TYPES) {
  return (ctx: ApiContext, { recordingSid }: Params): Response => {
    const recording = findOwned(ctx, ctx.store.recordings, recordingSid);
    if (recording.status !== "completed" || recording.externalMediaUrl !== null) {
      throw notFound(ctx.url.pathname);
    }
    const channels = downloadChannels(recording, ctx.url.searchParams);
    const audio = format === "mp3" ? mp3Bytes(recording.sid, channels) : wavBytes(recording.sid, channels);
    const body = recording.encryption ? encryptMedia(recording.sid, audio) : audio;
    return new Response(body, { headers: { "content-type": CONTENT_TYPES[format] } });
  };
}
