/**
 * The functions' PostgreSQL pool, on SUPABASE_DB_URL (which Supabase injects into every function), created on
 * first use. Behind Supavisor in transaction mode (port 6543) prepared statements must be off; the URL tells us.
 */
import postgres from "postgres";

export type Sql = postgres.Sql;

/** Connections per function instance; provisioning keeps one free for its writes (see locks.ts). */
export const POOL_SIZE = Number(Deno.env.get("DB_POOL_SIZE") ?? 6);

let pool: Sql | undefined;

export function getSql(): Sql {
  return pool ??= createPool(requiredEnv("SUPABASE_DB_URL"));
}

export function createPool(url: string, max = POOL_SIZE): Sql {
  return postgres(url, {
    max,
    prepare: !isTransactionPooler(url),
    idle_timeout: 30,
    connect_timeout: 10,
    onnotice: () => {},
    transform: postgres.camel,
    connection: { application_name: "twilio-sip-provisioning" },
  });
}

export function isTransactionPooler(url: string): boolean {
  return new URL(url).port === "6543";
}

function requiredEnv(name: string): string {
  const value = Deno.env.get(name);
  if (!value) throw new Error(`${name} is not set`);
  return value;
}
