/**
 * What the SQL-level tests share: throw-away databases in the stack's PostgreSQL cluster, statements run the way
 * PostgREST runs them (a role and the verified JWT claims, set locally in a transaction), transactions that always
 * roll back, and fixture rows with Twilio-shaped identifiers.
 *
 * ```ts
 * await rolledBack(async (tx) => {
 *   const owner = await insertUser(tx);
 *   const outcome = await attempt(tx, asUser(owner), (sql) => sql`select id from public.user_twilio_credentials`);
 *   assertRows(outcome, 0);
 * });
 * ```
 */
import assert from "node:assert/strict";
import postgres from "postgres";
import { run, type RunResult } from "../../../scripts/local/process.ts";
import { db, stackInfo } from "../../../scripts/testing/stack.ts";

export const PSQL = "/usr/bin/psql";
export const migrationsDir = new URL("../../migrations/", import.meta.url).pathname;

// ---------------------------------------------------------------------------------------------------------------
// Throw-away databases

export interface ScratchDatabase {
  name: string;
  url: string;
  /** A small pool to this database as the superuser (closed by drop()). */
  sql(): postgres.Sql;
}

/** The stack's connection URL with another database name. */
export function databaseUrl(name: string): string {
  const url = new URL(stackInfo().db_url);
  url.pathname = `/${name}`;
  return url.toString();
}

/**
 * Runs `fn` with an empty database created in the stack's cluster, then closes every connection to it and drops
 * it, whether `fn` passed or not.
 */
