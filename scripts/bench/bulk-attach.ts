/**
 * 5. Bulk attach. One attach-phone request (with the user's token) for 1,000 numbers of a provisioned customer,
 * while the emulator adds latency L to every Twilio request and answers 429 beyond C requests in flight for the
 * account. Every number must end up attached.
 *
 * The request goes straight to an attach-phone process this benchmark started (processes.ts; the gateway has
 * verify_jwt off for it and would only add a proxy hop), so that its CPU can be read. It is warmed up by the same
 * request for another customer's 10 numbers (no added latency), as the repair benchmark warms up: that loads what
 * the attach uses (the SDK's Trunking domain, the LiveKit SDK), which a GET alone does not; the first request's
 * loading is the cold-start benchmark's figure.
 *
 * - time: total time / (1000 x L / C), the least time C concurrent calls of L each can take;
 * - CPU: user + system CPU of that process during the request (cpu.ts) / the Edge Runtime's 2 s budget.
 */
import { atMost, type BenchResult, figure, round } from "./report.ts";
import type { BenchContext } from "./context.ts";
import { addNumbers, type Call, functionRequest, provisionedCustomer, send } from "./customers.ts";
import { cpuFigure, measureCpu } from "./cpu.ts";
import { functionConfig, startServer } from "./processes.ts";
import { bareRequestTimes } from "./bare-requests.ts";
import { mean } from "./stats.ts";

const NUMBERS = 1000;
const WARM_UP_NUMBERS = 10;
const LATENCY_MS = 100;
const CONCURRENCY = 10;

interface AttachAnswer {
  counts: Record<string, number>;
}

export async function bulkAttach(ctx: BenchContext): Promise<BenchResult[]> {
  const [customer, warmUp] = await Promise.all([provisionedCustomer(ctx), provisionedCustomer(ctx)]);
  const [phoneNumbers, warmUpNumbers] = await Promise.all([
    addNumbers(ctx, customer, NUMBERS),
    addNumbers(ctx, warmUp, WARM_UP_NUMBERS),
  ]);
  const server = startServer(ctx, functionConfig(ctx, "attach-phone"));
  try {
    const url = `${await server.ready}/attach-phone`;
    const call = <T>(c: Call) => send<T>(functionRequest(url, c));
    const warmedUp = await call<AttachAnswer>({ token: warmUp.token, body: { phoneNumbers: warmUpNumbers } });
    if (warmedUp.counts.attached !== WARM_UP_NUMBERS) {
      throw new Error(`warm-up attach: ${JSON.stringify(warmedUp.counts)}`);
    }
    await ctx.stack.drainWebhooks();
    await ctx.emulator.setTraffic({ latencyMs: LATENCY_MS, maxConcurrentPerAccount: CONCURRENCY });
    const bareMean = mean(await bareRequestTimes(ctx, customer, { count: 200, concurrency: CONCURRENCY }));
    const sample = await measureCpu(
      server.pid!,
      () => call<AttachAnswer>({ token: customer.token, body: { phoneNumbers } }),
    );
    const { wallMs: ms, value } = sample;
    const attached = value.counts.attached ?? 0;
    const bound = NUMBERS * LATENCY_MS / CONCURRENCY;
    return [
      figure({
        benchmark: "bulk-attach",
        name: `attach ${NUMBERS} numbers / (N x L / C) (L=${LATENCY_MS} ms, C=${CONCURRENCY})`,
        unit: "ms",
        measured: ms,
        baseline: bound,
        target: atMost(1.1, "and 0 failures"),
        alsoRequired: attached === NUMBERS,
        details: [
          { name: "attached", measured: attached },
          { name: "failed", measured: value.counts.failed ?? 0 },
          {
            name: `a bare request through the emulator at L, ${CONCURRENCY} in flight (mean of 200)`,
            measured: round(bareMean, 1),
            unit: "ms",
          },
          {
            name: "time / (N x that / C) (the bound as the emulator delivers it)",
            measured: round(ms / (NUMBERS * bareMean / CONCURRENCY), 3),
          },
          {
            name: "throughput",
            measured: round(attached / (ms / 1000)),
            baseline: CONCURRENCY * 1000 / LATENCY_MS,
            unit: "numbers/s",
          },
        ],
      }),
      cpuFigure({ benchmark: "bulk-attach", name: `CPU attach ${NUMBERS} numbers`, sample }, [
        { name: "per number", measured: round(sample.cpuMs / NUMBERS, 2), unit: "ms" },
      ]),
    ];
  } finally {
    await server.stop();
  }
}
