/**
 * Health: "Check health" runs every check of the setup against Twilio; "Repair" recreates what is missing and
 * shows the report before and after.
 */
import type { HealthReport, RepairResult } from "@twilio-sip/client";
import { useCallback, useState } from "react";
import { useServices } from "../services.ts";
import { ErrorAlert } from "../ui/ErrorAlert.tsx";
import { Section } from "../ui/Section.tsx";
import { useAction } from "../ui/useAction.ts";
import { ChecksTable } from "./ChecksTable.tsx";

type Shown = { kind: "check"; report: HealthReport } | { kind: "repair"; result: RepairResult };

export function HealthPanel({ onRepaired }: { onRepaired(): Promise<void> }) {
  const { api } = useServices();
  const [shown, setShown] = useState<Shown | null>(null);
  const check = useAction(useCallback(() => api.verify(), [api]));
  const repair = useAction(useCallback(() => api.repair(), [api]));
  const busy = check.pending || repair.pending;

  async function runCheck() {
    const report = await check.run();
    if (report) setShown({ kind: "check", report });
  }

  async function runRepair() {
    const result = await repair.run();
    if (!result) return;
    setShown({ kind: "repair", result });
    await onRepaired(); // a repair can give the trunk a new domain
  }

  return (
    <Section title="Health">
      <p className="muted">
        Checks the trunk, its credentials, origination URLs, recording and numbers in Twilio.
      </p>
      <div className="button-row">
        <button type="button" disabled={busy} onClick={() => void runCheck()}>
          Check health
        </button>
        <button type="button" className="button-secondary" disabled={busy} onClick={() => void runRepair()}>
          Repair
        </button>
      </div>
      <ErrorAlert error={check.error ?? repair.error} />
      <div role="status" className="small">
        {check.pending ? "Checking…" : repair.pending ? "Repairing…" : repairSummary(shown)}
      </div>
      {shown?.kind === "check" && <ChecksTable title="Status" report={shown.report} />}
      {shown?.kind === "repair" && (
        <div className="before-after">
          <ChecksTable title="Before" report={shown.result.before} />
          <ChecksTable title="After" report={shown.result.after} />
        </div>
      )}
    </Section>
  );
}

function repairSummary(shown: Shown | null): string {
  if (shown?.kind !== "repair") return "";
  const { repaired } = shown.result;
  return `Repair finished: ${
    repaired.length ? `repaired ${repaired.join(", ")}` : "nothing needed repairing"
  }.`;
}
