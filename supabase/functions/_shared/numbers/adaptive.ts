/**
 * Bulk work against a rate-limited API: like `mapSettled`, but the number of calls in flight adapts to what the
 * server accepts. An item whose call ends in a 429 was never processed, so it goes back in the queue and the limit
 * drops by a quarter (at most once per round of calls started under the same limit, as TCP does). Then, as TCP's
 * slow start up to its threshold, each success raises the limit by one until it is one below where the 429 came.
 * Before any 429, every `limit` successes in a row raise it by one; once a 429 has shown where the cap is, probing
 * above it waits for `PROBE_PATIENCE` times as many. Twilio's 429 says a per-account concurrency cap was passed,
 * not that a network is congested: the limit should sit just under that cap, not saw below it (halving left a
 * quarter of the slots idle, 1.23x the ideal time for bulk attach under a cap of 10; a quarter and a probe every
 * `limit` successes 1.11-1.14x, each probe costing a 429 and a drop; `deno task bench`). Throttled items are
 * retried until `deadlineMs` has passed, then reported with their last error.
 *
 * ```ts
 * const results = await mapAdaptive(numbers, { initial: 16, max: 32, isThrottled }, (n) => attach(n));
 * ```
 */
export interface AdaptiveOptions {
  /** Calls in flight at the start. */
  initial: number;
  /** Never more than this in flight. */
  max: number;
  /** Never fewer than this (while work remains). Default 1. */
  min?: number;
  /** Whether a rejection means "not processed, slow down" (a rate limit). */
  isThrottled: (error: unknown) => boolean;
  /** After this long, throttled items are no longer re-queued. Default 60 s. */
  deadlineMs?: number;
  /** Wait before a throttled item is queued again, jittered. Default 50 ms. */
  pauseMs?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export interface AdaptiveReport<R> {
  results: PromiseSettledResult<R>[];
  /** Rejections that were re-queued. */
  throttled: number;
  /** The lowest limit reached. */
  lowestLimit: number;
}

export function mapAdaptive<T, R>(
  items: readonly T[],
  options: AdaptiveOptions,
  work: (item: T, index: number) => Promise<R>,
): Promise<AdaptiveReport<R>> {
  const min = Math.max(1, options.min ?? 1);
  const limit = new AdaptiveLimit(min, Math.max(min, options.max), options.initial);
  const { now, deadline, pause } = retryTiming(options);

  const results = new Array<PromiseSettledResult<R>>(items.length);
  const retry: number[] = [];
  let next = 0;
  let active = 0;
  let pending = items.length;
  let throttled = 0;
  const report = () => ({ results, throttled, lowestLimit: limit.lowest });

  const { promise, resolve } = Promise.withResolvers<AdaptiveReport<R>>();
  const settle = (index: number, result: PromiseSettledResult<R>) => {
    results[index] = result;
    active--;
    if (--pending === 0) resolve(report());
    else pump();
  };

  const run = async (index: number) => {
    const round = limit.round;
    try {
      const value = await work(items[index], index);
      limit.succeeded();
      settle(index, { status: "fulfilled", value });
    } catch (reason) {
      if (!options.isThrottled(reason) || now() >= deadline) {
        settle(index, { status: "rejected", reason });
        return;
      }
      throttled++;
      limit.throttled(round);
      active--;
      await pause();
      retry.push(index);
      pump();
    }
  };

  const pump = () => {
    while (active < limit.current && (retry.length > 0 || next < items.length)) {
      const index = retry.length > 0 ? retry.shift()! : next++;
      active++;
      run(index);
    }
  };

  if (items.length === 0) return Promise.resolve(report());
  pump();
  return promise;
}

/** The clock, the time after which throttled items are no longer re-queued, and the jittered pause before one is. */
function retryTiming(options: AdaptiveOptions) {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const pauseMs = options.pauseMs ?? 50;
  return {
    now,
    deadline: now() + (options.deadlineMs ?? 60_000),
    pause: () => sleep(pauseMs * (0.5 + Math.random())),
  };
}

/**
 * Once throttled, how many rounds of successes pass before the limit probes above the cap it found: a cap freed by
 * another client of the account is found within that many rounds, and a cap that stays costs a probe that rarely.
 */
const PROBE_PATIENCE = 8;

/**
 * The limit on calls in flight, between `min` and `max`: down by a quarter when a call is throttled, at most once
 * per round (the calls started under one limit); back up by one per success to just below where it was throttled,
 * then by one after `current` successes in a row (`current` x PROBE_PATIENCE once it has been throttled).
 */

export class AdaptiveLimit {
  current: number;
  /** The lowest `current` has been. */
  lowest: number;
  /** Changes with every decrease: a call remembers the round it started in. */
  round = 0;
  #successesInARow = 0;
  /** One below the limit last throttled: regained one success at a time. */
  #regain = 0;

  constructor(private readonly min: number, private readonly max: number, initial: number) {
    this.current = Math.min(max, Math.max(min, initial));
    this.lowest = this.current;
  }

  succeeded() {
    if (this.current < this.#regain) {
      this.current++;
      return;
    }
    const patience = this.round > 0 ? PROBE_PATIENCE : 1;
    if (++this.#successesInARow < this.current * patience) return;
    this.#successesInARow = 0;
    this.current = Math.min(this.max, this.current + 1);
  }

  /** A call started in `round` was throttled: the first of its round lowers the limit, the rest started before. */
  throttled(round: number) {
    this.#successesInARow = 0;
    if (round !== this.round) return;
    this.round++;
    this.#regain = this.current - 1;
    this.current = Math.max(this.min, Math.floor(this.current * 0.75));
    this.lowest = Math.min(this.lowest, this.current);
  }
}
