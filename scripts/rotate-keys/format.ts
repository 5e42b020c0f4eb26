/** Text for people: the rotation's progress line and its summary. */
import { formatDuration, formatProgressLine } from "../operator/progress.ts";
import type { RotationProgress, RotationSummary } from "./tally.ts";

const total = (byKey: Record<string, number>) => Object.values(byKey).reduce((sum, n) => sum + n, 0);

/** `[######------------------] 120/500   24%  35.3 rows/s  ETA 0:11  re-encrypted 230 sealed 2 current 8` */
export function formatRotationProgress(
  progress: RotationProgress,
  options: { bar: boolean } = { bar: true },
): string {
  return formatProgressLine(progress, [
    ["re-encrypted", total(progress.reencrypted)],
    ["sealed", progress.sealed],
    ["current", progress.alreadyCurrent],
    ["failed", progress.failed],
    ["changed", progress.changedMeanwhile],
    ["errors", progress.errors],
  ], options);
}

export function formatRotationSummary(summary: RotationSummary): string {
  const key = `key "${summary.activeKeyId}"`;
  const byKey = Object.entries(summary.reencrypted).map(([id, n]) => `${id} ${n}`).join(", ");
  const lines = [
    headline(summary, key),
    `  rows examined            ${summary.examined} in ${formatDuration(summary.elapsedSeconds)}`,
    `  secrets re-encrypted     ${total(summary.reencrypted)}${byKey ? ` (from ${byKey})` : ""}`,
    `  secrets sealed           ${summary.sealed} (were plaintext)`,
    `  secrets already current  ${summary.alreadyCurrent}`,
    `  secrets failed           ${summary.failed}${
      summary.failed ? " (no configured key decrypts them; left as they are)" : ""
    }`,
    `  rows changed meanwhile   ${summary.changedMeanwhile}${
      summary.changedMeanwhile ? " (left for the next run)" : ""
    }`,
    `  rows with errors         ${summary.errors}`,
    `  rows remaining           ${summary.remaining ?? "unknown"} (holding a secret not under ${key})`,
  ];
  for (const failure of summary.failures) {
    lines.push(
      `  failed: row ${failure.credentialId} (user ${failure.userId}) ${failure.column} under key ` +
        `"${failure.keyId}": ${failure.reason}`,
    );
  }
  if (summary.failures.length < summary.failed) {
    lines.push(`  … and ${summary.failed - summary.failures.length} more failed`);
  }
  for (const [message, count] of Object.entries(summary.errorMessages)) {
    lines.push(`  error x${count}: ${message}`);
  }
  return lines.join("\n");
}

function headline(summary: RotationSummary, key: string): string {
  if (summary.dryRun) return `Dry run, nothing changed: what a run with ${key} first would do.`;
  if (summary.stoppedBy === "aborted") return "Key rotation interrupted: run it again to finish.";
  if (summary.remaining === 0 && !summary.failed) return `Key rotation done: every secret is under ${key}.`;
  return `Key rotation done, but not every secret is under ${key} (see below): keep the older keys for now.`;
}
