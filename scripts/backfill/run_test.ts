/**
 * The backfill against the test stack: rows written as another system would (plaintext tokens, the database
 * webhook off so the backfill is what provisions them), some already provisioned, some failed. Each test works on
 * rows of users it created (`userIds`), since other suites share the database.
 */
import assert from "node:assert/strict";
import { SecretBox, secretContext } from "../../supabase/functions/_shared/crypto/secrets.ts";
import { createPool } from "../../supabase/functions/_shared/db/client.ts";
import { withLock } from "../../supabase/functions/_shared/db/locks.ts";
import { provisionCredential } from "../../supabase/functions/_shared/provisioning/provision.ts";
import { repoRoot } from "../local/process.ts";
import { ensureUser } from "../local/users.ts";
import { testServiceContext } from "../testing/service.ts";
import {
  db,
  emulator,
  type EmulatorState,
  stackInfo,
  stackTest,
  storedCredential,
} from "../testing/stack.ts";
import { backfillPoolSize } from "./context.ts";
import { runBackfill } from "./run.ts";
import type { BackfillProgress, BackfillSummary } from "./tally.ts";

interface Seeded {
  id: string;
  userId: string;
  accountSid: string;
  authToken: string;
}

/** `count` rows, one user and one emulator account each, oldest first, each created a little later. */
async function seed(count: number): Promise<Seeded[]> {
  const seeded: Omit<Seeded, "id">[] = [];
  for (let i = 0; i < count; i++) {
    const userId = crypto.randomUUID();
    await ensureUser(db(), userId);
    const account = await emulator.createAccount();
    seeded.push({ userId, accountSid: account.sid, authToken: account.authToken });
  }
  return await db().begin(async (tx) => {
    await tx`alter table public.user_twilio_credentials disable trigger twilio_credentials_webhook`;
    const rows: Seeded[] = [];
    for (const row of seeded) {
      // clock_timestamp(): distinct created_at values down to the microsecond, which paging must not lose.
      const [{ id }] = await tx`insert into public.user_twilio_credentials
          (user_id, account_sid, auth_token, created_at)
        values (${row.userId}, ${row.accountSid}, ${row.authToken}, clock_timestamp()) returning id`;
      rows.push({ id, ...row });
    }
    await tx`alter table public.user_twilio_credentials enable trigger twilio_credentials_webhook`;
    return rows;
  }) as Seeded[];
}

const userIdsOf = (rows: Seeded[]) => rows.map((row) => row.userId);

const rowOf = (id: string) => storedCredential({ id });

async function eventCount(id: string): Promise<number> {
  const [{ count }] = await db()`select count(*)::int as count from public.provisioning_events
    where credential_id = ${id}`;
  return count;
}

/** Everything provisioning creates in one account, by SID. */
async function twilioResources(accountSid: string) {
  const state: EmulatorState = await emulator.state(accountSid);
  return {
    trunks: state.trunks.map((trunk) => ({
      sid: trunk.sid,
      lists: trunk.credential_lists,
      originationUrls: trunk.origination_urls.map((url) => url.sid).sort(),
    })),
    lists: state.credential_lists.map((list) => ({
      sid: list.sid,
      credentials: list.credentials.map((credential) => credential.sid),
    })),
  };
}

/** The row is active with exactly one complete trunk in its account, recorded on the row, token encrypted. */
async function assertProvisionedOnce(seeded: Seeded) {
  const resources = await twilioResources(seeded.accountSid);
  assert.equal(resources.trunks.length, 1, `one trunk for ${seeded.id}`);
  assert.equal(resources.lists.length, 1, "one credential list");
  assert.equal(resources.lists[0].credentials.length, 1, "one credential");
  assert.equal(resources.trunks[0].originationUrls.length, 2, "primary and fallback origination URLs");
  assert.deepEqual(resources.trunks[0].lists, [resources.lists[0].sid], "the list is associated");
  const row = await rowOf(seeded.id);
  assert.equal(row.status, "active");
  assert.equal(row.trunk_sid, resources.trunks[0].sid);
  assert.equal(row.credential_list_sid, resources.lists[0].sid);
  assert.equal(row.credential_sid, resources.lists[0].credentials[0]);
  assert.deepEqual(
    [row.origination_url_sid, row.fallback_origination_url_sid].sort(),
    resources.trunks[0].originationUrls,
  );
  assert.match(row.auth_token, /^enc:v1:/, "the plaintext token was encrypted");
  const secrets = SecretBox.fromEnv(stackInfo().function_secrets.ENCRYPTION_KEYS);
  assert.equal(
    await secrets.decrypt(row.auth_token, secretContext("auth_token", seeded.userId)),
    seeded.authToken,
  );
}

