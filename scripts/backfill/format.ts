/** Text for people: the progress line and the summary. */
import type { Pace } from "./progress.ts";
import type { BackfillProgress, BackfillSummary } from "./tally.ts";

const BAR_WIDTH = 24;

/** `[#########---------------] 120/500  24%  35.2 rows/s  ETA 0:11  active 118  failed 1  busy 1` */
export function formatProgress(
  progress: BackfillProgress,
  options: { bar: boolean } = { bar: true },
): string {
  const shown: [string, number][] = [
    ["active", progress.active],
    ["already", progress.alreadyActive],
    ["failed", progress.failed],
    ["retrying", progress.retrying],
    ["busy", progress.busy],
    ["missing", progress.missing],
    ["errors", progress.errors],
  ];
  return formatProgressLine(
    progress,
    shown.filter(([name, count]) => count > 0 || name === "active"),
    options,
  );
}

/** Any task's progress line: the bar (on a terminal), rows done of the total, rate, ETA, then `counts`. */
export function formatProgressLine(
  pace: Pace,
  counts: [string, number][],
  options: { bar: boolean } = { bar: true },
): string {
  const { total, processed } = pace;
  const fraction = total > 0 ? Math.min(1, processed / total) : 1;
  const filled = Math.round(fraction * BAR_WIDTH);
  const parts = [
    `${processed}/${total}`,
    `${String(Math.floor(fraction * 100)).padStart(3)}%`,
    `${pace.rowsPerSecond.toFixed(1)} rows/s`,
    `ETA ${pace.etaSeconds === null ? "?" : formatDuration(pace.etaSeconds)}`,
    counts.map(([name, count]) => `${name} ${count}`).join(" "),
  ];
  const bar = options.bar ? `[${"#".repeat(filled)}${"-".repeat(BAR_WIDTH - filled)}] ` : "";
  return bar + parts.filter(Boolean).join("  ");
}

/** 75 -> "1:15", 3725 -> "1:02:05" */
export function formatDuration(seconds: number): string {
  const whole = Math.max(0, Math.round(seconds));
  const h = Math.floor(whole / 3600);
  const m = Math.floor((whole % 3600) / 60);
  const s = String(whole % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${m}:${s}`;
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
