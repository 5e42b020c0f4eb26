/**
 * Operator tasks (`backfill`, `sweep`, …) run with the functions' settings from the environment, as on a real
 * project. Beside a running `task dev` with no database named, they take that stack's settings instead, as
 * `task status` finds them, so `deno task backfill` works locally without copying secrets around.
 */
import { readRunningStack } from "../local/state.ts";

/**
 * When no database is given (SUPABASE_DB_URL, DATABASE_URL, --db-url) and `task dev` runs, fills in its database,
 * project secrets and Twilio URLs, never overriding a variable that is set. Returns whether it did.
 */
export async function useRunningStackSettings(argv: string[]): Promise<boolean> {
  const named = Deno.env.get("SUPABASE_DB_URL") || Deno.env.get("DATABASE_URL") ||
    argv.some((arg) => arg.startsWith("--db-url"));
  if (named) return false;
  const stack = await readRunningStack();
  if (!stack) return false;
  const settings: Record<string, string | null> = {
    SUPABASE_DB_URL: stack.db_url,
    TWILIO_API_BASE_URL: stack.twilio_api_base_url,
    TWILIO_TRUNKING_BASE_URL: stack.twilio_trunking_base_url,
    ...stack.function_secrets,
  };
  for (const [name, value] of Object.entries(settings)) {
    if (value !== null && !Deno.env.get(name)) Deno.env.set(name, value);
  }
  return true;
}
