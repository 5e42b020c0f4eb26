/**
 * 3. Cold start, as issue 13 defines it: what a request costs the first time a fresh process serves it beyond what
 * the same request costs a warm process.
 *
 *   cold start = first-response time - warm response time
 *
 * - first-response time: from spawning a fresh process that serves only the function (processes.ts, as the
 *   gateway starts one) to the end of its first response. Process start, module evaluation, the lazy imports
 *   and first connections (PostgreSQL, Twilio) the request triggers, and the request's own work.
 * - warm response time: the same request (a fresh one of the same kind: same path, same work, its own customer)
 *   sent next to the same process, from send to end of response. The request's own work alone.
 *
 * The difference is start-up alone, whatever the request does; the old figure (first response vs the baseline's
 * first response) also counted the function's Twilio calls against a baseline that makes none. Per function, the
 * figure is its cold start / the cold start of the baseline that imports the twilio package (baselines/
 * select-twilio.ts: one SELECT plus `import twilio from "twilio"`, its request one SELECT), each the median over
 * REPETITIONS starts (the difference taken per start), after one discarded start of each. Target: <= 1.3.
 *
 * Measured twice, each against the baseline measured the same way:
 * - module cache: the entrypoint run from source with Deno's module cache warm (after the discarded start), as
 *   `supabase functions serve` runs it;
 * - bundle: the deployable bundle (bundles.ts: `deno bundle --minify`, what the Supabase CLI bundles and deploys)
 *   run as the function. One file to parse, every dynamic import already inside it.
 *
 * Shown, not judged: first-response, warm and "listening" (process start to the server's "Listening on") times;
 * get-sip-config against the plain one-SELECT baseline too (its hot path never loads the SDK); and the cold start
 * of the baseline with the SDK's Api and Trunking domains built (what any real Twilio call needs).
 *
 * The first request of each function is a real one, as light as the function allows while doing what its users
 * do: a database read, and for the functions that call Twilio one or two Twilio calls (against the emulator, no
 * added latency), so the SDK's lazy import is inside the first response and not the warm one. (create-main-trunk's
 * other request, a new customer's full provisioning, races the database webhook: see "provisioning".)
 */
import { atMost, type BenchResult, type Detail, figure, round } from "./report.ts";
import type { BenchContext } from "./context.ts";
import { bundledConfig } from "./bundles.ts";
import { type Call, functionRequest, provisionedCustomer, send } from "./customers.ts";
import { BASELINES, functionConfig, startServer } from "./processes.ts";
import type { FunctionConfig } from "../local/functions-config.ts";
import { median } from "./stats.ts";

const REPETITIONS = 5;

const VARIANTS = {
  module: "module cache",
  bundle: "bundle",
} as const;
type Variant = keyof typeof VARIANTS;

interface ColdRequest {
  /** What the request does, for the table. */
  does: string;
  /** A fresh request of this kind; called twice per start (first and warm), before the process starts. */
  prepare(ctx: BenchContext): Promise<Call>;
  /** Throws when the answer shows the request did not do its work. */
  check?(answer: unknown): void;
}

const COLD_REQUESTS: Record<string, ColdRequest> = {
  "get-sip-config": {
    does: "config for the voice backend",
    prepare: async (ctx) => ({
      secretKey: ctx.stack.info.secret_key,
      query: { userId: (await provisionedCustomer(ctx)).userId },
    }),
  },
  "create-main-trunk": {
    does: "new auth token, checked with Twilio",
    prepare: async (ctx) => {
      const customer = await provisionedCustomer(ctx);
      const authToken = await ctx.emulator.rotateToken(customer.credentials.accountSid);
      return { token: customer.token, body: { ...customer.credentials, authToken } };
    },
  },
  "attach-phone": {
    does: "list the account's numbers",
    prepare: async (ctx) => ({ token: (await provisionedCustomer(ctx)).token }),
  },
  "recording-info": {
    does: "the trunk's recording settings",
    prepare: async (ctx) => ({ token: (await provisionedCustomer(ctx)).token, query: { settings: "1" } }),
  },
  "twilio-credentials-webhook": {
    does: "DELETE event: trunk and list deleted",
    prepare: async (ctx) => ({
      method: "POST",
      headers: { "x-webhook-secret": ctx.stack.functionEnv.WEBHOOK_SECRET },
      body: await deletedRowEvent(ctx),
    }),
    check: (answer) => {
      const outcome = (answer as { outcome?: string }).outcome;
      if (outcome !== "deprovisioned") throw new Error(`webhook DELETE event: outcome ${outcome}`);
    },
  },
};

interface Target {
  /** Samples are kept under this name. */
  name: string;
  configs: Record<Variant, FunctionConfig>;
  /** Path of the request. */
  path: string;
  request: ColdRequest;
}

interface Sample {
  first: number;
  warm: number;
  listening: number;
  cold: number;
}

