/**
 * What the operator tasks' command lines (`backfill`, `rotate-keys`) have in common: the database they work on,
 * the users they are limited to, whole-number options, and the error that means "bad usage" (exit status 2).
 */

export class UsageError extends Error {}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `--db-url`, else SUPABASE_DB_URL, else DATABASE_URL; required unless only the help is asked for. */
export function databaseUrl(
  flag: string | undefined,
  env: Record<string, string | undefined>,
  help: boolean,
) {
  const url = flag || env.SUPABASE_DB_URL || env.DATABASE_URL || "";
  if (!url && !help) throw new UsageError("no database: pass --db-url or set SUPABASE_DB_URL");
  return url;
}

/** The repeatable `--user-id UUID`, checked. */
export function userIds(values: string[] | undefined): string[] | undefined {
  const bad = values?.find((id) => !UUID.test(id));
  if (bad) throw new UsageError(`--user-id: not a UUID: ${bad}`);
  return values;
}

export function positiveInteger(flag: string, value: string | undefined, max = Infinity): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1 || number > max) {
    throw new UsageError(`${flag}: expected a whole number from 1${max < Infinity ? ` to ${max}` : ""}`);
  }
  return number;
}
