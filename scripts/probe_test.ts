/**
 * `deno task probe` run as a user runs it, against the test stack's Twilio and LiveKit emulators and database: the
 * whole flow passes (its LiveKit steps too, or skipped without LIVEKIT_*), the behaviour checks report what the
 * emulator does, and neither the account nor the LiveKit project holds anything afterwards (the lent number
 * exactly as it was), also when a step fails, when the probe is stopped with SIGTERM, and when it refuses to start
 * without --yes-create-resources.
 */
import assert from "node:assert/strict";
import { state as liveKitState } from "./livekit-emulator/testing.ts";
import { repoRoot } from "./local/process.ts";
import { db, emulator, type EmulatorAccount, stackInfo, stackTest } from "./testing/stack.ts";
import { UsageError } from "./operator/args.ts";
import { parseProbeArgs } from "./probe/args.ts";
import type { ProbeReport } from "./probe/report.ts";

interface ProbeRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the probe for `account` with the functions' settings (as an operator exports them: LIVEKIT_* name the
 * LiveKit emulator), the stack's database and the emulator's URLs, and `env` on top. `onProgress` sees each
 * stderr line as it comes, with a way to signal the probe.
 */
async function runProbe(
  account: EmulatorAccount,
  args: string[],
  options: {
    env?: Record<string, string>;
    onProgress?: (line: string, signal: (name: Deno.Signal) => void) => void;
  } = {},
): Promise<ProbeRun> {
  const stack = stackInfo();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "scripts/probe.ts", ...args],
    cwd: repoRoot,
    env: {
      ...stack.function_secrets,
      ...options.env,
      SUPABASE_DB_URL: stack.db_url,
      TWILIO_API_BASE_URL: emulator.url(),
      TWILIO_TRUNKING_BASE_URL: emulator.url(),
      TWILIO_ACCOUNT_SID: account.sid,
      TWILIO_AUTH_TOKEN: account.authToken,
      NO_COLOR: "1",
    },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stdout = new Response(child.stdout).text();
  let stderr = "";
  for await (const chunk of child.stderr.pipeThrough(new TextDecoderStream())) {
    const unfinishedLine = stderr.lastIndexOf("\n") + 1;
    stderr += chunk;
    for (const line of stderr.slice(unfinishedLine).split("\n").slice(0, -1)) {
      options.onProgress?.(line, (name) => child.kill(name));
    }
  }
  return { code: (await child.status).code, stdout: await stdout, stderr };
}

function reportOf(run: ProbeRun): ProbeReport {
  assert.ok(run.stdout.trim().startsWith("{"), `no JSON report:\n${run.stdout}\n${run.stderr}`);
  return JSON.parse(run.stdout);
}

/** An account with a number lent to the probe: a voice URL (GET) and an application, all to be put back. */
async function accountWithNumber() {
  const account = await emulator.createAccount();
  const phoneNumber = `+1415555${String(Math.floor(Math.random() * 10_000)).padStart(4, "0")}`;
  await emulator.addNumber(account.sid, phoneNumber, {
    voiceUrl: "https://example.test/voice",
    voiceMethod: "GET",
    voiceApplicationSid: `AP${"0123456789abcdef".repeat(2)}`,
  });
  return { account, phoneNumber, numbers: await numbersOf(account) };
}

/** The account's numbers as Twilio renders them, but for when they last changed. */
async function numbersOf(account: EmulatorAccount) {
  const numbers = (await emulator.state(account.sid)).incoming_phone_numbers;
  return numbers.map(({ date_updated: _, ...number }: Record<string, unknown>) => number);
}

/** The LiveKit emulator's trunks and rules whose metadata names `userId` (the service writes it there). */
async function liveKitObjectsOf(userId: string) {
  const { inboundTrunks, outboundTrunks, dispatchRules } = await liveKitState(
    stackInfo().livekit_emulator_url!,
  );
  return [...inboundTrunks, ...outboundTrunks, ...dispatchRules]
    .filter((object) => object.metadata?.includes(userId));
}

/**
 * Neither Twilio nor LiveKit holds anything of the probe's, the number is exactly as before, and the database has
 * none of its rows.
 */
async function assertNothingLeft(account: EmulatorAccount, numbersBefore: unknown, report: ProbeReport) {
  const state = await emulator.state(account.sid);
  assert.deepEqual(state.trunks, [], "no trunk left");
  assert.deepEqual(state.credential_lists, [], "no credential list left");
  assert.deepEqual(await liveKitObjectsOf(report.userId!), [], "no LiveKit trunk or rule left");
  assert.deepEqual(await numbersOf(account), numbersBefore, "the number as it was");
  assert.deepEqual(report.cleanup.left, []);
  assert.equal(report.cleanup.databaseError, null);
  assert.ok(report.userId, "the probe made its throw-away user");
  const [rows] = await db()`select
      (select count(*) from auth.users where id = ${report.userId})::int as users,
      (select count(*) from public.user_twilio_credentials where user_id = ${report.userId})::int as credentials,
      (select count(*) from public.twilio_teardowns where user_id = ${report.userId})::int as teardowns,
      (select count(*) from public.twilio_phone_numbers where user_id = ${report.userId})::int as numbers,
      (select count(*) from public.provisioning_events where user_id = ${report.userId})::int as events`;
  assert.deepEqual(rows, { users: 0, credentials: 0, teardowns: 0, numbers: 0, events: 0 });
}

