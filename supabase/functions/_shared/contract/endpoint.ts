/**
 * How the contract describes one operation: the function and method it is served at, who may call it, its query
 * and body, its answers by status, and the error codes it can end in. The OpenAPI document and the tests' check
 * of every answer read these; the functions parse their input with the same schemas.
 */
import type { z } from "zod";
import type { ErrorCode } from "./errors.ts";

export type FunctionName =
  | "create-main-trunk"
  | "get-sip-config"
  | "attach-phone"
  | "recording-info"
  | "twilio-credentials-webhook";

export type Method = "GET" | "POST" | "DELETE";

/** A user's access token (bearer), the project's secret key (`apikey`), or the webhook secret header. */
export type Caller = "user" | "secretKey" | "webhookSecret";

export interface Answer {
  description: string;
  /** A JSON answer. */
  json?: z.ZodType;
  /** Or bytes of one of these media types. */
  media?: readonly string[];
}

export interface Endpoint {
  fn: FunctionName;
  method: Method;
  caller: Caller;
  summary: string;
  description?: string;
  query?: z.ZodObject;
  body?: z.ZodType;
  /** Successful answers by status. */
  answers: Record<number, Answer>;
  errors: readonly ErrorCode[];
}

/** Error codes any request can end in: malformed input and our own bugs. */
export const INPUT_ERRORS = ["invalid_input", "internal_error"] as const satisfies ErrorCode[];
/** Those of a request with a JSON body. */
export const BODY_ERRORS = [...INPUT_ERRORS, "invalid_json", "body_too_large"] as const satisfies ErrorCode[];
/** A user's access token: missing, expired or foreign; the secret key where only users may call; Auth down. */
export const USER_ERRORS = [
  "unauthorized",
  "user_token_required",
  "auth_unavailable",
] as const satisfies ErrorCode[];
/** Any call on the user's connected Twilio account: none connected, or Twilio refusing or failing. */
export const ACCOUNT_ERRORS = [
  "credentials_not_found",
  "twilio_auth_failed",
  "twilio_error",
  "twilio_unreachable",
  "twilio_unavailable",
] as const satisfies ErrorCode[];
