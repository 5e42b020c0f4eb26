import assert from "node:assert/strict";
import { logLevelFromEnv } from "./config.ts";
import { createLogger } from "./log.ts";

function capture(level: Parameters<typeof createLogger>[2]) {
  const lines: { level: string; event: string }[] = [];
  const log = createLogger({ fn: "t" }, (_level, line) => lines.push(JSON.parse(line)), level);
  return { log, lines };
}

Deno.test("log: lines below the level are dropped; children keep the level", () => {
  const { log, lines } = capture("info");
  log.debug("hidden");
  log.child({ a: 1 }).debug("hidden too");
  log.info("shown");
  log.error("also shown");
  assert.deepEqual(lines.map((line) => line.event), ["shown", "also shown"]);

  const verbose = capture("debug");
  verbose.log.child({ step: "x" }).debug("step", { password: "hunter2hunter2" });
  assert.equal(verbose.lines[0].event, "step");
  assert.equal(
    (verbose.lines[0] as unknown as { password: string }).password,
    "[redacted]",
    "debug is redacted too",
  );
});

Deno.test("log: LOG_LEVEL wins, NODE_ENV=development means debug, info otherwise; a typo fails loudly", () => {
  assert.equal(logLevelFromEnv({}), "info");
  assert.equal(logLevelFromEnv({ NODE_ENV: "development" }), "debug");
  assert.equal(logLevelFromEnv({ NODE_ENV: "development", LOG_LEVEL: "warn" }), "warn");
  assert.throws(() => logLevelFromEnv({ LOG_LEVEL: "verbose" }), /LOG_LEVEL/);
});
