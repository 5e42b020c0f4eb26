/**
 * Whatever a caller sends (methods, headers, bodies), no function answers with a 5xx, and nothing is stored or
 * created in Twilio. Seeded, so a failure can be replayed.
 */
import assert from "node:assert/strict";
import { seededRandom } from "../../../scripts/testing/random.ts";
import { ENDPOINTS } from "../_shared/contract/index.ts";
import { db, emulator, newUser, stackInfo, stackTest } from "../../../scripts/testing/stack.ts";

const FUNCTIONS = [...new Set(ENDPOINTS.map((endpoint) => endpoint.fn))];
const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"];
const REQUESTS_PER_FUNCTION = 60;

stackTest("fuzz: random methods, headers and bodies never get a 5xx and change nothing", async () => {
  const stack = stackInfo();
  const user = await newUser();
  const account = await emulator.createAccount();
  const random = seededRandom(424242);
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)];
  const hex = (n: number) => Array.from({ length: n }, () => pick([..."0123456789abcdef"])).join("");
  const text = () =>
    pick(["", "x", "💥", "'; drop table users; --", "\u0000", "a".repeat(5000), "%00%ff", "+&=?"]);

  // Plausible-looking values, none of which is the account's real token, so nothing can legitimately succeed.
  const value = (depth = 0): unknown => {
    const choices: (() => unknown)[] = [
      () => null,
      () => random() * 1e12 - 5e11,
      () => random() < 0.5,
      text,
      () => account.sid,
      () => `AC${hex(32)}`,
      () => hex(32),
      () => `PN${hex(32)}`,
      () => `RE${hex(30)}`,
      () => "+1415555" + hex(4),
      () => crypto.randomUUID(),
      () => "record-from-answer",
    ];
    if (depth < 3) {
      choices.push(() => Array.from({ length: Math.floor(random() * 4) }, () => value(depth + 1)));
      choices.push(() => object(depth + 1));
    }
    return pick(choices)();
  };
  const KEYS = [
    "accountSid",
    "authToken",
    "label",
    "recordingMode",
    "userId",
    "phoneNumber",
    "phoneNumberSid",
    "phoneNumbers",
    "callSid",
    "recordingSid",
    "mode",
    "trim",
    "type",
    "table",
    "schema",
    "record",
    "__proto__",
    "constructor",
    text(),
  ];
  const object = (depth = 0) =>
    Object.fromEntries(Array.from({ length: Math.floor(random() * 5) }, () => [pick(KEYS), value(depth)]));
  const body = () =>
    pick<() => string | undefined>([
      () => undefined,
      () => JSON.stringify(object()),
      () => JSON.stringify(value()),
      () => JSON.stringify({ accountSid: account.sid, authToken: hex(32), extra: value() }),
      () => "{not json",
      () => "[".repeat(10_000),
      () => JSON.stringify({ big: "x".repeat(300 * 1024) }),
    ])();
  const headers = (): Record<string, string> => {
    const h: Record<string, string> = {};
    const auth = pick(["user", "garbage", "none", "secret", "bad-secret"]);
    if (auth === "user") h.Authorization = `Bearer ${user.token}`;
    if (auth === "garbage") {
      h.Authorization = pick(["Bearer", "Bearer x.y.z", `Basic ${btoa("a:b")}`, text()]);
    }
    if (auth === "secret") h.apikey = stack.secret_key;
    if (auth === "bad-secret") h.apikey = `sb_secret_${hex(20)}`;
    if (random() < 0.5) {
      h["Content-Type"] = pick(["application/json", "text/plain", "multipart/form-data", "💥"]);
    }
    if (random() < 0.3) h["X-Webhook-Secret"] = pick(["", hex(10), text()]);
    if (random() < 0.2) h["x-request-id"] = text();
    return Object.fromEntries(Object.entries(h).filter(([, v]) => /^[\t\x20-\x7e]*$/.test(v)));
  };
  const query = () =>
    random() < 0.5 ? "" : "?" + new URLSearchParams(Object.entries(object()).map(([k, v]) => [k, String(v)]));

  const seen: string[] = [];
  for (const fn of FUNCTIONS) {
    for (let i = 0; i < REQUESTS_PER_FUNCTION; i++) {
      const method = pick(METHODS);
      const payload = method === "GET" || method === "HEAD" ? undefined : body();
      const res = await fetch(`${stack.api_url}/functions/v1/${fn}${query()}`, {
        method,
        headers: headers(),
        body: payload,
      });
      const answer = await res.text();
      seen.push(`${fn} ${method} ${res.status}`);
      assert.ok(res.status < 500, `${fn} ${method} -> ${res.status} ${answer.slice(0, 300)}`);
      if (res.status >= 400 && method !== "HEAD" && answer.startsWith('{"error"')) {
        const { error } = JSON.parse(answer);
        assert.equal(typeof error.code, "string");
        assert.equal(typeof error.message, "string");
      }
    }
  }
  assert.ok(
    new Set(seen.map((s) => s.split(" ")[2])).size >= 4,
    "the fuzz reached several different outcomes",
  );

  const rows = await db()`select id from public.user_twilio_credentials where user_id = ${user.userId}
    or account_sid = ${account.sid}`;
  assert.equal(rows.length, 0, "no credential row");
  const state = await emulator.state(account.sid);
  assert.equal(state.trunks.length + state.credential_lists.length, 0, "no Twilio resource");
});
