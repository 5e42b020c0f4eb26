/** `deno task status`: the running local stack as JSON (what a client needs to reach it). */
import { readRunningStack } from "./local/state.ts";

const stack = await readRunningStack();
if (!stack) {
  console.error("The local stack is not running. Start it with: deno task dev");
  Deno.exit(1);
}
const visible = [
  "api_url",
  "db_url",
  "publishable_key",
  "secret_key",
  "jwt_mode",
  "twilio_api_base_url",
  "twilio_trunking_base_url",
  "emulator_url",
  "livekit_url",
  "livekit_api_key",
  "livekit_api_secret",
  "web_url",
] as const;
console.log(JSON.stringify(Object.fromEntries(visible.map((key) => [key, stack[key]])), null, 2));
