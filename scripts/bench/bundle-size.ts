/**
 * 4. Bundle size. `deno bundle --minify` of each function's entrypoint (the import map of deno.json, npm packages
 * bundled in), next to the same for the baseline handlers: the one-SELECT handler, and the same plus the
 * official twilio package imported as its README shows. Target: no bigger than that second baseline (the usual
 * way to use the SDK), and well inside Supabase's 20 MB limit for a function (here: at most a quarter of it).
 */
import { join } from "node:path";
import { repoRoot, runOrThrow } from "../local/process.ts";
import { atMost, type BenchResult, figure } from "./report.ts";
import type { BenchContext } from "./context.ts";
import { BASELINES } from "./processes.ts";

const SUPABASE_LIMIT_BYTES = 20 * 1024 * 1024;
const WELL_INSIDE_BYTES = SUPABASE_LIMIT_BYTES / 4;

export async function bundleSize(ctx: BenchContext): Promise<BenchResult[]> {
  const outDir = join(ctx.workDir, "bundles");
  await Deno.mkdir(outDir, { recursive: true });
  const bundle = async (name: string, entrypoint: string) => {
    const out = join(outDir, `${name}.js`);
    await runOrThrow(Deno.execPath(), [
      "bundle",
      "--quiet",
      "--minify",
      "--platform",
      "deno",
      "--config",
      join(repoRoot, "deno.json"),
      "--output",
      out,
      entrypoint,
    ], { env: { NO_COLOR: "1" } });
    return (await Deno.stat(out)).size;
  };
  const plain = await bundle(BASELINES.select.name, BASELINES.select.entrypoint);
  const withTwilio = await bundle(BASELINES.selectTwilio.name, BASELINES.selectTwilio.entrypoint);
  const results: BenchResult[] = [];
  for (const config of ctx.functions.values()) {
    const bytes = await bundle(config.name, config.entrypoint);
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
