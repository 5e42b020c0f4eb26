/**
 * How every test calls a function: through a supabase-js client (a user's, the server's, the webhook's), as apps
 * do, with the answer typed by the contract. `invoke` expects a success, `refusal` an error body, `callFunction`
 * either. Where one function and method can answer more than one shape, `answer` names the one expected (it is
 * parsed with that schema).
 *
 * ```ts
 * const result = await invoke(user.supabase, "attach-phone", { method: "POST", body: { phoneNumber } });
 * const report = await invoke(user.supabase, "get-sip-config", { query: { verify: "1" }, answer: HealthReport });
 * const { status, error } = await refusal(user.supabase, "attach-phone", { method: "DELETE", body: {} });
 * ```
 */
import { type FunctionRegion, FunctionsHttpError, type SupabaseClient } from "@supabase/supabase-js";
import type { z } from "zod";
import type {
  AccountNumbers,
  AttachResult,
  CallRecordings,
  CredentialsList,
  DetachResult,
  Disconnected,
  ErrorBody,
  FunctionName,
  HealthReport,
  MainTrunk,
  Method,
  RecordingSettings,
  RecordingsPage,
  RepairResult,
  ServiceSipConfig,
  SipConfig,
  WebhookResult,
} from "../../supabase/functions/_shared/contract/index.ts";

/** What each function answers each method with, as the contract declares it. */
interface Answers {
  "create-main-trunk": { GET: CredentialsList; POST: MainTrunk; DELETE: Disconnected };
  "get-sip-config": { GET: SipConfig | ServiceSipConfig | HealthReport; POST: RepairResult };
  "attach-phone": { GET: AccountNumbers; POST: AttachResult; DELETE: DetachResult };
  "recording-info": { GET: RecordingSettings | CallRecordings | RecordingsPage; POST: RecordingSettings };
  "twilio-credentials-webhook": { POST: WebhookResult };
}

type AnswerTo<F extends FunctionName, M extends Method> = M extends keyof Answers[F] ? Answers[F][M]
  : never;

export interface FunctionCall<M extends Method, A> {
  /** GET unless given. */
  method?: M;
  /** Parameters, or a query string as it is sent ("?settings"). */
  query?: Record<string, string> | string;
  /** Sent as JSON; a string is sent as text (how a body that is not JSON reaches the function). */
  body?: unknown;
  /** The contract's schema of the answer expected, where the function may answer several. */
  answer?: z.ZodType<A>;
  /** Supabase's regional invocation, as supabase-js sends it (an `x-region` header and `forceFunctionRegion`). */
  region?: FunctionRegion;
}

export interface FunctionAnswer<A> {
  status: number;
  /** A success's answer. */
  data?: A;
  /** A refusal's error (undefined when the gateway, not the function, answered). */
  error?: ErrorBody["error"];
}

/** The function's answer, success or not; throws only when no answer came. */
export async function callFunction<
  F extends FunctionName,
  M extends Method = "GET",
  A extends AnswerTo<F, M> = AnswerTo<F, M>,
>(client: SupabaseClient, fn: F, call: FunctionCall<M, A> = {}): Promise<FunctionAnswer<A>> {
  const query = typeof call.query === "string"
    ? call.query
    : call.query
    ? `?${new URLSearchParams(call.query)}`
    : "";
  const { data, error, response } = await client.functions.invoke(`${fn}${query}`, {
    method: call.method ?? "GET",
    body: call.body as Record<string, unknown> | string | undefined,
    region: call.region,
  });
  if (!error) return { status: response!.status, data: call.answer ? call.answer.parse(data) : data };
  if (!(error instanceof FunctionsHttpError)) throw error;
  const body = await error.context.json().catch(() => undefined);
  return { status: error.context.status, error: body?.error };
}

/** A successful answer's body; a refusal throws, with its status and error. */
export async function invoke<
  F extends FunctionName,
  M extends Method = "GET",
  A extends AnswerTo<F, M> = AnswerTo<F, M>,
>(client: SupabaseClient, fn: F, call: FunctionCall<M, A> = {}): Promise<A> {
  const answer = await callFunction(client, fn, call);
  if (answer.data === undefined) {
    throw new Error(`${call.method ?? "GET"} ${fn} -> ${answer.status}: ${JSON.stringify(answer.error)}`);
  }
  return answer.data;
}

/** A refused request's status and error; a success throws. */
export async function refusal<F extends FunctionName, M extends Method = "GET">(
  client: SupabaseClient,
  fn: F,
  call: FunctionCall<M, AnswerTo<F, M>> = {},
): Promise<{ status: number; error: ErrorBody["error"] }> {
  const answer = await callFunction(client, fn, call);
  if (!answer.error) {
    throw new Error(`${call.method ?? "GET"} ${fn}: expected an error, got ${answer.status}`);
  }
  return { status: answer.status, error: answer.error };
}
