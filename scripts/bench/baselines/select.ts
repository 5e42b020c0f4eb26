/**
 * Baseline: the floor for any database-backed handler. A bare Deno.serve handler that runs one indexed SELECT
 * (the user's active credential row) through the functions' own pool (same driver, same settings) and returns
 * the row as JSON.
 */
import { getSql } from "../../../supabase/functions/_shared/db/client.ts";

const sql = getSql();

Deno.serve(async (req) => {
  const userId = new URL(req.url).searchParams.get("userId") ?? "";
  const [row] =
    await sql`select * from public.user_twilio_credentials where user_id = ${userId} and is_active`;
  return row ? Response.json(row) : Response.json(null, { status: 404 });
});
