/**
 * The credential webhook as the database calls it: INSERT of a row written by another system provisions it
 * (encrypting its plaintext token), DELETE deprovisions and restores the numbers, repeats are harmless, and only
 * the shared secret opens the door.
 */
import assert from "node:assert/strict";
import {
  db,
  emulator,
  newUser,
  stackInfo,
  stackTest,
  storedCredential,
  uniquePhoneNumber,
  webhookClient,
  withoutWebhook,
} from "../../../scripts/testing/stack.ts";
import { callFunction, invoke } from "../../../scripts/testing/functions.ts";

/** A delivery as the database makes it (with the right secret unless another is given). */
const deliver = (payload: unknown, secret?: string) =>
  callFunction(webhookClient(secret), "twilio-credentials-webhook", { method: "POST", body: payload });

/** Supabase's webhook payload for a change of a credential row (`record`, `old_record` as given). */
const rowEvent = (type: string, rows: { record?: unknown; old_record?: unknown }) => ({
  type,
  table: "user_twilio_credentials",
  schema: "public",
  ...rows,
});

const rowOf = (id: string) => storedCredential({ id });

/** A row inserted as another system would (plaintext token), without the database's webhook. */
async function insertQuietly(userId: string, accountSid: string, authToken: string) {
  return await withoutWebhook(async (tx) => {
    const [row] = await tx`insert into public.user_twilio_credentials (user_id, account_sid, auth_token)
      values (${userId}, ${accountSid}, ${authToken}) returning *`;
    return row;
  });
}

stackTest(
  "webhook: INSERT provisions a row written by another system and encrypts its plaintext token",
  async () => {
    const user = await newUser();
    const account = await emulator.createAccount();
    const row = await insertQuietly(user.userId, account.sid, account.authToken);
    const payload = rowEvent("INSERT", { record: row, old_record: null });
    const first = await deliver(payload);
    assert.equal(first.status, 200, JSON.stringify(first.error));
    assert.deepEqual(first.data, { type: "INSERT", outcome: "active" });
    const stored = await rowOf(row.id);
    assert.equal(stored.status, "active");
    assert.match(stored.auth_token, /^enc:v1:/);
    assert.ok(!JSON.stringify(stored).includes(account.authToken));

    const repeat = await deliver(payload);
    assert.equal(repeat.status, 200);
    assert.deepEqual(
      repeat.data,
      { type: "INSERT", outcome: "active" },
      "a repeated delivery changes nothing",
    );
    const state = await emulator.state(account.sid);
    assert.equal(state.trunks.length, 1);
    assert.equal(state.credential_lists.length, 1);
  },
);

/** A customer provisioned through create-main-trunk, with a number attached the way attach-phone does. */
async function provisionedWithAttachedNumber() {
  const user = await newUser();
  const account = await emulator.createAccount();
  await invoke(user.supabase, "create-main-trunk", {
    method: "POST",
    body: { accountSid: account.sid, authToken: account.authToken },
  });
  const phone = uniquePhoneNumber();
  const number = await emulator.addNumber(account.sid, phone, {
    voiceUrl: "https://example.test/voice",
    voiceMethod: "GET",
  });
  const [row] = await db()`select * from public.user_twilio_credentials where user_id = ${user.userId}`;
  // Record the voice settings, then attach.
  await db()`insert into public.twilio_phone_numbers (user_id, credential_id, account_sid, trunk_sid,
    phone_number_sid, phone_number, previous_voice_url, previous_voice_method)
  values (${user.userId}, ${row.id}, ${account.sid}, ${row.trunk_sid}, ${number.sid}, ${phone},
    ${"https://example.test/voice"}, ${"GET"})`;
  await emulator.twilio(account, "POST", `/v1/Trunks/${row.trunk_sid}/PhoneNumbers`, {
    PhoneNumberSid: number.sid,
  });
  return { account, row, number };
}

