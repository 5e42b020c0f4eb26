/** The trunk's recording mode and silence trimming, as Twilio has them, and a form to change them. */
import type { RecordingMode, RecordingSettings, RecordingTrim } from "@twilio-sip/client";
import { type FormEvent, useCallback, useEffect, useId, useState } from "react";
import { useServices } from "../services.ts";
import { ErrorAlert } from "../ui/ErrorAlert.tsx";
import { SelectField } from "../ui/SelectField.tsx";
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
          <SelectField
            label="Recording mode"
            value={settings.mode}
            options={MODE_LABELS}
            onChange={(mode) => setSettings({ ...settings, mode })}
          />
          <SelectField
            label="Silence"
            value={settings.trim}
            options={TRIM_LABELS}
            onChange={(trim) => setSettings({ ...settings, trim })}
          />
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
