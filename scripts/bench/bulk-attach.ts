/**
 * 5. Bulk attach. One attach-phone request (through the gateway, with the user's token) for 1,000 numbers of a
 * provisioned customer, while the emulator adds latency L to every Twilio request and answers 429 beyond C
 * requests in flight for the account. Figure: total time / (1000 x L / C), the least time C concurrent calls of
 * L each can take. Every number must end up attached.
 */
import { atMost, type BenchResult, figure, round } from "./report.ts";
import type { BenchContext } from "./context.ts";
import { addNumbers, callFunction, provisionedCustomer } from "./customers.ts";
import { timed } from "./stats.ts";

const NUMBERS = 1000;
const LATENCY_MS = 100;
const CONCURRENCY = 10;

interface AttachAnswer {
  counts: Record<string, number>;
}

export async function bulkAttach(ctx: BenchContext): Promise<BenchResult[]> {
  const customer = await provisionedCustomer(ctx);
  const phoneNumbers = await addNumbers(ctx, customer, NUMBERS);
  await callFunction(ctx, "attach-phone", { token: customer.token }); // starts the function's process
  await ctx.emulator.setTraffic({ latencyMs: LATENCY_MS, maxConcurrentPerAccount: CONCURRENCY });
  const { ms, value } = await timed(() =>
    callFunction<AttachAnswer>(ctx, "attach-phone", { token: customer.token, body: { phoneNumbers } })
  );
  const attached = value.counts.attached ?? 0;
  const bound = NUMBERS * LATENCY_MS / CONCURRENCY;
  return [figure({
    benchmark: "bulk-attach",
    name: `attach ${NUMBERS} numbers / (N x L / C) (L=${LATENCY_MS} ms, C=${CONCURRENCY})`,
    unit: "ms",
    measured: ms,
    baseline: bound,
    target: atMost(1.25, "and 0 failures"),
    alsoRequired: attached === NUMBERS,
    details: [
      { name: "attached", measured: attached },
      { name: "failed", measured: value.counts.failed ?? 0 },
      {
        name: "throughput",
        measured: round(attached / (ms / 1000)),
        baseline: CONCURRENCY * 1000 / LATENCY_MS,
        unit: "numbers/s",
      },
    ],
  })];
}
