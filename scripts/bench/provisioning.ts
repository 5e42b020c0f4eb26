/**
 * 1. Provisioning critical path, with the LiveKit side off and on. Both emulators add a fixed latency L to every
 * request. Fresh users, one at a time, each with a Twilio account of its own and one number in it, are onboarded
 * as a client does it: create-main-trunk, then attach-phone with that number, each request sent straight to a
 * process this benchmark started (processes.ts) with the functions' environment, for "off" without the three
 * LIVEKIT_URL / _API_KEY / _API_SECRET settings that switch the LiveKit side on. Figures:
 *
 * - create-main-trunk p50 / L, LiveKit off: two dependent Twilio round trips make the floor 2 (the original
 *   sequential design needed about 7 plus sleeps);
 * - create-main-trunk p50 with LiveKit on / the Twilio-only floor (2 L). LiveKit refuses trunks without numbers,
 *   so a new customer's LiveKit objects come with the first attached number and this request sends LiveKit
 *   nothing (counted in the emulator's request log);
 * - the first number's attach-phone p50 with LiveKit on / its Twilio-only floor (2 L: the number's lookup and its
 *   attach). The outbound trunk, inbound trunk and dispatch rule are created there, after the attach (their
 *   numbers are the attached ones); the outbound trunk beside the inbound trunk and its rule, so LiveKit adds 3
 *   dependent requests (look up what a crashed run left, create the inbound trunk, create its rule): floor 5 L.
 */
import { atMost, type BenchResult, type Detail, figure, round } from "./report.ts";
import type { BenchContext } from "./context.ts";
import { addNumbers, type Customer, functionRequest, newCustomer, send } from "./customers.ts";
import { functionConfig, startServer } from "./processes.ts";
import { median, percentile, timed } from "./stats.ts";
import { bareRequestTimes } from "./bare-requests.ts";

const LATENCY_MS = 100;
const USERS = 20;
/** Twilio round trips on each request's critical path (see above). */
const TWILIO_ROUNDS = { create: 2, attach: 2 };
/** Dependent LiveKit requests the first attach adds. */
const LIVEKIT_ROUNDS_FIRST_ATTACH = 3;
/** create-main-trunk p50 with the LiveKit side off, in L: 7.5 % over its floor of 2 round trips. */
const CREATE_TARGET = 2.15;
/** The margin over a floor the LiveKit-on figures are held to. */
const MARGIN = 1.25;

interface Onboarding {
  createMs: number[];
  attachMs: number[];
  /** LiveKit requests per create-main-trunk and per attach, as the emulator received them. */
  livekitRequests: { create: number[]; attach: number[] };
  /** A request that does nothing but cross the emulator at L (bare-requests.ts), median of 20. */
  bareRoundTripMs: number;
}

export async function provisioningCriticalPath(ctx: BenchContext): Promise<BenchResult[]> {
  const off = await onboard(ctx, withoutLiveKit(ctx.stack.functionEnv));
  const on = await onboard(ctx, ctx.stack.functionEnv);
  const floor = (rounds: number) => rounds * LATENCY_MS;
  const p90 = (samples: number[]): Detail => ({
    name: "p90",
    measured: round(percentile(samples, 90)),
    unit: "ms",
  });
  const liveKitOff = (samples: number[]): Detail => ({
    name: "p50 with LiveKit off",
    measured: round(median(samples)),
    unit: "ms",
  });
  const requests = (counts: number[]): Detail => ({
    name: "LiveKit requests per call",
    measured: counts.every((count) => count === counts[0])
      ? counts[0]
      : `${Math.min(...counts)}-${Math.max(...counts)}`,
  });
  const attachFloor = floor(TWILIO_ROUNDS.attach + LIVEKIT_ROUNDS_FIRST_ATTACH);
  return [
    figure({
      benchmark: "provisioning",
      name: `create-main-trunk p50 / L, LiveKit off (${USERS} users, L=${LATENCY_MS} ms)`,
      unit: "ms",
      measured: median(off.createMs),
      baseline: LATENCY_MS,
      target: atMost(CREATE_TARGET),
      details: [
        p90(off.createMs),
        { name: "floor: 2 round trips", measured: floor(TWILIO_ROUNDS.create), unit: "ms" },
        {
          name: "one bare request through the emulator at L (median of 20)",
          measured: round(off.bareRoundTripMs, 1),
          unit: "ms",
        },
        {
          name: "p50 / 2 bare requests (the floor as the emulator delivers it)",
          measured: round(median(off.createMs) / (TWILIO_ROUNDS.create * off.bareRoundTripMs), 3),
        },
      ],
    }),
    figure({
      benchmark: "provisioning",
      name: "create-main-trunk p50, LiveKit on (L on LiveKit too) / the Twilio-only floor (2 L)",
      unit: "ms",
      measured: median(on.createMs),
      baseline: floor(TWILIO_ROUNDS.create),
      target: atMost(MARGIN),
      details: [p90(on.createMs), liveKitOff(off.createMs), requests(on.livekitRequests.create)],
    }),
    figure({
      benchmark: "provisioning",
      name: "first number's attach-phone p50, LiveKit on / its Twilio-only floor (2 L)",
      unit: "ms",
      measured: median(on.attachMs),
      baseline: floor(TWILIO_ROUNDS.attach),
      target: atMost(
        round(MARGIN * attachFloor / floor(TWILIO_ROUNDS.attach), 2),
        `(${MARGIN} x its floor of 5 L)`,
      ),
      details: [
        p90(on.attachMs),
        liveKitOff(off.attachMs),
        requests(on.livekitRequests.attach),
        { name: "floor: 2 Twilio + 3 LiveKit round trips", measured: attachFloor, unit: "ms" },
      ],
    }),
  ];
}

