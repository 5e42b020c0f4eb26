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
  "pool: through the transaction pooler (port 6543) nothing is prepared and no plan mode is sent",
  async () => {
    const [throughPooler, direct] = [
      createPool(throughTransactionPooler(), 1),
      createPool(stackInfo().db_url, 1),
    ];
    assert.equal(throughPooler.options.prepare, false);
    assert.equal("plan_cache_mode" in throughPooler.options.connection, false);
    assert.equal(direct.options.prepare, true);
    assert.equal(direct.options.connection.plan_cache_mode, "force_generic_plan");
    await Promise.all([throughPooler.end(), direct.end()]);
  },
);

stackTest(
  "pool: through the transaction pooler a statement is sent only once the one before it is answered (directly, they are pipelined)",
  async () => {
    // Who spoke, in order, on the pool's one connection: "c" the client, "s" the server.
    const turnsWith = async (url: string) => {
      const relay = wireRecorder(new URL(stackInfo().db_url));
      const sql = postgres(relay.url, { ...poolOptions(url), max: 1 });
      try {
        // Each statement once first: a direct pool prepares a statement (and waits) before it pipelines it.
        const statements = () => [sql`select pg_sleep(0.2)`, sql`select 2`, sql`select 3`];
        for (const statement of statements()) await statement;
        relay.turns.length = 0;
        await Promise.all(statements());
        return relay.turns.join("");
      } finally {
        await sql.end();
        relay.close();
      }
    };
    assert.equal(
      await turnsWith(throughTransactionPooler()),
      "cscscs",
      "each waits for the answer before it",
    );
    assert.equal(await turnsWith(stackInfo().db_url), "cs", "directly, all three go out before any answer");
  },
);

/** A TCP relay in front of the database recording whose bytes it carried (a side's consecutive chunks as one). */
function wireRecorder(database: URL) {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const turns: ("c" | "s")[] = [];
  const carry = async (from: Deno.Conn, to: Deno.Conn, side: "c" | "s") => {
    for await (const chunk of from.readable) {
      if (turns.at(-1) !== side) turns.push(side);
      await to.write(chunk);
    }
  };
  (async () => {
    for await (const client of listener) {
      const server = await Deno.connect({ hostname: database.hostname, port: Number(database.port) });
      Promise.allSettled([carry(client, server, "c"), carry(server, client, "s")]).then(() => {
        for (const conn of [client, server]) {
          try {
            conn.close();
          } catch { /* closed already */ }
        }
      });
    }
  })().catch(() => {/* the listener was closed */});
  const url = new URL(database);
  url.port = String((listener.addr as Deno.NetAddr).port);
  return { url: url.toString(), turns, close: () => listener.close() };
}

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
