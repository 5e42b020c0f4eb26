/**
 * Customers of the product as the benchmarks need them: a user in auth.users with an access token and a Twilio
 * (emulator) account of their own, and the calls a client makes for them through the gateway.
 *
 * ```ts
 * const customer = await newCustomer(ctx);
 * await callFunction(ctx, "create-main-trunk", { token: customer.token, body: customer.credentials });
 * ```
 */
import { ensureUser, mintAccessToken } from "../local/users.ts";
import type { BenchContext } from "./context.ts";

export interface Customer {
  userId: string;
  token: string;
  credentials: { accountSid: string; authToken: string };
}

export async function newCustomer(ctx: BenchContext): Promise<Customer> {
  const userId = crypto.randomUUID();
  const [account] = await Promise.all([
    ctx.emulator.createAccount(),
    ensureUser(ctx.db, userId),
  ]);
  return {
    userId,
    token: await mintAccessToken(ctx.db, ctx.stack.info, userId),
    credentials: { accountSid: account.sid, authToken: account.authToken },
  };
}

export interface Call {
  method?: string;
  /** A user's access token (Authorization: Bearer). */
  token?: string;
  /** The project's secret key (apikey header), as the voice backend sends it. */
  secretKey?: string;
  headers?: Record<string, string>;
  query?: Record<string, string>;
  body?: unknown;
}

/** The request a client sends for `call`, to `baseUrl` (the gateway's /functions/v1/<name>, or a process). */
export function functionRequest(baseUrl: string, call: Call): Request {
  const url = new URL(baseUrl);
  for (const [key, value] of Object.entries(call.query ?? {})) url.searchParams.set(key, value);
  const headers = new Headers(call.headers);
  if (call.token) headers.set("Authorization", `Bearer ${call.token}`);
  if (call.secretKey) headers.set("apikey", call.secretKey);
  if (call.body !== undefined) headers.set("Content-Type", "application/json");
  return new Request(url, {
    method: call.method ?? (call.body === undefined ? "GET" : "POST"),
    headers,
    body: call.body === undefined ? undefined : JSON.stringify(call.body),
  });
}

/** Sends `call` and returns the JSON answer; anything but a 2xx is an error. */
export async function send<T = unknown>(request: Request): Promise<T> {
  const res = await fetch(request);
  const text = await res.text();
  if (!res.ok) throw new Error(`${request.method} ${new URL(request.url).pathname} -> ${res.status} ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

/** A call through the gateway, as a real client makes it. */
export function callFunction<T = unknown>(ctx: BenchContext, name: string, call: Call): Promise<T> {
  return send<T>(functionRequest(`${ctx.stack.info.api_url}/functions/v1/${name}`, call));
}

/** A customer whose main trunk exists, with `numbers` phone numbers attached to it. */
export async function provisionedCustomer(ctx: BenchContext, numbers = 0): Promise<Customer> {
  const customer = await newCustomer(ctx);
  await callFunction(ctx, "create-main-trunk", { token: customer.token, body: customer.credentials });
  if (numbers > 0) {
    const phoneNumbers = await addNumbers(ctx, customer, numbers);
    await callFunction(ctx, "attach-phone", { token: customer.token, body: { phoneNumbers } });
  }
  return customer;
}

let numberSeq = 0;

/** Gives the customer's account `count` new phone numbers (E.164, unique in the run); returns them. */
export async function addNumbers(ctx: BenchContext, customer: Customer, count: number): Promise<string[]> {
  const numbers = Array.from({ length: count }, () => `+1555${String(++numberSeq).padStart(7, "0")}`);
  for (let start = 0; start < numbers.length; start += 50) {
    await Promise.all(
      numbers.slice(start, start + 50).map((number) =>
        ctx.emulator.addNumber(customer.credentials.accountSid, number)
      ),
    );
  }
  return numbers;
}
