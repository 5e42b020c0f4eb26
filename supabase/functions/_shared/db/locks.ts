/**
 * One provisioning per credential row at a time, across every function instance: a PostgreSQL advisory lock
 * held by a transaction for as long as the work runs. If the process dies, its connection closes and the lock
 * goes with it, so a crash never leaves a row locked. Works through Supavisor in transaction mode too.
 *
 * The work itself writes through the pool (each write commits at once, so a crash keeps every SID already
 * recorded); to make sure those writes always find a connection, lock holders and waiters together use at most
 * all but one of the pool's connections.
 *
 * ```ts
 * const outcome = await withAdvisoryLock(sql, `provision:${rowId}`, () => provision(rowId), { wait: true });
 * ```
 */
import type { Sql } from "./client.ts";

const LOCK_NAMESPACE = 0x5e1f; // keeps our keys apart from other users of advisory locks
const WAIT_TIMEOUT = "60s";

export type LockOutcome<T> = { acquired: true; value: T } | { acquired: false };

export async function withAdvisoryLock<T>(
  sql: Sql,
  key: string,
  work: () => Promise<T>,
  options: { wait: boolean },
): Promise<LockOutcome<T>> {
  const slots = slotsFor(sql);
  await slots.acquire();
  try {
    return await sql.begin(async (tx) => {
      if (options.wait) {
        await tx`select set_config('lock_timeout', ${WAIT_TIMEOUT}, true)`;
        await tx`select pg_advisory_xact_lock(${LOCK_NAMESPACE}, hashtext(${key}))`;
      } else {
        const [{ locked }] =
          await tx`select pg_try_advisory_xact_lock(${LOCK_NAMESPACE}, hashtext(${key})) as locked`;
        if (!locked) return { acquired: false } as const;
      }
      return { acquired: true, value: await work() } as const;
    });
  } finally {
    slots.release();
  }
}

/** A counting semaphore: at most `size` holders; the rest queue in arrival order. */
export class Semaphore {
  #free: number;
  readonly #queue: (() => void)[] = [];

  constructor(size: number) {
    this.#free = size;
  }

  async acquire(): Promise<void> {
    if (this.#free > 0) {
      this.#free--;
      return;
    }
    await new Promise<void>((resolve) => this.#queue.push(resolve));
  }

  release(): void {
    const next = this.#queue.shift();
    if (next) next();
    else this.#free++;
  }
}

const slotsByPool = new WeakMap<Sql, Semaphore>();

function slotsFor(sql: Sql): Semaphore {
  let slots = slotsByPool.get(sql);
  if (!slots) slotsByPool.set(sql, slots = new Semaphore(Math.max(1, Number(sql.options.max) - 1)));
  return slots;
}
