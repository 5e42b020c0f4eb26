/**
 * The Twilio account's numbers and where each one's calls go; attach to / detach from the SIP trunk one at a
 * time or a selection at once, with each number's outcome shown in its row.
 */
import type { AccountNumber, AttachResult, DetachResult } from "@twilio-sip/client";
import { useCallback, useEffect, useState } from "react";
import { useServices } from "../services.ts";
import { ErrorAlert } from "../ui/ErrorAlert.tsx";
import { DataTable } from "../ui/DataTable.tsx";
import { Section } from "../ui/Section.tsx";
import { useAction } from "../ui/useAction.ts";
import { attachmentLabel, resultLabel } from "./labels.ts";

type Change = "attach" | "detach";

export function NumbersPanel({ onChanged }: { onChanged(): Promise<void> }) {
  const { api } = useServices();
  const [numbers, setNumbers] = useState<AccountNumber[] | null>(null);
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  /** The last outcome per number SID. */
  const [results, setResults] = useState<Record<string, string>>({});
  const [summary, setSummary] = useState("");

  const list = useAction(useCallback(() => api.listNumbers(), [api]));
  const change = useAction(
    useCallback(
      (kind: Change, sids: string[]): Promise<AttachResult | DetachResult> =>
        kind === "attach" ? api.attachNumbers(sids) : api.detachNumbers(sids),
      [api],
    ),
  );
  const { run: runList } = list;

  const refresh = useCallback(async () => {
    const listed = await runList();
    if (listed) setNumbers(listed.numbers);
  }, [runList]);

  useEffect(() => void refresh(), [refresh]);

  async function apply(kind: Change, sids: string[]) {
    const outcome = await change.run(kind, sids);
    if (!outcome) return;
    setResults((previous) => ({
      ...previous,
      ...Object.fromEntries(
        outcome.results.map((result) => [result.phoneNumberSid ?? result.input, resultLabel(result)]),
      ),
    }));
    setSummary(`${kind === "attach" ? "Attach" : "Detach"}: ${countsText(outcome.counts)}`);
    setSelected(new Set());
    await Promise.all([refresh(), onChanged()]);
  }

  function toggle(sid: string, on: boolean) {
    const next = new Set(selected);
    if (on) next.add(sid);
    else next.delete(sid);
    setSelected(next);
  }

  const busy = change.pending || list.pending;
  const chosen = [...selected];
  const allSelected = !!numbers?.length && numbers.every((number) => selected.has(number.sid));

  return (
    <Section
      title="Phone numbers"
      actions={
        <button
          type="button"
          className="button-secondary"
          onClick={() => void refresh()}
          disabled={busy}
        >
          Refresh numbers
        </button>
      }
    >
      <ErrorAlert error={list.error ?? change.error} />
      {numbers === null
        ? <p role="status">{list.pending ? "Loading numbers…" : ""}</p>
        : numbers.length === 0
        ? <p>No phone numbers in this Twilio account yet.</p>
        : (
          <>
            <div className="button-row">
              <button
                type="button"
                disabled={busy || !chosen.length}
                onClick={() => void apply("attach", chosen)}
              >
                Attach selected
              </button>
              <button
                type="button"
                className="button-secondary"
                disabled={busy || !chosen.length}
                onClick={() => void apply("detach", chosen)}
              >
                Detach selected
              </button>
              <span className="muted small">{chosen.length} selected</span>
            </div>
            <DataTable
              label="Phone numbers"
              rows={numbers}
              rowKey={(number) => number.sid}
              columns={[
                {
                  header: "Select",
                  phoneLabel: "",
                  headerCell: (
                    <input
                      type="checkbox"
                      aria-label="Select all numbers"
                      checked={allSelected}
                      onChange={(event) =>
                        setSelected(new Set(event.target.checked ? numbers.map((number) => number.sid) : []))}
                    />
                  ),
                  cell: (number) => (
                    <input
                      type="checkbox"
                      aria-label={`Select ${number.phoneNumber}`}
                      checked={selected.has(number.sid)}
                      onChange={(event) => toggle(number.sid, event.target.checked)}
                    />
                  ),
                },
                {
                  header: "Number",
                  rowHeader: true,
                  cell: (number) => (
                    <>
                      <span className="mono nowrap">{number.phoneNumber}</span>
                      {number.friendlyName !== number.phoneNumber && (
                        <span className="muted small block">{number.friendlyName}</span>
                      )}
                    </>
                  ),
                },
                { header: "Calls go to", cell: attachmentLabel },
                { header: "Last result", cell: (number) => results[number.sid] ?? "" },
                {
                  header: "Action",
                  phoneLabel: "",
                  cell: (number) => {
                    const onTrunk = number.attachment === "main-trunk";
                    return (
                      <button
                        type="button"
                        className={onTrunk ? "button-secondary" : undefined}
                        aria-label={`${onTrunk ? "Detach" : "Attach"} ${number.phoneNumber}`}
                        disabled={busy}
                        onClick={() => void apply(onTrunk ? "detach" : "attach", [number.sid])}
                      >
                        {onTrunk ? "Detach" : "Attach"}
                      </button>
                    );
                  },
                },
              ]}
            />
          </>
        )}
      <p role="status" className="small">
        {change.pending ? "Updating numbers…" : summary}
      </p>
    </Section>
  );
}

function countsText(counts: Record<string, number>): string {
  const parts = Object.entries(counts)
    .filter(([, count]) => count > 0)
    .map(([status, count]) => `${count} ${status}`);
  return parts.join(", ") || "nothing to do";
}
