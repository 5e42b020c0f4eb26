/**
 * Every answer a function gives a test is checked against the contract (supabase/functions/_shared/contract): a
 * success against its endpoint's schema (strict, so a field the schema does not name fails too), an error against
 * the error body, with a code its endpoint declares and the status that code comes with. `stackTest` runs each test
 * under `checkingAnswers`, so a handler that drifts from its schema fails the test that saw it, whether the test
 * called through supabase-js, the typed client or a plain fetch.
 *
 * ```ts
 * await checkingAnswers(async () => { await fetch(`${api_url}/functions/v1/get-sip-config`); });
 * ```
 */
import {
  type Caller,
  type Endpoint,
  ENDPOINTS,
  ErrorBody,
  type ErrorCode,
  ERRORS,
  type FunctionName,
} from "../../supabase/functions/_shared/contract/index.ts";
import { declaredErrors, operationOf } from "../openapi/operations.ts";

export interface RequestFacts {
  url: string;
  method: string;
  headers: Headers;
}

/** Runs `test` with every function answer it receives checked; throws the answers that break the contract. */
export async function checkingAnswers(test: () => Promise<void>): Promise<void> {
  const realFetch = globalThis.fetch;
  const checks: Promise<string | undefined>[] = [];
  globalThis.fetch = async (input, init) => {
    const response = await realFetch(input, init);
    checks.push(contractProblem(requestFacts(input, init), response));
    return response;
  };
  let failure: unknown;
  try {
    await test();
  } catch (error) {
    failure = error;
  } finally {
    globalThis.fetch = realFetch;
  }
  const problems = (await Promise.all(checks)).filter((problem) => problem !== undefined);
  if (problems.length) {
    throw new Error(`Answers that break the contract:\n  ${problems.join("\n  ")}`, { cause: failure });
  }
  if (failure !== undefined) throw failure;
}

/**
 * What an answer breaks in the contract, or undefined when it keeps it (or is not a function's). Reads a copy of
 * a JSON body, so the caller still reads the answer itself.
 */
export async function contractProblem(
  request: RequestFacts,
  response: Response,
): Promise<string | undefined> {
  const fn = new URL(request.url).pathname.match(/^\/functions\/v1\/([a-z0-9-]+)$/)?.[1] as FunctionName;
  // Not a function of the contract, or the gateway's own answer (a function's always carries its request id).
  if (!ENDPOINTS.some((endpoint) => endpoint.fn === fn) || !response.headers.has("x-request-id")) {
    return undefined;
  }
  const method = request.method.toUpperCase();
  const label = `${method} ${fn} -> ${response.status}`;
  if (method === "OPTIONS") return response.status === 204 ? undefined : `${label}: a preflight answers 204`;
  if (method === "HEAD") return undefined; // no body to check
  const endpoints = endpointsFor(operationOf(fn, method), request);
  if (response.ok) {
    const type = response.headers.get("content-type") ?? "";
    const answers = endpoints.flatMap((endpoint) => endpoint.answers[response.status] ?? []);
    if (!type.startsWith("application/json")) {
      return answers.some((answer) => answer.media?.includes(type))
        ? undefined
        : `${label}: ${type || "no content type"} is not an answer the contract declares`;
    }
    const body = await response.clone().json();
    const results = answers.flatMap((answer) => answer.json ? [answer.json.safeParse(body)] : []);
    if (results.some((result) => result.success)) return undefined;
    const issues = results.flatMap((result) => result.error?.issues ?? []);
    return `${label}: the answer matches no schema the contract declares: ${
      JSON.stringify(issues).slice(0, 800)
    }`;
  }
  const parsed = ErrorBody.safeParse(await response.clone().json().catch(() => undefined));
  if (!parsed.success) return `${label}: not an error body: ${JSON.stringify(parsed.error.issues)}`;
  const { code } = parsed.data.error;
  // A method the function does not serve has no endpoint: the answer is 405.
  const declared: readonly ErrorCode[] = endpoints.length
    ? declaredErrors(endpoints)
    : ["method_not_allowed"];
  if (!declared.includes(code)) return `${label}: ${code} is not an error the endpoint declares`;
  if (ERRORS[code].status !== response.status) return `${label}: ${code} comes with ${ERRORS[code].status}`;
  return undefined;
}

/** The endpoints for the caller the request presents (all of the method's when none is for it). */
function endpointsFor(served: Endpoint[], request: RequestFacts): Endpoint[] {
  const caller: Caller = request.headers.get("apikey")?.startsWith("sb_secret_")
    ? "secretKey"
    : request.headers.has("x-webhook-secret")
    ? "webhookSecret"
    : "user";
  const theirs = served.filter((endpoint) => endpoint.caller === caller);
  return theirs.length ? theirs : served;
}

function requestFacts(input: RequestInfo | URL, init?: RequestInit): RequestFacts {
  const request = input instanceof Request ? input : undefined;
  return {
    url: request?.url ?? String(input),
    method: init?.method ?? request?.method ?? "GET",
    headers: new Headers(init?.headers ?? request?.headers),
  };
}
