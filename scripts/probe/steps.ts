/**
 * Runs the probe's steps one after another, each timed and turned into a report line: a step returns its detail,
 * throws `Skipped` to say why it did not run, or throws anything else to fail. A step runs only when the steps it
 * needs passed, and none starts once the probe is told to stop (Ctrl-C): the one in flight finishes first, so
 * whatever it creates is known to the cleanup.
 */
import type { HealthReport } from "../../supabase/functions/_shared/contract/get-sip-config.ts";
import { ApiError } from "../../supabase/functions/_shared/http/errors.ts";
import { LiveKitError } from "../../supabase/functions/_shared/livekit/client.ts";
import { TwilioApiError } from "../../supabase/functions/_shared/twilio/errors.ts";

export class Skipped extends Error {}

export interface StepLine<Status extends string> {
  name: string;
  status: Status;
  durationMs: number;
  detail: string;
}

export interface Step<Result extends { detail: string }> {
  name: string;
  /** Steps that must have passed first (a step that did not pass skips this one, saying which). */
  needs?: string[];
  run(): Promise<Result>;
}

export interface StepOutcomes<Status extends string> {
  passed: Status;
  failed: Status;
}

/** A step's report line, with whatever else its result carries (absent when it did not pass). */
export type Line<Status extends string, Result extends { detail: string }> =
  & StepLine<Status | "skipped">
  & Partial<Omit<Result, "detail">>;

export async function runSteps<Status extends string, Result extends { detail: string }>(
  steps: Step<Result>[],
  outcomes: StepOutcomes<Status>,
  options: {
    signal: AbortSignal;
    /** Steps of an earlier run that passed, which these may need. */
    passedEarlier?: string[];
    onLine?: (line: StepLine<Status | "skipped">) => void;
  },
): Promise<Line<Status, Result>[]> {
  const lines: Line<Status, Result>[] = [];
  const passed = new Set(options.passedEarlier);
  const outcomeOf = (name: string) => lines.find((line) => line.name === name)?.status;
  const plain = (name: string, status: Status | "skipped", durationMs: number, detail: string) =>
    ({ name, status, durationMs, detail }) as Line<Status, Result>;
  for (const step of steps) {
    const started = performance.now();
    const missing = step.needs?.find((name) => !passed.has(name));
    let line: Line<Status, Result>;
    if (options.signal.aborted) line = plain(step.name, "skipped", 0, "interrupted");
    else if (missing) {
      const outcome = outcomeOf(missing);
      const which = outcome === "skipped" ? "was skipped" : outcome ? "failed" : "did not pass";
      line = plain(step.name, "skipped", 0, `needs ${missing}, which ${which}`);
    } else {
      try {
        const result = await step.run();
        line = { ...result, name: step.name, status: outcomes.passed, durationMs: elapsed(started) };
        passed.add(step.name);
      } catch (error) {
        line = error instanceof Skipped
          ? plain(step.name, "skipped", 0, error.message)
          : plain(step.name, outcomes.failed, elapsed(started), describe(error));
      }
    }
    lines.push(line);
    options.onLine?.(line);
  }
  return lines;
}

const elapsed = (started: number) => Math.round(performance.now() - started);

/** An error as one line, with what a reader needs: Twilio's or LiveKit's status and code, or the service's code. */
export function describe(error: unknown): string {
  if (error instanceof TwilioApiError) {
    return `Twilio ${error.status} ${error.code ?? "(no code)"}: ${error.message}`;
  }
  if (error instanceof LiveKitError) return `LiveKit ${error.status} ${error.code}: ${error.message}`;
  if (error instanceof ApiError) {
    const twilioCode = error.details?.twilioCode;
    return `${error.code}: ${error.message}${twilioCode ? ` (Twilio ${twilioCode})` : ""}`;
  }
  return (error as Error)?.message ?? String(error);
}

/** A health report's failing checks as one line: each name with its detail. */
export const failingChecks = (report: HealthReport) =>
  report.checks.filter((check) => !check.ok).map((check) => `${check.name}: ${check.detail}`).join("; ");
