import assert from "node:assert/strict";
import { AdaptiveLimit, mapAdaptive } from "./adaptive.ts";

class Throttle extends Error {}
const isThrottled = (error: unknown) => error instanceof Throttle;
const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

Deno.test("mapAdaptive: a server that accepts 3 at a time ends with every item done, limit brought down", async () => {
  let inFlight = 0;
  let peakAccepted = 0;
  const items = Array.from({ length: 200 }, (_, i) => i);
  const report = await mapAdaptive(items, { initial: 16, max: 32, isThrottled, pauseMs: 1 }, async (item) => {
    if (inFlight >= 3) {
      await tick();
      throw new Throttle();
    }
    inFlight++;
    peakAccepted = Math.max(peakAccepted, inFlight);
    await tick();
    inFlight--;
    return item * 2;
  });
  assert.deepEqual(
    report.results.map((r) => r.status === "fulfilled" ? r.value : "rejected"),
    items.map((i) => i * 2),
  );
  assert.ok(report.throttled > 0);
  assert.ok(report.lowestLimit <= 4, `lowest limit ${report.lowestLimit}`);
  assert.equal(peakAccepted, 3);
});

Deno.test("mapAdaptive: other failures are reported per item and do not stop the rest", async () => {
  const report = await mapAdaptive([1, 2, 3, 4], { initial: 2, max: 4, isThrottled }, async (item) => {
    await tick();
    if (item === 2) throw new Error("boom");
    return item;
  });
  assert.deepEqual(report.results.map((r) => r.status), ["fulfilled", "rejected", "fulfilled", "fulfilled"]);
  assert.equal((report.results[1] as PromiseRejectedResult).reason.message, "boom");
  assert.equal(report.throttled, 0);
});

Deno.test("mapAdaptive: after the deadline a throttled item is reported with its error", async () => {
  let clock = 0;
  const report = await mapAdaptive([1], {
    initial: 1,
    max: 1,
    isThrottled,
    deadlineMs: 10,
    now: () => clock,
    sleep: () => Promise.resolve(),
  }, () => {
    clock += 4;
    return Promise.reject(new Throttle());
  });
  assert.equal(report.results[0].status, "rejected");
  assert.equal(report.throttled, 2);
});

Deno.test("mapAdaptive: never more in flight than max, empty input resolves", async () => {
  let inFlight = 0;
  let peak = 0;
  await mapAdaptive(Array.from({ length: 50 }), { initial: 100, max: 5, isThrottled }, async () => {
    peak = Math.max(peak, ++inFlight);
    await tick();
    inFlight--;
  });
  assert.equal(peak, 5);
  assert.deepEqual(
    (await mapAdaptive([], { initial: 1, max: 1, isThrottled }, () => Promise.resolve())).results,
    [],
  );
});

Deno.test("AdaptiveLimit: never throttled, it grows by one per `limit` successes in a row", () => {
  const limit = new AdaptiveLimit(1, 10, 4);
  for (let i = 0; i < 3; i++) limit.succeeded();
  assert.equal(limit.current, 4);
  limit.succeeded();
  assert.equal(limit.current, 5, "four successes in a row under 4 raise it");
});

Deno.test("AdaptiveLimit: a quarter down once per round, regained one per success, then probing the cap rarely", () => {
  const limit = new AdaptiveLimit(2, 10, 12);
  assert.equal(limit.current, 10, "the initial limit is kept within min and max");
  const round = limit.round;
  limit.throttled(round);
  limit.throttled(round);
  assert.equal(limit.current, 7, "calls of the same round lower it once");
  limit.throttled(limit.round);
  assert.deepEqual([limit.current, limit.lowest], [5, 5]);
  limit.succeeded();
  assert.equal(limit.current, 6, "below the last throttled limit (7) less one, each success raises it");
  limit.succeeded();
  assert.equal(limit.current, 6, "at 6, one below 7: no longer per success");
  for (let i = 0; i < 46; i++) limit.succeeded();
  assert.equal(limit.current, 6, "once throttled, probing above the cap it found waits for 8 rounds");
  limit.succeeded();
  assert.equal(limit.current, 7, "48 successes in a row under 6 (8 x 6) raise it");
  for (let i = 0; i < 6; i++) limit.succeeded();
  limit.throttled(round);
  limit.succeeded();
  assert.equal(limit.current, 7, "a throttled call, even of an old round, restarts the count of successes");
  for (let i = 0; i < 10; i++) limit.throttled(limit.round);
  assert.deepEqual([limit.current, limit.lowest], [2, 2], "never below min");
  for (let i = 0; i < 1000; i++) limit.succeeded();
  assert.deepEqual([limit.current, limit.lowest], [10, 2], "never above max");
});
