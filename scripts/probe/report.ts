/**
 * The probe's report: one line per flow step (ok / failed / skipped), one per behaviour check (observed / error /
 * skipped), and what the cleanup removed or could not. Human text by default, the same content as JSON with
 * --json. Nothing secret is in it: no auth token, no SIP password, no database password.
 */
import type { Observation } from "./checks.ts";
import type { CleanupReport } from "./cleanup.ts";
import type { StepLine } from "./steps.ts";

export type FlowLine = StepLine<"ok" | "failed" | "skipped">;
export type CheckLine = StepLine<"observed" | "error" | "skipped"> & Omit<Observation, "detail">;

export interface ProbeReport {
  accountSid: string;
  apiBaseUrl: string;
  trunkingBaseUrl: string;
  /** The LiveKit project covered (LIVEKIT_URL), or null: the LiveKit steps were skipped. */
  livekitUrl: string | null;
  /** The throw-away user whose rows the probe wrote (and removed). */
  userId: string | null;
  flow: FlowLine[];
  checks: CheckLine[];
  cleanup: CleanupReport & { databaseError: string | null };
  /** An unexpected error (a bug) that stopped the steps; the cleanup still ran. */
  error: string | null;
  interrupted: boolean;
  /** Every flow step that ran passed, and nothing was left behind. */
  passed: boolean;
}

export function probePassed(
  flow: FlowLine[],
  cleanup: ProbeReport["cleanup"],
  interrupted: boolean,
): boolean {
  // A skipped step was skipped for want of a flag, or after a failure or an interruption, which count already.
  return !interrupted && !flow.some((line) => line.status === "failed") && cleanup.left.length === 0 &&
    cleanup.databaseError === null;
}

export function exitCode(report: ProbeReport): number {
  if (report.interrupted) return 130;
  return report.passed ? 0 : 1;
}

const STATUS_WIDTH = 9;

export function formatReport(report: ProbeReport): string {
  const nameWidth = Math.max(...[...report.flow, ...report.checks].map((line) => line.name.length));
  const row = (line: StepLine<string>, extra = "") =>
    `  ${line.status.padEnd(STATUS_WIDTH)}${line.name.padEnd(nameWidth + 2)}${duration(line).padStart(7)}  ` +
    `${line.detail}${extra}`;
  const lines = [
    `Twilio live probe: account ${report.accountSid}`,
    `  API ${report.apiBaseUrl}, Trunking ${report.trunkingBaseUrl}`,
    `  LiveKit ${
      report.livekitUrl ?? "not given (LIVEKIT_URL, LIVEKIT_API_KEY, LIVEKIT_API_SECRET): its steps skipped"
    }`,
    "",
    "Flow (the service against this account)",
    ...report.flow.map((line) => row(line)),
    "",
    "Behaviour checks (what Twilio did: please report these to the team)",
    ...report.checks.map((line) => row(line, emulatorNote(line))),
    "",
    "Cleanup",
    ...cleanupLines(report.cleanup),
    ...(report.error ? ["", `The probe stopped on an unexpected error: ${report.error}`] : []),
    "",
    verdict(report),
  ];
  return lines.join("\n");
}

/** A step's line as progress, while the probe runs. */
export function formatLine(line: StepLine<string>): string {
  const took = duration(line);
  return `${line.status} ${line.name}${took ? ` (${took})` : ""}: ${line.detail}`;
}

function duration(line: StepLine<string>): string {
  if (line.status === "skipped") return "";
  return line.durationMs < 1000 ? `${line.durationMs} ms` : `${(line.durationMs / 1000).toFixed(1)} s`;
}

function emulatorNote(line: CheckLine): string {
  if (line.emulatorSwitch) {
    const { name, observed, emulatorDefault } = line.emulatorSwitch;
    const value = observed === null ? "none of its values" : JSON.stringify(observed);
    return `\n${" ".repeat(STATUS_WIDTH + 2)}-> emulator switch ${name}: ${value} ` +
      `(emulator default ${JSON.stringify(emulatorDefault)})`;
  }
  return line.emulatorBehaviour
    ? `\n${" ".repeat(STATUS_WIDTH + 2)}-> emulator: ${line.emulatorBehaviour}`
    : "";
}

function cleanupLines(cleanup: ProbeReport["cleanup"]): string[] {
  const lines = [
    `  removed ${cleanup.removed.length}, already gone ${cleanup.alreadyGone.length}` +
    (cleanup.removed.length ? `: ${cleanup.removed.map((line) => line.description).join("; ")}` : ""),
  ];
  if (cleanup.left.length) {
    lines.push("  NOT removed, please delete by hand (Twilio or LiveKit console, or API):");
    lines.push(...cleanup.left.map(({ description, error }) => `    ${description}: ${error}`));
  }
  if (cleanup.databaseError) {
    lines.push(`  the probe's database rows were not removed: ${cleanup.databaseError}`);
  }
  return lines;
}

function verdict(report: ProbeReport): string {
  const count = (status: string) => report.flow.filter((line) => line.status === status).length;
  const flow = `flow: ${count("ok")} ok, ${count("failed")} failed, ${count("skipped")} skipped`;
  const cleanup = report.cleanup.left.length
    ? `${report.cleanup.left.length} resource(s) left`
    : "nothing left";
  const state = report.interrupted ? "INTERRUPTED" : report.passed ? "PASSED" : "FAILED";
  return `${state}: ${flow}; cleanup: ${cleanup}`;
}
