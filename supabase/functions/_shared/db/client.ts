/**
 * The functions' PostgreSQL pool, on SUPABASE_DB_URL (which Supabase injects into every function) or DB_URL, made on
 * first use. Behind Supavisor in transaction mode (port 6543) prepared statements and pipelining must be off; the
 * URL tells us. Transactions go through inTransaction, not `sql.begin`.
 */
import postgres from "postgres";
import { databaseSettingsFromEnv } from "../config.ts";

export type Sql = postgres.Sql;

/**
 * Column names in camelCase both ways, and nothing else: `postgres.camel` would also rewrite the keys inside
 * JSON columns (a degraded part named `fallback_origination_url` would come back `fallbackOriginationUrl`).
 */
export const CAMEL_COLUMNS = { column: { from: postgres.toCamel, to: postgres.fromCamel } };

let pool: Sql | undefined;

export function getSql(): Sql {
  if (pool) return pool;
  const { url, poolSize } = databaseSettingsFromEnv();
  return pool = createPool(url, poolSize);
}

export function createPool(url: string, max: number): Sql {
  return postgres(url, { max, ...poolOptions(url) });
}

/** How a pool talks to the database at `url`: directly, or through Supavisor's transaction mode. */
export function poolOptions(url: string) {
  const direct = !isTransactionPooler(url);
  return {
    prepare: direct,
    // postgres.js sends up to 100 statements on a connection without waiting for the answers before them (when
    // every connection is busy). Supavisor's transaction mode hands the server connection back after one answer
    // and loses what was sent behind it: a statement that never answers, or another statement's rows
    // (porsager/postgres#970, supabase/supabase#50082 and #50358). 0: one statement per connection at a time,
    // the rest wait in the pool.
    ...(direct ? {} : { max_pipeline: 0 }),
    idle_timeout: 30,
    connect_timeout: 10,
    onnotice: () => {},
    transform: CAMEL_COLUMNS,
    connection: { application_name: "twilio-sip-provisioning", ...(direct ? GENERIC_PLANS : {}) },
  };
}

/**
 * Runs `work` in a transaction on a connection reserved for it. Not `sql.begin`: without pipelining (the
 * transaction pooler, above) postgres.js 3.4 sends its BEGIN without reserving the connection, fails with
 * UNSAFE_TRANSACTION and leaves the transaction open on a connection other statements then use
 * (porsager/postgres#1210; the fix, #1218, is not released).
 */
export async function inTransaction<T>(sql: Sql, work: (tx: postgres.ReservedSql) => Promise<T>): Promise<T> {
  const tx = await sql.reserve();
  try {
    await tx`begin`;
    const result = await work(tx);
    await tx`commit`;
    return result;
  } catch (error) {
    await tx`rollback`.catch(() => {});
    throw error;
  } finally {
    tx.release();
  }
}

/**
 * Prepared statements planned once, for any values. Our statements find rows by key, so one plan fits every value;
 * left to choose per connection (`auto`), PostgreSQL kept re-planning get-sip-config's query on every call on some
 * connections (planning it costs about 0.5 ms, running it 0.03 ms), which halved that function's throughput in
 * about half of the benchmark's runs. A session setting, sent with the connection; through the transaction pooler
 * there are no prepared statements to plan once.
 */
const GENERIC_PLANS = { plan_cache_mode: "force_generic_plan" };

export function isTransactionPooler(url: string): boolean {
  return new URL(url).port === "6543";
}
