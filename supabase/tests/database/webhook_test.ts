/**
 * The credential webhook trigger: what it queues through pg_net (here the local stand-in) for INSERT and DELETE,
 * that it queues nothing for UPDATE, a rolled-back transaction or a row inserted with its provisioning run's lease, and that it is a harmless no-op on a PostgreSQL
 * without pg_net/Vault or without the two Vault secrets.
 *
 * On the stack's database a dispatcher delivers and deletes each queued request as soon as it is committed, so the
 * payloads are read inside the inserting transaction (the queue row is visible there) and then rolled back.
 */
import assert from "node:assert/strict";
import postgres from "postgres";
import { bootstrapDatabase } from "../../../scripts/local/stack.ts";
import { pushMigrations } from "../../../scripts/local/supabase-cli.ts";
import { db, stackInfo, stackTest } from "../../../scripts/testing/stack.ts";
import { createPool, type Sql } from "../../functions/_shared/db/client.ts";
import { findOrInsertClaimedCredential } from "../../functions/_shared/db/credentials.ts";
import { type Lease, newLease } from "../../functions/_shared/db/locks.ts";
import { provisioningLeaseKey } from "../../functions/_shared/provisioning/provision.ts";
import {
  actAs,
  asUser,
  insertCredential,
  insertUser,
  rolledBack,
  serviceRole,
  sid,
  withDatabase,
} from "./helpers.ts";

const WEBHOOK_PATH = "/functions/v1/twilio-credentials-webhook";

/** The requests net.http_post queued in the current transaction (rows it inserted, by xmin). */
function queuedHere(tx: postgres.TransactionSql) {
  return tx`select id, method, url, headers, body, timeout_milliseconds from net.http_request_queue
    where xmin = pg_current_xact_id()::xid order by id`;
}

function insertAsServiceRole(tx: postgres.TransactionSql, userId: string) {
  return tx`insert into public.user_twilio_credentials (user_id, account_sid, auth_token, label)
    values (${userId}, ${sid("AC")}, 'v1:local1:ciphertext', 'From a back office') returning id`;
}

/** The request every queued webhook must be: POST to the function, JSON, with the shared secret. */
function assertWebhookRequest(request: postgres.Row) {
  const stack = stackInfo();
  assert.equal(request.method, "POST");
  assert.equal(request.url, `${stack.api_url}${WEBHOOK_PATH}`);
  assert.deepEqual(request.headers, {
    "Content-Type": "application/json",
    "X-Webhook-Secret": stack.function_secrets.WEBHOOK_SECRET,
  });
  assert.equal(request.timeout_milliseconds, 10000);
}

stackTest(
  "webhook: an INSERT by service_role queues exactly one request with Supabase's INSERT payload",
  async () => {
    await rolledBack(async (tx) => {
      const userId = await insertUser(tx);
      await actAs(tx, serviceRole);
      const [{ id }] = await insertAsServiceRole(tx, userId);
      await tx`reset role`;

      const queued = await queuedHere(tx);
      assert.equal(queued.length, 1, "one request per inserted row");
      assertWebhookRequest(queued[0]);
      const [{ record }] = await tx`select to_jsonb(c.*) as record from public.user_twilio_credentials c
      where id = ${id}`;
      assert.deepEqual(queued[0].body, {
        type: "INSERT",
        table: "user_twilio_credentials",
        schema: "public",
        record,
        old_record: null,
      });
      assert.equal(queued[0].body.record.user_id, userId);
    });
  },
);

