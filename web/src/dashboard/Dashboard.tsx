/**
 * The signed-in page. get-sip-config decides what it shows: nothing connected (404) → the Connect Twilio form;
 * a configuration → its details, numbers, recordings, health, and Disconnect.
 */
import type { SipConfig } from "@twilio-sip/client";
import { useCallback, useEffect, useState } from "react";
import { ConnectForm } from "../connect/ConnectForm.tsx";
import { DisconnectPanel } from "../disconnect/DisconnectPanel.tsx";
import { HealthPanel } from "../health/HealthPanel.tsx";
import { NumbersPanel } from "../numbers/NumbersPanel.tsx";
import { RecordingsPanel } from "../recordings/RecordingsPanel.tsx";
import { useServices } from "../services.ts";
import { SipConfigPanel } from "../sip-config/SipConfigPanel.tsx";
import { ErrorAlert } from "../ui/ErrorAlert.tsx";
import { useAction } from "../ui/useAction.ts";

export function Dashboard() {
  const { api } = useServices();
  /** undefined: not loaded yet; null: nothing connected. */
  const [config, setConfig] = useState<SipConfig | null | undefined>(undefined);
  const load = useAction(useCallback(() => api.getSipConfig(), [api]));
  const { run: runLoad } = load;

  const reload = useCallback(async () => {
    const loaded = await runLoad();
    // A failed reload keeps what is shown (its error appears above it); a first failed load means "not connected".
    setConfig((current) => loaded ?? current ?? null);
  }, [runLoad]);

  useEffect(() => void reload(), [reload]);

  // 404 is the ordinary "not connected yet", not an error to show.
  const loadError = load.error?.code === "credentials_not_found" ? null : load.error;

  if (config === undefined) {
    return <p role="status">{load.pending ? "Loading your configuration…" : ""}</p>;
  }
  if (config === null) {
    return (
      <>
        <ErrorAlert error={loadError} />
        <ConnectForm onConnected={reload} />
      </>
    );
  }
  return (
    <div className="dashboard">
      <ErrorAlert error={loadError} />
      <SipConfigPanel config={config} />
      <NumbersPanel onChanged={reload} />
      <RecordingsPanel />
      <HealthPanel onRepaired={reload} />
      <DisconnectPanel onDisconnected={() => setConfig(null)} />
    </div>
  );
}
