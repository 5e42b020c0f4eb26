/** Where `deno task dev` keeps its state (.local/, gitignored) and how status/token find the running stack. */
import { join } from "node:path";
import { repoRoot } from "./process.ts";
import type { StackInfo } from "./stack.ts";

/** LOCAL_STATE_DIR moves it, so a second stack (the dev test) can run beside yours. */
export const localDir = Deno.env.get("LOCAL_STATE_DIR") ?? join(repoRoot, ".local");
export const stackFile = join(localDir, "stack.json");

export interface RunningStack extends StackInfo {
  pid: number;
  /** The example page `task dev` serves (null when it could not be built). */
  web_url: string | null;
}

/** The stack `deno task dev` is running, or undefined when none answers. */
export async function readRunningStack(): Promise<RunningStack | undefined> {
  let stack: RunningStack;
  try {
    stack = JSON.parse(await Deno.readTextFile(stackFile));
  } catch {
    return undefined;
  }
  const healthy = await fetch(`${stack.api_url}/_local/health`, { signal: AbortSignal.timeout(2000) })
    .then(async (res) => (await res.body?.cancel(), res.ok), () => false);
  return healthy ? stack : undefined;
}

/** Reads a JSON file, or creates it with `make()` the first time, so keys survive restarts of the stack. */
export async function persistedJson<T>(path: string, make: () => Promise<T> | T): Promise<T> {
  try {
    return JSON.parse(await Deno.readTextFile(path)) as T;
  } catch {
    const value = await make();
    await Deno.mkdir(localDir, { recursive: true });
    await Deno.writeTextFile(path, JSON.stringify(value, null, 2), { mode: 0o600 });
    return value;
  }
}