export async function coldStart(ctx: BenchContext): Promise<BenchResult[]> {
  const names = [...ctx.functions.keys()];
  const missing = names.filter((name) => !COLD_REQUESTS[name]);
  if (missing.length) throw new Error(`no cold-start request defined for ${missing.join(", ")}`);
  const baselineUser = await provisionedCustomer(ctx);
  const baselineRequest: ColdRequest = {
    does: "one SELECT",
    prepare: () => Promise.resolve({ query: { userId: baselineUser.userId } }),
  };
  const target = async (name: string, config: FunctionConfig, path: string, request: ColdRequest) => ({
    name,
    configs: { module: config, bundle: await bundledConfig(ctx, config) },
    path,
    request,
  });
  const targets: Target[] = [
    ...await Promise.all(
      Object.values(BASELINES).map((config) => target(config.name, config, "/", baselineRequest)),
    ),
    ...await Promise.all(
      names.map((name) => target(name, functionConfig(ctx, name), `/${name}`, COLD_REQUESTS[name])),
    ),
  ];
  const samples = new Map<string, Sample[]>();
  for (let repetition = 0; repetition <= REPETITIONS; repetition++) {
    for (const target of targets) {
      for (const variant of Object.keys(VARIANTS) as Variant[]) {
        const sample = await startCold(ctx, target, variant);
        if (repetition === 0) continue; // warm-up: Deno's module and code caches
        const key = `${target.name} ${variant}`;
        samples.set(key, [...samples.get(key) ?? [], sample]);
      }
    }
  }
  const medians = (name: string, variant: Variant) => {
    const own = samples.get(`${name} ${variant}`)!;
    const of = (key: keyof Sample) => median(own.map((sample) => sample[key]));
    return { cold: of("cold"), first: of("first"), warm: of("warm"), listening: of("listening") };
  };

  const results: BenchResult[] = [];
  for (const variant of Object.keys(VARIANTS) as Variant[]) {
    const plain = medians(BASELINES.select.name, variant);
    const baseline = medians(BASELINES.selectTwilio.name, variant);
    const withDomains = medians(BASELINES.selectTwilioDomains.name, variant);
    names.forEach((name, index) => {
      const own = medians(name, variant);
      const details: Detail[] = [
        { name: `request: ${COLD_REQUESTS[name].does}`, measured: "" },
        { name: "first response", measured: round(own.first), baseline: round(baseline.first), unit: "ms" },
        { name: "warm response", measured: round(own.warm), baseline: round(baseline.warm), unit: "ms" },
        {
          name: "listening after",
          measured: round(own.listening),
          baseline: round(baseline.listening),
          unit: "ms",
        },
      ];
      if (name === "get-sip-config") {
        details.push({
          name: "vs the one-SELECT baseline (no twilio)",
          measured: round(own.cold),
          baseline: round(plain.cold),
          unit: "ms",
        }, { name: "  ratio", measured: round(own.cold / plain.cold, 2) });
      }
      if (index === 0) {
        details.push(
          { name: "cold start, one-SELECT baseline (no twilio)", measured: round(plain.cold), unit: "ms" },
          {
            name: "cold start, baseline with Api and Trunking built",
            measured: round(withDomains.cold),
            unit: "ms",
          },
        );
      }
      results.push(figure({
        benchmark: "cold-start",
        name: `cold start ${name} (${VARIANTS[variant]}) / SELECT+twilio`,
        unit: "ms",
        measured: own.cold,
        baseline: baseline.cold,
        target: atMost(1.3),
        details,
      }));
    });
  }
  return results;
}

/** One fresh process: its first response, then the warm one. */
async function startCold(ctx: BenchContext, target: Target, variant: Variant): Promise<Sample> {
  const [firstCall, warmCall] = await Promise.all([
    target.request.prepare(ctx),
    target.request.prepare(ctx),
  ]);
  await ctx.stack.drainWebhooks(); // nothing of the preparation still running beside the measurement
  const started = performance.now();
  const server = startServer(ctx, target.configs[variant]);
  try {
    const url = await server.ready + target.path;
    const listening = performance.now() - started;
    const firstAnswer = await send(functionRequest(url, firstCall));
    const first = performance.now() - started;
    const warmStarted = performance.now();
    const warmAnswer = await send(functionRequest(url, warmCall));
    const warm = performance.now() - warmStarted;
    target.request.check?.(firstAnswer);
    target.request.check?.(warmAnswer);
    return { first, warm, listening, cold: first - warm };
  } finally {
    await server.stop();
  }
}

/**
 * The database webhook's DELETE event for a provisioned customer's row, as Supabase sends it. The row is deleted
 * with only the webhook's trigger off (its teardown is recorded as usual), so the process under test is the one
 * that tears it down.
 */
async function deletedRowEvent(ctx: BenchContext) {
  const customer = await provisionedCustomer(ctx);
  const [row] = await ctx.db.begin(async (tx) => {
    await tx`alter table public.user_twilio_credentials disable trigger twilio_credentials_webhook`;
    const deleted = await tx`delete from public.user_twilio_credentials
      where user_id = ${customer.userId} returning *`;
    await tx`alter table public.user_twilio_credentials enable trigger twilio_credentials_webhook`;
    return deleted;
  });
  return {
    type: "DELETE",
    table: "user_twilio_credentials",
    schema: "public",
    record: null,
    old_record: row,
  };
}