async function assertNothingInTwilio(seeded: Seeded) {
  const resources = await twilioResources(seeded.accountSid);
  assert.deepEqual(resources, { trunks: [], lists: [] }, `nothing created for ${seeded.id}`);
}

/** Only the counts of a summary (timings vary). */
function counts(summary: BackfillSummary) {
  const { elapsedSeconds: _e, rowsPerSecond: _r, failures: _f, ...rest } = summary;
  return rest;
}

/** Rows whose token is still plaintext must not outlive the test (the final secrets audit checks). */
async function removePlaintextRows(rows: Seeded[]) {
  await db().begin(async (tx) => {
    await tx`alter table public.user_twilio_credentials disable trigger twilio_credentials_webhook`;
    await tx`delete from public.user_twilio_credentials
      where user_id in ${tx(userIdsOf(rows))} and id in (
        select credential_id from public.twilio_credential_secrets where auth_token not like 'enc:v1:%')`;
    await tx`alter table public.user_twilio_credentials enable trigger twilio_credentials_webhook`;
  });
}

stackTest(
  "backfill: provisions every unprovisioned row once; provisioned and failed rows are left alone; re-runs are no-ops",
  async () => {
    // The pool the CLI gives four runs at a time: two connections, which the runs share.
    const ctx = {
      ...testServiceContext(),
      sql: createPool(stackInfo().db_url, backfillPoolSize(4, stackInfo().db_url)),
    };
    const rows = await seed(30);
    const [provisioned, incomplete, failedBefore, wrongToken, leftMidway] = [
      rows.slice(0, 5),
      rows[5],
      rows[6],
      rows[7],
      rows[8],
    ];
    for (const row of [...provisioned, incomplete]) {
      const outcome = await provisionCredential(ctx, row.id, { wait: true, retryFailed: true });
      assert.equal(outcome.kind, "active");
    }
    // Active, but its origination URL is not recorded (it exists in Twilio): the backfill must adopt, not add.
    const incompleteBefore = await twilioResources(incomplete.accountSid);
    await db()`update public.user_twilio_credentials set origination_url_sid = null where id = ${incomplete.id}`;
    await db()`update public.user_twilio_credentials
      set status = 'failed', last_error_code = 21245, last_error_message = 'an earlier run failed'
      where id = ${failedBefore.id}`;
    await db()`update public.user_twilio_credentials set auth_token = ${
      "0".repeat(32)
    } where id = ${wrongToken.id}`;
    await db()`update public.user_twilio_credentials set status = 'provisioning' where id = ${leftMidway.id}`;
    const untouched = await Promise.all(provisioned.map(async (row) => ({
      resources: await twilioResources(row.accountSid),
      events: await eventCount(row.id),
    })));

    const progress: BackfillProgress[] = [];
    const first = await runBackfill(ctx, {
      concurrency: 4,
      userIds: userIdsOf(rows),
      batchSize: 7,
      onProgress: (p) => progress.push(p),
    });
    assert.deepEqual(counts(first), {
      scope: 30,
      total: 24,
      processed: 24,
      active: 23,
      alreadyActive: 5,
      failed: 1,
      failedCodes: { "20003": 1 },
      retrying: 0,
      busy: 0,
      missing: 0,
      errors: 0,
      skippedFailed: 1,
      remaining: 0,
      stoppedBy: null,
      errorMessages: {},
    });
    assert.deepEqual(first.failures.map((f) => [f.id, f.userId, f.twilioCode]), [
      [wrongToken.id, wrongToken.userId, 20003],
    ]);
    assert.ok(first.rowsPerSecond > 0 && first.elapsedSeconds > 0);

    assert.equal(progress.length, 25, "a report at the start and after every row");
    assert.deepEqual(progress.map((p) => p.processed), Array.from({ length: 25 }, (_, i) => i));
    const inFlight = Math.max(...progress.map((p) => p.inFlight));
    assert.ok(
      inFlight <= 3 && inFlight >= 1,
      `at most 4 rows at once (3 besides the one reported): ${inFlight}`,
    );
    assert.equal(progress.at(-1)!.etaSeconds, 0);

    for (const row of [...rows.slice(8), incomplete]) await assertProvisionedOnce(row);
    assert.deepEqual(
      await twilioResources(incomplete.accountSid),
      incompleteBefore,
      "the incomplete row's existing origination URL was adopted",
    );
    for (const [index, row] of provisioned.entries()) {
      assert.deepEqual(await twilioResources(row.accountSid), untouched[index].resources, "no Twilio change");
      assert.equal(await eventCount(row.id), untouched[index].events, "the row was not touched");
    }
    await assertNothingInTwilio(failedBefore);
    const skipped = await rowOf(failedBefore.id);
    assert.equal(skipped.status, "failed");
    assert.equal(skipped.last_error_code, 21245, "the earlier failure is left as it was");
    await assertNothingInTwilio(wrongToken);
    const refused = await rowOf(wrongToken.id);
    assert.equal(refused.status, "failed");
    assert.equal(refused.last_error_code, 20003);

    const again = await runBackfill(ctx, { concurrency: 4, userIds: userIdsOf(rows) });
    assert.deepEqual(counts(again), {
      ...counts(first),
      total: 0,
      processed: 0,
      active: 0,
      alreadyActive: 28,
      failed: 0,
      failedCodes: {},
      retrying: 0,
      skippedFailed: 2,
    });

    const retried = await runBackfill(ctx, { concurrency: 4, userIds: userIdsOf(rows), retryFailed: true });
    assert.deepEqual(counts(retried), {
      ...counts(first),
      total: 2,
      processed: 2,
      active: 1,
      alreadyActive: 28,
      skippedFailed: 0,
      remaining: 1,
    });
    await assertProvisionedOnce(failedBefore);
    await assertNothingInTwilio(wrongToken);
    for (const row of rows.slice(8)) await assertProvisionedOnce(row);
    await removePlaintextRows(rows);
    await ctx.sql.end();
  },
);

