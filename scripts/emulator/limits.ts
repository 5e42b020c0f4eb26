// Traffic shaping for Twilio API requests: added latency and a per-account concurrency cap.
import { setImmediate } from "node:timers";

export interface TrafficConfig {
  /** Added to every Twilio API request (not admin requests). */
  latencyMs: number | null;
  /** Requests in flight per account beyond which the API answers 429 20429. */
  maxConcurrentPerAccount: number | null;
  /** Sent as `Retry-After` on 429 responses when set. */
  retryAfterSeconds: number | null;
}

export function defaultTrafficConfig(): TrafficConfig {
  return { latencyMs: null, maxConcurrentPerAccount: null, retryAfterSeconds: null };
}

export class InFlightCounter {
  #counts = new Map<string, number>();

  /** Counts the request in unless `max` (null/0 = unlimited) is already reached. */
  tryEnter(accountSid: string, max: number | null): boolean {
    const current = this.#counts.get(accountSid) ?? 0;
    if (max && current >= max) return false;
    this.#counts.set(accountSid, current + 1);
    return true;
  }

  leave(accountSid: string): void {
    const remaining = (this.#counts.get(accountSid) ?? 1) - 1;
    if (remaining > 0) this.#counts.set(accountSid, remaining);
    else this.#counts.delete(accountSid);
  }
}

/**
 * Resolves `ms` after `since` (a `performance.now()` reading: when the request arrived), or at once on shutdown.
 * The added latency is a claim about Twilio's (or LiveKit's) own time, so it counts from arrival: the emulator's
 * parsing, routing and queueing behind other requests are inside it, not added to it. Never sooner than L, and
 * hardly later: a timer fires 0.5-2 ms late, so it is set to end a millisecond short of the due time and what is
 * left is waited out turn by turn of the event loop (setImmediate lets I/O in between). A longer stretch left to
 * turns would be more exact and burn the emulator's CPU beside the product it measures.
 */
export async function waitSince(since: number, ms: number, shutdown: AbortSignal): Promise<void> {
  const due = since + ms;
  const timerPart = Math.floor(due - performance.now() - TIMER_LATENESS_MS);
  if (timerPart > 0) await sleep(timerPart, shutdown);
  while (performance.now() < due && !shutdown.aborted) await new Promise((turn) => setImmediate(turn));
}

/** The wait's last stretch not left to a timer (see waitSince). */
const TIMER_LATENESS_MS = 1;

/** Resolves after `ms`, or at once when the emulator shuts down so no timer outlives it. */
export function sleep(ms: number, shutdown: AbortSignal): Promise<void> {
  if (ms <= 0 || shutdown.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      shutdown.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    shutdown.addEventListener("abort", done);
  });
}
