/**
 * `deno task rotate-keys`: its command line and each secret's fate without a database; then the task itself, run
 * as operators run it, against the test stack with a new key put first. The database is shared with every other
 * suite: each test works on rows of users it created (`--user-id`) and deletes them at the end, so the final audit
 * finds no plaintext, and nothing under a key it does not hold.
 */
import assert from "node:assert/strict";
import { SecretBox, secretContext } from "../supabase/functions/_shared/crypto/secrets.ts";
import { createPool } from "../supabase/functions/_shared/db/client.ts";
import { repoRoot } from "./local/process.ts";
import { UsageError } from "./operator/args.ts";
import { parseRotateArgs } from "./rotate-keys/args.ts";
import { formatRotationSummary } from "./rotate-keys/format.ts";
import { reseal, rotateRow } from "./rotate-keys/row.ts";
import { rotateKeys } from "./rotate-keys/run.ts";
import { secretPages } from "./rotate-keys/select.ts";
import type { RotationSummary } from "./rotate-keys/tally.ts";
import { db, newUser, stackInfo, stackTest, withoutWebhook } from "./testing/stack.ts";

const DB = "postgres://u:p@127.0.0.1:5432/postgres";
const randomKey = () => btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))));
const randomSecret = () => crypto.randomUUID().replaceAll("-", "");

Deno.test("rotate-keys args: defaults, every flag, and mistakes as usage errors", () => {
  assert.deepEqual(parseRotateArgs([], { SUPABASE_DB_URL: DB }), {
    help: false,
    dbUrl: DB,
    concurrency: 8,
    batchSize: 500,
    userIds: undefined,
    dryRun: false,
    json: false,
  });
  const user = crypto.randomUUID();
  assert.deepEqual(
    parseRotateArgs(
      [
        "--db-url",
        "postgres://x",
        "--concurrency=4",
        "--batch-size",
        "2",
        "--user-id",
        user,
        "--dry-run",
        "--json",
      ],
      { DATABASE_URL: DB },
    ),
    {
      help: false,
      dbUrl: "postgres://x",
      concurrency: 4,
      batchSize: 2,
      userIds: [user],
      dryRun: true,
      json: true,
    },
  );
  assert.equal(parseRotateArgs(["-h"], {}).help, true, "help needs no database");
  for (
    const [argv, message] of [
      [[], /no database/],
      [["--concurrency", "65"], /--concurrency: expected a whole number from 1 to 64/],
      [["--batch-size", "0"], /--batch-size/],
      [["--user-id", "42"], /--user-id: not a UUID: 42/],
      [["stray"], /stray/],
    ] as [string[], RegExp][]
  ) {
    const env = argv.length ? { SUPABASE_DB_URL: DB } : {};
    assert.throws(() => parseRotateArgs(argv, env), (error: Error) => {
      assert.ok(error instanceof UsageError, `${argv.join(" ")}: ${error}`);
      assert.match(error.message, message);
      return true;
    });
  }
});

Deno.test("rotate-keys: each secret is re-encrypted, sealed, left current, or failed with a reason", async () => {
  const oldKey = `old:${randomKey()}`;
  const newKey = `new:${randomKey()}`;
  const box = SecretBox.fromEnv(`${newKey},${oldKey}`);
  const newOnly = SecretBox.fromEnv(newKey);
  const context = secretContext("auth_token", crypto.randomUUID());
  const underOld = await SecretBox.fromEnv(oldKey).encrypt("token", context);

  const moved = await reseal(box, underOld, context);
  assert.equal(moved.kind === "reencrypted" && moved.from, "old");
  assert.equal(await newOnly.decrypt((moved as { value: string }).value, context), "token");
  const sealed = await reseal(box, "plain-token", context);
  assert.equal(sealed.kind, "sealed");
  assert.equal(await newOnly.decrypt((sealed as { value: string }).value, context), "plain-token");
  assert.deepEqual(await reseal(box, await box.encrypt("token", context), context), { kind: "current" });

  const gone = await SecretBox.fromEnv(`gone:${randomKey()}`).encrypt("token", context);
  const otherUser = secretContext("auth_token", crypto.randomUUID());
  const tampered = (await box.encrypt("token", context)).slice(0, -4) + "AAAA";
  for (
    const [stored, keyId, reason] of [
      [gone, "gone", /no key "gone" in ENCRYPTION_KEYS/],
      [await box.encrypt("token", otherUser), "new", /failed to decrypt/],
      [tampered, "new", /failed to decrypt/],
    ] as [string, string, RegExp][]
  ) {
    const result = await reseal(box, stored, context);
    assert.equal(result.kind, "failed");
    assert.equal((result as { keyId: string }).keyId, keyId);
    assert.match((result as { reason: string }).reason, reason);
  }
});

