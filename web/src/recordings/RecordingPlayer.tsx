/**
 * Plays one recording in the page: the audio is fetched with the user's session (recordingMedia) and handed to
 * <audio> as a blob: URL, so neither Twilio's URL nor its credentials ever reach the browser.
 */
import type { Recording } from "@twilio-sip/client";
import { useCallback, useEffect, useState } from "react";
import { useServices } from "../services.ts";
import { ErrorAlert } from "../ui/ErrorAlert.tsx";
import { useAction } from "../ui/useAction.ts";

export function RecordingPlayer({ recording }: { recording: Recording }) {
  const { api } = useServices();
  const [audioUrl, setAudioUrl] = useState<string | null>(null);
  const fetchMedia = useAction(useCallback(() => api.recordingMedia(recording.sid), [api, recording.sid]));

  // The blob lives as long as the player does.
  useEffect(() => () => void (audioUrl && URL.revokeObjectURL(audioUrl)), [audioUrl]);

  async function load() {
    const media = await fetchMedia.run();
    if (media) setAudioUrl(URL.createObjectURL(media));
  }

  if (audioUrl) {
    return (
      <audio
        controls
        autoPlay
        src={audioUrl}
        data-recording-sid={recording.sid}
        aria-label={`Recording ${recording.sid}`}
      />
    );
  }
  return (
    <>
      <button
        type="button"
        className="button-secondary"
        disabled={fetchMedia.pending}
        aria-label={`Play recording ${recording.sid}`}
        onClick={() => void load()}
      >
        {fetchMedia.pending ? "Loading…" : "Play"}
      </button>
      <ErrorAlert error={fetchMedia.error} />
    </>
  );
}
