/** The trunk's most recent recordings, a page at a time, each playable here; and the trunk's recording settings. */
import type { RecordingsPage } from "@twilio-sip/client";
import { useCallback, useEffect, useState } from "react";
import { useServices } from "../services.ts";
import { ErrorAlert } from "../ui/ErrorAlert.tsx";
import { DataTable } from "../ui/DataTable.tsx";
import { Section } from "../ui/Section.tsx";
import { useAction } from "../ui/useAction.ts";
import { formatDuration, formatStart } from "./format.ts";
import { RecordingPlayer } from "./RecordingPlayer.tsx";
import { RecordingSettingsForm } from "./RecordingSettingsForm.tsx";

const PAGE_SIZE = 10;

export function RecordingsPanel() {
  const { api } = useServices();
  const [page, setPage] = useState<RecordingsPage | null>(null);
  /** The page tokens that led to the page shown (undefined: the first page), for going back. */
  const [trail, setTrail] = useState<(string | undefined)[]>([undefined]);
  const load = useAction(
    useCallback((pageToken?: string) => api.listRecordings({ pageSize: PAGE_SIZE, pageToken }), [api]),
  );
  const { run: runLoad } = load;

  const show = useCallback(
    async (tokens: (string | undefined)[]) => {
      const loaded = await runLoad(tokens[tokens.length - 1]);
      if (!loaded) return;
      setPage(loaded);
      setTrail(tokens);
    },
    [runLoad],
  );

  useEffect(() => void show([undefined]), [show]);

  return (
    <Section
      title="Recordings"
      actions={
        <button
          type="button"
          className="button-secondary"
          disabled={load.pending}
          onClick={() => void show([undefined])}
        >
          Refresh recordings
        </button>
      }
    >
      <ErrorAlert error={load.error} />
      {page === null
        ? <p role="status">{load.pending ? "Loading recordings…" : ""}</p>
        : page.recordings.length === 0
        ? (
          <p>
            No recordings on this page.
            {trail.length === 1 && " Calls through the trunk are recorded when recording is on."}
          </p>
        )
        : (
          <DataTable
            label="Recordings"
            rows={page.recordings}
            rowKey={(recording) => recording.sid}
            columns={[
              { header: "Started", rowHeader: true, cell: (recording) => formatStart(recording.startTime) },
              { header: "Duration", cell: (recording) => formatDuration(recording.duration) },
              { header: "Channels", cell: (recording) => recording.channels },
              { header: "Status", cell: (recording) => recording.status },
              { header: "Audio", cell: (recording) => <RecordingPlayer recording={recording} /> },
            ]}
          />
        )}
      <div className="button-row">
        <button
          type="button"
          className="button-secondary"
          disabled={load.pending || trail.length === 1}
          onClick={() => void show(trail.slice(0, -1))}
        >
          Previous page
        </button>
        <button
          type="button"
          className="button-secondary"
          disabled={load.pending || !page?.nextPageToken}
          onClick={() => page?.nextPageToken && void show([...trail, page.nextPageToken])}
        >
          Next page
        </button>
      </div>
      <RecordingSettingsForm />
    </Section>
  );
}
