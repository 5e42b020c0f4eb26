// Sign up, sign in and connect a Twilio account, as a platform's frontend does it through supabase-js.
// Against `deno task dev` (URL and key from `deno task status`, an account from the Twilio emulator):
//   SUPABASE_URL=http://127.0.0.1:54321 SUPABASE_PUBLISHABLE_KEY=sb_publishable_… \
//   TWILIO_ACCOUNT_SID=AC… TWILIO_AUTH_TOKEN=… node --experimental-websocket connect-twilio.mjs
// (Node 20 needs --experimental-websocket for supabase-js's realtime client; Node 22+ does not.)
import { createClient } from "@supabase/supabase-js";

const supabase = createClient(process.env.SUPABASE_URL, process.env.SUPABASE_PUBLISHABLE_KEY);
const email = process.env.EMAIL ?? `demo-${Date.now()}@example.com`;
const password = process.env.PASSWORD ?? "correct horse battery staple";

const { error: signUpError } = await supabase.auth.signUp({ email, password });
if (signUpError && signUpError.code !== "user_already_exists") throw signUpError;
const { error: signInError } = await supabase.auth.signInWithPassword({ email, password });
if (signInError) throw signInError;

const { data, error } = await supabase.functions.invoke("create-main-trunk", {
  body: { accountSid: process.env.TWILIO_ACCOUNT_SID, authToken: process.env.TWILIO_AUTH_TOKEN },
});
if (error) throw new Error(`create-main-trunk: ${error.context?.status} ${await error.context?.text()}`);
console.log(JSON.stringify({ domainName: data.domainName, sipUsername: data.sipUsername }));
await supabase.auth.signOut();
