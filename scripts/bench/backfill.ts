/**
 * 6. Backfill. ROWS credential rows written as another system (or the old service) writes them: one user and one
 * Twilio account each, plaintext token, status pending, the database webhook kept out so that nothing else
 * provisions them. Then `deno task backfill` (scripts/backfill.ts) in a process of its own, as an operator runs
 * it, with the functions' settings and its default concurrency, while the emulator adds latency L to every Twilio
 * request and allows C requests in flight per account.
 *
 * Figure: rows/s next to the bound L and C impose. A row needs two dependent rounds of Twilio requests on its
 * account, a round of w requests takes at least ceil(w / C) x L, and CONCURRENCY rows are in flight, so
 * rows/s <= CONCURRENCY / (L x (ceil(2 / C) + ceil(w2 / C))). The figure is the run's own rate, as the task reports
 * it (rows finished / time since it started on them): the bound is a rate, and the process's start (Deno, module
 * loading, the first connections: a constant of about half a second) is shown beside it, from process start to exit.
 */
import { join } from "node:path";
import { provisioningConfigFromEnv } from "../../supabase/functions/_shared/config.ts";
import type { BackfillSummary } from "../backfill/tally.ts";
import { repoRoot, run } from "../local/process.ts";
import { ensureUser } from "../local/users.ts";
import { atLeast, type BenchResult, figure, round } from "./report.ts";
import type { BenchContext } from "./context.ts";
import { timed } from "./stats.ts";

const ROWS = 240;
/** The backfill's default `--concurrency`. */
const CONCURRENCY = 8;
const LATENCY_MS = 100;
const LIMIT_PER_ACCOUNT = 10;

export async function backfillThroughput(ctx: BenchContext): Promise<BenchResult[]> {
  const userIds = await seedUnprovisionedRows(ctx, ROWS);
  const env = ctx.stack.functionEnv;
  const config = provisioningConfigFromEnv(env);
  // Round 2: credential, association, an origination URL per configured LiveKit URI, and recording where the
  // row's mode is not the one a new trunk comes with (counted anyway: an upper bound on the round's width).
  const secondRound = 3 + (config.livekitSipUri ? 1 : 0) + (config.livekitSipUriFallback ? 1 : 0);
  const rowFloorMs = LATENCY_MS *
    (Math.ceil(2 / LIMIT_PER_ACCOUNT) + Math.ceil(secondRound / LIMIT_PER_ACCOUNT));
  const bound = CONCURRENCY / (rowFloorMs / 1000);

  await ctx.emulator.setTraffic({ latencyMs: LATENCY_MS, maxConcurrentPerAccount: LIMIT_PER_ACCOUNT });
  const args = [
    "run",
    "-A",
    "--config",
    join(repoRoot, "deno.json"),
    join(repoRoot, "scripts/backfill.ts"),
    "--json",
    "--concurrency",
    String(CONCURRENCY),
    ...userIds.flatMap((id) => ["--user-id", id]),
  ];
  // The functions' environment: SUPABASE_DB_URL, ENCRYPTION_KEYS, LIVEKIT_SIP_URI, the Twilio base URLs.
  const { ms, value: exit } = await timed(() => run(Deno.execPath(), args, { env }));
  let summary: BackfillSummary;
  try {
    summary = JSON.parse(exit.stdout);
  } catch {
    throw new Error(`deno task backfill exited with ${exit.code}: ${exit.stderr}${exit.stdout}`);
  }
  return [figure({
    benchmark: "backfill",
    name:
      `backfill rows/s (${ROWS} rows, ${CONCURRENCY} at a time, L=${LATENCY_MS} ms, C=${LIMIT_PER_ACCOUNT})`,
    unit: "rows/s",
    measured: summary.active / summary.elapsedSeconds,
    baseline: bound,
    target: atLeast(0.9, "and all rows active"),
    alsoRequired: summary.active === ROWS,
    details: [
      { name: "rows provisioned", measured: summary.active },
      { name: "failed / errors", measured: `${summary.failed} / ${summary.errors}` },
      { name: "time provisioning", measured: round(summary.elapsedSeconds * 1000), unit: "ms" },
      { name: "time, process start to exit", measured: round(ms), unit: "ms" },
      { name: "rows/s over that", measured: round(summary.active / (ms / 1000), 1), unit: "rows/s" },
      { name: "floor per row", measured: rowFloorMs, unit: "ms" },
    ],
  })];
}

/** Rows another system inserted (the database webhook kept out): pending, plaintext token, one account each. */
async function seedUnprovisionedRows(ctx: BenchContext, count: number): Promise<string[]> {
  const rows: { user_id: string; account_sid: string; auth_token: string }[] = [];
  for (let start = 0; start < count; start += 16) {
    rows.push(
      ...await Promise.all(Array.from({ length: Math.min(16, count - start) }, async () => {
        const userId = crypto.randomUUID();
        const [account] = await Promise.all([
          ctx.emulator.createAccount(),
          ensureUser(ctx.db, userId),
        ]);
        return { user_id: userId, account_sid: account.sid, auth_token: account.authToken };
      })),
    );
  }
  // Only the webhook's trigger is off: the one that moves the token into twilio_credential_secrets must run, as
  // it does for any system that inserts rows (session_replication_role = replica would skip it too, leaving rows
  // without a token that no backfill can provision).
  await ctx.db.begin(async (tx) => {
    await tx`alter table public.user_twilio_credentials disable trigger twilio_credentials_webhook`;
    await tx`insert into public.user_twilio_credentials ${tx(rows)}`;
    await tx`alter table public.user_twilio_credentials enable trigger twilio_credentials_webhook`;
  });
  return rows.map((row) => row.user_id);
}
