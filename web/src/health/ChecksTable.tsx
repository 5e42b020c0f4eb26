/** One health report: its overall status and every check with its outcome and detail. */
import type { HealthReport } from "@twilio-sip/client";
import { DataTable } from "../ui/DataTable.tsx";

export function ChecksTable({ title, report }: { title: string; report: HealthReport }) {
  return (
    <div className="report">
      <h3>
        {title}: <span className={`badge badge-${report.status}`}>{report.status}</span>
      </h3>
      <DataTable
        label={`${title}: health checks`}
        rows={report.checks}
        rowKey={(check) => check.name}
        rowAttributes={(check) => ({ "data-check": check.name })}
        columns={[
          {
            header: "Check",
            rowHeader: true,
            cell: (check) => (
              <>
                {check.name.replaceAll("_", " ")}
                {check.critical && <span className="muted small block">critical</span>}
              </>
            ),
          },
          {
            header: "Result",
            cell: (check) => (
              <span className={check.ok ? "ok" : "failing"}>{check.ok ? "✓ OK" : "✗ Failing"}</span>
            ),
          },
          { header: "Detail", cell: (check) => <span className="detail">{check.detail}</span> },
        ]}
      />
    </div>
  );
}
