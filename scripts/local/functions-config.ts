/** Reads the [functions.<name>] blocks of supabase/config.toml, the same ones `supabase functions deploy` uses. */
import { parse } from "smol-toml";
import { join } from "node:path";
import { repoRoot } from "./process.ts";

export interface FunctionConfig {
  name: string;
  verifyJwt: boolean;
  /** Absolute path of the entrypoint module. */
  entrypoint: string;
}

export async function readFunctionsConfig(root = repoRoot): Promise<Map<string, FunctionConfig>> {
  const supabaseDir = join(root, "supabase");
  const toml = parse(await Deno.readTextFile(join(supabaseDir, "config.toml"))) as {
    functions?: Record<string, { verify_jwt?: boolean; entrypoint?: string }>;
  };
  const functions = new Map<string, FunctionConfig>();
  for (const [name, block] of Object.entries(toml.functions ?? {})) {
    functions.set(name, {
      name,
      verifyJwt: block.verify_jwt ?? true,
      entrypoint: join(supabaseDir, block.entrypoint ?? `./functions/${name}/index.ts`),
    });
  }
  return functions;
}
