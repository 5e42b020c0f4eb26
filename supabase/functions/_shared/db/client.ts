/**
 * The functions' PostgreSQL pool, on SUPABASE_DB_URL (which Supabase injects into every function), created on
 * first use. Behind Supavisor in transaction mode (port 6543) prepared statements must be off; the URL tells us.
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
  const direct = !isTransactionPooler(url);
  return postgres(url, {
    max,
    prepare: direct,
    idle_timeout: 30,
    connect_timeout: 10,
    onnotice: () => {},
    transform: CAMEL_COLUMNS,
    connection: { application_name: "twilio-sip-provisioning", ...(direct ? GENERIC_PLANS : {}) },
  });
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
