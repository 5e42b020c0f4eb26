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
  return postgres(url, {
    max,
    prepare: !isTransactionPooler(url),
    idle_timeout: 30,
    connect_timeout: 10,
    onnotice: () => {},
    transform: CAMEL_COLUMNS,
    connection: { application_name: "twilio-sip-provisioning" },
  });
}

export function isTransactionPooler(url: string): boolean {
  return new URL(url).port === "6543";
}
