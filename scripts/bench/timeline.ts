/**
 * `deno task bench:timeline [--users N]`: where create-main-trunk's time goes, request by request, as the
 * provisioning benchmark runs it (its own process, LiveKit off, L = 100 ms on every Twilio request, fresh customers
 * one at a time). The process logs at debug, so each Twilio attempt leaves a line with its end time and duration;
 * the rounds are read from them (a request that starts before any request of the current round has ended
 * belongs to it). Prints each request's phases, then their medians:
 *
 *   client   handler   before first Twilio request   round 1   gap   round 2   after last answer
 *
 * Debug logging costs the process a little, so the totals run a few ms above the benchmark's.
 */
import { parseArgs } from "node:util";
import { startBenchContext } from "./context.ts";
import { functionRequest, newCustomer, send } from "./customers.ts";
import { functionConfig, startServer } from "./processes.ts";
import { withoutLiveKit } from "./provisioning.ts";
import { median, timed } from "./stats.ts";

const LATENCY_MS = 100;

/** One Twilio attempt as the function logged it: when it started and ended, in ms from the handler's start. */
export interface Attempt {
  method: string;
  path: string;
  start: number;
  end: number;
}

export interface Timeline {
  handlerMs: number;
  /** Until the first Twilio request left. */
  beforeTwilio: number;
  /** Each round of concurrent requests: from its first start to its last end. */
  rounds: { start: number; end: number; requests: number }[];
  /** From the last Twilio answer to the end of the handler. */
  afterTwilio: number;
}

/** The phases of one request from its debug log lines (JSON, one per line, as `_shared/log.ts` writes them). */
export function timelineOf(lines: string[]): Timeline | undefined {
  const events = lines.flatMap((line) => {
    try {
      return [JSON.parse(line) as Record<string, unknown>];
    } catch {
      return [];
    }
  });
  const request = events.find((event) => event.event === "request");
  if (!request) return undefined;
  const handlerMs = Number(request.duration_ms);
  const handlerStart = Date.parse(String(request.time)) - handlerMs;
  const attempts: Attempt[] = events.filter((event) => event.event === "twilio_request").map((event) => {
    const end = Date.parse(String(event.time)) - handlerStart;
    return {
      method: String(event.method),
      path: String(event.path),
      start: end - Number(event.durationMs),
      end,
    };
  });
  if (attempts.length === 0) return { handlerMs, beforeTwilio: handlerMs, rounds: [], afterTwilio: 0 };
  const rounds = roundsOf(attempts);
  return {
    handlerMs,
    beforeTwilio: rounds[0].start,
    rounds,
    afterTwilio: handlerMs - Math.max(...attempts.map((attempt) => attempt.end)),
  };
}

/** Requests grouped into rounds: one that starts before any request of the current round ended joins it. */
export function roundsOf(attempts: Attempt[]): Timeline["rounds"] {
  const rounds: Timeline["rounds"] = [];
  let firstEnd = -Infinity;
  for (const attempt of [...attempts].sort((a, b) => a.start - b.start)) {
    const current = rounds.at(-1);
    if (current && attempt.start < firstEnd) {
      current.end = Math.max(current.end, attempt.end);
      current.requests++;
      firstEnd = Math.min(firstEnd, attempt.end);
    } else {
      rounds.push({ start: attempt.start, end: attempt.end, requests: 1 });
      firstEnd = attempt.end;
    }
  }
  return rounds;
}

function formatted(clientMs: number, timeline: Timeline): string {
  const rounds = timeline.rounds.map((round, index) => {
    const gap = index === 0 ? "" : ` gap ${round.start - timeline.rounds[index - 1].end}`;
    return `${gap} round ${index + 1} (${round.requests}) ${round.end - round.start}`;
  });
  return `client ${clientMs.toFixed(1)} handler ${timeline.handlerMs} | before ${timeline.beforeTwilio}` +
    `${rounds.join("")} | after ${timeline.afterTwilio}`;
}

if (import.meta.main) {
  const { values } = parseArgs({ args: Deno.args, options: { users: { type: "string", default: "12" } } });
  const users = Number(values.users);
  const ctx = await startBenchContext();
  let lines: string[] = [];
  const server = startServer(
    { ...ctx, log: (_fn, line) => lines.push(line) },
    functionConfig(ctx, "create-main-trunk"),
    {},
    { ...withoutLiveKit(ctx.stack.functionEnv), LOG_LEVEL: "debug" },
  );
  try {
    const url = `${await server.ready}/create-main-trunk`;
    const customers = await Promise.all(Array.from({ length: users + 1 }, () => newCustomer(ctx)));
    const create = (customer: (typeof customers)[number]) =>
      send(functionRequest(url, { token: customer.token, body: customer.credentials }));
    await create(customers[0]); // loads the function's modules and the SDK: not what is measured
    await ctx.emulator.setTraffic({ latencyMs: LATENCY_MS });
    const timelines: { clientMs: number; timeline: Timeline }[] = [];
    for (const customer of customers.slice(1)) {
      lines = [];
      const { ms } = await timed(() => create(customer));
      await new Promise((resolve) => setTimeout(resolve, 50)); // the last log lines arrive through a pipe
      const timeline = timelineOf(lines);
      if (!timeline) throw new Error("create-main-trunk logged no request line");
      timelines.push({ clientMs: ms, timeline });
      console.log(formatted(ms, timeline));
    }
    const phase = (pick: (timeline: Timeline) => number) => median(timelines.map((t) => pick(t.timeline)));
    const roundCount = Math.max(...timelines.map((t) => t.timeline.rounds.length));
    const roundMedians = Array.from(
      { length: roundCount },
      (_, index) =>
        median(timelines.flatMap(({ timeline }) => {
          const round = timeline.rounds[index];
          return round ? [round.end - round.start] : [];
        })),
    );
    console.log(
      `\nmedians (ms, L = ${LATENCY_MS}): client ${
        median(timelines.map((t) => t.clientMs)).toFixed(1)
      }, handler ` +
        `${phase((t) => t.handlerMs)}, before Twilio ${phase((t) => t.beforeTwilio)}, rounds ${
          roundMedians.join(" / ")
        }, after Twilio ${phase((t) => t.afterTwilio)}`,
    );
  } finally {
    await server.stop();
    await ctx.close();
  }
}