Deno.test("rotate-keys display: the summary names every count and each failure, secrets never", () => {
  const summary: RotationSummary = {
    dryRun: false,
    activeKeyId: "new",
    examined: 5,
    elapsedSeconds: 1.2,
    reencrypted: { old: 3, older: 1 },
    sealed: 2,
    alreadyCurrent: 2,
    failed: 1,
    changedMeanwhile: 0,
    errors: 0,
    failures: [{ credentialId: "r1", userId: "u1", column: "sip_password", keyId: "gone", reason: "no key" }],
    errorMessages: {},
    remaining: 1,
    stoppedBy: null,
  };
  const text = formatRotationSummary(summary);
  assert.match(text, /^Key rotation done, but not every secret is under key "new"/);
  assert.match(text, /rows examined +5 in 0:01\n/);
  assert.match(text, /secrets re-encrypted +4 \(from old 3, older 1\)\n/);
  assert.match(text, /secrets sealed +2 \(were plaintext\)\n/);
  assert.match(text, /secrets already current +2\n/);
  assert.match(text, /secrets failed +1 \(no configured key decrypts them; left as they are\)\n/);
  assert.match(text, /rows changed meanwhile +0\n/);
  assert.match(text, /rows with errors +0\n/);
  assert.match(text, /rows remaining +1 \(holding a secret not under key "new"\)\n/);
  assert.match(text, /failed: row r1 \(user u1\) sip_password under key "gone": no key/);
  const done = { ...summary, failed: 0, failures: [], remaining: 0 };
  assert.match(formatRotationSummary(done), /^Key rotation done: every secret is under key "new"\./);
  assert.match(formatRotationSummary({ ...done, dryRun: true }), /^Dry run, nothing changed/);
  assert.match(formatRotationSummary({ ...done, stoppedBy: "aborted" }), /^Key rotation interrupted/);
});

/** Keys as an operator has them mid-rotation: a new key first, the stack's (which wrote everything) after it. */
function rotationKeys() {
  const oldKeys = stackInfo().function_secrets.ENCRYPTION_KEYS;
  const newKey = `new:${randomKey()}`;
  return {
    keys: `${newKey},${oldKeys}`,
    oldBox: SecretBox.fromEnv(oldKeys),
    newOnly: SecretBox.fromEnv(newKey),
  };
}

interface Seed {
  authToken: string;
  sipPassword: string | null;
}

interface Seeded {
  id: string;
  userId: string;
  /** The plaintexts, to check the stored values against. */
  plain: Seed;
}

/**
 * One credential row per spec, each of a new user, written as another system would (the database webhook off,
 * the secrets through the table's inlet columns). `store` turns each plaintext into what is stored.
 */
async function seed(
  specs: ((userId: string, plain: Seed) => Promise<Seed>)[],
): Promise<Seeded[]> {
  const rows: Seeded[] = [];
  for (const store of specs) {
    const { userId } = await newUser();
    const plain = { authToken: randomSecret(), sipPassword: randomSecret() };
    const stored = await store(userId, plain);
    const accountSid = `AC${randomSecret()}`;
    const [{ id }] = await withoutWebhook((tx) =>
      tx`insert into public.user_twilio_credentials (user_id, account_sid, auth_token, sip_password)
        values (${userId}, ${accountSid}, ${stored.authToken}, ${stored.sipPassword}) returning id`
    );
    rows.push({ id, userId, plain: { ...plain, sipPassword: stored.sipPassword && plain.sipPassword } });
  }
  return rows;
}

const encrypted = (box: SecretBox) => async (userId: string, plain: Seed): Promise<Seed> => ({
  authToken: await box.encrypt(plain.authToken, secretContext("auth_token", userId)),
  sipPassword: plain.sipPassword &&
    await box.encrypt(plain.sipPassword, secretContext("sip_password", userId)),
});

/**
 * Deletes the rows the webhook off (no teardown is attempted: nothing is in Twilio, so their secrets go with them)
 * and checks that no secret of theirs is left for the audit.
 */