stackTest(
  "webhook: DELETE works off the recorded teardown: numbers restored, trunk and list deleted; repeats are harmless",
  async () => {
    const { account, row, number } = await provisionedWithAttachedNumber();

    // The delete records the teardown; the database's own delivery is held back so this one is the first.
    const [deleted] = await withoutWebhook((tx) =>
      tx`delete from public.user_twilio_credentials where id = ${row.id} returning *`
    );
    const [pending] =
      await db()`select trunk_sid, done_at from public.twilio_teardowns where credential_id = ${row.id}`;
    assert.deepEqual(
      pending,
      { trunk_sid: row.trunk_sid, done_at: null },
      "the delete recorded its teardown",
    );
    const payload = rowEvent("DELETE", { record: null, old_record: deleted });
    const result = await deliver(payload);
    assert.equal(result.status, 200, JSON.stringify(result.error));
    assert.deepEqual(result.data, { type: "DELETE", outcome: "deprovisioned" });
    const state = await emulator.state(account.sid);
    assert.equal(state.trunks.length, 0, "trunk deleted");
    assert.equal(state.credential_lists.length, 0, "credential list deleted");
    const restored = state.incoming_phone_numbers.find((n) => n.sid === number.sid)!;
    assert.equal(restored.trunk_sid, null);
    assert.equal(restored.voice_url, "https://example.test/voice", "voice URL restored exactly");
    assert.equal(restored.voice_method, "GET");
    const left = await db()`select 1 from public.twilio_phone_numbers where credential_id = ${row.id}`;
    assert.equal(left.length, 0);
    const [done] = await db()`select done_at from public.twilio_teardowns where credential_id = ${row.id}`;
    assert.ok(done.done_at, "the teardown is done");
    const secrets =
      await db()`select 1 from public.twilio_credential_secrets where credential_id = ${row.id}`;
    assert.equal(secrets.length, 0, "the secrets the teardown needed are gone with it");

    const repeat = await deliver(payload);
    assert.equal(repeat.status, 200, "a repeated DELETE is harmless");
    assert.deepEqual(repeat.data, { type: "DELETE", outcome: "nothing_to_do" });
  },
);

stackTest("webhook: a late INSERT delivery does not retry a row whose provisioning failed", async () => {
  const user = await newUser();
  const account = await emulator.createAccount();
  const row = await insertQuietly(user.userId, account.sid, account.authToken);
  await db()`update public.user_twilio_credentials set status = 'failed', last_error_code = 21245
    where id = ${row.id}`;
  const result = await deliver(rowEvent("INSERT", { record: row }));
  assert.equal(result.status, 200);
  assert.deepEqual(result.data, { type: "INSERT", outcome: "failed" });
  assert.equal((await emulator.state(account.sid)).trunks.length, 0, "nothing was tried again");
  await withoutWebhook((tx) => tx`delete from public.user_twilio_credentials where id = ${row.id}`);
});

stackTest("webhook: a DELETE for a row that still exists (stale or forged) touches nothing", async () => {
  const user = await newUser();
  const account = await emulator.createAccount();
  await invoke(user.supabase, "create-main-trunk", {
    method: "POST",
    body: { accountSid: account.sid, authToken: account.authToken },
  });
  const [row] = await db()`select * from public.user_twilio_credentials where user_id = ${user.userId}`;
  const result = await deliver(rowEvent("DELETE", { old_record: row }));
  assert.deepEqual(
    result.data,
    { type: "DELETE", outcome: "nothing_to_do" },
    "only a teardown the database recorded is worked off",
  );
  assert.equal((await emulator.state(account.sid)).trunks.length, 1);
});

stackTest("webhook: a missing or wrong secret is a 401 and changes nothing", async () => {
  const user = await newUser();
  const account = await emulator.createAccount();
  const row = await insertQuietly(user.userId, account.sid, account.authToken);
  const payload = rowEvent("INSERT", { record: row });
  for (const secret of ["", "wrong", stackInfo().function_secrets.WEBHOOK_SECRET + "x"]) {
    const result = await deliver(payload, secret);
    assert.equal(result.status, 401);
    assert.equal(result.error?.code, "unauthorized");
  }
  assert.equal((await rowOf(row.id)).status, "pending");
  assert.equal((await emulator.state(account.sid)).trunks.length, 0);
  // The plaintext row this test wrote never reached a webhook: remove it, as the audit rightly refuses it.
  await withoutWebhook((tx) => tx`delete from public.user_twilio_credentials where id = ${row.id}`);
});

stackTest("webhook: payloads of the wrong shape are a 400 naming the field", async () => {
  const cases: [unknown, string | null][] = [
    [{ type: "INSERT", table: "other_table", schema: "public", record: {} }, "table"],
    [rowEvent("TRUNCATE", {}), "type"],
    [rowEvent("INSERT", { record: { id: "x" } }), "record.id"],
  ];
  for (const [payload, field] of cases) {
    const result = await deliver(payload);
    assert.equal(result.status, 400, JSON.stringify(result.data));
    assert.equal(result.error?.field, field);
  }
});
