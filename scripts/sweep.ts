/**
 * `deno task sweep [--once] [--json] [--user-id UUID ...]`: the sweeper run from outside (supabase/functions/_shared/provisioning/
 * sweep.ts): finishes the teardowns of deleted rows and retries rows with work left whose retry is due, with the
 * functions' settings from the environment (SUPABASE_DB_URL, ENCRYPTION_KEYS, LIVEKIT_SIP_URI, ...), or the running
 * local stack's when no database is named. Sweeps until nothing due is left (or once), then prints what it did.
 * On Supabase, pg_cron does the same every minute through the webhook function.
 */
import { parseArgs } from "node:util";
import { createPool } from "../supabase/functions/_shared/db/client.ts";
import { createLogger } from "../supabase/functions/_shared/log.ts";
import {
  serviceDependenciesFromEnv,
  withLogger,
} from "../supabase/functions/_shared/provisioning/context.ts";
import type { SweepSummary } from "../supabase/functions/_shared/contract/twilio-credentials-webhook.ts";
import { sweep } from "../supabase/functions/_shared/provisioning/sweep.ts";
import { useRunningStackSettings } from "./operator/env.ts";

const USAGE = "Usage: deno task sweep [--once] [--json] [--user-id UUID ...]";
const MAX_SWEEPS = 100;

async function main(argv: string[]): Promise<number> {
  let flags;
  try {
    flags = parseArgs({
      args: argv,
      options: {
        once: { type: "boolean", default: false },
        json: { type: "boolean", default: false },
        "user-id": { type: "string", multiple: true },
      },
    }).values;
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  if (await useRunningStackSettings(argv)) {
    console.error("sweep: using the running local stack (task status)");
  }
  const dbUrl = Deno.env.get("SUPABASE_DB_URL") || Deno.env.get("DATABASE_URL");
  if (!dbUrl) {
    console.error(`sweep: no database: set SUPABASE_DB_URL (or run task dev)\n${USAGE}`);
    return 2;
  }
  const sql = createPool(dbUrl, 6);
  try {
    // Log lines go to stderr: stdout carries the summary (JSON with --json).
    const log = createLogger({ fn: "sweep" }, (_level, line) => console.error(line));
    const ctx = withLogger(serviceDependenciesFromEnv(sql), log);
    const total: SweepSummary = { teardowns: {}, rows: {}, deferred: 0 };
    for (let round = 0; round < (flags.once ? 1 : MAX_SWEEPS); round++) {
      const summary = await sweep(ctx, { userIds: flags["user-id"] });
      addInto(total, summary);
      // Nothing was picked up, or only what is now waiting for a later retry: done for now.
      if (!Object.keys(summary.teardowns).length && !Object.keys(summary.rows).length) break;
      if (!progressed(summary)) break;
    }
    console.log(flags.json ? JSON.stringify(total) : describe(total));
    return total.teardowns.error || total.rows.error ? 1 : 0;
  } catch (error) {
    console.error(`sweep: ${(error as Error)?.message ?? error}`);
    return 1;
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/** A sweep that finished something: another round may find more due (the limit per sweep was reached). */
const progressed = (summary: SweepSummary) =>
  (summary.teardowns.deprovisioned ?? 0) + (summary.rows.active ?? 0) + (summary.rows.failed ?? 0) > 0;

function addInto(total: SweepSummary, summary: SweepSummary) {
  const add = <K extends string>(into: Partial<Record<K, number>>, from: Partial<Record<K, number>>) => {
    for (const [kind, n] of Object.entries(from) as [K, number][]) into[kind] = (into[kind] ?? 0) + n;
  };
  add(total.teardowns, summary.teardowns);
  add(total.rows, summary.rows);
  total.deferred += summary.deferred;
}

function describe(total: SweepSummary): string {
  const list = (tally: Partial<Record<string, number>>) =>
    Object.entries(tally).map(([kind, n]) => `${n} ${kind}`).join(", ") || "none";
  return `teardowns: ${list(total.teardowns)}\nrows: ${list(total.rows)}`;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