async function remove(rows: Seeded[]) {
  const ids = rows.map((row) => row.id);
  await withoutWebhook((tx) => tx`delete from public.user_twilio_credentials where id = any(${ids}::uuid[])`);
  const left =
    await db()`select 1 from public.twilio_credential_secrets where credential_id = any(${ids}::uuid[])`;
  assert.equal(left.length, 0, "the rows' secrets went with them");
}

async function storedSecrets(rows: Seeded[]) {
  return [
    ...await db()<{ credential_id: string; auth_token: string; sip_password: string | null }[]>`
    select credential_id, auth_token, sip_password from public.twilio_credential_secrets
    where credential_id = any(${rows.map((row) => row.id)}::uuid[]) order by credential_id`,
  ];
}

async function runTask(keys: string, ...flags: string[]) {
  const output = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "--config",
      `${repoRoot}/deno.json`,
      `${repoRoot}/scripts/rotate-keys.ts`,
      "--db-url",
      stackInfo().db_url,
      ...flags,
    ],
    cwd: repoRoot,
    env: { ENCRYPTION_KEYS: keys, NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stdout = new TextDecoder().decode(output.stdout);
  const stderr = new TextDecoder().decode(output.stderr);
  return { code: output.code, stdout, stderr, json: () => JSON.parse(stdout) as RotationSummary };
}

stackTest(
  "rotate-keys: --dry-run counts and writes nothing; a run moves every secret under the new key, seals plaintext, " +
    "reports the one no key decrypts (exit 1); a second run changes nothing",
  async () => {
    const { keys, oldBox, newOnly } = rotationKeys();
    const oldKeyId = oldBox.activeKeyId;
    const rows = await seed([
      encrypted(oldBox),
      async (userId, plain) => ({ ...await encrypted(oldBox)(userId, plain), sipPassword: null }),
      (_userId, plain) => Promise.resolve(plain), // plaintext, as another system wrote it
      encrypted(newOnly),
      // A token sealed for another user's row: under a configured key, but it decrypts nowhere here.
      async (userId, plain) => ({
        ...await encrypted(oldBox)(userId, plain),
        authToken: await oldBox.encrypt(plain.authToken, secretContext("auth_token", crypto.randomUUID())),
      }),
    ]);
    const [underOld, tokenOnly, plaintext, current, undecryptable] = rows;
    const scope = rows.flatMap((row) => ["--user-id", row.userId]);
    const plaintexts = rows.flatMap((row) => [row.plain.authToken, row.plain.sipPassword ?? ""]).filter(
      Boolean,
    );
    const assertNoSecretIn = (output: { stdout: string; stderr: string }) => {
      for (const secret of plaintexts) {
        assert.ok(!output.stdout.includes(secret) && !output.stderr.includes(secret), "no secret printed");
      }
    };
    try {
      const before = await storedSecrets(rows);
      const expected = {
        examined: 5,
        reencrypted: { [oldKeyId]: 4 },
        sealed: 2,
        alreadyCurrent: 2,
        failed: 1,
        changedMeanwhile: 0,
        errors: 0,
        failures: [{
          credentialId: undecryptable.id,
          userId: undecryptable.userId,
          column: "auth_token",
          keyId: oldKeyId,
          reason: "secret failed to decrypt (wrong key or context, or tampered)",
        }],
        errorMessages: {},
        stoppedBy: null,
        activeKeyId: "new",
      };
      const summaryOf = ({ elapsedSeconds: _, ...summary }: RotationSummary) => summary;

      const dry = await runTask(keys, "--dry-run", "--json", ...scope);
      assert.equal(dry.code, 1, "a secret no key decrypts fails the dry run too");
      assert.deepEqual(summaryOf(dry.json()), { ...expected, dryRun: true, remaining: 4 });
      assert.deepEqual(await storedSecrets(rows), before, "the dry run wrote nothing");
      assertNoSecretIn(dry);

      const run = await runTask(keys, "--json", "--batch-size", "2", "--concurrency", "2", ...scope);
      assert.equal(run.code, 1, run.stderr);
      assert.deepEqual(summaryOf(run.json()), { ...expected, dryRun: false, remaining: 1 });
      assert.match(run.stderr, /5\/5 +100%/, "the last progress line");
      assertNoSecretIn(run);

      const after = new Map((await storedSecrets(rows)).map((row) => [row.credential_id, row]));
      const original = new Map(before.map((row) => [row.credential_id, row]));
      for (const row of [underOld, tokenOnly, plaintext, current, undecryptable]) {
        const stored = after.get(row.id)!;
        if (row !== undecryptable) {
          assert.match(stored.auth_token, /^enc:v1:new:/);
          assert.equal(
            await newOnly.decrypt(stored.auth_token, secretContext("auth_token", row.userId)),
            row.plain.authToken,
          );
        }
        assert.equal(stored.sip_password === null, row.plain.sipPassword === null);
        if (stored.sip_password !== null) {
          assert.match(stored.sip_password, /^enc:v1:new:/);
          assert.equal(
            await newOnly.decrypt(stored.sip_password, secretContext("sip_password", row.userId)),
            row.plain.sipPassword,
          );
        }
      }
      assert.deepEqual(after.get(current.id), original.get(current.id), "a current row is not rewritten");
      assert.equal(
        after.get(undecryptable.id)!.auth_token,
        original.get(undecryptable.id)!.auth_token,
        "the secret no key decrypts is left as it was",
      );
      const events = await db()`select credential_id, detail from public.provisioning_events
        where step = 'reencrypt_secrets' and credential_id = any(${rows.map((row) => row.id)}::uuid[])`;
      assert.deepEqual(
        events.map((event) => event.credential_id).sort(),
        [underOld, tokenOnly, plaintext, undecryptable].map((row) => row.id).sort(),
        "each rewritten row records it",
      );
      assert.deepEqual(events[0].detail, { keyId: "new" });

      const again = await runTask(keys, ...scope);
      assert.equal(again.code, 1, "the undecryptable secret is still there");
      assert.match(again.stdout, /secrets re-encrypted +0\n/);
      assert.match(again.stdout, /secrets sealed +0 /);
      assert.match(again.stdout, /secrets already current +8\n/);
      assert.match(
        again.stdout,
        new RegExp(`failed: row ${undecryptable.id} .* auth_token under key "${oldKeyId}"`),
      );
      assert.deepEqual(await storedSecrets(rows), [...after.values()], "the second run changed nothing");
      assertNoSecretIn(again);

      const done = await runTask(keys, ...rows.slice(0, 4).flatMap((row) => ["--user-id", row.userId]));
      assert.equal(done.code, 0, done.stdout);
      assert.match(done.stdout, /^Key rotation done: every secret is under key "new"\./);

      const usage = await runTask(keys, "--concurrency", "0");
      assert.equal(usage.code, 2);
      assert.match(usage.stderr, /--concurrency: expected a whole number/);
    } finally {
      await remove(rows);
    }
  },
);

