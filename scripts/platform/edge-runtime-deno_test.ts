/**
 * The functions on the Deno the hosted Edge Runtime embeds: 2.1 ("hosted environment is fully migrated to Deno
 * 2.1", supabase/cli#4065; no upgrade planned as of 2026-07, supabase/edge-runtime#713), while the local stack and
 * every other test run them on the project's Deno (2.9). Each function's entry must load there and answer, so that
 * a language or runtime feature newer than 2.1 (or a package needing one) fails here, not after a deploy.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { readFunctionsConfig } from "../local/functions-config.ts";
import { repoRoot } from "../local/process.ts";

/** The newest Deno 2.1 on npm. */
const PLATFORM_DENO = "2.1.14";

Deno.test(`platform: every function loads and answers on Deno ${PLATFORM_DENO}, the hosted Edge Runtime's`, async () => {
  const functions = [...(await readFunctionsConfig()).values()];
  const output = await new Deno.Command("npx", {
    args: [
      "--yes",
      `deno@${PLATFORM_DENO}`,
      "run",
      "-A",
      "--no-lock", // the lockfile's format is newer than 2.1 reads; deno.json pins every package's version
      "--config",
      join(repoRoot, "deno.json"),
      join(repoRoot, "scripts/platform/load-functions.ts"),
      ...functions.map((fn) => `${fn.name}=${fn.entrypoint}`),
    ],
    cwd: repoRoot,
    env: {
      DENO_DIR: join(repoRoot, ".local", `deno-${PLATFORM_DENO}`),
      WEBHOOK_SECRET: "test",
      LOG_LEVEL: "error",
    },
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(300_000),
  }).output();
  const stderr = new TextDecoder().decode(output.stderr);
  assert.equal(output.code, 0, stderr.slice(-2000));
  const [version, ...answers] = new TextDecoder().decode(output.stdout).trim().split("\n").map((line) =>
    JSON.parse(line)
  );
  assert.equal(version.deno, PLATFORM_DENO);
  assert.deepEqual(
    answers,
    functions.map(({ name }) => ({ name, preflight: 204, unauthenticated: [401, "unauthorized"] })),
  );
});
