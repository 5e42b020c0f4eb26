// The emulator's added latency: a claim about the service's time, so never shorter than set.
import assert from "node:assert/strict";
import { waitSince } from "./limits.ts";

Deno.test("waitSince: resolves no sooner than the latency after arrival, and at once on shutdown", async () => {
  const running = new AbortController().signal;
  for (let i = 0; i < 10; i++) {
    const arrived = performance.now();
    await new Promise((resolve) => setTimeout(resolve, i)); // the emulator's own work before the wait
    await waitSince(arrived, 25, running);
    assert.ok(performance.now() - arrived >= 25, `waited ${performance.now() - arrived} ms of 25`);
  }
  const shutdown = new AbortController();
  shutdown.abort();
  const started = performance.now();
  await waitSince(started, 10_000, shutdown.signal);
  assert.ok(performance.now() - started < 1_000);
});