export async function withDatabase(prefix: string, fn: (database: ScratchDatabase) => Promise<void>) {
  const name = `${prefix}_${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;
  await db().unsafe(`create database "${name}"`);
  const url = databaseUrl(name);
  let pool: postgres.Sql | undefined;
  try {
    await fn({ name, url, sql: () => pool ??= postgres(url, { max: 2, onnotice: () => {} }) });
  } finally {
    await pool?.end({ timeout: 1 });
    await db()`select pg_terminate_backend(pid) from pg_stat_activity
      where datname = ${name} and pid <> pg_backend_pid()`;
    await db().unsafe(`drop database if exists "${name}"`);
  }
}

/** `psql -f file` against a database URL, stopping at the first error (as an operator would apply a file). */
export function psqlFile(url: string, file: string): Promise<RunResult> {
  return run(PSQL, ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url, "-f", file], {
    env: { PGCONNECT_TIMEOUT: "10" },
  });
}

/** The migration files in order, with the version and name `supabase db push` records for each. */
export async function migrationFiles(): Promise<{ version: string; name: string; path: string }[]> {
  const files: { version: string; name: string; path: string }[] = [];
  for await (const entry of Deno.readDir(migrationsDir)) {
    const match = entry.isFile ? entry.name.match(/^(\d+)_(.+)\.sql$/) : null;
    if (match) files.push({ version: match[1], name: match[2], path: migrationsDir + entry.name });
  }
  return files.sort((a, b) => a.version.localeCompare(b.version));
}

// ---------------------------------------------------------------------------------------------------------------
// Transactions and roles

class Undo extends Error {}

/** Runs `fn` in a transaction that is always rolled back, so a test leaves nothing behind. */
export async function rolledBack<T>(
  fn: (tx: postgres.TransactionSql) => Promise<T>,
  sql: postgres.Sql = db(),
) {
  let value: T | undefined;
  try {
    await sql.begin(async (tx) => {
      value = await fn(tx);
      throw new Undo();
    });
  } catch (error) {
    if (!(error instanceof Undo)) throw error;
  }
  return value as T;
}

/** Who a statement runs as: an API role with its JWT claims, or the superuser the stack connects as. */
export interface Actor {
  role: "anon" | "authenticated" | "service_role" | "postgres";
  claims?: Record<string, string>;
}

export const anon: Actor = { role: "anon", claims: { role: "anon" } };
export const serviceRole: Actor = { role: "service_role", claims: { role: "service_role" } };
export const superuser: Actor = { role: "postgres" };
export function asUser(userId: string): Actor {
  return { role: "authenticated", claims: { sub: userId, role: "authenticated", aud: "authenticated" } };
}

/**
 * What PostgREST does before a request's statement: switch to the role the JWT names and expose its claims to
 * auth.uid() / auth.role(), both local to the transaction.
 */
export async function actAs(tx: postgres.TransactionSql, actor: Actor) {
  if (actor.role === "postgres") return;
  await tx.unsafe(`set local role ${actor.role}`); // one of three fixed names, never input
  await tx`select set_config('request.jwt.claims', ${JSON.stringify(actor.claims ?? {})}, true)`;
}

export type Outcome =
  | { ok: true; rows: postgres.Row[]; count: number }
  | { ok: false; code: string; message: string; constraint?: string };

/**
 * Runs one statement as `actor` inside a savepoint that is always rolled back, and reports what happened: the
 * rows and row count, or the error. The surrounding fixture stays; the statement's effect does not.
 */
export async function attempt(
  tx: postgres.TransactionSql,
  actor: Actor,
  statement: (sql: postgres.TransactionSql) => Promise<postgres.RowList<postgres.Row[]>>,
): Promise<Outcome> {
  let outcome: Outcome | undefined;
  try {
    await tx.savepoint(async (sp) => {
      await actAs(sp, actor);
      try {
        const result = await statement(sp);
        outcome = { ok: true, rows: [...result], count: result.count };
      } catch (error) {
        if (!(error instanceof postgres.PostgresError)) throw error;
        outcome = { ok: false, code: error.code, message: error.message, constraint: error.constraint_name };
      }
      throw new Undo();
    });
  } catch (error) {
    if (!(error instanceof Undo)) throw error;
  }
  return outcome!;
}

/** The statement succeeded and touched exactly `count` rows; returns them. */
export function assertRows(outcome: Outcome, count: number, what = "statement"): postgres.Row[] {
  if (!outcome.ok) {
    assert.fail(`${what}: expected ${count} row(s), got error ${outcome.code}: ${outcome.message}`);
  }
  assert.equal(outcome.count, count, `${what}: row count`);
  return outcome.rows;
}

/**
 * The statement failed with SQLSTATE 42501 and a message matching `message`: by default the privilege check's
 * "permission denied for table", which tells a missing grant apart from a row-level security rejection (same
 * code, "violates row-level security policy") and from the append-only trigger.
 */
export function assertDenied(
  outcome: Outcome,
  what = "statement",
  message: RegExp = /^permission denied for table /,
) {
  if (outcome.ok) {
    assert.fail(`${what}: expected permission denied, but it succeeded on ${outcome.count} row(s)`);
  }
  assert.equal(outcome.code, "42501", `${what}: SQLSTATE (${outcome.message})`);
  assert.match(outcome.message, message, what);
}

// ---------------------------------------------------------------------------------------------------------------
// Fixtures

/** A Twilio SID: two-letter prefix and 32 lowercase hex digits. */
export function sid(prefix: string): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return prefix + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

export async function insertUser(sql: postgres.Sql | postgres.TransactionSql): Promise<string> {
  const id = crypto.randomUUID();
  await sql`insert into auth.users (id, aud, role, email)
    values (${id}, 'authenticated', 'authenticated', ${`${id}@example.test`})`;
  return id;
}

type Values = Record<string, string | number | boolean | null>;

/** A credential row as provisioning leaves it (ciphertext placeholders for the secrets); `values` override. */
export async function insertCredential(
  sql: postgres.Sql | postgres.TransactionSql,
  userId: string,
  values: Values = {},
): Promise<postgres.Row> {
  const row = {
    user_id: userId,
    account_sid: sid("AC"),
    auth_token: `v1:local1:${crypto.randomUUID()}`,
    trunk_sid: sid("TK"),
    label: "Main account",
    domain_name: `user-${userId.slice(0, 8)}-1732400000.pstn.twilio.com`,
    domain_prefix: `user-${userId.slice(0, 8)}-1732400000`,
    credential_list_sid: sid("CL"),
    sip_username: `sip-${userId.slice(0, 20)}`,
    sip_password: `v1:local1:${crypto.randomUUID()}`,
    ...values,
  };
  const [inserted] = await sql`insert into public.user_twilio_credentials ${sql(row)} returning *`;
  // The secrets went in through the inlet columns and now live in twilio_credential_secrets.
  return { ...inserted, auth_token: row.auth_token, sip_password: row.sip_password };
}

export async function insertPhoneNumber(
  sql: postgres.Sql | postgres.TransactionSql,
  credential: postgres.Row,
  values: Values = {},
): Promise<postgres.Row> {
  const row = {
    user_id: credential.user_id,
    credential_id: credential.id,
    account_sid: credential.account_sid,
    trunk_sid: credential.trunk_sid ?? sid("TK"),
    phone_number_sid: sid("PN"),
    phone_number: `+1555${String(Math.floor(Math.random() * 1e7)).padStart(7, "0")}`,
    ...values,
  };
  const [inserted] = await sql`insert into public.twilio_phone_numbers ${sql(row)} returning *`;
  return inserted;
}

export async function insertEvent(
  sql: postgres.Sql | postgres.TransactionSql,
  credential: postgres.Row,
  values: Values = {},
): Promise<postgres.Row> {
  const row = {
    credential_id: credential.id,
    user_id: credential.user_id,
    step: "create_trunk",
    outcome: "succeeded",
    twilio_sid: credential.trunk_sid,
    ...values,
  };
  const [inserted] = await sql`insert into public.provisioning_events ${sql(row)} returning *`;
  return inserted;
}
