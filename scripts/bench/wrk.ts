/**
 * wrk (Debian's package), the load generator of the throughput benchmark: a C program with its own event loop,
 * so it takes little of the two cores from the servers it measures. Installed with apt-get when missing and we
 * are root, like PostgreSQL.
 */
import { run, runOrThrow } from "../local/process.ts";

export async function ensureWrk(): Promise<void> {
  if (await hasWrk()) return;
  if (Deno.uid() !== 0) {
    throw new Error(
      "wrk is not installed: apt-get install wrk (or run the benchmarks as root to install it)",
    );
  }
  console.error("[bench] installing Debian's wrk package (one time)...");
  const env = { DEBIAN_FRONTEND: "noninteractive" };
  await runOrThrow("apt-get", ["update", "-qq"], { env });
  await runOrThrow("apt-get", ["install", "-y", "-qq", "--no-install-recommends", "wrk"], { env });
}

async function hasWrk(): Promise<boolean> {
  try {
    await run("wrk", ["-v"]); // prints its version and exits 1
    return true;
  } catch {
    return false;
  }
}

export interface LoadOptions {
  /** Scheme, host and port. */
  origin: string;
  /** Requested in turn, one per request. */
  paths: string[];
  headers?: Record<string, string>;
  connections: number;
  seconds: number;
}

export interface LoadResult {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
}

/** One wrk run (one thread); any non-2xx answer or socket error fails it: an error is not throughput. */
export async function load(options: LoadOptions): Promise<LoadResult> {
  const script = await Deno.makeTempFile({ suffix: ".lua" });
  try {
    await Deno.writeTextFile(script, rotatingPaths(options.paths));
    const { stdout } = await runOrThrow("wrk", [
      "-t1",
      `-c${options.connections}`,
      `-d${options.seconds}s`,
      "--latency",
      "-s",
      script,
      ...Object.entries(options.headers ?? {}).flatMap(([name, value]) => ["-H", `${name}: ${value}`]),
      options.origin,
    ]);
    const bad = stdout.match(/Non-2xx or 3xx responses: (\d+)/)?.[1];
    const socketErrors = stdout.match(/Socket errors: (.*)/)?.[1];
    if (bad || socketErrors) {
      throw new Error(`wrk saw errors (non-2xx: ${bad ?? 0}; socket: ${socketErrors ?? "none"})`);
    }
    return {
      requestsPerSecond: Number(match(stdout, /Requests\/sec:\s+([\d.]+)/)),
      p50Ms: durationMs(match(stdout, /^\s+50%\s+(\S+)/m)),
      p99Ms: durationMs(match(stdout, /^\s+99%\s+(\S+)/m)),
      requests: Number(match(stdout, /(\d+) requests in/)),
    };
  } finally {
    await Deno.remove(script);
  }
}

/** A wrk script that sends the paths in turn (with the -H headers). */
function rotatingPaths(paths: string[]): string {
  return `local paths = { ${paths.map((path) => JSON.stringify(path)).join(", ")} }
local i = 0
request = function()
  i = i % #paths + 1
  return wrk.format(nil, paths[i])
end
`;
}

function match(text: string, pattern: RegExp): string {
  const found = text.match(pattern)?.[1];
  if (found === undefined) throw new Error(`unexpected wrk output (no ${pattern}):\n${text}`);
  return found;
}

const UNIT_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000 };

function durationMs(text: string): number {
  const [, value, unit] = text.match(/^([\d.]+)(us|ms|s|m)$/) ?? [];
  if (!unit) throw new Error(`unexpected wrk duration ${text}`);
  return Number(value) * UNIT_MS[unit];
}
