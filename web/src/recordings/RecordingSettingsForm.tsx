/** The trunk's recording mode and silence trimming, as Twilio has them, and a form to change them. */
import type { RecordingMode, RecordingSettings, RecordingTrim } from "@twilio-sip/client";
import { type FormEvent, useCallback, useEffect, useId, useState } from "react";
import { useServices } from "../services.ts";
import { ErrorAlert } from "../ui/ErrorAlert.tsx";
import { useAction } from "../ui/useAction.ts";

// Every mode and trim has its label (the types say so), in the order the form offers them.
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
              {Object.entries(MODE_LABELS).map(([mode, label]) => (
                <option key={mode} value={mode}>
                  {label}
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
              {Object.entries(TRIM_LABELS).map(([trim, label]) => (
                <option key={trim} value={trim}>
                  {label}
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
