/**
 * `deno task test`: the one test command. Starts a throw-away stack of its own (PostgreSQL, migrations through the
 * Supabase CLI, Twilio emulator, functions gateway) on free ports, so it also works while `deno task dev` runs;
 * runs every suite against it; stops what it started; prints `N passed, N failed` last and exits non-zero on any
 * failure. Extra arguments are passed to `deno test` (e.g. a file or `--filter name`).
 */
import { join } from "node:path";
import { freePort, repoRoot } from "./local/process.ts";
import { startStack } from "./local/stack.ts";

const workDir = await Deno.makeTempDir({ prefix: "twilio-sip-test-" });
await Deno.chmod(workDir, 0o755); // the PostgreSQL server runs as `postgres` when we are root
const stackFile = join(workDir, "stack.json");
const functionsLog = join(workDir, "functions.log");
const junitFile = join(workDir, "junit.xml");

const log = await Deno.open(functionsLog, { create: true, append: true });
const encoder = new TextEncoder();
const stack = await startStack({
  postgresDir: join(workDir, "postgres"),
  dbPort: freePort(),
  apiPort: freePort(),
  emulatorPort: 0,
  ephemeral: true,
  secrets: { LIVEKIT_SIP_URI_FALLBACK: "sip:local-project.eu.sip.livekit.cloud;transport=tcp" },
  log: (fn, line) => log.writeSync(encoder.encode(`[${fn}] ${line}\n`)),
});

let code = 1;
let totals = { passed: 0, failed: 0, skipped: 0 };
try {
  await Deno.writeTextFile(stackFile, JSON.stringify(stack.info));
  const args = Deno.args.length ? Deno.args : ["scripts", "supabase"];
  const tests = new Deno.Command(Deno.execPath(), {
    args: ["test", "-A", "--config", join(repoRoot, "deno.json"), `--junit-path=${junitFile}`, ...args],
    cwd: repoRoot,
    env: { LOCAL_STACK_FILE: stackFile, FUNCTIONS_LOG_FILE: functionsLog, NO_COLOR: "1" },
    stdout: "inherit",
    stderr: "inherit",
  });
  code = (await tests.output()).code;
  totals = await readTotals(junitFile).catch(() => totals);
} finally {
  await stack.stop();
  log.close();
  await Deno.remove(workDir, { recursive: true }).catch(() => {});
}

if (code !== 0 && totals.failed === 0) totals.failed = 1; // a crash before any report still counts as a failure
console.log(`\n${totals.skipped} skipped`);
console.log(`${totals.passed} passed, ${totals.failed} failed`);
Deno.exit(code === 0 && totals.failed === 0 ? 0 : 1);

/** Counts from deno test's JUnit report, so skipped (ignored) tests are never reported as passed. */
async function readTotals(path: string) {
  const xml = await Deno.readTextFile(path);
  const head = xml.match(/<testsuites\b[^>]*>/)?.[0] ?? "";
  const attr = (name: string) => Number(head.match(new RegExp(`\\b${name}="(\\d+)"`))?.[1] ?? 0);
  const failed = attr("failures") + attr("errors");
  const skipped = attr("ignored") + attr("skipped");
  return { passed: attr("tests") - failed - skipped, failed, skipped };
}
