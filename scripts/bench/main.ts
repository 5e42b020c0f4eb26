/**
 * `deno task bench [--out file.json] [--only name,...]`: every benchmark against one throw-away local stack and
 * its Twilio and LiveKit emulators. Prints a table (figure, measured, baseline, ratio, target) and writes the same
 * as JSON (default: bench-results.json in the repository root). Each figure is a ratio to a baseline measured in
 * the same run on the same machine; see each module for what is measured and against what.
 */
import { parseArgs } from "node:util";
import { join } from "node:path";
import { repoRoot } from "../local/process.ts";
import { backfillThroughput } from "./backfill.ts";
import { bulkAttach } from "./bulk-attach.ts";
import { bundleSize } from "./bundle-size.ts";
import { coldStart } from "./cold-start.ts";
import { type BenchContext, startBenchContext } from "./context.ts";
import { provisioningCriticalPath } from "./provisioning.ts";
import { recordingsPage } from "./recordings-page.ts";
import { repairAfterDrift } from "./repair.ts";
import { type BenchResult, failure, formatTable } from "./report.ts";
import { sipConfigThroughput } from "./sip-config-load.ts";
import { ensureWrk } from "./wrk.ts";

const BENCHMARKS: [string, (ctx: BenchContext) => Promise<BenchResult[]>][] = [
  ["provisioning", provisioningCriticalPath],
  ["sip-config-load", sipConfigThroughput],
  ["cold-start", coldStart],
  ["bundle-size", bundleSize],
  ["bulk-attach", bulkAttach],
  ["backfill", backfillThroughput],
  ["repair", repairAfterDrift],
  ["recordings-page", recordingsPage],
];

const { values } = parseArgs({
  args: Deno.args,
  options: { out: { type: "string" }, only: { type: "string" } },
});
const out = values.out ?? join(repoRoot, "bench-results.json");
const only = values.only?.split(",");
const selected = BENCHMARKS.filter(([name]) => !only || only.includes(name));
if (selected.length === 0) {
  console.error(`No benchmark matches --only; there are: ${BENCHMARKS.map(([name]) => name).join(", ")}`);
  Deno.exit(2);
}

const started = performance.now();
await ensureWrk();
console.error("[bench] starting the local stack...");
const ctx = await startBenchContext();
const results: BenchResult[] = [];
try {
  for (const [name, run] of selected) {
    console.error(`[bench] ${name}...`);
    const benchStarted = performance.now();
    try {
      results.push(...await run(ctx));
    } catch (error) {
      console.error(`[bench] ${name} failed:`, error);
      results.push(failure(name, error));
    } finally {
      await ctx.emulator.resetTraffic();
      await ctx.livekit.setLatency(0);
    }
    console.error(`[bench] ${name} took ${((performance.now() - benchStarted) / 1000).toFixed(1)} s`);
  }
} finally {
  await ctx.close();
}

console.log(
  `deno ${Deno.version.deno}, ${navigator.hardwareConcurrency} cores, ${new Date().toISOString()}\n`,
);
console.log(formatTable(results));
const met = results.filter((result) => result.met).length;
console.log(
  `\n${met} of ${results.length} targets met; ${((performance.now() - started) / 1000).toFixed(0)} s`,
);
await Deno.writeTextFile(out, JSON.stringify(results, null, 2) + "\n");
console.log(`written to ${out}`);
Deno.exit(results.some((result) => result.error) ? 1 : 0);
