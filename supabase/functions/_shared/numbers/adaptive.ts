/**
 * Bulk work against a rate-limited API: like `mapSettled`, but the number of calls in flight adapts to what the
 * server accepts. The Twilio client already retries a 429 a few times with backoff; an item whose call still
 * ends in a 429 was never processed, so it goes back in the queue and the limit drops by a quarter (at most once
 * per round of calls started under the same limit, as TCP does). Every `limit` successes in a row raise the limit
 * by one again. A quarter, not TCP's half: Twilio's 429 says a per-account concurrency cap was passed, not that a
 * network is congested, and halving left a quarter of the account's slots idle on average (bulk attach under a
 * cap of 10: 1.23x the ideal time with halving, 1.15x with a quarter; `deno task bench`). Throttled items are
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
  const max = Math.max(min, options.max);
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const deadline = now() + (options.deadlineMs ?? 60_000);
  const pauseMs = options.pauseMs ?? 50;

  const results = new Array<PromiseSettledResult<R>>(items.length);
  const retry: number[] = [];
  let next = 0;
  let active = 0;
  let pending = items.length;
  let limit = Math.min(max, Math.max(min, options.initial));
  let lowestLimit = limit;
  let epoch = 0;
  let successesInARow = 0;
  let throttled = 0;

  const { promise, resolve } = Promise.withResolvers<AdaptiveReport<R>>();
  const settle = (index: number, result: PromiseSettledResult<R>) => {
    results[index] = result;
    active--;
    if (--pending === 0) resolve({ results, throttled, lowestLimit });
    else pump();
  };

  const run = async (index: number) => {
    const startedIn = epoch;
    try {
      const value = await work(items[index], index);
      if (++successesInARow >= limit) {
        successesInARow = 0;
        limit = Math.min(max, limit + 1);
      }
      settle(index, { status: "fulfilled", value });
    } catch (reason) {
      if (!options.isThrottled(reason) || now() >= deadline) {
        settle(index, { status: "rejected", reason });
        return;
      }
      throttled++;
      successesInARow = 0;
      if (startedIn === epoch) {
        epoch++;
        limit = Math.max(min, Math.floor(limit * 0.75));
        lowestLimit = Math.min(lowestLimit, limit);
      }
      active--;
      await sleep(pauseMs * (0.5 + Math.random()));
      retry.push(index);
      pump();
    }
  };

  const pump = () => {
    while (active < limit && (retry.length > 0 || next < items.length)) {
      const index = retry.length > 0 ? retry.shift()! : next++;
      active++;
      run(index);
    }
  };

  if (items.length === 0) return Promise.resolve({ results, throttled, lowestLimit });
  pump();
  return promise;
}
