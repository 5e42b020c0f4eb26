/**
 * 3. Cold start. For each function: the time from starting a fresh process that serves only that function to
 * its first successful response. Beside it, in the same run and interleaved with it, the two baselines started
 * cold the same way: the one-SELECT handler, and the same plus `import twilio from "twilio"`. get-sip-config is
 * compared with the first, the functions that call Twilio with the second.
 *
 * The first request is a real one, as light as the function allows while still doing what the baseline does: a
 * database read, and for the functions that call Twilio one or two Twilio calls (against the emulator, no added
 * latency), so the SDK's lazy import is inside the measurement. (create-main-trunk's other first request, a new
 * customer's full provisioning, is mostly work rather than start-up, and races the database webhook, which
 * provisions the same row from a warm process: see "provisioning" for its latency.)
 *
 * Median of REPETITIONS, after one discarded start of each: Deno's module cache is warm, as on Supabase after a
 * deploy, so what is measured is process start, module evaluation, the first PostgreSQL connection and the
 * request, not downloading or transpiling.
 */
import { atMost, type BenchResult, type Detail, figure, round } from "./report.ts";
import type { BenchContext } from "./context.ts";
import { type Call, functionRequest, provisionedCustomer, send } from "./customers.ts";
import { BASELINES, functionConfig, startServer } from "./processes.ts";
import type { FunctionConfig } from "../local/functions-config.ts";
import { median } from "./stats.ts";

const REPETITIONS = 7;

type Baseline = keyof typeof BASELINES;

interface ColdRequest {
  /** The baseline this function is held to. */
  baseline: Baseline;
  /** What the first request does, for the table. */
  does: string;
  /** The request to send first; called once per start, before the process starts. */
  prepare(ctx: BenchContext): Promise<Call>;
}

const COLD_REQUESTS: Record<string, ColdRequest> = {
  "get-sip-config": {
    baseline: "select",
    does: "config for the voice backend",
    prepare: async (ctx) => ({
      secretKey: ctx.stack.info.secret_key,
      query: { userId: (await provisionedCustomer(ctx)).userId },
    }),
  },
  "create-main-trunk": {
    baseline: "selectTwilio",
    does: "new auth token, checked with Twilio",
    prepare: async (ctx) => {
      const customer = await provisionedCustomer(ctx);
      const authToken = await ctx.emulator.rotateToken(customer.credentials.accountSid);
      return { token: customer.token, body: { ...customer.credentials, authToken } };
    },
  },
  "attach-phone": {
    baseline: "selectTwilio",
    does: "list the account's numbers",
    prepare: async (ctx) => ({ token: (await provisionedCustomer(ctx)).token }),
  },
  "recording-info": {
    baseline: "selectTwilio",
    does: "the trunk's recording settings",
    prepare: async (ctx) => ({ token: (await provisionedCustomer(ctx)).token, query: { settings: "1" } }),
  },
  "twilio-credentials-webhook": {
    baseline: "selectTwilio",
    does: "DELETE event: trunk and list deleted",
    prepare: async (ctx) => ({
      method: "POST",
      headers: { "x-webhook-secret": ctx.stack.functionEnv.WEBHOOK_SECRET },
      body: await deletedRowEvent(ctx),
    }),
  },
};

interface Target {
  /** Samples are kept under this name. */
  name: string;
  config: FunctionConfig;
  /** Path of the first request. */
  path: string;
  prepare(ctx: BenchContext): Promise<Call>;
}

export async function coldStart(ctx: BenchContext): Promise<BenchResult[]> {
  const names = [...ctx.functions.keys()];
  const missing = names.filter((name) => !COLD_REQUESTS[name]);
  if (missing.length) throw new Error(`no cold-start request defined for ${missing.join(", ")}`);
  const baselineUser = await provisionedCustomer(ctx);
  const baselineCall = () => Promise.resolve({ query: { userId: baselineUser.userId } });
  const targets: Target[] = [
    ...Object.values(BASELINES).map((config) => ({
      name: config.name,
      config,
      path: "/",
      prepare: baselineCall,
    })),
    ...names.map((name) => ({
      name,
      config: functionConfig(ctx, name),
      path: `/${name}`,
      prepare: COLD_REQUESTS[name].prepare,
    })),
  ];
  const samples = new Map(
    targets.map((target) => [target.name, { total: [] as number[], listening: [] as number[] }]),
  );
  for (let repetition = 0; repetition <= REPETITIONS; repetition++) {
    for (const target of targets) {
      const sample = await startCold(ctx, target);
      if (repetition === 0) continue; // warm-up
      samples.get(target.name)!.total.push(sample.total);
      samples.get(target.name)!.listening.push(sample.listening);
    }
  }
  const medians = (name: string) => {
    const { total, listening } = samples.get(name)!;
    return { total: median(total), listening: median(listening) };
  };
  const plain = medians(BASELINES.select.name);
  const withTwilio = medians(BASELINES.selectTwilio.name);
  const withDomains = medians(BASELINES.selectTwilioDomains.name);
  const sdkDetails: Detail[] = [
    {
      name: "twilio import's share of the second baseline",
      measured: `${Math.round(100 * (withTwilio.total - plain.total) / withTwilio.total)} %`,
    },
    {
      name: "second baseline with the Api and Trunking domains built",
      measured: round(withDomains.total),
      unit: "ms",
    },
  ];
  return names.map((name, index) => {
    const { baseline: baselineName, does } = COLD_REQUESTS[name];
    const baseline = baselineName === "select" ? plain : withTwilio;
    const own = medians(name);
    const details: Detail[] = [
      { name: `first request: ${does}`, measured: "" },
      {
        name: "listening after",
        measured: round(own.listening),
        baseline: round(baseline.listening),
        unit: "ms",
      },
    ];
    if (index === 0) details.push(...sdkDetails);
    return figure({
      benchmark: "cold-start",
      name: `cold start ${name} / ${baselineName === "select" ? "SELECT" : "SELECT+twilio"}`,
      unit: "ms",
      measured: own.total,
      baseline: baseline.total,
      target: atMost(1.3),
      details,
    });
  });
}

async function startCold(ctx: BenchContext, target: Target) {
  const call = await target.prepare(ctx);
  const started = performance.now();
  const server = startServer(ctx, target.config);
  try {
    const url = await server.ready;
    const listening = performance.now() - started;
    await send(functionRequest(url + target.path, call));
    return { total: performance.now() - started, listening };
  } finally {
    await server.stop();
  }
}

/**
 * The database webhook's DELETE event for a provisioned customer's row, as Supabase sends it, with the row
 * deleted without firing the stack's own webhook (so the process under test is the one that deprovisions).
 */
async function deletedRowEvent(ctx: BenchContext) {
  const customer = await provisionedCustomer(ctx);
  const [row] = await ctx.db.begin(async (tx) => {
    await tx`set local session_replication_role = replica`;
    return await tx`delete from public.user_twilio_credentials where user_id = ${customer.userId} returning *`;
  });
  return {
    type: "DELETE",
    table: "user_twilio_credentials",
    schema: "public",
    record: null,
    old_record: row,
  };
}
