/**
 * `deno task token <user-uuid> [--expires-in seconds]`: creates that user in auth.users if needed and prints an
 * access token for it, signed with the local stack's key, as Supabase Auth would issue after sign-in.
 */
import { parseArgs } from "node:util";
import { ensureUser, mintAccessToken } from "./local/users.ts";
import { readRunningStack } from "./local/state.ts";

const { positionals, values } = parseArgs({
  args: Deno.args,
  allowPositionals: true,
  options: { "expires-in": { type: "string", default: "3600" } },
});
const userId = positionals[0];
if (!userId || !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(userId)) {
  console.error("Usage: deno task token <user-uuid> [--expires-in seconds]");
  Deno.exit(2);
}
const stack = await readRunningStack();
if (!stack) {
  console.error("The local stack is not running. Start it with: deno task dev");
  Deno.exit(1);
}
await ensureUser(stack.db_url, userId);
console.log(await mintAccessToken(stack, userId, { expiresIn: Number(values["expires-in"]) }));
