/**
 * Disconnect, after a confirmation dialog: removes the active Twilio connection and everything provisioned for
 * it (client.listCredentials + client.disconnect).
 */
import { useCallback, useRef } from "react";
import { useServices } from "../services.ts";
import { ErrorAlert } from "../ui/ErrorAlert.tsx";
import { Section } from "../ui/Section.tsx";
import { useAction } from "../ui/useAction.ts";

export function DisconnectPanel({ onDisconnected }: { onDisconnected(): void }) {
  const { api } = useServices();
  const dialog = useRef<HTMLDialogElement>(null);
  const disconnect = useAction(
    useCallback(async () => {
      const active = (await api.listCredentials()).find((credentials) => credentials.is_active);
      if (active) await api.disconnect(active.id);
      return true;
    }, [api]),
  );

  async function confirm() {
    if (!(await disconnect.run())) return;
    dialog.current?.close();
    onDisconnected();
  }

  return (
    <Section title="Disconnect">
      <p className="muted">
        Deletes the SIP trunk and its credential list from your Twilio account and gives attached numbers
        their earlier voice settings back.
      </p>
      <button
        type="button"
        className="button-danger"
        onClick={() => {
          disconnect.setError(null);
          dialog.current?.showModal(); // modal: focus moves in, Escape closes, focus returns here
        }}
      >
        Disconnect
      </button>
      <dialog ref={dialog} aria-labelledby="disconnect-title" aria-describedby="disconnect-description">
        <h2 id="disconnect-title">Disconnect this Twilio account?</h2>
        <p id="disconnect-description">
          Calls to and from your voice agents through this trunk stop. You can connect again later.
        </p>
        <ErrorAlert error={disconnect.error} />
        <div className="button-row">
          <button
            type="button"
            className="button-secondary"
            autoFocus
            onClick={() => dialog.current?.close()}
          >
            Cancel
          </button>
          <button
            type="button"
            className="button-danger"
            disabled={disconnect.pending}
            onClick={() => void confirm()}
          >
            {disconnect.pending ? "Disconnecting…" : "Disconnect"}
          </button>
        </div>
      </dialog>
    </Section>
  );
}