stackTest(
  "backfill: a run stopped by its limit takes the oldest rows; the next run finishes the rest",
  async () => {
    const ctx = testServiceContext();
    const rows = await seed(12);
    const first = await runBackfill(ctx, {
      concurrency: 4,
      limit: 5,
      userIds: userIdsOf(rows),
      batchSize: 3,
    });
    assert.deepEqual(
      [first.scope, first.total, first.processed, first.active, first.remaining, first.stoppedBy],
      [12, 5, 5, 5, 7, null],
    );
    const statuses = await Promise.all(rows.map(async (row) => (await rowOf(row.id)).status));
    assert.deepEqual(statuses, [...Array(5).fill("active"), ...Array(7).fill("pending")], "oldest first");

    const second = await runBackfill(ctx, { concurrency: 4, userIds: userIdsOf(rows), batchSize: 3 });
    assert.deepEqual(
      [second.total, second.processed, second.active, second.alreadyActive, second.remaining, second.errors],
      [7, 7, 7, 5, 0, 0],
    );
    for (const row of rows) await assertProvisionedOnce(row);
  },
);

stackTest(
  "backfill: aborting stops taking rows, lets rows in flight finish, and resumes cleanly",
  async () => {
    const ctx = testServiceContext();
    const rows = await seed(16);
    const stop = new AbortController();
    const first = await runBackfill(ctx, {
      concurrency: 2,
      userIds: userIdsOf(rows),
      signal: stop.signal,
      onProgress: (p) => p.processed >= 3 && stop.abort(),
    });
    assert.equal(first.stoppedBy, "aborted");
    assert.ok(
      first.processed >= 3 && first.processed <= 4,
      `only rows in flight finished: ${first.processed}`,
    );
    assert.equal(first.active, first.processed);
    assert.equal(first.remaining, 16 - first.active);
    const [{ midway }] = await db()`select count(*)::int as midway from public.user_twilio_credentials
    where user_id in ${db()(userIdsOf(rows))} and status = 'provisioning'`;
    assert.equal(midway, 0, "no row was left mid-way");

    const rest = await runBackfill(ctx, { concurrency: 2, userIds: userIdsOf(rows) });
    assert.deepEqual([rest.total, rest.active, rest.remaining, rest.stoppedBy], [
      16 - first.active,
      16 - first.active,
      0,
      null,
    ]);
    for (const row of rows) await assertProvisionedOnce(row);
  },
);

stackTest(
  "backfill: a row another process is provisioning counts as busy and is left for the next run",
  async () => {
    const ctx = testServiceContext();
    const rows = await seed(3);
    let release!: () => void;
    let locked!: () => void;
    const isLocked = new Promise<void>((resolve) => locked = resolve);
    const holder = withLock(ctx.sql, `provision:${rows[1].id}`, async () => {
      locked();
      await new Promise<void>((resolve) => release = resolve);
    }, { wait: true });
    await isLocked;
    const first = await runBackfill(ctx, { concurrency: 2, userIds: userIdsOf(rows) });
    release();
    await holder;
    assert.deepEqual([first.total, first.active, first.busy, first.remaining], [3, 2, 1, 1]);
    assert.equal((await rowOf(rows[1].id)).status, "pending");
    await assertNothingInTwilio(rows[1]);

    const second = await runBackfill(ctx, { concurrency: 2, userIds: userIdsOf(rows) });
    assert.deepEqual([second.total, second.active, second.busy, second.remaining], [1, 1, 0, 0]);
    for (const row of rows) await assertProvisionedOnce(row);
  },
);

