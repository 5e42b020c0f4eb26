/**
 * When an unfinished row may be tried again: 30 s after the first failure, doubling up to an hour, with a little
 * jitter so rows that failed together (a Twilio incident) do not all come back in the same second.
 */
const FIRST_MS = 30_000;
const MAX_MS = 3_600_000;

export function nextAttemptAt(attempts: number, now = Date.now(), random = Math.random): Date {
  const delay = Math.min(MAX_MS, FIRST_MS * 2 ** Math.max(0, attempts - 1));
  return new Date(now + delay * (0.9 + 0.2 * random()));
}
