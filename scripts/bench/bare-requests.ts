/**
 * What the emulator itself adds to L: bare requests (a GET of the customer's account) that do nothing but cross
 * it, `concurrency` at a time. Each takes L plus the emulator's own time and its timer's lateness (a lone
 * `setTimeout(100)` fires 1-3 ms late on this machine, more with many timers due), which every request the
 * product sends pays too. Shown beside the figures as the floor as the emulator delivers it; the targets stay
 * on L.
 */
import type { BenchContext } from "./context.ts";
import type { Customer } from "./customers.ts";
import { timed } from "./stats.ts";

/** The time of each of `count` bare requests, `concurrency` in flight. */
export async function bareRequestTimes(
  ctx: BenchContext,
  customer: Customer,
  { count, concurrency }: { count: number; concurrency: number },
): Promise<number[]> {
  const { accountSid, authToken } = customer.credentials;
  const url = `${ctx.stack.info.twilio_api_base_url}/2010-04-01/Accounts/${accountSid}.json`;
  const headers = { authorization: `Basic ${btoa(`${accountSid}:${authToken}`)}` };
  const times: number[] = [];
  let started = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (started++ < count) {
      const { ms, value: status } = await timed(async () => {
        const response = await fetch(url, { headers });
        await response.body?.cancel();
        return response.status;
      });
      if (status !== 200) throw new Error(`a bare request through the emulator answered ${status}`);
      times.push(ms);
    }
  }));
  return times;
}
