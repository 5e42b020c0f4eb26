/**
 * Whether this function can stream a recording's audio, judged from Twilio's metadata before any byte: Twilio
 * serves media only for `completed` recordings (twilio-api-facts.md: "not `completed` has no media yet") that it
 * keeps itself (a recording in the account's external storage has its `media_url` there, and Twilio's own media
 * URL answers 404), and an encrypted recording's media is ciphertext only the account's private key opens. Each
 * refusal is its own error, so a UI can tell "wait" from "never here".
 *
 * ```ts
 * const recording = await twilio.fetchRecording(recordingSid);
 * assertMediaAvailable(recording, 2); // throws recording_not_ready, recording_encrypted, …
 * ```
 */
import { ApiError } from "../http/errors.ts";
import type { RecordingChannels, TwilioRecording } from "../twilio/types.ts";

/** Twilio's API hosts: api.twilio.com and the regional ones (api.dublin.ie1.twilio.com, …). */
const TWILIO_API_HOST = /^api(\.[a-z0-9-]+)*\.twilio\.com$/;

/** Media kept outside Twilio: a `media_url` on any other host. */
export function isStoredExternally(recording: Pick<TwilioRecording, "mediaUrl">): boolean {
  if (recording.mediaUrl === null) return false;
  return !URL.canParse(recording.mediaUrl) || !TWILIO_API_HOST.test(new URL(recording.mediaUrl).hostname);
}

/** Throws the reason Twilio has no media for this request; permanent reasons first. */
export function assertMediaAvailable(recording: TwilioRecording, channels: RecordingChannels): void {
  if (isStoredExternally(recording)) throw recordingStoredExternally();
  if (recording.encrypted) throw recordingEncrypted();
  if (recording.status !== "completed") throw recordingNotReady(recording.status);
  if (channels === 2 && recording.channels < 2) throw recordingNotDualChannel();
}

export const recordingNotFound = () =>
  new ApiError("recording_not_found", "No such recording in your Twilio account", "recordingSid");

export const recordingStoredExternally = () =>
  new ApiError(
    "recording_stored_externally",
    "This recording is kept in your account's external storage, not at Twilio: fetch it from there",
    "recordingSid",
  );

const recordingEncrypted = () =>
  new ApiError(
    "recording_encrypted",
    "This recording is encrypted with your account's public key; only your private key can decrypt it",
    "recordingSid",
  );

const recordingNotReady = (status: string) =>
  new ApiError(
    "recording_not_ready",
    `This recording is ${status}, not completed: Twilio has no audio for it`,
    "recordingSid",
    { recordingStatus: status },
  );

export const recordingNotDualChannel = () =>
  new ApiError(
    "recording_not_dual_channel",
    "This recording has one channel; ask for channels=1 (or leave channels out)",
    "channels",
  );
