/**
 * `deno task test`: the one test command. Starts a throw-away stack of its own (PostgreSQL, migrations through the
 * Supabase CLI, Twilio emulator, functions gateway) on free ports, so it also works while `deno task dev` runs;
 * runs every suite against it; stops what it started; prints `N passed, N failed` last and exits non-zero on any
 * failure. Extra arguments are passed to `deno test` (e.g. a file or `--filter name`).
 */
import { join } from "node:path";
import { freePort, repoRoot } from "./local/process.ts";
import { scratchDir } from "./local/scratch.ts";
import { startStack } from "./local/stack.ts";

const workDir = await scratchDir("twilio-sip-test-");
const stackFile = join(workDir, "stack.json");
const functionsLog = join(workDir, "functions.log");
const AUDIT = "supabase/tests/audit/no-plaintext-secrets.audit.ts";

const log = await Deno.open(functionsLog, { create: true, append: true });
const encoder = new TextEncoder();
const stack = await startStack({
  postgresDir: join(workDir, "postgres"),
  dbPort: freePort(),
  apiPort: freePort(),
  emulatorPort: 0,
  ephemeral: true,
  withLegacyProject: true,
  secrets: {
    LIVEKIT_SIP_URI_FALLBACK: "sip:local-project.eu.sip.livekit.cloud;transport=tcp",
    // Every line a function can log is written, so the secrets audit covers debug lines too.
    LOG_LEVEL: "debug",
    // A killed process's locks lapse quickly, so crash tests need not wait the production lease.
    LOCK_LEASE_SECONDS: "3",
  },
  log: (fn, line) => log.writeSync(encoder.encode(`[${fn}] ${line}\n`)),
});

let anyPhaseFailed = false;
let totals = { passed: 0, failed: 0, skipped: 0 };
try {
  await Deno.writeTextFile(stackFile, JSON.stringify(stack.info));
  // The secrets audit runs last, over everything the other suites stored and logged.
  const phases = Deno.args.length ? [Deno.args] : [["scripts", "supabase", "client", "web"], [AUDIT]];
  for (const [index, args] of phases.entries()) {
    const junitFile = join(workDir, `junit-${index}.xml`);
    const tests = new Deno.Command(Deno.execPath(), {
      args: ["test", "-A", "--config", join(repoRoot, "deno.json"), `--junit-path=${junitFile}`, ...args],
      cwd: repoRoot,
      env: { LOCAL_STACK_FILE: stackFile, FUNCTIONS_LOG_FILE: functionsLog, NO_COLOR: "1" },
      stdout: "inherit",
      stderr: "inherit",
    });
    const exit = (await tests.output()).code;
    anyPhaseFailed ||= exit !== 0;
    const phase = await readTotals(junitFile).catch(() => ({ passed: 0, failed: exit ? 1 : 0, skipped: 0 }));
    totals = {
      passed: totals.passed + phase.passed,
      failed: totals.failed + phase.failed,
      skipped: totals.skipped + phase.skipped,
    };
  }
} finally {
  await stack.stop();
  log.close();
  await Deno.remove(workDir, { recursive: true }).catch(() => {});
}

if (anyPhaseFailed && totals.failed === 0) totals.failed = 1; // a crash before any report still counts
console.log(`\n${totals.skipped} skipped`);
console.log(`${totals.passed} passed, ${totals.failed} failed`);
Deno.exit(totals.failed === 0 ? 0 : 1);

/** Counts each test case in deno test's JUnit report, so skipped (ignored or filtered) tests never count as passed. */
async function readTotals(path: string) {
  const cases = (await Deno.readTextFile(path)).split("<testcase ").slice(1);
  const failed = cases.filter((c) => /<(failure|error)\b/.test(c)).length;
  const skipped = cases.filter((c) => /<skipped\b/.test(c)).length;
  return { passed: cases.length - failed - skipped, failed, skipped };
}
