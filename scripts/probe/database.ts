/**
 * The database the service needs while the probe drives it: the one given (a project's, or the test stack's), or
 * a throw-away PostgreSQL set up as the test runner sets one up (Supabase's roles and auth schema, the migrations
 * through the Supabase CLI), removed at the end. In it, a throw-away user owns the probe's credential row; every
 * row the probe leads the service to write is deleted again.
 */
import { join } from "node:path";
import { createPool, inTransaction, type Sql } from "../../supabase/functions/_shared/db/client.ts";
import { startPostgres } from "../local/postgres.ts";
import { freePort } from "../local/process.ts";
import { scratchDir } from "../local/scratch.ts";
import { bootstrapDatabase } from "../local/stack.ts";
import { pushMigrations } from "../local/supabase-cli.ts";
import { ensureUser } from "../local/users.ts";

export interface ProbeDatabase {
  sql: Sql;
  /** Where it is, without credentials. */
  description: string;
  close(): Promise<void>;
}

/** Enough for the service's lease locks and the numbers' bulk work side by side. */
const POOL_SIZE = 6;

export async function openProbeDatabase(dbUrl: string | undefined): Promise<ProbeDatabase> {
  if (dbUrl) {
    const sql = createPool(dbUrl, POOL_SIZE);
    await sql`select 1`;
    const { hostname, port, pathname } = new URL(dbUrl);
    return {
      sql,
      description: `given database ${hostname}:${port || 5432}${pathname}`,
      close: () => sql.end({ timeout: 5 }),
    };
  }
  const dir = await scratchDir("twilio-sip-probe-");
  const removeDir = () => Deno.remove(dir, { recursive: true }).catch(() => {});
  try {
    const cluster = await startPostgres({
      dataDir: join(dir, "postgres"),
      port: freePort(),
      ephemeral: true,
    });
    try {
      // No pg_net or Vault stand-ins: nothing else may act on the probe's rows (no webhook, no sweeper).
      await bootstrapDatabase(cluster.url, { withStandins: false });
      await pushMigrations(cluster.url);
      const sql = createPool(cluster.url, POOL_SIZE);
      return {
        sql,
        description: `throw-away PostgreSQL on 127.0.0.1:${cluster.port}`,
        close: async () => {
          await sql.end({ timeout: 5 });
          await cluster.stop();
          await removeDir();
        },
      };
    } catch (error) {
      await cluster.stop();
      throw error;
    }
  } catch (error) {
    await removeDir();
    throw error;
  }
}

/** A user in auth.users for the probe's credential row, marked as the probe's by its e-mail address. */
export async function createProbeUser(sql: Sql): Promise<string> {
  const userId = crypto.randomUUID();
  await ensureUser(sql, userId, { email: `twilio-probe-${userId}@example.invalid` });
  return userId;
}

/**
 * Every row the probe's user left: its credential rows (whose delete records a teardown, removed here too with
 * the secrets it kept: the probe's cleanup has dealt with Twilio), numbers, events, and the user itself.
 */
export async function removeProbeUser(sql: Sql, userId: string) {
  await inTransaction(sql, async (tx) => {
    await tx`delete from public.user_twilio_credentials where user_id = ${userId}`;
    await tx`delete from public.twilio_credential_secrets
      where credential_id in (select credential_id from public.twilio_teardowns where user_id = ${userId})`;
    await tx`delete from public.twilio_teardowns where user_id = ${userId}`;
    await tx`delete from public.twilio_phone_numbers where user_id = ${userId}`;
    await tx`delete from public.provisioning_events where user_id = ${userId}`;
    await tx`delete from auth.users where id = ${userId}`;
  });
}