stackTest(
  "webhook: create-main-trunk's insert (the row with its run's lease, one statement) queues nothing",
  async () => {
    const sql = createPool(stackInfo().db_url, 1); // the functions' pool: its camelCase columns
    try {
      await rolledBack(async (tx) => {
        const userId = await insertUser(tx);
        const chooser = newLease(`user:${userId}`);
        await tx`insert into public.service_locks (key, holder, expires_at)
          values (${chooser.key}, ${chooser.holder}, now() + interval '1 minute')`;
        const id = crypto.randomUUID();
        const run = newLease(provisioningLeaseKey(id));
        const accountSid = sid("AC");
        const claim = (id: string, leases: { run: Lease; chooser: Lease }) =>
          findOrInsertClaimedCredential(
            tx as unknown as Sql,
            {
              id,
              userId,
              accountSid,
              twilioRegion: "us1",
              authToken: "v1:local1:ciphertext",
              label: null,
              isActive: false,
              recordingMode: "do-not-record",
              recordingTrim: "do-not-trim",
              sipUsername: "user_claimed",
              sipPassword: "v1:local1:password-ciphertext",
            },
            leases,
            { step: "provision", outcome: "started" },
          );
        // In a transaction, to read what it queued before the dispatcher takes it: the statement is the same.
        const { row } = await claim(id, { run, chooser });

        assert.equal((await queuedHere(tx)).length, 0, "the webhook leaves a claimed row to its run");
        assert.equal(row.status, "provisioning");
        assert.equal(chooser.released, true);
        const leases = await tx`select key, holder from public.service_locks where key in ${
          tx([chooser.key, run.key])
        }`;
        assert.deepEqual(leases.map((lease) => ({ ...lease })), [{ key: run.key, holder: run.holder }]);
        const [stored] =
          await tx`select s.sip_password, c.sip_password as inlet from public.twilio_credential_secrets s
          join public.user_twilio_credentials c on c.id = s.credential_id where s.credential_id = ${id}`;
        assert.deepEqual({ ...stored }, { sipPassword: "v1:local1:password-ciphertext", inlet: null });
        const events =
          await tx`select step, outcome from public.provisioning_events where credential_id = ${id}`;
        assert.deepEqual(events.map((event) => ({ ...event })), [{ step: "provision", outcome: "started" }]);

        // Asked again for the same account: the row is found, nothing is inserted, taken, released or logged.
        const again = {
          run: newLease(provisioningLeaseKey(crypto.randomUUID())),
          chooser: newLease(chooser.key),
        };
        const found = await claim(crypto.randomUUID(), again);
        assert.deepEqual([found.inserted, found.row.id, found.row.sipPassword], [
          false,
          id,
          "v1:local1:password-ciphertext",
        ]);
        assert.equal(again.chooser.released, undefined, "the found row leaves the lease to its holder");
        assert.equal((await tx`select from public.service_locks where key = ${again.run.key}`).length, 0);
        assert.equal(
          (await tx`select from public.provisioning_events where credential_id = ${id}`).length,
          1,
        );
        assert.equal(
          (await tx`select from public.user_twilio_credentials where user_id = ${userId}`).length,
          1,
        );

        // The same row without the lease (another system's insert) is posted as ever.
        await tx`delete from public.service_locks where key = ${run.key}`;
        await tx`insert into public.user_twilio_credentials (id, user_id, account_sid, auth_token)
          values (${crypto.randomUUID()}, ${userId}, ${sid("AC")}, 'v1:local1:ciphertext')`;
        assert.equal((await queuedHere(tx)).length, 1);
      }, sql);
    } finally {
      await sql.end();
    }
  },
);

stackTest(
  "webhook: a DELETE (by service_role or by the owner) queues one DELETE payload; UPDATE queues none",
  async () => {
    for (const who of ["service_role", "owner"] as const) {
      await rolledBack(async (tx) => {
        const userId = await insertUser(tx);
        const row = await insertCredential(tx, userId);
        await tx`delete from net.http_request_queue where xmin = pg_current_xact_id()::xid`; // the setup's INSERT

        await actAs(tx, who === "owner" ? asUser(userId) : serviceRole);
        const updated =
          await tx`update public.user_twilio_credentials set label = 'Renamed' where id = ${row.id}`;
        assert.equal(updated.count, 1, `${who} renames`);
        await tx`reset role`;
        assert.equal((await queuedHere(tx)).length, 0, "an UPDATE queues nothing");
        const [{ record }] = await tx`select to_jsonb(c.*) as record from public.user_twilio_credentials c
        where id = ${row.id}`;

        await actAs(tx, who === "owner" ? asUser(userId) : serviceRole);
        const deleted = await tx`delete from public.user_twilio_credentials where id = ${row.id}`;
        assert.equal(deleted.count, 1, `${who} deletes`);
        await tx`reset role`;

        const queued = await queuedHere(tx);
        assert.equal(queued.length, 1, `${who}: one request per deleted row`);
        assertWebhookRequest(queued[0]);
        assert.deepEqual(queued[0].body, {
          type: "DELETE",
          table: "user_twilio_credentials",
          schema: "public",
          record: null,
          old_record: record,
        });
        assert.equal(queued[0].body.old_record.label, "Renamed");
      });
    }
  },
);

