/**
 * 1. Provisioning critical path. The emulator adds a fixed latency L to every Twilio request; create-main-trunk
 * is called end to end (through the gateway, with a user token) for fresh users, one at a time, each with an
 * account of its own. Figure: p50 latency / L. Two dependent round trips make the floor 2; the original
 * sequential design needed about 7 plus sleeps.
 */
import { atMost, type BenchResult, figure, round } from "./report.ts";
import type { BenchContext } from "./context.ts";
import { callFunction, type Customer, newCustomer } from "./customers.ts";
import { median, percentile, timed } from "./stats.ts";

const LATENCY_MS = 100;
const USERS = 20;

export async function provisioningCriticalPath(ctx: BenchContext): Promise<BenchResult[]> {
  const createMainTrunk = (customer: Customer) =>
    callFunction(ctx, "create-main-trunk", { token: customer.token, body: customer.credentials });
  const [warmUp, ...customers] = await Promise.all(
    Array.from({ length: USERS + 1 }, () => newCustomer(ctx)),
  );
  await createMainTrunk(warmUp); // starts the function's process and loads the SDK: not what is measured
  await ctx.emulator.setTraffic({ latencyMs: LATENCY_MS });
  const samples: number[] = [];
  for (const customer of customers) samples.push((await timed(() => createMainTrunk(customer))).ms);
  return [figure({
    benchmark: "provisioning",
    name: `create-main-trunk p50 / L (${USERS} users, L=${LATENCY_MS} ms)`,
    unit: "ms",
    measured: median(samples),
    baseline: LATENCY_MS,
    target: atMost(2.5),
    details: [
      { name: "p90", measured: round(percentile(samples, 90)), unit: "ms" },
      { name: "floor: 2 round trips", measured: 2 * LATENCY_MS, unit: "ms" },
    ],
  })];
}
