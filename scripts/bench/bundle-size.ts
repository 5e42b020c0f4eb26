/**
 * 4. Bundle size. The deployable bundle of each function (bundles.ts: `deno bundle --minify`, npm packages
 * bundled in), next to the same for the baseline handlers: the one-SELECT handler, and the same plus the
 * official twilio package imported as its README shows. Target: no bigger than that second baseline (the usual
 * way to use the SDK), and well inside Supabase's 20 MB limit for a function (here: at most a quarter of it).
 */
import { atMost, type BenchResult, figure } from "./report.ts";
import type { BenchContext } from "./context.ts";
import { bundleOf } from "./bundles.ts";
import { BASELINES } from "./processes.ts";
import type { FunctionConfig } from "../local/functions-config.ts";

const SUPABASE_LIMIT_BYTES = 20 * 1024 * 1024;
const WELL_INSIDE_BYTES = SUPABASE_LIMIT_BYTES / 4;

export async function bundleSize(ctx: BenchContext): Promise<BenchResult[]> {
  const bundle = async (config: FunctionConfig) => (await Deno.stat(await bundleOf(ctx, config))).size;
  const plain = await bundle(BASELINES.select);
  const withTwilio = await bundle(BASELINES.selectTwilio);
  const results: BenchResult[] = [];
  for (const config of ctx.functions.values()) {
    const bytes = await bundle(config);
    results.push(figure({
      benchmark: "bundle-size",
      name: `bundle ${config.name} / SELECT+twilio`,
      unit: "bytes",
      measured: bytes,
      baseline: withTwilio,
      target: atMost(1, `and <= ${WELL_INSIDE_BYTES / 1024 / 1024} MB`),
      alsoRequired: bytes <= WELL_INSIDE_BYTES,
      details: [{
        name: "share of Supabase's 20 MB limit",
        measured: `${(100 * bytes / SUPABASE_LIMIT_BYTES).toFixed(1)} %`,
      }],
    }));
  }
  results[0].details!.push({
    name: "one-SELECT baseline alone",
    measured: plain,
    unit: "bytes",
  });
  return results;
}
