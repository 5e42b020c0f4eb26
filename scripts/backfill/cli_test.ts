/** The backfill's command line and display, without a database. */
import assert from "node:assert/strict";
import { UsageError } from "../operator/args.ts";
import { parseBackfillArgs } from "./args.ts";
import { formatProgress, formatSummary } from "./format.ts";
import { createProgressReporter, formatDuration } from "../operator/progress.ts";
import type { BackfillProgress, BackfillSummary } from "./tally.ts";

const DB = "postgres://u:p@127.0.0.1:5432/postgres";

Deno.test("backfill args: defaults, and the database from SUPABASE_DB_URL, then DATABASE_URL", () => {
  assert.deepEqual(parseBackfillArgs([], { SUPABASE_DB_URL: DB, DATABASE_URL: "postgres://other" }), {
    help: false,
    dbUrl: DB,
    concurrency: 8,
    limit: undefined,
    retryFailed: false,
    onlyActive: false,
    userIds: undefined,
    dryRun: false,
    json: false,
    verbose: false,
  });
  assert.equal(parseBackfillArgs([], { DATABASE_URL: DB }).dbUrl, DB);
  assert.equal(
    parseBackfillArgs(["--db-url", "postgres://flag"], { DATABASE_URL: DB }).dbUrl,
    "postgres://flag",
  );
});

Deno.test("backfill args: every flag", () => {
  const users = [crypto.randomUUID(), crypto.randomUUID()];
  const args = parseBackfillArgs([
    "--db-url=postgres://x",
    "--concurrency",
    "16",
    "--limit",
    "500",
    "--retry-failed",
    "--only-active",
    "--user-id",
    users[0],
    "--user-id",
    users[1],
    "--dry-run",
    "--json",
    "--verbose",
  ], {});
  assert.deepEqual(args, {
    help: false,
    dbUrl: "postgres://x",
    concurrency: 16,
    limit: 500,
    retryFailed: true,
    onlyActive: true,
    userIds: users,
    dryRun: true,
    json: true,
    verbose: true,
  });
  assert.equal(parseBackfillArgs(["-h"], {}).help, true, "help needs no database");
});

Deno.test("backfill args: mistakes are usage errors", () => {
  for (
    const [argv, message] of [
      [[], /no database/],
      [["--concurrency", "0"], /--concurrency: expected a whole number from 1 to 64/],
      [["--concurrency", "65"], /from 1 to 64/],
      [["--concurrency", "2.5"], /--concurrency/],
      [["--limit", "-1"], /--limit/],
      [["--limit", "ten"], /--limit/],
      [["--user-id", "42"], /--user-id: not a UUID: 42/],
      [["--frobnicate"], /frobnicate/],
      [["stray"], /stray/],
    ] as [string[], RegExp][]
  ) {
    const env = argv.length ? { SUPABASE_DB_URL: DB } : {};
    assert.throws(() => parseBackfillArgs(argv, env), (error: Error) => {
      assert.ok(error instanceof UsageError, `${argv.join(" ")}: ${error}`);
      assert.match(error.message, message);
      return true;
    });
  }
});

const progress = (over: Partial<BackfillProgress> = {}): BackfillProgress => ({
  total: 500,
  processed: 120,
  inFlight: 8,
  active: 117,
  alreadyActive: 0,
  failed: 2,
  retrying: 0,
  busy: 1,
  missing: 0,
  errors: 0,
  elapsedSeconds: 3.4,
  rowsPerSecond: 35.25,
  etaSeconds: 10.8,
  ...over,
});

Deno.test("backfill display: progress line with bar, rate, ETA and outcome counts", () => {
  assert.equal(
    formatProgress(progress()),
    "[######------------------] 120/500   24%  35.3 rows/s  ETA 0:11  active 117 failed 2 busy 1",
  );
  assert.equal(
    formatProgress(
      progress({ processed: 0, active: 0, failed: 0, busy: 0, rowsPerSecond: 0, etaSeconds: null }),
      {
        bar: false,
      },
    ),
    "0/500    0%  0.0 rows/s  ETA ?  active 0",
  );
  assert.match(
    formatProgress(progress({ total: 0, processed: 0, etaSeconds: 0 })),
    /^\[#{24}\] 0\/0 {2}100%/,
  );
  assert.deepEqual([formatDuration(0), formatDuration(75), formatDuration(3725)], [
    "0:00",
    "1:15",
    "1:02:05",
  ]);
});

Deno.test("backfill display: the summary names every count and each failure", () => {
  const noOtherOutcome = { retrying: 0, busy: 0, missing: 0, errors: 0 };
  const summary: BackfillSummary = {
    scope: 30,
    total: 24,
    processed: 24,
    active: 22,
    alreadyActive: 5,
    failed: 2,
    failedCodes: { "20003": 1, "21245": 1 },
    ...noOtherOutcome,
    skippedFailed: 1,
    remaining: 0,
    stoppedBy: null,
    elapsedSeconds: 2,
    rowsPerSecond: 12,
    failures: [{ id: "r1", userId: "u1", twilioCode: 20003, message: "Authenticate" }],
    errorMessages: {},
  };
  const text = formatSummary(summary);
  assert.match(text, /^Backfill done\./);
  assert.match(text, /newly active +22/);
  assert.match(text, /failed +2 \(Twilio codes: 20003 x1, 21245 x1\)/);
  assert.match(text, /failed before, left +1 \(--retry-failed retries them\)/);
  assert.match(text, /failed: row r1 \(user u1\): 20003 Authenticate/);
  assert.match(formatSummary({ ...summary, stoppedBy: "aborted" }), /^Backfill interrupted\./);
});

Deno.test("backfill display: a terminal redraws one line; a log gets a line every interval", () => {
  let clock = 0;
  const tty: string[] = [];
  const bar = createProgressReporter({
    terminal: true,
    format: formatProgress,
    write: (t) => tty.push(t),
    now: () => clock,
  });
  bar.update(progress({ processed: 1 }));
  clock = 50;
  bar.update(progress({ processed: 2 })); // too soon: not drawn
  clock = 150;
  bar.update(progress({ processed: 3 }));
  bar.log("a log line");
  bar.finish();
  assert.equal(tty.filter((t) => t.includes("/500")).length, 4, "first, third, after the log line, final");
  assert.ok(tty.every((t) => !t.includes(" 2/500")));
  assert.ok(tty[0].startsWith("\r\x1b[2K["));
  assert.deepEqual(tty.slice(2, 4), ["\r\x1b[2K", "a log line\n"], "the bar is cleared before a log line");
  assert.equal(tty.at(-1), "\n");

  clock = 0;
  const lines: string[] = [];
  const plain = createProgressReporter({
    terminal: false,
    format: formatProgress,
    write: (t) => lines.push(t),
    now: () => clock,
  });
  for (let second = 0; second <= 12; second++) {
    clock = second * 1000;
    plain.update(progress({ processed: second }));
  }
  plain.finish();
  assert.deepEqual(lines.map((line) => line.split(" ")[0]), ["0/500", "5/500", "10/500", "12/500"]);
  assert.ok(lines.every((line) => line.endsWith("\n") && !line.includes("\r") && !line.includes("[")));
});
