/**
 * One piece of work per key at a time (a row's provisioning, a row's numbers, a user's activation), across every
 * function instance, as a lease in public.service_locks. Nothing stays open while work runs or while a waiter
 * waits: acquiring, renewing and releasing are single statements, so a pool of one connection works, a waiter
 * costs no connection, and it all works through Supavisor in transaction mode.
 *
 * A holder renews its lease while it works; a crashed holder stops renewing and its lease lapses after
 * `LOCK_LEASE_SECONDS`, when the next one takes over (each piece of work is written to resume safely). A lease
 * can also be taken or released inside a statement that does other work (a new row inserted together with its
 * provisioning lease; a run's last write releasing it), saving the round trip.
 *
 * ```ts
 * const outcome = await withLock(sql, `provision:${rowId}`, () => provision(rowId), { wait: true });
 * if (outcome.acquired) console.log(outcome.value);
 * ```
 */
import { lockSettingsFromEnv } from "../config.ts";
import type { Sql } from "./client.ts";

export type LockOutcome<T> = { acquired: true; value: T } | { acquired: false };

/** Waited longer than the lock allows: someone else's work on the same key is still running. */
export class LockTimeoutError extends Error {
  constructor(readonly key: string) {
    super(`waited too long for ${key}`);
    this.name = "LockTimeoutError";
  }
}

let settings: ReturnType<typeof lockSettingsFromEnv> | undefined;
const lockSettings = () => settings ??= lockSettingsFromEnv();

/** A lease on a key, held by one holder. `released` is set once a statement of the holder's own released it. */
export interface Lease {
  readonly key: string;
  readonly holder: string;
  released?: boolean;
}

export const newLease = (key: string): Lease => ({ key, holder: crypto.randomUUID() });

export async function withLock<T>(
  sql: Sql,
  key: string,
  work: (lease: Lease) => Promise<T>,
  options: { wait: boolean },
): Promise<LockOutcome<T>> {
  const { waitSeconds } = lockSettings();
  const lease = newLease(key);
  const deadline = Date.now() + waitSeconds * 1000;
  // Short pauses: a waiter holds nothing while it waits, and the work behind a lock mostly takes well under 1 s.
  for (
    let pause = 10;
    !(await tryAcquire(sql, lease));
    pause = Math.min(pause * 2, 100)
  ) {
    if (!options.wait) return { acquired: false };
    if (Date.now() + pause > deadline) throw new LockTimeoutError(key);
    await new Promise((resolve) => setTimeout(resolve, pause));
  }
  return { acquired: true, value: await holdLease(sql, lease, work) };
}

/** The work's value once the lock was waited for (`withLock` with `wait: true` never answers "not acquired"). */
export async function withLockWaited<T>(
  sql: Sql,
  key: string,
  work: (lease: Lease) => Promise<T>,
): Promise<T> {
  const outcome = await withLock(sql, key, work, { wait: true });
  if (!outcome.acquired) throw new Error(`unreachable: waited for ${key}`);
  return outcome.value;
}

/**
 * Runs `work` under a lease already taken (by `withLock`, or by a statement that created what it guards, see
 * `takeLeaseSql`), renewing it meanwhile; releases it afterwards unless the work's own statement did.
 */
export async function holdLease<T>(sql: Sql, lease: Lease, work: (lease: Lease) => Promise<T>): Promise<T> {
  const { leaseSeconds } = lockSettings();
  const renewal = setInterval(() => renew(sql, lease, leaseSeconds).catch(() => {}), leaseSeconds * 333);
  try {
    return await work(lease);
  } finally {
    clearInterval(renewal);
    if (!lease.released) await sql`${releaseLeaseSql(sql, lease)}`.catch(() => {});
  }
}

/**
 * Takes a lease on a key nobody can hold yet (one naming a row the same statement inserts), inside that
 * statement (only if `condition`, a `where` clause, holds, when given): what it creates is never unguarded, and
 * taking the lease costs no round trip of its own.
 */
export const takeLeaseSql = (sql: Sql, lease: Lease, condition = sql``) =>
  sql`insert into public.service_locks (key, holder, expires_at)
    select ${lease.key}, ${lease.holder}::uuid, now() + make_interval(secs => ${lockSettings().leaseSeconds})
    ${condition}`;

/**
 * Releases a lease inside another statement of its holder's (only if `condition` holds, when given); mark it
 * `released` once that statement has released it.
 */
export const releaseLeaseSql = (sql: Sql, lease: Lease, condition = sql``) =>
  sql`delete from public.service_locks where key = ${lease.key} and holder = ${lease.holder} ${condition}`;

async function tryAcquire(sql: Sql, lease: Lease): Promise<boolean> {
  const taken = await sql`
    ${takeLeaseSql(sql, lease)}
    on conflict (key) do update set holder = excluded.holder, expires_at = excluded.expires_at
      where public.service_locks.expires_at < now()
    returning holder`;
  return taken.length === 1;
}

async function renew(sql: Sql, lease: Lease, leaseSeconds: number) {
  await sql`update public.service_locks set expires_at = now() + make_interval(secs => ${leaseSeconds})
    where key = ${lease.key} and holder = ${lease.holder}`;
}