const statuses = (lines: { name: string; status: string }[]) =>
  Object.fromEntries(lines.map((line) => [line.name, line.status]));

stackTest(
  "probe: the whole flow passes against the emulator, observes its behaviours, leaves nothing",
  async () => {
    const { account, phoneNumber, numbers } = await accountWithNumber();
    const suspended = await emulator.createAccount({ status: "suspended" });
    const run = await runProbe(account, [
      "--yes-create-resources",
      "--json",
      "--number",
      phoneNumber,
      "--suspended-subaccount",
      `${suspended.sid}:${suspended.authToken}`,
    ]);
    const report = reportOf(run);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(report.passed, true);
    assert.deepEqual(statuses(report.flow), {
      credentials: "ok",
      livekit_project: "ok",
      database: "ok",
      provision: "ok",
      sip_config: "ok",
      livekit_sip_config: "ok",
      attach_number: "ok",
      livekit_attach: "ok",
      verify: "ok",
      recording: "ok",
      repair: "ok",
      livekit_repair: "ok",
      detach_number: "ok",
      livekit_detach: "ok",
      deprovision: "ok",
      livekit_teardown: "ok",
    });
    assert.equal(report.livekitUrl, stackInfo().livekit_url);
    const verify = report.flow.find((line) => line.name === "verify")!.detail;
    assert.match(verify, /livekit_outbound_trunk, livekit_inbound_trunk, livekit_dispatch_rule/);
    assert.ok(report.checks.every((check) => check.status === "observed"), JSON.stringify(report.checks));
    const check = (name: string) => report.checks.find((line) => line.name === name)!;
    // The emulator's defaults, reported as the switch values they are.
    assert.deepEqual(check("number_on_other_trunk").emulatorSwitch, {
      name: "numberOnOtherTrunk",
      observed: "reject",
      emulatorDefault: "reject",
    });
    assert.equal(check("duplicate_domain_same_account").emulatorSwitch?.observed, "21245");
    assert.deepEqual(check("suspended_subaccount").emulatorSwitch?.observed, { status: 401, code: 20003 });
    assert.match(
      check("number_keeps_voice_url").detail,
      /kept its voice_url; lost its voice_application_sid/,
    );
    assert.match(check("delete_associated_credential_list").detail, /^refused: Twilio 400 21241/);

    await assertNothingLeft(account, numbers, report);
    for (const secret of [account.authToken, suspended.authToken]) {
      assert.ok(!run.stdout.includes(secret) && !run.stderr.includes(secret), "no auth token printed");
    }
  },
);

stackTest(
  "probe: a step that fails mid-way fails the run, and the cleanup still removes everything",
  async () => {
    const { account, phoneNumber, numbers } = await accountWithNumber();
    // The drift the repair step makes (deleting the origination URL through Twilio) is refused once.
    await emulator.fault({
      accountSid: account.sid,
      method: "DELETE",
      path: "/OriginationUrls/OU",
      status: 409,
      times: 1,
    });
    const run = await runProbe(account, ["--yes-create-resources", "--json", "--number", phoneNumber]);
    const report = reportOf(run);
    assert.equal(run.code, 1, run.stderr);
    assert.equal(report.passed, false);
    const flow = statuses(report.flow);
    assert.equal(flow.repair, "failed");
    assert.match(report.flow.find((line) => line.name === "repair")!.detail, /Twilio 409 20409/);
    assert.equal(flow.deprovision, "ok", "the steps that do not need the repair still run");
    assert.equal(statuses(report.checks).suspended_subaccount, "skipped");
    await assertNothingLeft(account, numbers, report);
  },
);

stackTest(
  "probe: stopped with SIGTERM mid-provisioning, it finishes that step and removes what it created",
  async () => {
    const { account, phoneNumber, numbers } = await accountWithNumber();
    // Provisioning's recording step is slow, so the signal lands while the trunk already exists.
    await emulator.fault({
      accountSid: account.sid,
      method: "POST",
      path: "/Recording$",
      delayMs: 1500,
      times: 1,
    });
    let signalled = false;
    const run = await runProbe(account, ["--yes-create-resources", "--json", "--number", phoneNumber], {
      onProgress: (line, kill) => {
        if (!signalled && line.startsWith("ok database")) {
          signalled = true;
          kill("SIGTERM");
        }
      },
    });
    const report = reportOf(run);
    assert.equal(run.code, 130, run.stderr);
    assert.equal(report.interrupted, true);
    const flow = statuses(report.flow);
    assert.equal(flow.provision, "ok");
    assert.equal(flow.deprovision, "skipped");
    assert.ok(
      report.cleanup.removed.some((resource) => resource.kind === "trunk"),
      "the cleanup took the trunk",
    );
    await assertNothingLeft(account, numbers, report);
  },
);

