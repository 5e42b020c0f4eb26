/** The trunk's recording mode and silence trimming, as Twilio has them, and a form to change them. */
import {
  RECORDING_MODES,
  RECORDING_TRIMS,
  type RecordingMode,
  type RecordingSettings,
  type RecordingTrim,
} from "@twilio-sip/client";
import { type FormEvent, useCallback, useEffect, useId, useState } from "react";
import { useServices } from "../services.ts";
import { ErrorAlert } from "../ui/ErrorAlert.tsx";
import { useAction } from "../ui/useAction.ts";

const MODE_LABELS: Record<RecordingMode, string> = {
  "do-not-record": "Do not record",
  "record-from-ringing": "Record from ringing",
  "record-from-answer": "Record from answer",
  "record-from-ringing-dual": "Record from ringing, two channels",
  "record-from-answer-dual": "Record from answer, two channels",
};
const TRIM_LABELS: Record<RecordingTrim, string> = {
  "do-not-trim": "Keep silence",
  "trim-silence": "Trim silence",
};

export function RecordingSettingsForm() {
  const { api } = useServices();
  const id = useId();
  const [settings, setSettings] = useState<Omit<RecordingSettings, "trunkSid"> | null>(null);
  const [saved, setSaved] = useState("");
  const load = useAction(useCallback(() => api.getRecordingSettings(), [api]));
  const save = useAction(
    useCallback((next: Omit<RecordingSettings, "trunkSid">) => api.setRecordingSettings(next), [api]),
  );
  const { run: runLoad } = load;

  useEffect(() => {
    void runLoad().then((loaded) => loaded && setSettings({ mode: loaded.mode, trim: loaded.trim }));
  }, [runLoad]);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!settings) return;
    const applied = await save.run(settings);
    if (applied) {
      setSaved(`Saved: ${MODE_LABELS[applied.mode]}, ${TRIM_LABELS[applied.trim].toLowerCase()}.`);
    }
  }

  return (
    <form className="subsection" onSubmit={submit} aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>Recording settings</h3>
      <ErrorAlert error={load.error ?? save.error} />
      {settings && (
        <div className="inline-fields">
          <div className="field">
            <label htmlFor={`${id}-mode`}>Recording mode</label>
            <select
              id={`${id}-mode`}
              value={settings.mode}
              onChange={(event) => setSettings({ ...settings, mode: event.target.value as RecordingMode })}
            >
              {RECORDING_MODES.map((mode) => (
                <option key={mode} value={mode}>
                  {MODE_LABELS[mode]}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor={`${id}-trim`}>Silence</label>
            <select
              id={`${id}-trim`}
              value={settings.trim}
              onChange={(event) => setSettings({ ...settings, trim: event.target.value as RecordingTrim })}
            >
              {RECORDING_TRIMS.map((trim) => (
                <option key={trim} value={trim}>
                  {TRIM_LABELS[trim]}
                </option>
              ))}
            </select>
          </div>
          <button type="submit" disabled={save.pending}>
            Save recording settings
          </button>
        </div>
      )}
      <p role="status" className="small">
        {save.pending ? "Saving…" : saved}
      </p>
    </form>
  );
}
