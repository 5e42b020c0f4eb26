/** Text for people: the progress line and the summary. */
import { formatDuration, formatProgressLine } from "../operator/progress.ts";
import type { BackfillProgress, BackfillSummary } from "./tally.ts";

/** `[#########---------------] 120/500  24%  35.2 rows/s  ETA 0:11  active 118  failed 1  busy 1` */
export function formatProgress(
  progress: BackfillProgress,
  options: { bar: boolean } = { bar: true },
): string {
  return formatProgressLine(progress, [
    ["active", progress.active],
    ["already", progress.alreadyActive],
    ["failed", progress.failed],
    ["retrying", progress.retrying],
    ["busy", progress.busy],
    ["missing", progress.missing],
    ["errors", progress.errors],
  ], options);
}

export function formatSummary(summary: BackfillSummary): string {
  const lines = [
    summary.stoppedBy === "aborted"
      ? "Backfill interrupted."
      : summary.stoppedBy === "errors"
      ? "Backfill stopped after repeated errors."
      : "Backfill done.",
    `  rows in scope        ${summary.scope}`,
    `  to provision         ${summary.total}`,
    `  processed            ${summary.processed} in ${formatDuration(summary.elapsedSeconds)} ` +
    `(${summary.rowsPerSecond.toFixed(1)} rows/s)`,
    `  newly active         ${summary.active}`,
    `  already active       ${summary.alreadyActive}`,
    `  failed               ${summary.failed}${codes(summary.failedCodes)}`,
    `  retrying later       ${summary.retrying} (Twilio was rate limiting or failing)`,
    `  busy (skipped)       ${summary.busy}`,
    `  missing              ${summary.missing}`,
    `  errors               ${summary.errors}`,
    `  failed before, left  ${summary.skippedFailed}${
      summary.skippedFailed ? " (--retry-failed retries them)" : ""
    }`,
    `  still to provision   ${summary.remaining ?? "unknown"}`,
  ];
  for (const failure of summary.failures) {
    lines.push(
      `  failed: row ${failure.id} (user ${failure.userId}): ${failure.twilioCode ?? "-"} ${
        failure.message ?? ""
      }`,
    );
  }
  for (const [message, count] of Object.entries(summary.errorMessages)) {
    lines.push(`  error x${count}: ${message}`);
  }
  return lines.join("\n");
}

function codes(histogram: Record<string, number>): string {
  const entries = Object.entries(histogram).sort((a, b) => b[1] - a[1]);
  return entries.length ? ` (Twilio codes: ${entries.map(([code, n]) => `${code} x${n}`).join(", ")})` : "";
}
