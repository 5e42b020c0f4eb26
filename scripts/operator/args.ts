/**
 * What the operator tasks' command lines (`backfill`, `rotate-keys`, `probe`) have in common: strict flags, the
 * database they work on, the users they are limited to, how many rows at once, whole-number options, and the
 * error that means "bad usage" (exit status 2).
 */
import { parseArgs, type ParseArgsConfig } from "node:util";

export class UsageError extends Error {}

type Options = NonNullable<ParseArgsConfig["options"]>;

/** The flags of the tasks that work through the database's rows (backfill, rotate-keys). */
const ROW_TASK_OPTIONS = {
  "db-url": { type: "string" },
  concurrency: { type: "string" },
  "user-id": { type: "string", multiple: true },
  "dry-run": { type: "boolean" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const satisfies Options;

/** Each row in flight holds a database connection: beyond this, ask the database first. */
const MAX_CONCURRENCY = 64;

export interface RowTaskArgs {
  help: boolean;
  dbUrl: string;
  concurrency: number;
  userIds?: string[];
  dryRun: boolean;
  json: boolean;
}

/** What ROW_TASK_OPTIONS parse into. */
interface RowTaskFlags {
  "db-url"?: string;
  concurrency?: string;
  "user-id"?: string[];
  "dry-run"?: boolean;
  json?: boolean;
  help?: boolean;
}

/** A row task's command line: the flags all of them take, checked (`common`), and the task's own `values`. */
export function parseRowTaskFlags<O extends Options>(
  argv: string[],
  env: Record<string, string | undefined>,
  options: O,
) {
  const values = parseFlags(argv, { ...ROW_TASK_OPTIONS, ...options });
  // The options are still generic here, so parseArgs cannot type the values: these are ROW_TASK_OPTIONS'.
  const flags = values as RowTaskFlags;
  const help = flags.help ?? false;
  const common: RowTaskArgs = {
    help,
    dbUrl: databaseUrl(flags["db-url"], env, help),
    concurrency: positiveInteger("--concurrency", flags.concurrency, MAX_CONCURRENCY) ?? 8,
    userIds: userIds(flags["user-id"]),
    dryRun: flags["dry-run"] ?? false,
    json: flags.json ?? false,
  };
  return { common, values };
}

/** The flags given (no positional arguments); an unknown or malformed one is a UsageError. */
export function parseFlags<O extends Options>(argv: string[], options: O) {
  try {
    return parseArgs({ args: argv, strict: true, allowPositionals: false, options }).values;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `--db-url`, else SUPABASE_DB_URL, else DATABASE_URL; required unless only the help is asked for. */
function databaseUrl(
  flag: string | undefined,
  env: Record<string, string | undefined>,
  help: boolean,
) {
  const url = flag || env.SUPABASE_DB_URL || env.DATABASE_URL || "";
  if (!url && !help) throw new UsageError("no database: pass --db-url or set SUPABASE_DB_URL");
  return url;
}

/** The repeatable `--user-id UUID`, checked. */
function userIds(values: string[] | undefined): string[] | undefined {
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
