/**
 * The functions' pool (db/client.ts) against the stack's PostgreSQL: a prepared statement is planned once for any
 * values (a generic plan from its first call), never re-planned per call; through the transaction pooler nothing is
 * prepared, so no plan mode is asked for there, and nothing is pipelined, while transactions still work.
 */
import assert from "node:assert/strict";
import postgres from "postgres";
import { db, stackInfo, stackTest } from "../../../scripts/testing/stack.ts";
import { createPool, inTransaction, poolOptions } from "../../functions/_shared/db/client.ts";
import { activateCredential } from "../../functions/_shared/db/credentials.ts";
import { insertCredential, insertUser } from "./helpers.ts";

/** Statements a connection may have in flight behind the one being answered (postgres.js does not type it). */
const maxPipeline = (sql: postgres.Sql) => (sql.options as { max_pipeline?: number }).max_pipeline;

/** The stack's database URL as it would read through Supavisor's transaction mode. */
function throughTransactionPooler(): string {
  const pooled = new URL(stackInfo().db_url);
  pooled.port = "6543";
  return pooled.toString();
}

stackTest(
  "pool: a prepared statement gets one generic plan for every value, never a plan per call",
  async () => {
    const sql = createPool(stackInfo().db_url, 1); // one connection: the statements below share a session
    try {
      for (let i = 0; i < 8; i++) {
        await sql`select 'pool_test' as probe, id from public.user_twilio_credentials where user_id = ${crypto.randomUUID()}`;
      }
      const [plans] = await sql`select generic_plans::int, custom_plans::int from pg_prepared_statements
      where statement like '%''pool_test'' as probe%'`;
      assert.deepEqual({ ...plans }, { genericPlans: 8, customPlans: 0 });
    } finally {
      await sql.end();
    }
  },
);

stackTest(
  "pool: through the transaction pooler (port 6543) nothing is prepared or pipelined and no plan mode is sent",
  async () => {
    const [throughPooler, direct] = [
      createPool(throughTransactionPooler(), 1),
      createPool(stackInfo().db_url, 1),
    ];
    assert.equal(throughPooler.options.prepare, false);
    assert.equal(maxPipeline(throughPooler), 0, "one statement per connection at a time");
    assert.equal("plan_cache_mode" in throughPooler.options.connection, false);
    assert.equal(direct.options.prepare, true);
    assert.equal(maxPipeline(direct), 100, "postgres.js's default on a direct connection");
    assert.equal(direct.options.connection.plan_cache_mode, "force_generic_plan");
    await Promise.all([throughPooler.end(), direct.end()]);
  },
);

stackTest(
  "pool: as through the transaction pooler, a second account's activation (a transaction) works, and a failed transaction leaves no connection inside one",
  async () => {
    // The transaction pooler's settings on a connection to the stack's PostgreSQL.
    const sql = postgres(stackInfo().db_url, { ...poolOptions(throughTransactionPooler()), max: 2 });
    try {
      const userId = await insertUser(db());
      const first = await insertCredential(db(), userId, { is_active: true });
      const second = await insertCredential(db(), userId, { is_active: false });
      await activateCredential(sql, { id: second.id, userId });
      const active =
        await db()`select id from public.user_twilio_credentials where user_id = ${userId} and is_active`;
      assert.deepEqual(active.map((row) => row.id), [second.id]);

      await assert.rejects(
        inTransaction(sql, async (tx) => {
          await tx`update public.user_twilio_credentials set label = 'changed' where id = ${first.id}`;
          throw new Error("the work failed");
        }),
        /the work failed/,
      );
      const [{ label }] = await db()`select label from public.user_twilio_credentials where id = ${first.id}`;
      assert.equal(label, "Main account", "rolled back");
      const open = await Promise.all(
        Array.from(
          { length: 4 },
          () => sql`select pg_current_xact_id_if_assigned()::text as xact`,
        ),
      );
      assert.ok(
        open.every(([row]) => row.xact === null),
        "every connection outside a transaction",
      );
      await db()`delete from auth.users where id = ${userId}`;
    } finally {
      await sql.end();
    }
  },
);
