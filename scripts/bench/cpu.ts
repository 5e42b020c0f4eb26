/**
 * CPU time of one request in one function process, read from Linux's /proc: user + system time (`utime` and
 * `stime`, fields 14 and 15 of /proc/<pid>/stat, in clock ticks of `getconf CLK_TCK`, usually 100 a second) just
 * before the request is sent and just after its response body has been read. The process is one the benchmark
 * started itself (processes.ts) and sends the request to directly, so no other request shares it.
 *
 * - Whole process: every thread of the Deno process (the JS thread, V8's GC and compiler helpers, the I/O
 *   threads), which is what the figures judge. The Edge Runtime's 2 s budget counts the CPU of the worker's isolate
 *   (async I/O waits excluded); that is at most this, so a figure under the budget here is under it there.
 * - Main thread alone (/proc/<pid>/task/<pid>/stat): where `deno run` runs the JS; shown beside it.
 * - Resolution is one tick (10 ms at 100 Hz) and the kernel charges ticks by sampling, so a single reading of a
 *   short request is ±1 tick; short requests are measured several times.
 * - Work a request leaves running after its response (EdgeRuntime.waitUntil) would not be in the reading; none of
 *   the requests measured here leaves any (they answer once their work is done).
 *
 * ```ts
 * const sample = await measureCpu(server.pid!, () => send(request));
 * sample.cpuMs; // user + system CPU of the function process during the request
 * ```
 */
import { atMost, type BenchResult, type Detail, figure, round } from "./report.ts";

/** The Edge Runtime's CPU time limit per request (supabase-platform-facts.md). */
export const CPU_BUDGET_MS = 2_000;
/** "Well under" the budget: half of it. */
export const CPU_TARGET = 0.5;

let ticksPerSecond: Promise<number> | undefined;

/** `getconf CLK_TCK`, read once (100 on every common Linux; used if getconf is missing). */
export function clockTicksPerSecond(): Promise<number> {
  return ticksPerSecond ??= (async () => {
    try {
      const out = await new Deno.Command("getconf", { args: ["CLK_TCK"], stdout: "piped", stderr: "null" })
        .output();
      const value = Number(new TextDecoder().decode(out.stdout).trim());
      return Number.isInteger(value) && value > 0 ? value : 100;
    } catch {
      return 100;
    }
  })();
}

export interface CpuTicks {
  /** utime + stime of every thread of the process. */
  process: number;
  /** utime + stime of the main thread. */
  mainThread: number;
}

/** The process's CPU ticks now. */
export async function readCpuTicks(pid: number): Promise<CpuTicks> {
  const [process, mainThread] = await Promise.all([
    Deno.readTextFile(`/proc/${pid}/stat`),
    Deno.readTextFile(`/proc/${pid}/task/${pid}/stat`),
  ]);
  return { process: userPlusSystem(process), mainThread: userPlusSystem(mainThread) };
}

/** CPU ticks of every running process whose command is `command` (e.g. all of PostgreSQL's backends), now. */
export async function readCommandCpuTicks(command: string): Promise<number> {
  let total = 0;
  for await (const entry of Deno.readDir("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    const stat = await Deno.readTextFile(`/proc/${entry.name}/stat`).catch(() => ""); // it may have exited
    if (stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")")) === command) total += userPlusSystem(stat);
  }
  return total;
}

/** utime + stime from a /proc stat line; the command name (field 2) may hold spaces and parentheses. */
function userPlusSystem(stat: string): number {
  // After the last ")": field 3 (state) is at index 0, so field n is at index n - 3.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const utime = Number(fields[14 - 3]);
  const stime = Number(fields[15 - 3]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) throw new Error(`unexpected /proc stat: ${stat}`);
  return utime + stime;
}

export interface CpuSample<T> {
  /** CPU of the whole function process during the request, in ms. */
  cpuMs: number;
  /** CPU of its main (JS) thread, in ms. */
  mainThreadMs: number;
  /** Wall time of the request, in ms. */
  wallMs: number;
  value: T;
}

/** Runs `request` (one request to the process `pid`, its body read) and reads the process's CPU around it. */
export async function measureCpu<T>(pid: number, request: () => Promise<T>): Promise<CpuSample<T>> {
  const msPerTick = 1000 / await clockTicksPerSecond();
  const before = await readCpuTicks(pid);
  const started = performance.now();
  const value = await request();
  const wallMs = performance.now() - started;
  const after = await readCpuTicks(pid);
  return {
    cpuMs: (after.process - before.process) * msPerTick,
    mainThreadMs: (after.mainThread - before.mainThread) * msPerTick,
    wallMs,
    value,
  };
}

/** The figure for one request's CPU against the Edge Runtime's budget. */
export function cpuFigure(
  input: {
    benchmark: string;
    name: string;
    sample: Pick<CpuSample<unknown>, "cpuMs" | "mainThreadMs" | "wallMs">;
  },
  details: Detail[] = [],
): BenchResult {
  const { cpuMs, mainThreadMs, wallMs } = input.sample;
  return figure({
    benchmark: input.benchmark,
    name: `${input.name} / 2 s CPU budget`,
    unit: "ms",
    measured: cpuMs,
    baseline: CPU_BUDGET_MS,
    target: atMost(CPU_TARGET),
    details: [
      { name: "main (JS) thread alone", measured: round(mainThreadMs), unit: "ms" },
      { name: "wall time of the request", measured: round(wallMs), unit: "ms" },
      { name: "CPU share of the wall time", measured: `${Math.round(100 * cpuMs / wallMs)} %` },
      ...details,
    ],
  });
}
