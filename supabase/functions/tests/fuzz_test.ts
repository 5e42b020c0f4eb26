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
];

/**
 * Requests drawn from one seeded source. Plausible-looking values, none of which is the account's real token, so
 * nothing can legitimately succeed.
 */
class RandomRequests {
  readonly #keys: string[];

  constructor(
    private readonly random: () => number,
    private readonly known: { accountSid: string; userToken: string; secretKey: string },
  ) {
    this.#keys = [...KEYS, this.text()];
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length)];
  }

  hex(n: number): string {
    return Array.from({ length: n }, () => this.pick([..."0123456789abcdef"])).join("");
  }

  text(): string {
    return this.pick([
      "",
      "x",
      "💥",
      "'; drop table users; --",
      "\u0000",
      "a".repeat(5000),
      "%00%ff",
      "+&=?",
    ]);
  }

  value(depth = 0): unknown {
    const choices: (() => unknown)[] = [
      () => null,
      () => this.random() * 1e12 - 5e11,
      () => this.random() < 0.5,
      () => this.text(),
      () => this.known.accountSid,
      () => `AC${this.hex(32)}`,
      () => this.hex(32),
      () => `PN${this.hex(32)}`,
      () => `RE${this.hex(30)}`,
      () => "+1415555" + this.hex(4),
      () => crypto.randomUUID(),
      () => "record-from-answer",
    ];
    if (depth < 3) {
      choices.push(() => Array.from({ length: Math.floor(this.random() * 4) }, () => this.value(depth + 1)));
      choices.push(() => this.object(depth + 1));
    }
    return this.pick(choices)();
  }

  object(depth = 0): Record<string, unknown> {
    const size = Math.floor(this.random() * 5);
    return Object.fromEntries(Array.from({ length: size }, () => [this.pick(this.#keys), this.value(depth)]));
  }

  body(): string | undefined {
    return this.pick<() => string | undefined>([
      () => undefined,
      () => JSON.stringify(this.object()),
      () => JSON.stringify(this.value()),
      () =>
        JSON.stringify({ accountSid: this.known.accountSid, authToken: this.hex(32), extra: this.value() }),
      () => "{not json",
      () => "[".repeat(10_000),
      () => JSON.stringify({ big: "x".repeat(300 * 1024) }),
    ])();
  }

  headers(): Record<string, string> {
    const h: Record<string, string> = {};
    const auth = this.pick(["user", "garbage", "none", "secret", "bad-secret"]);
    if (auth === "user") h.Authorization = `Bearer ${this.known.userToken}`;
    if (auth === "garbage") {
      h.Authorization = this.pick(["Bearer", "Bearer x.y.z", `Basic ${btoa("a:b")}`, this.text()]);
    }
    if (auth === "secret") h.apikey = this.known.secretKey;
    if (auth === "bad-secret") h.apikey = `sb_secret_${this.hex(20)}`;
    if (this.random() < 0.5) {
      h["Content-Type"] = this.pick(["application/json", "text/plain", "multipart/form-data", "💥"]);
    }
    if (this.random() < 0.3) h["X-Webhook-Secret"] = this.pick(["", this.hex(10), this.text()]);
    if (this.random() < 0.2) h["x-request-id"] = this.text();
    return Object.fromEntries(Object.entries(h).filter(([, v]) => /^[\t\x20-\x7e]*$/.test(v)));
  }

  query(): string {
    if (this.random() < 0.5) return "";
    return "?" + new URLSearchParams(Object.entries(this.object()).map(([k, v]) => [k, String(v)]));
  }
}

/** Sends one random request to `fn`: never a 5xx, and an error body has its code and message. */
async function fuzzOnce(apiUrl: string, fn: string, requests: RandomRequests): Promise<string> {
  const method = requests.pick(METHODS);
  const payload = method === "GET" || method === "HEAD" ? undefined : requests.body();
  const res = await fetch(`${apiUrl}/functions/v1/${fn}${requests.query()}`, {
    method,
    headers: requests.headers(),
    body: payload,
  });
  const answer = await res.text();
  assert.ok(res.status < 500, `${fn} ${method} -> ${res.status} ${answer.slice(0, 300)}`);
  if (res.status >= 400 && method !== "HEAD" && answer.startsWith('{"error"')) {
    const { error } = JSON.parse(answer);
    assert.equal(typeof error.code, "string");
    assert.equal(typeof error.message, "string");
  }
  return `${fn} ${method} ${res.status}`;
}

stackTest("fuzz: random methods, headers and bodies never get a 5xx and change nothing", async () => {
  const stack = stackInfo();
  const user = await newUser();
  const account = await emulator.createAccount();
  const requests = new RandomRequests(seededRandom(424242), {
    accountSid: account.sid,
    userToken: user.token,
    secretKey: stack.secret_key,
  });

  const seen: string[] = [];
  for (const fn of FUNCTIONS) {
    for (let i = 0; i < REQUESTS_PER_FUNCTION; i++) seen.push(await fuzzOnce(stack.api_url, fn, requests));
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
