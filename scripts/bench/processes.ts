/**
 * Server processes started the way the local gateway starts a function (scripts/local/function-worker.ts: one
 * Deno process, the function's environment, DENO_SERVE_ADDRESS on a free port), for a function of config.toml or
 * for a baseline handler in scripts/bench/baselines/. Used directly, without the gateway in front.
 */
import { join } from "node:path";
import type { FunctionConfig } from "../local/functions-config.ts";
import { FunctionWorker, type WorkerOptions } from "../local/function-worker.ts";
import type { BenchContext } from "./context.ts";

export interface ServerProcess {
  name: string;
  /** Resolves with the base URL once the process prints "Listening on". */
  ready: Promise<string>;
  /** The process's id (for its CPU time in /proc: cpu.ts); undefined once stopped. */
  readonly pid: number | undefined;
  stop(): Promise<void>;
}

/** The baseline handlers, each a file in baselines/ run exactly like a function. */
export const BASELINES = {
  /** One indexed SELECT through the functions' driver and pool settings, the row as JSON. */
  select: baselineConfig("select"),
  /** The same, plus `import twilio from "twilio"` as the SDK's README shows it. */
  selectTwilio: baselineConfig("select-twilio"),
  /** The same, with the Api and Trunking domains built (the SDK loads them on first use). Shown, not judged. */
  selectTwilioDomains: baselineConfig("select-twilio-domains"),
} as const;

function baselineConfig(name: string): FunctionConfig {
  return {
    name: `baseline-${name}`,
    verifyJwt: false,
    entrypoint: join(import.meta.dirname!, "baselines", `${name}.ts`),
  };
}

/**
 * Starts a fresh process serving only `config`, with the functions' environment (or `env`); its output goes to the
 * bench log.
 */
export function startServer(
  ctx: BenchContext,
  config: FunctionConfig,
  options: WorkerOptions = {},
  env: Record<string, string> = ctx.stack.functionEnv,
): ServerProcess {
  const worker = new FunctionWorker(config, env, ctx.log, options);
  return {
    name: config.name,
    ready: worker.url(),
    get pid() {
      return worker.pid;
    },
    stop: () => worker.stop(),
  };
}

export function functionConfig(ctx: BenchContext, name: string): FunctionConfig {
  const config = ctx.functions.get(name);
  if (!config) throw new Error(`${name} is not in supabase/config.toml`);
  return config;
}
