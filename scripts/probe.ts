/**
 * `deno task probe --yes-create-resources`: the integration against a real Twilio account (and, with LIVEKIT_*, a
 * real LiveKit project), done safely. Runs the product flow through the service code (scripts/probe/flow.ts,
 * livekit.ts), records the Twilio behaviours the emulator can only guess (scripts/probe/checks.ts), and removes
 * everything it created (scripts/probe/cleanup.ts), also after a failure or Ctrl-C. Progress on stderr, the report on stdout. `--help` for the flags.
 */
import { createLogger } from "../supabase/functions/_shared/log.ts";
import { runTask } from "./operator/main.ts";
import { parseProbeArgs, type ProbeArgs, REFUSAL, USAGE } from "./probe/args.ts";
import { BehaviourChecks } from "./probe/checks.ts";
import { cleanUp, describeResource } from "./probe/cleanup.ts";
import { ProbeContext } from "./probe/context.ts";
import { ProductFlow } from "./probe/flow.ts";
import {
  type CheckLine,
  exitCode,
  type FlowLine,
  formatLine,
  formatReport,
  probePassed,
  type ProbeReport,
} from "./probe/report.ts";
import { describe, runSteps, type StepLine } from "./probe/steps.ts";

const TWILIO_API = "https://api.twilio.com";
const TWILIO_TRUNKING = "https://trunking.twilio.com";

async function probe(args: ProbeArgs): Promise<number> {
  if (!args.consent) {
    console.error(REFUSAL);
    return 2;
  }

  // The service's own log lines only on request: the report says what happened.
  const log = createLogger(
    { fn: "probe" },
    args.verbose ? (_level, line) => console.error(line) : () => {},
    "debug",
  );
  const probe = new ProbeContext(args, log);
  const flow = new ProductFlow(probe);
  const checks = new BehaviourChecks(probe);

  const stop = new AbortController();
  const onSignal = () => {
    if (!stop.signal.aborted) {
      console.error(
        "probe: stopping after the current step, then removing what it created " +
          "(signal again to leave at once, without cleaning up)",
      );
      stop.abort();
      return;
    }
    const known = probe.registry.resources.map((resource) => `  ${describeResource(resource)}`);
    console.error(
      `probe: leaving without cleaning up; delete these by hand:\n${known.join("\n") || "  (none)"}`,
    );
    Deno.exit(130);
  };
  const signals = ["SIGINT", "SIGTERM"] as const;
  for (const signal of signals) Deno.addSignalListener(signal, onSignal);

  const progress = (line: StepLine<string>) => console.error(formatLine(line));
  let flowLines: FlowLine[] = [];
  let checkLines: CheckLine[] = [];
  // Steps report their own failures; anything escaping them is a bug, which must not stop the cleanup either.
  const error = await (async () => {
    flowLines = await runSteps(flow.steps(), { passed: "ok", failed: "failed" }, {
      signal: stop.signal,
      onLine: progress,
    });
    checkLines = await runSteps(checks.steps(), { passed: "observed", failed: "error" }, {
      signal: stop.signal,
      passedEarlier: flowLines.filter((line) => line.status === "ok").map((line) => line.name),
      onLine: progress,
    });
  })().then(() => null, describe);

  console.error("probe: removing what it created");
  const credentialsAccepted = flowLines.some((line) => line.name === "credentials" && line.status === "ok");
  const removed = await cleanUp(
    { twilio: probe.twilio, livekit: probe.livekit },
    probe.registry,
    credentialsAccepted ? probe.names() : undefined,
  );
  const cleanup = { ...removed, databaseError: await flow.close().then(() => null, describe) };
  for (const signal of signals) Deno.removeSignalListener(signal, onSignal);
  const interrupted = stop.signal.aborted;
  const report: ProbeReport = {
    accountSid: args.credentials.accountSid,
    apiBaseUrl: args.apiBaseUrl ?? TWILIO_API,
    trunkingBaseUrl: args.trunkingBaseUrl ?? TWILIO_TRUNKING,
    livekitUrl: args.livekit?.url ?? null,
    userId: probe.userId ?? null,
    flow: flowLines,
    checks: checkLines,
    cleanup,
    error,
    interrupted,
    passed: error === null && probePassed(flowLines, cleanup, interrupted),
  };
  console.log(args.json ? JSON.stringify(report, null, 2) : formatReport(report));
  return exitCode(report);
}

if (import.meta.main) await runTask("probe", { usage: USAGE, parse: parseProbeArgs }, probe);
