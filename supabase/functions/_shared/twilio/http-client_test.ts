import assert from "node:assert/strict";
import { TwilioNetworkError } from "./errors.ts";
import { TwilioHttpClient, type TwilioHttpClientOptions } from "./http-client.ts";
import { isIdempotentRequest } from "./retry-policy.ts";

const AC = "AC" + "a".repeat(32);
const TK = "TK" + "b".repeat(32);
const PN = "PN" + "c".repeat(32);
const TRUNKS = "https://trunking.twilio.com/v1/Trunks";
const ACCOUNT = `https://api.twilio.com/2010-04-01/Accounts/${AC}`;

type Step = Response | Error | "hang";

interface Sent {
  url: string;
  method: string;
  headers: Headers;
  body: string | null;
  /** Sent on a connection of its own (a Deno.HttpClient), not the shared keep-alive pool. */
  ownConnection: boolean;
}

/** A client over a scripted fetch and a fake clock: `sleep` records the delay and moves the clock. */
function harness(steps: Step[], options: TwilioHttpClientOptions = {}) {
  const sent: Sent[] = [];
  const delays: number[] = [];
  let clock = Date.UTC(2030, 0, 1);
  const fetch = (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    sent.push({
      url: String(input),
      method: init?.method ?? "GET",
      headers: new Headers(init?.headers),
      body: (init?.body as string | undefined) ?? null,
      ownConnection: (init as { client?: Deno.HttpClient } | undefined)?.client !== undefined,
    });
    const step = steps.shift();
    if (step === undefined) throw new Error("unexpected extra request");
    if (step instanceof Error) return Promise.reject(step);
    if (step === "hang") {
      return new Promise((_, reject) =>
        init?.signal?.addEventListener("abort", () => reject(init.signal?.reason))
      );
    }
    return Promise.resolve(step);
  };
  const client = new TwilioHttpClient({
    fetch,
    sleep: (ms) => {
      delays.push(ms);
      clock += ms;
      return Promise.resolve();
    },
    now: () => clock,
    random: () => 0.5,
    ...options,
  });
  return { client, sent, delays, now: () => clock };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json", ...headers } });
const twilioError = (status: number, code: number, headers: Record<string, string> = {}) =>
  json(status, {
    code,
    message: `error ${code}`,
    more_info: `https://www.twilio.com/docs/errors/${code}`,
    status,
  }, headers);
const dropped = () => new TypeError("connection reset by peer");

Deno.test("Twilio hosts are rewritten onto base URLs with path prefixes, keeping path and query", async () => {
  const { client, sent } = harness([json(200, {}), json(200, {}), json(200, {})], {
    apiBaseUrl: "http://127.0.0.1:4010/emulator/api/",
    trunkingBaseUrl: "http://127.0.0.1:4010/emulator/trunking",
  });
  await client.request({ method: "get", uri: `${ACCOUNT}/Recordings.json?Page=1`, params: { PageSize: 2 } });
  await client.request({ method: "get", uri: `${TRUNKS}/${TK}/PhoneNumbers` });
  await client.request({ method: "get", uri: "http://127.0.0.1:9/v1/Trunks?Page=2" });
  assert.deepEqual(sent.map((s) => s.url), [
    `http://127.0.0.1:4010/emulator/api/2010-04-01/Accounts/${AC}/Recordings.json?Page=1&PageSize=2`,
    `http://127.0.0.1:4010/emulator/trunking/v1/Trunks/${TK}/PhoneNumbers`,
    "http://127.0.0.1:9/v1/Trunks?Page=2",
  ]);
});

Deno.test("default base URLs are Twilio's own", async () => {
  const { client, sent } = harness([json(200, {})]);
  await client.request({ method: "get", uri: `${TRUNKS}/${TK}` });
  assert.equal(sent[0].url, `${TRUNKS}/${TK}`);
});

Deno.test("form body and query encode tricky values exactly, repeat arrays, drop undefined", async () => {
  const tricky = "a+b&c=d%25e f ü 🎉 ;transport=tcp";
  const { client, sent } = harness([json(201, {}), json(200, {})]);
  await client.request({
    method: "post",
    uri: TRUNKS,
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    data: {
      FriendlyName: tricky,
      Tags: ["x&y", "z=1", "%"],
      Secure: true,
      Enabled: false,
      Weight: 10,
      Gone: undefined,
    },
  });
  await client.request({
    method: "get",
    uri: `${ACCOUNT}/IncomingPhoneNumbers.json`,
    params: { PhoneNumber: "+1 555*" },
  });

  const form = new URLSearchParams(sent[0].body ?? "");
  assert.equal(form.get("FriendlyName"), tricky);
  assert.deepEqual(form.getAll("Tags"), ["x&y", "z=1", "%"]);
  assert.equal(form.get("Secure"), "true");
  assert.equal(form.get("Enabled"), "false");
  assert.equal(form.get("Weight"), "10");
  assert.equal(form.has("Gone"), false);
  assert.equal(sent[0].headers.get("Content-Type"), "application/x-www-form-urlencoded");
  assert.equal(sent[0].method, "POST");
  assert.equal(new URL(sent[1].url).searchParams.get("PhoneNumber"), "+1 555*");
  assert.equal(sent[1].body, null);
});

Deno.test("Basic auth carries the UTF-8 bytes of sid:token", async () => {
  const { client, sent } = harness([json(200, {})]);
  await client.request({ method: "get", uri: `${ACCOUNT}.json`, username: AC, password: "tök:en/+=" });
  const header = sent[0].headers.get("Authorization") ?? "";
  assert.match(header, /^Basic /);
  const bytes = Uint8Array.from(atob(header.slice(6)), (c) => c.charCodeAt(0));
  assert.equal(new TextDecoder().decode(bytes), `${AC}:tök:en/+=`);
});

Deno.test("429 on a create POST is retried after Retry-After seconds", async () => {
  const { client, sent, delays } = harness([
    twilioError(429, 20429, { "Retry-After": "3" }),
    json(201, { sid: TK }),
  ]);
  const res = await client.request({ method: "post", uri: TRUNKS, data: { FriendlyName: "t" } });
  assert.equal(res.statusCode, 201);
  assert.equal(sent.length, 2);
  assert.equal(sent[1].body, "FriendlyName=t");
  assert.equal(delays.length, 1);
  assert.ok(delays[0] >= 3000 && delays[0] <= 3100, `delay ${delays[0]}`);
});

Deno.test("429 Retry-After as an HTTP date is honoured", async () => {
  const steps: Step[] = [];
  const { client, delays, now } = harness(steps);
  steps.push(twilioError(429, 20429, { "Retry-After": new Date(now() + 5000).toUTCString() }), json(201, {}));
  assert.equal((await client.request({ method: "post", uri: TRUNKS, data: {} })).statusCode, 201);
  assert.equal(delays.length, 1);
  assert.ok(delays[0] >= 5000 && delays[0] <= 5100, `delay ${delays[0]}`);
});

Deno.test("a body code 20429 is a rate limit whatever the status", async () => {
  const { client, sent } = harness([twilioError(400, 20429), json(201, {})]);
  assert.equal((await client.request({ method: "post", uri: TRUNKS, data: {} })).statusCode, 201);
  assert.equal(sent.length, 2);
});

Deno.test("a Retry-After beyond the deadline is not waited for: the 429 comes back", async () => {
  const { client, sent, delays } = harness([twilioError(429, 20429, { "Retry-After": "60" })], {
    deadlineMs: 30_000,
  });
  const res = await client.request({ method: "post", uri: TRUNKS, data: {} });
  assert.equal(res.statusCode, 429);
  assert.equal(JSON.parse(res.body).code, 20429);
  assert.equal(sent.length, 1);
  assert.deepEqual(delays, []);
});

Deno.test("for bulk work (retryRateLimited: false) a 429 comes back at once, a 5xx is still retried", async () => {
  const { client, sent, delays } = harness(
    [twilioError(429, 20429), twilioError(503, 20500), json(200, {})],
    { retryRateLimited: false },
  );
  const limited = await client.request({ method: "post", uri: `${TRUNKS}/${TK}/PhoneNumbers`, data: {} });
  assert.equal(limited.statusCode, 429);
  assert.deepEqual([sent.length, delays.length], [1, 0], "no second request, no wait");
  assert.equal((await client.request({ method: "get", uri: `${TRUNKS}/${TK}` })).statusCode, 200);
  assert.equal(sent.length, 3, "the GET's 503 was retried");
});

Deno.test("a create POST is not repeated after a 500", async () => {
  const { client, sent } = harness([twilioError(500, 20500), json(201, {})]);
  const res = await client.request({ method: "post", uri: `${ACCOUNT}/SIP/CredentialLists.json`, data: {} });
  assert.equal(res.statusCode, 500);
  assert.equal(JSON.parse(res.body).code, 20500);
  assert.equal(sent.length, 1);
});

Deno.test("a create POST is not repeated after a dropped connection", async () => {
  const { client, sent } = harness([dropped(), json(201, {})]);
  await assert.rejects(
    client.request({ method: "post", uri: `${TRUNKS}/${TK}/OriginationUrls`, data: {} }),
    (error) => error instanceof TwilioNetworkError && /connection reset/.test(error.message),
  );
  assert.equal(sent.length, 1);
});

Deno.test("GET is retried after a 500 and after a dropped connection", async () => {
  const { client, sent } = harness([twilioError(500, 20500), dropped(), json(200, { trunks: [] })]);
  const res = await client.request({ method: "get", uri: TRUNKS });
  assert.equal(res.statusCode, 200);
  assert.deepEqual(JSON.parse(res.body), { trunks: [] });
  assert.equal(sent.length, 3);
});

Deno.test("update POSTs (path ends in a SID or a singleton) and DELETE are retried after a 5xx", async () => {
  const { client, sent } = harness([
    twilioError(503, 20503),
    json(200, { mode: "record-from-answer" }),
    twilioError(502, 20502),
    json(200, {}),
    twilioError(500, 20500),
    new Response(null, { status: 204 }),
  ]);
  const recording = await client.request({ method: "post", uri: `${TRUNKS}/${TK}/Recording`, data: {} });
  const number = await client.request({
    method: "post",
    uri: `${ACCOUNT}/IncomingPhoneNumbers/${PN}.json`,
    data: { TrunkSid: TK },
  });
  const removed = await client.request({ method: "delete", uri: `${TRUNKS}/${TK}` });
  assert.deepEqual([recording.statusCode, number.statusCode, removed.statusCode], [200, 200, 204]);
  assert.equal(sent.length, 6);
});

Deno.test("requests that must not be repeated get a connection of their own, others use the pool", async () => {
  const { client, sent } = harness([json(201, {}), json(200, {}), json(200, {}), json(200, {})]);
  await client.request({ method: "post", uri: TRUNKS, data: {} });
  await client.request({ method: "post", uri: `${TRUNKS}/${TK}/Recording`, data: {} });
  await client.request({ method: "get", uri: TRUNKS });
  await client.request({ method: "delete", uri: `${TRUNKS}/${TK}` });
  assert.deepEqual(sent.map((s) => s.ownConnection), [true, false, false, false]);
});

Deno.test("request classification: reads, deletes and updates are idempotent, creates are not", () => {
  const cases: [string, string, boolean][] = [
    ["GET", TRUNKS, true],
    ["DELETE", `${TRUNKS}/${TK}/CredentialLists/CL${"d".repeat(32)}`, true],
    ["POST", `${TRUNKS}/${TK}`, true],
    ["POST", `${TRUNKS}/${TK}/Recording`, true],
    ["POST", `${ACCOUNT}/IncomingPhoneNumbers/${PN}.json`, true],
    ["POST", `${ACCOUNT}/SIP/CredentialLists/CL${"d".repeat(32)}/Credentials/CR${"e".repeat(32)}.json`, true],
    ["POST", TRUNKS, false],
    ["POST", `${TRUNKS}/${TK}/PhoneNumbers`, false],
    ["POST", `${TRUNKS}/${TK}/CredentialLists`, false],
    ["POST", `${ACCOUNT}/SIP/CredentialLists.json`, false],
    ["POST", `${ACCOUNT}/SIP/CredentialLists/CL${"d".repeat(32)}/Credentials.json`, false],
    ["PUT", `${TRUNKS}/${TK}`, false],
  ];
  for (const [method, url, expected] of cases) {
    assert.equal(isIdempotentRequest(method, new URL(url).pathname), expected, `${method} ${url}`);
  }
});

Deno.test("backoff doubles from the base, is fully jittered and capped", async () => {
  const randoms = [0.9, 0.1, 0.5, 0.75, 0.99];
  const { client, delays } = harness(
    Array.from({ length: 6 }, () => twilioError(503, 20503)),
    { maxAttempts: 6, baseDelayMs: 100, maxDelayMs: 500, random: () => randoms.shift() ?? 0 },
  );
  const res = await client.request({ method: "get", uri: TRUNKS });
  assert.equal(res.statusCode, 503);
  // ceilings 100, 200, 400, 500 (cap), 500 (cap) scaled by the random draws
  assert.deepEqual(delays.map((d) => Math.round(d * 1000) / 1000), [90, 20, 200, 375, 495]);
});

Deno.test("jittered delays stay within [0, ceiling) for any random draw", async () => {
  for (const draw of [0, 0.3, 0.999999]) {
    const { client, delays } = harness(Array.from({ length: 4 }, () => twilioError(500, 20500)), {
      random: () => draw,
    });
    await client.request({ method: "get", uri: TRUNKS });
    const ceilings = [100, 200, 400];
    assert.equal(delays.length, 3);
    delays.forEach((d, i) => assert.ok(d >= 0 && d < ceilings[i], `delay ${d} for retry ${i + 1}`));
  }
});

Deno.test("attempts are capped: the last response comes back, or the last network error is thrown", async () => {
  const fiveHundreds = harness(Array.from({ length: 5 }, () => twilioError(500, 20500)), { maxAttempts: 3 });
  assert.equal((await fiveHundreds.client.request({ method: "get", uri: TRUNKS })).statusCode, 500);
  assert.equal(fiveHundreds.sent.length, 3);

  const drops = harness(Array.from({ length: 5 }, dropped), { maxAttempts: 3 });
  await assert.rejects(
    drops.client.request({ method: "get", uri: TRUNKS }),
    (error) => error instanceof TwilioNetworkError && /3 attempt/.test(error.message),
  );
  assert.equal(drops.sent.length, 3);

  const limited = harness(Array.from({ length: 5 }, () => twilioError(429, 20429)), { maxAttempts: 4 });
  assert.equal((await limited.client.request({ method: "post", uri: TRUNKS, data: {} })).statusCode, 429);
  assert.equal(limited.sent.length, 4);
});

Deno.test("a timeout is a TwilioNetworkError; a timed-out GET is retried, a create POST is not", async () => {
  const post = harness(["hang", json(201, {})], { timeoutMs: 20 });
  await assert.rejects(
    post.client.request({ method: "post", uri: TRUNKS, data: {} }),
    (error) => error instanceof TwilioNetworkError && /timed out after 20 ms/.test(error.message),
  );
  assert.equal(post.sent.length, 1);

  const get = harness(["hang", json(200, { ok: true })], { timeoutMs: 20 });
  assert.equal((await get.client.request({ method: "get", uri: TRUNKS })).statusCode, 200);
  assert.equal(get.sent.length, 2);
});

Deno.test("4xx other than 429 come back at once with Twilio's body and headers", async () => {
  const { client, sent } = harness([
    twilioError(404, 20404, { "Twilio-Request-Id": "RQ1" }),
    twilioError(400, 21248),
  ]);
  const notFound = await client.request({ method: "get", uri: `${TRUNKS}/${TK}` });
  const taken = await client.request({
    method: "post",
    uri: TRUNKS,
    data: { DomainName: "x.pstn.twilio.com" },
  });
  assert.equal(notFound.statusCode, 404);
  assert.equal(JSON.parse(notFound.body).code, 20404);
  assert.equal(notFound.headers["twilio-request-id"], "RQ1");
  assert.equal(JSON.parse(taken.body).code, 21248);
  assert.equal(sent.length, 2);
});

Deno.test("stream() rewrites and authenticates, leaves a success body unread and reads error bodies", async () => {
  const audio = new Uint8Array([1, 2, 3, 4]);
  const { client, sent } = harness(
    [
      twilioError(503, 20503),
      new Response(audio, { status: 200, headers: { "Content-Type": "audio/mpeg" } }),
      twilioError(404, 20404),
    ],
    { apiBaseUrl: "http://127.0.0.1:4010/api" },
  );
  const media = await client.stream(`${ACCOUNT}/Recordings/RE${"f".repeat(32)}.mp3`, {
    username: AC,
    password: "t",
  });
  assert.equal(media.status, 200);
  assert.equal(media.bodyUsed, false);
  assert.deepEqual(new Uint8Array(await media.arrayBuffer()), audio);
  assert.equal(
    sent[1].url,
    `http://127.0.0.1:4010/api/2010-04-01/Accounts/${AC}/Recordings/RE${"f".repeat(32)}.mp3`,
  );
  assert.equal(sent[1].headers.get("Authorization"), `Basic ${btoa(`${AC}:t`)}`);

  const missing = await client.stream(`${ACCOUNT}/Recordings/RE${"0".repeat(32)}.wav`, {
    username: AC,
    password: "t",
  });
  assert.equal(missing.status, 404);
  assert.equal((await missing.json()).code, 20404);
});

Deno.test("connections: creates get their own; reads, updates and associations may reuse a pooled one", async () => {
  const { mayReuseConnection } = await import("./retry-policy.ts");
  const trunk = `https://trunking.twilio.com/v1/Trunks/TK${"a".repeat(32)}`;
  const api = `https://api.twilio.com/2010-04-01/Accounts/AC${"b".repeat(32)}`;
  const table: [string, string, boolean][] = [
    ["GET", `${trunk}/PhoneNumbers`, true],
    ["DELETE", `${trunk}/PhoneNumbers/PN${"c".repeat(32)}`, true],
    ["POST", `${trunk}/Recording`, true],
    ["POST", `${trunk}/PhoneNumbers`, true],
    ["POST", `${trunk}/CredentialLists`, true],
    ["POST", "https://trunking.twilio.com/v1/Trunks", false],
    ["POST", `${trunk}/OriginationUrls`, false],
    ["POST", `${api}/SIP/CredentialLists.json`, false],
    ["POST", `${api}/SIP/CredentialLists/CL${"d".repeat(32)}/Credentials.json`, false],
  ];
  for (const [method, url, expected] of table) {
    assert.equal(mayReuseConnection(method, new URL(url).pathname), expected, `${method} ${url}`);
  }
});
