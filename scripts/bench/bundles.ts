/**
 * The deployable form of a function: `deno bundle --minify` of its entrypoint with the import map of deno.json
 * (npm packages bundled in, dynamic imports inlined), one JavaScript file. Supabase's CLI bundles a function the
 * same way before it deploys it (as an eszip). Built once per run and shared by bundle-size (its size) and
 * cold-start (run as the function).
 */
import { join } from "node:path";
import { repoRoot, runOrThrow } from "../local/process.ts";
import type { FunctionConfig } from "../local/functions-config.ts";
import type { BenchContext } from "./context.ts";

const built = new Map<string, Promise<string>>();

/** The path of `config`'s bundle in the run's scratch folder, built on first use. */
export function bundleOf(ctx: BenchContext, config: FunctionConfig): Promise<string> {
  const out = join(ctx.workDir, "bundles", `${config.name}.js`);
  let bundle = built.get(out);
  if (!bundle) {
    bundle = build(config.entrypoint, out);
    built.set(out, bundle);
    bundle.catch(() => built.delete(out));
  }
  return bundle;
}

/** `config` with its bundle as the entrypoint: started by processes.ts exactly like the function itself. */
export async function bundledConfig(ctx: BenchContext, config: FunctionConfig): Promise<FunctionConfig> {
  return { ...config, name: `${config.name} (bundle)`, entrypoint: await bundleOf(ctx, config) };
}

async function build(entrypoint: string, out: string): Promise<string> {
  await Deno.mkdir(join(out, ".."), { recursive: true });
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
  await Deno.writeTextFile(out, NODE_REQUIRE + await Deno.readTextFile(out));
  return out;
}

/**
 * The SDKs' CommonJS code calls `require("node:util")` and the like; the single file `deno bundle` writes leaves
 * those to a global `require` that an ES module does not have ("Dynamic require ... is not supported"). Supabase
 * deploys an eszip, which keeps each module as it is, so there they resolve: Node's `require` for the bundle
 * stands in for that.
 */
const NODE_REQUIRE =
  'import { createRequire as __createRequire } from "node:module";\nconst require = __createRequire(import.meta.url);\n';