stackTest(
  "probe: stopped once the LiveKit objects exist, the cleanup deletes them from LiveKit too",
  async () => {
    const { account, phoneNumber, numbers } = await accountWithNumber();
    let signalled = false;
    const run = await runProbe(account, ["--yes-create-resources", "--json", "--number", phoneNumber], {
      onProgress: (line, kill) => {
        if (!signalled && line.startsWith("ok livekit_attach")) {
          signalled = true;
          kill("SIGTERM");
        }
      },
    });
    const report = reportOf(run);
    assert.equal(run.code, 130, run.stderr);
    assert.equal(statuses(report.flow).livekit_teardown, "skipped");
    const removed = report.cleanup.removed.map((resource) => resource.kind).sort();
    assert.deepEqual(removed.filter((kind) => kind.startsWith("livekit")), [
      "livekit-rule",
      "livekit-trunk",
      "livekit-trunk",
    ]);
    await assertNothingLeft(account, numbers, report);
  },
);

stackTest(
  "probe: without LIVEKIT_* its LiveKit steps are skipped (not passed), and it still passes",
  async () => {
    const account = await emulator.createAccount();
    const run = await runProbe(account, ["--yes-create-resources", "--json"], {
      env: { LIVEKIT_URL: "", LIVEKIT_API_KEY: "", LIVEKIT_API_SECRET: "" },
    });
    const report = reportOf(run);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(report.livekitUrl, null);
    const livekit = report.flow.filter((line) => line.name.startsWith("livekit_"));
    assert.equal(livekit.length, 6);
    assert.ok(livekit.every((line) => line.status === "skipped"), JSON.stringify(livekit));
    assert.match(livekit[0].detail, /LIVEKIT_URL, LIVEKIT_API_KEY, LIVEKIT_API_SECRET/);
    assert.equal(statuses(report.flow).provision, "ok");
    await assertNothingLeft(account, [], report);
  },
);

stackTest(
  "probe: without --yes-create-resources it explains what it would create and creates nothing",
  async () => {
    const { account, phoneNumber, numbers } = await accountWithNumber();
    const run = await runProbe(account, ["--number", phoneNumber]);
    assert.equal(run.code, 2);
    assert.equal(run.stdout, "");
    assert.match(run.stderr, /needs --yes-create-resources/);
    assert.match(run.stderr, /Elastic SIP trunks/);
    assert.match(run.stderr, /places no calls/);
    const state = await emulator.state(account.sid);
    assert.deepEqual(state.trunks, []);
    assert.deepEqual(state.credential_lists, []);
    assert.deepEqual(await numbersOf(account), numbers);
  },
);

Deno.test("probe args: credentials only when it will run; numbers, sub-account and database checked", () => {
  const credentials = { TWILIO_ACCOUNT_SID: `AC${"ab".repeat(16)}`, TWILIO_AUTH_TOKEN: "token" };
  assert.equal(parseProbeArgs([], {}).consent, false, "the refusal needs no credentials");
  const args = parseProbeArgs(
    [
      "--yes-create-resources",
      "--number",
      "+14155550123",
      "--suspended-subaccount",
      `AC${"cd".repeat(16)}:t:1`,
    ],
    credentials,
  );
  assert.deepEqual(args.suspendedSubaccount, { accountSid: `AC${"cd".repeat(16)}`, authToken: "t:1" });
  assert.equal(args.dbUrl, undefined, "no database given: a throw-away one");
  assert.equal(args.livekit, undefined, "no LiveKit project given: its steps are skipped");
  const project = { LIVEKIT_URL: "https://p.livekit.cloud", LIVEKIT_API_KEY: "k", LIVEKIT_API_SECRET: "s" };
  assert.equal(
    parseProbeArgs(["--yes-create-resources"], { ...credentials, ...project }).livekit?.apiKey,
    "k",
  );
  for (
    const [argv, env, message] of [
      [["--yes-create-resources"], {}, /TWILIO_ACCOUNT_SID/],
      [["--yes-create-resources", "--number", "4155550123"], credentials, /--number/],
      [["--yes-create-resources", "--suspended-subaccount", "AC1:x"], credentials, /--suspended-subaccount/],
      [["--yes-create-resources"], { ...credentials, SUPABASE_DB_URL: "postgres://x" }, /ENCRYPTION_KEYS/],
      [["--yes-create-resources"], { ...credentials, LIVEKIT_URL: "https://x.livekit.cloud" }, /go together/],
      [["--yes"], credentials, /--yes/],
    ] as [string[], Record<string, string>, RegExp][]
  ) {
    assert.throws(
      () => parseProbeArgs(argv, env),
      (error: Error) => error instanceof UsageError && message.test(error.message),
    );
  }
});
