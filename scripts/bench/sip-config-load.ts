/**
 * 2. get-sip-config throughput and latency. wrk on loopback (16 connections) against the get-sip-config process
 * called as the voice backend calls it (secret key, ?userId= of provisioned users with three numbers each,
 * taken in turn), and in the same run against the baseline: a bare Deno.serve handler running one indexed SELECT
 * through the same driver and pool settings (baselines/select.ts), for the same users.
 *
 * - Both are processes of their own, started alike and hit directly on their own port. The local gateway is
 *   left out: it is a proxy hop that Supabase's real gateway replaces, and it would sit in front of one side only.
 * - The function still formats and writes its request log line, but nobody reads it (stdout goes nowhere), so
 *   no log reader competes for the two cores.
 * - Measuring starts once the machine is quiet: the webhook deliveries the provisioning set off are drained and
 *   the tables analysed (as autovacuum keeps them in a running project), so neither lands in a segment.
 * - Each side is warmed up, then measured in ABBA order twice (baseline, function, function, baseline, ...), so
 *   that drift in the machine's load (other processes) falls on both sides alike. Requests/s is the mean over a
 *   side's segments; p50 and p99 are the means of the segments' wrk percentiles.
 * - Shown beside it: the CPU each request costs the server process and PostgreSQL (all its backends), from
 *   /proc around the segments (cpu.ts), so that a slow run says where its time went.
 */
import { atLeast, type BenchResult, figure, round } from "./report.ts";
import type { BenchContext } from "./context.ts";
import { provisionedCustomer } from "./customers.ts";
import { BASELINES, functionConfig, startServer } from "./processes.ts";
import { load, type LoadOptions, type LoadResult } from "./wrk.ts";
import { mean } from "./stats.ts";
import { clockTicksPerSecond, readCommandCpuTicks, readCpuTicks } from "./cpu.ts";

const USERS = 32;
const CONNECTIONS = 16;
const SEGMENT_SECONDS = 5;
const WARM_UP_SECONDS = 2;

export async function sipConfigThroughput(ctx: BenchContext): Promise<BenchResult[]> {
  const users = [];
  for (let i = 0; i < USERS; i += 8) {
    users.push(...await Promise.all(Array.from({ length: 8 }, () => provisionedCustomer(ctx, 3))));
  }
  const queries = users.map((user) => `?userId=${user.userId}`);
  await ctx.stack.drainWebhooks();
  await ctx
    .db`vacuum analyze public.user_twilio_credentials, public.twilio_credential_secrets, public.twilio_phone_numbers`;
  const quiet = { discardStdout: true };
  const fn = startServer(ctx, functionConfig(ctx, "get-sip-config"), quiet);
  const baseline = startServer(ctx, BASELINES.select, quiet);
  try {
    const common = { connections: CONNECTIONS, seconds: SEGMENT_SECONDS };
    const base: LoadOptions = { ...common, origin: await baseline.ready, paths: queries.map((q) => `/${q}`) };
    const measured: LoadOptions = {
      ...common,
      origin: await fn.ready,
      paths: queries.map((q) => `/get-sip-config${q}`),
      headers: { apikey: ctx.stack.info.secret_key },
    };
    for (const side of [base, measured]) await load({ ...side, seconds: WARM_UP_SECONDS });
    const segments = { base: [] as Segment[], measured: [] as Segment[] };
    const pids = { base: baseline.pid!, measured: fn.pid! };
    for (
      const side of ["base", "measured", "measured", "base", "base", "measured", "measured", "base"] as const
    ) {
      segments[side].push(await loadWithCpu(side === "base" ? base : measured, pids[side]));
    }
    const [b, m] = [meanOf(segments.base), meanOf(segments.measured)];
    const [bCpu, mCpu] = [await cpuPerRequest(segments.base), await cpuPerRequest(segments.measured)];
    return [figure({
      benchmark: "sip-config-load",
      name: `get-sip-config requests/s (${CONNECTIONS} conn, 4x${SEGMENT_SECONDS} s each)`,
      unit: "req/s",
      measured: m.requestsPerSecond,
      baseline: b.requestsPerSecond,
      target: atLeast(0.8),
      details: [
        { name: "p50", measured: round(m.p50Ms, 2), baseline: round(b.p50Ms, 2), unit: "ms" },
        { name: "p99", measured: round(m.p99Ms, 2), baseline: round(b.p99Ms, 2), unit: "ms" },
        { name: "CPU per request: server process", measured: mCpu.server, baseline: bCpu.server, unit: "µs" },
        { name: "CPU per request: PostgreSQL", measured: mCpu.postgres, baseline: bCpu.postgres, unit: "µs" },
      ],
    })];
  } finally {
    await Promise.all([fn.stop(), baseline.stop()]);
  }
}

interface Segment extends LoadResult {
  /** CPU ticks the server process and PostgreSQL spent during the segment. */
  ticks: { server: number; postgres: number };
}

async function loadWithCpu(options: LoadOptions, pid: number): Promise<Segment> {
  const read = async () => ({
    server: (await readCpuTicks(pid)).process,
    postgres: await readCommandCpuTicks("postgres"),
  });
  const before = await read();
  const result = await load(options);
  const after = await read();
  return {
    ...result,
    ticks: { server: after.server - before.server, postgres: after.postgres - before.postgres },
  };
}

async function cpuPerRequest(segments: Segment[]): Promise<{ server: number; postgres: number }> {
  const microsPerTick = 1_000_000 / await clockTicksPerSecond();
  const requests = segments.reduce((sum, segment) => sum + segment.requests, 0);
  const per = (pick: (ticks: Segment["ticks"]) => number) =>
    round(segments.reduce((sum, segment) => sum + pick(segment.ticks), 0) * microsPerTick / requests, 1);
  return { server: per((ticks) => ticks.server), postgres: per((ticks) => ticks.postgres) };
}

function meanOf(results: LoadResult[]): LoadResult {
  const average = (pick: (result: LoadResult) => number) => mean(results.map(pick));
  return {
    requests: results.reduce((sum, result) => sum + result.requests, 0),
    requestsPerSecond: average((result) => result.requestsPerSecond),
    p50Ms: average((result) => result.p50Ms),
    p99Ms: average((result) => result.p99Ms),
  };
}