stackTest(
  "rotate-keys: a row written after it was read is left alone; a stopped run leaves the rest",
  async () => {
    const { keys, oldBox } = rotationKeys();
    const box = SecretBox.fromEnv(keys);
    const sql = createPool(stackInfo().db_url, 2);
    const rows = await seed([encrypted(oldBox), encrypted(oldBox)]);
    const scope = { userIds: rows.map((row) => row.userId) };
    try {
      const [read] = (await secretPages(sql, { userIds: [rows[0].userId] }, 10).next()).value!;
      const context = secretContext("auth_token", rows[0].userId);
      const written = await oldBox.encrypt("a token set meanwhile", context);
      await db()`update public.twilio_credential_secrets set auth_token = ${written} where credential_id = ${read.id}`;
      const rotation = await rotateRow(sql, box, read, { write: true });
      assert.equal(rotation.changedMeanwhile, true);
      const [stored] = await storedSecrets([rows[0]]);
      assert.equal(stored.auth_token, written, "the concurrent write is not overwritten");

      const stop = new AbortController();
      stop.abort();
      const stopped = await rotateKeys(sql, box, { ...scope, concurrency: 2, signal: stop.signal });
      assert.deepEqual([stopped.examined, stopped.stoppedBy, stopped.remaining], [0, "aborted", 2]);

      const resumed = await rotateKeys(sql, box, { ...scope, concurrency: 2 });
      assert.deepEqual([resumed.examined, resumed.reencrypted, resumed.remaining], [2, {
        [oldBox.activeKeyId]: 4,
      }, 0]);
      const [token] = await storedSecrets([rows[0]]);
      assert.equal(await box.decrypt(token.auth_token, context), "a token set meanwhile");
    } finally {
      await remove(rows);
      await sql.end({ timeout: 5 });
    }
  },
);