stackTest(
  "backfill CLI: --dry-run changes nothing; a run prints its JSON summary and fails on failed rows",
  async () => {
    const rows = await seed(3);
    await db()`update public.user_twilio_credentials set auth_token = ${"f".repeat(32)} where id = ${
      rows[2].id
    }`;
    const stack = stackInfo();
    const cli = async (...flags: string[]) => {
      const output = await new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", "--config", `${repoRoot}/deno.json`, `${repoRoot}/scripts/backfill.ts`, ...flags],
        cwd: repoRoot,
        env: {
          ...stack.function_secrets,
          TWILIO_API_BASE_URL: stack.twilio_api_base_url,
          TWILIO_TRUNKING_BASE_URL: stack.twilio_trunking_base_url,
          NO_COLOR: "1",
        },
        stdout: "piped",
        stderr: "piped",
      }).output();
      const stdout = new TextDecoder().decode(output.stdout);
      const stderr = new TextDecoder().decode(output.stderr);
      return { code: output.code, stdout, stderr, json: () => JSON.parse(stdout) };
    };
    const scope = rows.flatMap((row) => ["--user-id", row.userId]);

    const dry = await cli("--db-url", stack.db_url, "--dry-run", "--json", ...scope);
    assert.equal(dry.code, 0, dry.stderr);
    assert.deepEqual(dry.json(), {
      dryRun: true,
      scope: 3,
      alreadyActive: 0,
      skippedFailed: 0,
      toProvision: 3,
      byStatus: { pending: 3, provisioning: 0, incompleteActive: 0, failed: 0 },
    });
    for (const row of rows) await assertNothingInTwilio(row);

    const run = await cli("--db-url", stack.db_url, "--json", "--concurrency", "2", ...scope);
    assert.equal(run.code, 1, "a failed row makes the exit status non-zero");
    const summary = run.json();
    assert.deepEqual(
      [summary.scope, summary.total, summary.active, summary.failed, summary.failedCodes, summary.remaining],
      [3, 3, 2, 1, { "20003": 1 }, 0],
    );
    assert.equal(summary.failures[0].id, rows[2].id);
    assert.match(run.stderr, /3\/3 +100%/, "the last progress line");
    await assertProvisionedOnce(rows[0]);
    await assertProvisionedOnce(rows[1]);
    await assertNothingInTwilio(rows[2]);

    const again = await cli("--db-url", stack.db_url, ...scope);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /Backfill done\.[\s\S]*to provision +0[\s\S]*already active +2/);

    const usage = await cli("--db-url", stack.db_url, "--concurrency", "0");
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /--concurrency: expected a whole number/);
  },
);

stackTest("backfill: onlyActive leaves a user's inactive rows alone", async () => {
  const ctx = testServiceContext();
  const rows = await seed(2);
  await db()`update public.user_twilio_credentials set is_active = false where id = ${rows[1].id}`;
  const active = await runBackfill(ctx, { concurrency: 2, userIds: userIdsOf(rows), onlyActive: true });
  assert.deepEqual([active.scope, active.total, active.active, active.remaining], [1, 1, 1, 0]);
  await assertNothingInTwilio(rows[1]);
  const all = await runBackfill(ctx, { concurrency: 2, userIds: userIdsOf(rows) });
  assert.deepEqual([all.scope, all.total, all.active, all.alreadyActive], [2, 1, 1, 1]);
  for (const row of rows) await assertProvisionedOnce(row);
});

stackTest("backfill: repeated unexpected errors stop the run, leaving the rows as they were", async () => {
  const rows = await seed(5);
  const ctx = {
    ...testServiceContext(),
    twilio: () => {
      throw new Error("no Twilio today");
    },
  };
  const summary = await runBackfill(ctx, {
    concurrency: 1,
    userIds: userIdsOf(rows),
    maxConsecutiveErrors: 3,
  });
  assert.deepEqual(
    [summary.processed, summary.errors, summary.errorMessages, summary.stoppedBy, summary.remaining],
    [3, 3, { "no Twilio today": 3 }, "errors", 5],
  );
  for (const row of rows) assert.equal((await rowOf(row.id)).status, "pending");
  await runBackfill(testServiceContext(), { concurrency: 2, userIds: userIdsOf(rows) });
  for (const row of rows) await assertProvisionedOnce(row);
});