stackTest("webhook: nothing is queued or delivered when the transaction rolls back", async () => {
  const listener = postgres(stackInfo().db_url, { max: 1, onnotice: () => {} });
  const notified: string[] = [];
  try {
    await listener.listen("net_http_request", (payload) => notified.push(payload));
    let credentialId = "";
    let requestId = "";
    await rolledBack(async (tx) => {
      const userId = await insertUser(tx);
      await actAs(tx, serviceRole);
      [{ id: credentialId }] = await insertAsServiceRole(tx, userId);
      await tx`reset role`;
      const queued = await queuedHere(tx);
      assert.equal(queued.length, 1, "queued inside the transaction");
      requestId = String(queued[0].id);
    });

    // Notifications arrive in commit order: once this later, committed one is here, the rolled-back one never
    // will be. (The dispatcher, woken by it, finds nothing to deliver.)
    const probe = `probe-${crypto.randomUUID()}`;
    await db()`select pg_notify('net_http_request', ${probe})`;
    const deadline = Date.now() + 5000;
    while (!notified.includes(probe) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.ok(notified.includes(probe), "the listener works");
    assert.ok(!notified.includes(requestId), "no notification for the rolled-back request");

    const [left] = await db()`select
      (select count(*)::int from net.http_request_queue where body -> 'record' ->> 'id' = ${credentialId}) as queued,
      (select count(*)::int from net._http_response where id = ${requestId}) as responses,
      (select count(*)::int from public.user_twilio_credentials where id = ${credentialId}) as rows`;
    assert.deepEqual({ ...left }, { queued: 0, responses: 0, rows: 0 });
  } finally {
    await listener.end({ timeout: 1 });
  }
});

stackTest(
  "webhook: without pg_net and Vault (plain PostgreSQL) the trigger exists and does nothing",
  async () => {
    await withDatabase("webhook_plain", async (database) => {
      await bootstrapDatabase(database.url, { withStandins: false });
      await pushMigrations(database.url);
      const sql = database.sql();

      const [state] = await sql`select to_regnamespace('net') as net, to_regnamespace('vault') as vault,
      (select tgenabled from pg_trigger where tgrelid = 'public.user_twilio_credentials'::regclass
        and tgname = 'twilio_credentials_webhook') as trigger`;
      assert.deepEqual({ ...state }, { net: null, vault: null, trigger: "O" });

      const userId = await insertUser(sql);
      // Committed for real: each statement in its own transaction, as an API request would run it.
      const [{ id }] = await sql.begin(async (tx) => {
        await actAs(tx, serviceRole);
        return await insertAsServiceRole(tx, userId);
      });
      const deleted = await sql.begin(async (tx) => {
        await actAs(tx, serviceRole);
        return await tx`delete from public.user_twilio_credentials where id = ${id}`;
      });
      assert.equal(deleted.count, 1);
    });
  },
);

stackTest("webhook: with pg_net and Vault but without both secrets nothing is queued", async () => {
  await withDatabase("webhook_nosecrets", async (database) => {
    await bootstrapDatabase(database.url);
    await pushMigrations(database.url);
    const sql = database.sql();
    const userId = await insertUser(sql);

    const insertAndDelete = async () => {
      const [{ id }] = await sql.begin(async (tx) => {
        await actAs(tx, serviceRole);
        return await insertAsServiceRole(tx, userId);
      });
      await sql`delete from public.user_twilio_credentials where id = ${id}`;
      const [{ count }] = await sql`select count(*)::int as count from net.http_request_queue`;
      return count;
    };

    assert.equal(await insertAndDelete(), 0, "no secrets: nothing queued");
    await sql`select vault.create_secret('http://127.0.0.1:9/functions/v1/twilio-credentials-webhook',
      'twilio_credentials_webhook_url')`;
    assert.equal(await insertAndDelete(), 0, "URL without the shared secret: nothing queued");

    // Control: the same database queues both requests once the secret exists too.
    await sql`select vault.create_secret('local-test-secret', 'twilio_credentials_webhook_secret')`;
    assert.equal(await insertAndDelete(), 2, "with both secrets: the INSERT and the DELETE are queued");
    const queued = await sql`select headers, body ->> 'type' as type from net.http_request_queue order by id`;
    assert.deepEqual(queued.map((q) => q.type), ["INSERT", "DELETE"]);
    assert.equal(queued[0].headers["X-Webhook-Secret"], "local-test-secret");
  });
});
