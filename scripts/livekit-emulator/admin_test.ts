// Admin API: faults (every mode, scoping, defaults), latency, the request log, state, reset; and main.ts.
import assert from "node:assert/strict";
import { SipClient } from "livekit-server-sdk";
import { startMain } from "../local/emulators.ts";
import {
  clearFaults,
  clearRequests,
  configure,
  fault,
  requests,
  reset,
  sdkError,
  state,
  withLiveKitEmulator,
} from "./testing.ts";

const NUMBER = "+15550000001";

async function adminStatus(url: string, method: string, path: string, body?: unknown): Promise<number> {
  const response = await fetch(url + path, {
    method,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  await response.body?.cancel();
  return response.status;
}

Deno.test("faults: 'fail' answers the error before anything happens, once by default", async () => {
  await withLiveKitEmulator(async (emulator) => {
    const { sip, url } = emulator;
    await fault(url, { method: "CreateSIPInboundTrunk", status: 503, message: "try later" });
    const error = await sdkError(sip.createSipInboundTrunk("t", [NUMBER]));
    assert.deepEqual([error.status, error.code, error.message], [503, "unavailable", "try later"]);
    assert.equal((await state(url)).inboundTrunks.length, 0);
    assert.deepEqual(await sip.listSipInboundTrunk(), [], "other methods are not affected");
    await sip.createSipInboundTrunk("t", [NUMBER]);
    assert.equal((await state(url)).inboundTrunks.length, 1);
  });
});

Deno.test("faults: status and code default from each other; times counts uses", async () => {
  await withLiveKitEmulator(async (emulator) => {
    const { sip, url } = emulator;
    const cases: [object, number, string][] = [
      [{}, 500, "internal"],
      [{ code: "unavailable" }, 503, "unavailable"],
      [{ status: 429 }, 429, "resource_exhausted"],
      [{ status: 418 }, 418, "unknown"],
      [{ status: 500, code: "already_exists" }, 500, "already_exists"],
    ];
    for (const [spec, status, code] of cases) {
      const created = await fault(url, { ...spec, method: "ListSIPDispatchRule" });
      assert.deepEqual([created.status, created.code], [status, code]);
      const error = await sdkError(sip.listSipDispatchRule());
      assert.deepEqual([error.status, error.code], [status, code]);
    }
    await fault(url, { method: "ListSIPDispatchRule", times: 2 });
    assert.equal((await sdkError(sip.listSipDispatchRule())).status, 500);
    assert.equal((await sdkError(sip.listSipDispatchRule())).status, 500);
    assert.deepEqual(await sip.listSipDispatchRule(), []);
  });
});

Deno.test("faults: 'reset' drops the connection (the SDK sees a network error) and nothing is processed", async () => {
  await withLiveKitEmulator(async (emulator) => {
    await fault(emulator.url, { method: "CreateSIPOutboundTrunk", mode: "reset" });
    const error = await sdkError(
      emulator.sip.createSipOutboundTrunk("o", "example.pstn.twilio.com", [NUMBER]),
    );
    assert.equal(error.status, undefined, "a transport error, not an HTTP answer");
    assert.equal((await state(emulator.url)).outboundTrunks.length, 0);
  });
});

Deno.test("faults: 'applied-then-fail' and 'applied-then-drop' leave the object created though the answer is lost", async () => {
  await withLiveKitEmulator(async (emulator) => {
    const { sip, url } = emulator;
    await fault(url, {
      method: "CreateSIPInboundTrunk",
      mode: "applied-then-fail",
      status: 504,
      code: "deadline_exceeded",
    });
    const failed = await sdkError(sip.createSipInboundTrunk("lost-answer", [NUMBER]));
    assert.deepEqual([failed.status, failed.code], [504, "deadline_exceeded"]);
    assert.deepEqual((await state(url)).inboundTrunks.map((t) => t.name), ["lost-answer"]);

    await fault(url, { method: "CreateSIPDispatchRule", mode: "applied-then-drop" });
    const dropped = await sdkError(sip.createSipDispatchRule({ type: "individual", roomPrefix: "r" }));
    assert.equal(dropped.status, undefined);
    assert.equal((await state(url)).dispatchRules.length, 1);
    // A retry of the same create now meets the object that was made: here a dispatch rule conflict.
    const retry = await sdkError(sip.createSipDispatchRule({ type: "individual", roomPrefix: "r" }));
    assert.equal(retry.code, "invalid_argument");
  });
});

Deno.test("faults: match scopes a fault to requests whose body contains it; clearFaults(match) clears only those", async () => {
  await withLiveKitEmulator(async (emulator) => {
    const { sip, url } = emulator;
    // match is tested against the raw body, where JSON inside a string field (metadata) is escaped.
    await fault(url, { match: '\\"tenant\\":\\"a\\"', times: 5 });
    await fault(url, { match: "tenant-b", times: 5 });
    await sip.createSipInboundTrunk("c", ["+15550000003"], { metadata: '{"tenant":"c"}' });
    assert.equal(
      (await sdkError(sip.createSipInboundTrunk("a", [NUMBER], { metadata: '{"tenant":"a"}' }))).status,
      500,
    );
    await clearFaults(url, '\\"tenant\\":\\"a\\"');
    await sip.createSipInboundTrunk("a", [NUMBER], { metadata: '{"tenant":"a"}' });
    assert.equal((await sdkError(sip.createSipInboundTrunk("tenant-b", ["+15550000002"]))).status, 500);
    const left = (await (await fetch(`${url}/_emulator/faults`)).json()).faults;
    assert.deepEqual(left.map((f: { match: string; remaining: number }) => [f.match, f.remaining]), [[
      "tenant-b",
      4,
    ]]);
    await clearFaults(url);
    assert.deepEqual((await (await fetch(`${url}/_emulator/faults`)).json()).faults, []);
  });
});

Deno.test("faults: delayMs waits before the answer; bad fault specs are refused", async () => {
  await withLiveKitEmulator(async (emulator) => {
    const { sip, url } = emulator;
    await fault(url, { method: "ListSIPInboundTrunk", mode: "applied-then-fail", delayMs: 150 });
    const started = performance.now();
    await sdkError(sip.listSipInboundTrunk());
    assert.ok(performance.now() - started >= 140);
    for (
      const bad of [
        { method: "CreateSIPTrunks" },
        { mode: "explode" },
        { code: "teapot" },
        { status: 200 },
        { times: 0 },
        { metadata: "x" },
      ]
    ) {
      assert.equal(await adminStatus(url, "POST", "/_emulator/faults", bad), 400, JSON.stringify(bad));
    }
  });
});

Deno.test("latency: a request takes effect as it arrives and is answered L after its arrival", async () => {
  await withLiveKitEmulator(async (emulator) => {
    await configure(emulator.url, { latencyMs: 400 });
    const started = performance.now();
    const created = emulator.sip.createSipInboundTrunk("early", [NUMBER]);
    await new Promise((resolve) => setTimeout(resolve, 150));
    assert.equal((await state(emulator.url)).inboundTrunks.length, 1, "carried out before its answer");
    await created;
    assert.ok(performance.now() - started >= 400, "answered no sooner than L");
  });
});

Deno.test("config: latencyMs delays Twirp requests but not admin ones; unknown settings are refused", async () => {
  await withLiveKitEmulator(async (emulator) => {
    const config = await configure(emulator.url, { latencyMs: 150 });
    assert.equal(config.latencyMs, 150);
    assert.equal(config.missingGrant, "unauthenticated", "other settings keep their values");
    let started = performance.now();
    await emulator.sip.listSipInboundTrunk();
    assert.ok(performance.now() - started >= 140);
    started = performance.now();
    await state(emulator.url);
    assert.ok(performance.now() - started < 140);
    assert.equal(await adminStatus(emulator.url, "POST", "/_emulator/config", { latency: 5 }), 400);
    assert.equal(
      await adminStatus(emulator.url, "POST", "/_emulator/config", { missingGrant: "forbidden" }),
      400,
    );
  });
});

Deno.test("requests: every Twirp body as received, newest last, filtered by method or match, clearable", async () => {
  await withLiveKitEmulator(async (emulator) => {
    const { sip, url } = emulator;
    await sip.createSipInboundTrunk("t", [NUMBER], { metadata: "tenant-a" });
    await sip.listSipInboundTrunk();
    await sdkError(new SipClient(url, emulator.apiKey, "wrong").listSipDispatchRule()); // refused ones count too
    const all = await requests(url);
    assert.deepEqual(all.map((r) => r.method), [
      "CreateSIPInboundTrunk",
      "ListSIPInboundTrunk",
      "ListSIPDispatchRule",
    ]);
    assert.equal(all[0].body, '{"trunk":{"name":"t","metadata":"tenant-a","numbers":["+15550000001"]}}');
    assert.deepEqual((await requests(url, { method: "ListSIPInboundTrunk" })).map((r) => r.body), ["{}"]);
    assert.equal((await requests(url, { match: "tenant-a" })).length, 1);
    await clearRequests(url);
    assert.deepEqual(await requests(url), []);
  });
});

Deno.test("state and reset: reset forgets objects, faults and requests and restores the start-up settings", async () => {
  await withLiveKitEmulator(async (emulator) => {
    const { sip, url } = emulator;
    const inbound = await sip.createSipInboundTrunk("in", [NUMBER]);
    const outbound = await sip.createSipOutboundTrunk("out", "example.pstn.twilio.com", [NUMBER]);
    const rule = await sip.createSipDispatchRule({ type: "individual", roomPrefix: "r" }, {
      trunkIds: [inbound.sipTrunkId],
    });
    assert.deepEqual(await state(url), {
      inboundTrunks: [inbound.toJson()],
      outboundTrunks: [outbound.toJson()],
      dispatchRules: [rule.toJson()],
    });
    await fault(url, { method: "ListSIPInboundTrunk" });
    await configure(url, { latencyMs: 10, requireE164InboundNumbers: true });
    await reset(url);
    assert.deepEqual(await state(url), { inboundTrunks: [], outboundTrunks: [], dispatchRules: [] });
    assert.deepEqual(await requests(url), []);
    const config = await (await fetch(`${url}/_emulator/config`)).json();
    assert.deepEqual([config.latencyMs, config.requireE164InboundNumbers], [0, false]);
    assert.deepEqual(await sip.listSipInboundTrunk(), [], "the fault is gone");
  }, { config: { requireE164InboundNumbers: false } });
});

Deno.test("main.ts prints {url, apiKey, apiSecret} when listening and exits cleanly on SIGTERM", async () => {
  const { printed, stop } = await startMain(new URL("./main.ts", import.meta.url), [
    "--port",
    "0",
    "--api-key",
    "APIcustomkey1",
    "--api-secret",
    "custom-secret",
  ]);
  assert.match(printed.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.deepEqual([printed.apiKey, printed.apiSecret], ["APIcustomkey1", "custom-secret"]);
  assert.deepEqual(
    await new SipClient(printed.url, printed.apiKey, printed.apiSecret).listSipInboundTrunk(),
    [],
  );
  assert.equal(await stop(), 0);
});
