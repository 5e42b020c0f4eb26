/**
 * 8. A page of recordings: CPU of one `GET recording-info?pageSize=100` (the most recent recordings of calls
 * through the customer's main trunk) against the Edge Runtime's 2 s CPU budget.
 *
 * The customer's account holds CALLS calls in this mix, repeating: two terminated through the main trunk
 * (1 recording each), an origination call through the trunk to one of the 10 numbers attached to it (1 recording),
 * another (2 recordings), and a REST API call that never touched the trunk (1 recording, not on the page). So the
 * first page of 100 reads one of Twilio's calls pages (the newest 100 calls) and looks up the recordings of its 80
 * trunk calls, one listing each (8 at a time): 81 Twilio requests.
 *
 * The requests go straight to a recording-info process this benchmark started, while the emulator behaves as
 * Twilio does (L = 150 ms per request, at most C = 10 in flight per account). One page is fetched to warm the
 * process up, then the same first page REPEATS times; the figure is the median CPU (a page costs a few tens of
 * ms, a few ticks of /proc's 10 ms, so one reading alone would be coarse), the largest is shown beside it.
 */
import type { RecordingsPage } from "../../supabase/functions/_shared/contract/index.ts";
import type { BenchResult } from "./report.ts";
import type { BenchContext } from "./context.ts";
import { cpuFigure, type CpuSample, measureCpu } from "./cpu.ts";
import { type CallSeed, TWILIO_UNDER_LOAD } from "./emulator.ts";
import { addNumbers, callFunction, functionRequest, provisionedCustomer, send } from "./customers.ts";
import { functionConfig, startServer } from "./processes.ts";
import { median } from "./stats.ts";

const CALLS = 300;
const ATTACHED_NUMBERS = 10;
const PAGE_SIZE = 100;
const REPEATS = 5;
const { latencyMs: LATENCY_MS, maxConcurrentPerAccount: LIMIT_PER_ACCOUNT } = TWILIO_UNDER_LOAD;

export async function recordingsPage(ctx: BenchContext): Promise<BenchResult[]> {
  const customer = await provisionedCustomer(ctx);
  const phoneNumbers = await addNumbers(ctx, customer, ATTACHED_NUMBERS);
  await callFunction(ctx, "attach-phone", { token: customer.token, body: { phoneNumbers } });
  const accountSid = customer.credentials.accountSid;
  const state = await ctx.emulator.state(accountSid);
  const trunkSid = state.trunks[0].sid;
  const numberSids = state.incoming_phone_numbers.filter((n) => n.trunk_sid === trunkSid).map((n) => n.sid);
  if (numberSids.length !== ATTACHED_NUMBERS) throw new Error("the numbers did not attach");

  const caller = (i: number) => `+1444${String(i).padStart(7, "0")}`;
  const seeds: CallSeed[] = Array.from({ length: CALLS }, (_, i): CallSeed => {
    const number = numberSids[i % numberSids.length];
    switch (i % 5) {
      case 0:
      case 1:
        return { direction: "outbound", trunkSid, to: caller(i), from: phoneNumbers[0], recordings: 1 };
      case 2:
        return { direction: "inbound", phoneNumberSid: number, from: caller(i), recordings: 1 };
      case 3:
        return { direction: "inbound", phoneNumberSid: number, from: caller(i), recordings: 2 };
      default:
        return { to: caller(i), from: phoneNumbers[0], recordings: 1 };
    }
  });
  // One at a time: the emulator dates each call a second after the previous one, so the order is this one.
  for (const seed of seeds) await ctx.emulator.addCall(accountSid, seed);

  const server = startServer(ctx, functionConfig(ctx, "recording-info"));
  try {
    const url = `${await server.ready}/recording-info`;
    const page = () =>
      send<RecordingsPage>(
        functionRequest(url, { token: customer.token, query: { pageSize: String(PAGE_SIZE) } }),
      );
    await ctx.stack.drainWebhooks();
    await ctx.emulator.setTraffic(TWILIO_UNDER_LOAD);
    await page(); // warm-up
    const samples: CpuSample<RecordingsPage>[] = [];
    for (let i = 0; i < REPEATS; i++) samples.push(await measureCpu(server.pid!, page));
    const short = samples.find((sample) => sample.value.recordings.length !== PAGE_SIZE);
    if (short) throw new Error(`a page held ${short.value.recordings.length} recordings, not ${PAGE_SIZE}`);
    const pick = (key: "cpuMs" | "mainThreadMs" | "wallMs") => median(samples.map((sample) => sample[key]));
    return [cpuFigure({
      benchmark: "recordings-page",
      name:
        `CPU recordings page of ${PAGE_SIZE} (${CALLS} calls, L=${LATENCY_MS} ms, C=${LIMIT_PER_ACCOUNT})`,
      sample: { cpuMs: pick("cpuMs"), mainThreadMs: pick("mainThreadMs"), wallMs: pick("wallMs") },
    }, [
      { name: `largest of ${REPEATS}`, measured: Math.max(...samples.map((s) => s.cpuMs)), unit: "ms" },
    ])];
  } finally {
    await server.stop();
    await ctx.emulator.resetTraffic();
  }
}
