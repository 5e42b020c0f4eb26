// Form-encoded request bodies, checked against the parameters each operation accepts.
import { invalidParameter, TwilioError } from "./errors.ts";

export interface FormSpec {
  required?: readonly string[];
  optional?: readonly string[];
}

export type Form = Record<string, string>;

/**
 * Parses the body and rejects missing parameters with 400 20001. Unknown parameters are rejected too, with
 * 400 20001: a lint, stricter than Twilio, which ignores them; it catches misspelt parameter names.
 * Handlers call this first and then check and write state without awaiting, so concurrent requests cannot
 * interleave between a rule check (limits, uniqueness) and the write it guards.
 */
export async function readForm(req: Request, spec: FormSpec): Promise<Form> {
  const text = await req.text();
  const type = req.headers.get("content-type") ?? "";
  if (text !== "" && !type.includes("application/x-www-form-urlencoded")) {
    throw invalidParameter("Request body must be application/x-www-form-urlencoded");
  }
  const required = spec.required ?? [];
  const allowed = new Set([...required, ...(spec.optional ?? [])]);
  const form: Form = {};
  for (const [key, value] of new URLSearchParams(text)) {
    if (!allowed.has(key)) throw invalidParameter(`Unknown parameter: ${key}`);
    form[key] = value;
  }
  for (const name of required) {
    if (!form[name]) throw invalidParameter(`Missing required parameter ${name} in the post body`);
  }
  return form;
}

/** Twilio booleans are the lowercase words `true` and `false`. */
export function parseBoolean(value: string, invalid: () => TwilioError): boolean {
  if (value === "true") return true;
  if (value === "false") return false;
  throw invalid();
}

export function checkEnum<T extends string>(name: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) {
    throw invalidParameter(`${name} must be one of ${allowed.join(", ")}`);
  }
  return value as T;
}
