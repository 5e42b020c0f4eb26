/**
 * The functions' pool (db/client.ts) against the stack's PostgreSQL: a prepared statement is planned once for any
 * values (a generic plan from its first call), never re-planned per call; through the transaction pooler nothing is
 * prepared, so no plan mode is asked for there.
 */
import assert from "node:assert/strict";
import { stackInfo, stackTest } from "../../../scripts/testing/stack.ts";
import { createPool } from "../../functions/_shared/db/client.ts";

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
    const pooled = new URL(stackInfo().db_url);
    pooled.port = "6543";
    const [throughPooler, direct] = [createPool(pooled.toString(), 1), createPool(stackInfo().db_url, 1)];
    assert.equal(throughPooler.options.prepare, false);
    assert.equal("plan_cache_mode" in throughPooler.options.connection, false);
    assert.equal(direct.options.prepare, true);
    assert.equal(direct.options.connection.plan_cache_mode, "force_generic_plan");
    await Promise.all([throughPooler.end(), direct.end()]);
  },
);