/** The environment without the settings that switch the LiveKit side on (the Twilio side's LIVEKIT_SIP_URI stays). */
export function withoutLiveKit(env: Record<string, string>): Record<string, string> {
  const { LIVEKIT_URL: _url, LIVEKIT_API_KEY: _key, LIVEKIT_API_SECRET: _secret, ...rest } = env;
  return rest;
}

/** Onboards USERS fresh customers one at a time through processes running with `env`, timing each request. */
async function onboard(ctx: BenchContext, env: Record<string, string>): Promise<Onboarding> {
  const servers = ["create-main-trunk", "attach-phone"].map((name) =>
    startServer(ctx, functionConfig(ctx, name), {}, env)
  );
  try {
    const [createUrl, attachUrl] = await Promise.all(
      servers.map(async (server) => `${await server.ready}/${server.name}`),
    );
    const customers = await Promise.all(
      Array.from({ length: USERS + 1 }, async () => {
        const customer = await newCustomer(ctx);
        return { customer, number: (await addNumbers(ctx, customer, 1))[0] };
      }),
    );
    const steps = ({ customer, number }: { customer: Customer; number: string }) => ({
      create: () => send(functionRequest(createUrl, { token: customer.token, body: customer.credentials })),
      attach: async () => {
        const answer = await send<AttachAnswer>(
          functionRequest(attachUrl, { token: customer.token, body: { phoneNumber: number } }),
        );
        if (answer.counts.attached !== 1 || answer.livekit?.synced === false) {
          throw new Error(`attach-phone: ${JSON.stringify(answer)}`);
        }
      },
    });
    // Starts both processes and loads their SDKs (twilio, livekit-server-sdk): not what is measured.
    const [warmUp, ...measured] = customers;
    await steps(warmUp).create();
    await steps(warmUp).attach();
    await ctx.stack.drainWebhooks();
    await ctx.emulator.setTraffic({ latencyMs: LATENCY_MS });
    await ctx.livekit.setLatency(LATENCY_MS);
    await ctx.livekit.takeRequestCount();
    const result: Onboarding = {
      createMs: [],
      attachMs: [],
      livekitRequests: { create: [], attach: [] },
      bareRoundTripMs: median(await bareRequestTimes(ctx, warmUp.customer, { count: 20, concurrency: 1 })),
    };
    for (const customer of measured) {
      for (const step of ["create", "attach"] as const) {
        result[`${step}Ms`].push((await timed(steps(customer)[step])).ms);
        result.livekitRequests[step].push(await ctx.livekit.takeRequestCount());
      }
    }
    return result;
  } finally {
    await ctx.emulator.resetTraffic();
    await ctx.livekit.setLatency(0);
    await Promise.all(servers.map((server) => server.stop()));
  }
}

interface AttachAnswer {
  counts: Record<string, number>;
  livekit?: { synced: boolean };
}
