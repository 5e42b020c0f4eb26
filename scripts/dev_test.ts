/**
 * `deno task dev`, `status`, `token` and `backfill` as a developer runs them, and the README's supabase-js example
 * run by Node against the stack: the stack comes up, status describes it, tokens of both kinds reach a function,
 * bad arguments are one-line errors, a restart keeps the database and the emulated Twilio in step, `--fresh`
 * starts empty, and Ctrl-C stops everything. Runs on free ports with its own state folder, beside a developer's own
 * `deno task dev`.
 */
import assert from "node:assert/strict";
import { createClient } from "@supabase/supabase-js";
import { decodeProtectedHeader } from "jose";
import { SipConfig } from "../supabase/functions/_shared/contract/index.ts";
import { freePort, repoRoot, run, runOrThrow } from "./local/process.ts";
import { invoke, refusal } from "./testing/functions.ts";

const EXAMPLE_DIR = `${repoRoot}/examples/node`;

Deno.test({
  name:
    "dev: the stack, status, token, backfill and the Node example; a restart keeps its state, --fresh does not",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const scratch = await Deno.makeTempDir({ prefix: "twilio-sip-dev-test-" });
    await Deno.chmod(scratch, 0o755);
    const env = {
      LOCAL_STATE_DIR: `${scratch}/.local`, // does not exist yet, as on a fresh clone
      API_PORT: String(freePort()),
      DB_PORT: String(freePort()),
      EMULATOR_PORT: String(freePort()),
      LIVEKIT_PORT: String(freePort()),
      WEB_PORT: String(freePort()),
      NO_COLOR: "1",
    };
    const task = (name: string, ...args: string[]) =>
      run(Deno.execPath(), ["run", "-A", `${repoRoot}/scripts/${name}.ts`, ...args], { env, cwd: repoRoot });
    const emulatorAccounts = async () =>
      (await (await fetch(`http://127.0.0.1:${env.EMULATOR_PORT}/_emulator/accounts`)).json()).accounts;
    const installExample = runOrThrow("npm", ["ci", "--no-audit", "--no-fund", "--prefix", EXAMPLE_DIR]);

    try {
      let dev = await startDev(env);
      const info = JSON.parse((await task("status")).stdout);
      assert.equal(info.api_url, `http://127.0.0.1:${env.API_PORT}`);
      assert.match(info.db_url, new RegExp(`:${env.DB_PORT}/postgres$`));
      assert.match(info.publishable_key, /^sb_publishable_/);
      // The example page, pointed at this stack by the config.json served beside it.
      assert.equal(info.web_url, `http://127.0.0.1:${env.WEB_PORT}/`);
      assert.deepEqual(await (await fetch(new URL("config.json", info.web_url))).json(), {
        supabaseUrl: info.api_url,
        publishableKey: info.publishable_key,
      });
      assert.match(info.secret_key, /^sb_secret_/);
      assert.equal(info.jwt_mode, "signing-keys");
      assert.equal(info.emulator_url, `http://127.0.0.1:${env.EMULATOR_PORT}`);
      assert.equal(info.twilio_api_base_url, info.emulator_url);

      // Tokens of both kinds reach a function, which knows the user from them.
      const userId = crypto.randomUUID();
      for (const args of [[], ["--legacy"]]) {
        const token = (await task("token", userId, ...args)).stdout.trim();
        assert.equal(decodeProtectedHeader(token).alg, args.length ? "HS256" : "ES256");
        const supabase = createClient(info.api_url, info.publishable_key, {
          auth: { persistSession: false },
          global: { headers: { Authorization: `Bearer ${token}` } },
        });
        const { error } = await refusal(supabase, "get-sip-config");
        assert.equal(error.code, "credentials_not_found", `token ${args}`);
      }
      for (const bad of [["not-a-uuid"], [userId, "--expires-in", "soon"], [userId, "--nope"]]) {
        const result = await task("token", ...bad);
        assert.equal(result.code, 2, `token ${bad.join(" ")}`);
        assert.doesNotMatch(result.stderr, /\n\s+at /, "a one-line error, no stack trace");
      }

      // The README's supabase-js example, run by Node: sign up, sign in, create a trunk.
      await installExample;
      const account = await (await fetch(`${info.emulator_url}/_emulator/accounts`, {
        method: "POST",
        body: "{}",
      })).json();
      const email = `dev-test-${crypto.randomUUID()}@example.test`;
      const example = await runOrThrow("node", ["--experimental-websocket", "connect-twilio.mjs"], {
        cwd: EXAMPLE_DIR,
        env: {
          SUPABASE_URL: info.api_url,
          SUPABASE_PUBLISHABLE_KEY: info.publishable_key,
          TWILIO_ACCOUNT_SID: account.sid,
          TWILIO_AUTH_TOKEN: account.authToken,
          EMAIL: email,
        },
      });
      const created = JSON.parse(example.stdout.trim().split("\n").pop()!);
      assert.match(created.domainName, /\.pstn\.twilio\.com$/);

      // The backfill finds the running stack by itself.
      const backfill = await task("backfill", "--dry-run", "--json");
      assert.equal(backfill.code, 0, backfill.stderr);
      assert.match(backfill.stderr, /running local stack/);
      assert.equal(JSON.parse(backfill.stdout).alreadyActive, 1);

      // Restarted, the database and the emulated Twilio still agree: the same trunk is served.
      await dev.stop();
      dev = await startDev(env);
      assert.deepEqual((await emulatorAccounts()).map((a: { sid: string }) => a.sid), [account.sid]);
      const again = createClient(info.api_url, info.publishable_key, { auth: { persistSession: false } });
      assert.equal(
        (await again.auth.signInWithPassword({ email, password: "correct horse battery staple" })).error,
        null,
      );
      const config = await invoke(again, "get-sip-config", { answer: SipConfig });
      assert.equal(config.domainName, created.domainName);

      // --fresh starts from nothing.
      await dev.stop();
      dev = await startDev(env, ["--fresh"]);
      assert.deepEqual(await emulatorAccounts(), []);
      await dev.stop();
    } finally {
      await Deno.remove(scratch, { recursive: true }).catch(() => {});
    }
    assert.notEqual((await task("status")).code, 0, "status reports the stack stopped");
  },
});

/** `task dev` in its own process, ready to serve; `stop()` is Ctrl-C. */
async function startDev(env: Record<string, string>, args: string[] = []) {
  const dev = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${repoRoot}/scripts/dev.ts`, ...args],
    env,
    cwd: repoRoot,
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  try {
    await waitForLine(dev.stdout, /Local stack ready in/, 60_000);
  } catch (error) {
    dev.kill("SIGKILL");
    throw error;
  }
  return {
    async stop() {
      dev.kill("SIGINT");
      await dev.status;
    },
  };
}

/** Resolves once `pattern` appears; keeps reading afterwards, so the process never writes to a full pipe. */
async function waitForLine(stream: ReadableStream<Uint8Array>, pattern: RegExp, timeoutMs: number) {
  const ready = Promise.withResolvers<void>();
  let seen = "";
  (async () => {
    for await (const text of stream.pipeThrough(new TextDecoderStream())) {
      if (seen.length < 100_000) seen += text;
      if (pattern.test(seen)) ready.resolve();
    }
    ready.reject(new Error(`dev exited before it was ready:\n${seen}`));
  })().catch(() => {});
  const timer = setTimeout(() => ready.reject(new Error(`no ${pattern} in ${seen}`)), timeoutMs);
  try {
    await ready.promise;
  } finally {
    clearTimeout(timer);
  }
}
