/**
 * `deno task dev`, `deno task status` and `deno task token` as a developer runs them: the stack comes up, status
 * describes it, a token from `token` reaches a function through supabase-js, and Ctrl-C stops everything.
 * Runs on free ports with its own state folder, so it works beside a developer's own `deno task dev`.
 */
import assert from "node:assert/strict";
import { createClient, FunctionsHttpError } from "@supabase/supabase-js";
import { freePort, repoRoot, run } from "./local/process.ts";

Deno.test({
  name: "dev: the stack starts, status and token work against it, and a token reaches a function",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const scratch = await Deno.makeTempDir({ prefix: "twilio-sip-dev-test-" });
    await Deno.chmod(scratch, 0o755);
    const stateDir = `${scratch}/.local`; // does not exist yet, as on a fresh clone
    const env = {
      LOCAL_STATE_DIR: stateDir,
      API_PORT: String(freePort()),
      DB_PORT: String(freePort()),
      EMULATOR_PORT: String(freePort()),
      WEB_PORT: String(freePort()),
      NO_COLOR: "1",
    };
    const task = (name: string, ...args: string[]) =>
      run(Deno.execPath(), ["run", "-A", `${repoRoot}/scripts/${name}.ts`, ...args], { env, cwd: repoRoot });

    const dev = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", `${repoRoot}/scripts/dev.ts`],
      env,
      cwd: repoRoot,
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    try {
      await waitForLine(dev.stdout, /Local stack ready in/, 60_000);

      const status = await task("status");
      assert.equal(status.code, 0, status.stderr);
      const info = JSON.parse(status.stdout);
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
      assert.equal(info.emulator_url, `http://127.0.0.1:${env.EMULATOR_PORT}`);
      assert.equal(info.twilio_api_base_url, info.emulator_url);
      assert.equal(info.twilio_trunking_base_url, info.emulator_url);

      const userId = crypto.randomUUID();
      const token = await task("token", userId);
      assert.equal(token.code, 0, token.stderr);
      const supabase = createClient(info.api_url, info.publishable_key, {
        auth: { persistSession: false },
        global: { headers: { Authorization: `Bearer ${token.stdout.trim()}` } },
      });
      const { error } = await supabase.functions.invoke("get-sip-config", { method: "GET" });
      assert.ok(error instanceof FunctionsHttpError);
      const body = await error.context.json();
      assert.equal(error.context.status, 404, JSON.stringify(body));
      assert.equal(body.error.code, "credentials_not_found", "the handler knew the user from the token");

      assert.equal((await task("token", "not-a-uuid")).code, 2);
    } finally {
      dev.kill("SIGTERM");
      await dev.status;
      await Deno.remove(scratch, { recursive: true }).catch(() => {});
    }
    assert.notEqual((await task("status")).code, 0, "status reports the stack stopped");
  },
});

async function waitForLine(stream: ReadableStream<Uint8Array>, pattern: RegExp, timeoutMs: number) {
  const deadline = AbortSignal.timeout(timeoutMs);
  let seen = "";
  const reader = stream.pipeThrough(new TextDecoderStream()).getReader();
  try {
    while (!pattern.test(seen)) {
      const next = await Promise.race([
        reader.read(),
        new Promise<never>((_, reject) =>
          deadline.addEventListener("abort", () => reject(new Error(`no ${pattern} in ${seen}`)))
        ),
      ]);
      if (next.done) throw new Error(`dev exited before it was ready:\n${seen}`);
      seen += next.value;
    }
  } finally {
    reader.releaseLock();
    stream.cancel().catch(() => {});
  }
}
