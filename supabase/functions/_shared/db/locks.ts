/**
 * One piece of work per key at a time (a row's provisioning, a row's numbers, a user's activation), across every
 * function instance, as a lease in public.service_locks. Nothing stays open while work runs or while a waiter
 * waits: acquiring, renewing and releasing are single statements, so a pool of one connection works, a waiter
 * costs no connection, and it all works through Supavisor in transaction mode.
 *
 * A holder renews its lease while it works; a crashed holder stops renewing and its lease lapses after
 * `LOCK_LEASE_SECONDS`, when the next one takes over (each piece of work is written to resume safely).
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

export async function withLock<T>(
  sql: Sql,
  key: string,
  work: () => Promise<T>,
  options: { wait: boolean },
): Promise<LockOutcome<T>> {
  const { leaseSeconds, waitSeconds } = lockSettings();
  const holder = crypto.randomUUID();
  const deadline = Date.now() + waitSeconds * 1000;
  // Short pauses: a waiter holds nothing while it waits, and the work behind a lock mostly takes well under 1 s.
  for (
    let pause = 10;
    !(await tryAcquire(sql, key, holder, leaseSeconds));
    pause = Math.min(pause * 2, 100)
  ) {
    if (!options.wait) return { acquired: false };
    if (Date.now() + pause > deadline) throw new LockTimeoutError(key);
    await new Promise((resolve) => setTimeout(resolve, pause));
  }
  const renewal = setInterval(
    () => renew(sql, key, holder, leaseSeconds).catch(() => {}),
    leaseSeconds * 333,
  );
  try {
    return { acquired: true, value: await work() };
  } finally {
    clearInterval(renewal);
    await sql`delete from public.service_locks where key = ${key} and holder = ${holder}`.catch(() => {});
  }
}

/** The work's value once the lock was waited for (`withLock` with `wait: true` never answers "not acquired"). */
export async function withLockWaited<T>(sql: Sql, key: string, work: () => Promise<T>): Promise<T> {
  const outcome = await withLock(sql, key, work, { wait: true });
  if (!outcome.acquired) throw new Error(`unreachable: waited for ${key}`);
  return outcome.value;
}

async function tryAcquire(sql: Sql, key: string, holder: string, leaseSeconds: number): Promise<boolean> {
  const taken = await sql`
    insert into public.service_locks (key, holder, expires_at)
    values (${key}, ${holder}, now() + make_interval(secs => ${leaseSeconds}))
    on conflict (key) do update set holder = excluded.holder, expires_at = excluded.expires_at
      where public.service_locks.expires_at < now()
    returning holder`;
  return taken.length === 1;
}

async function renew(sql: Sql, key: string, holder: string, leaseSeconds: number) {
  await sql`update public.service_locks set expires_at = now() + make_interval(secs => ${leaseSeconds})
    where key = ${key} and holder = ${holder}`;
}
