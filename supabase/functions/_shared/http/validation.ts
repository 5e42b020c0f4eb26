/** Request input: JSON bodies and query strings parsed by zod into typed values, or a 400 that names the field. */
import type { z } from "zod";
import { ApiError } from "./errors.ts";

const MAX_BODY_BYTES = 256 * 1024;

export function parseInput<T extends z.ZodType>(schema: T, input: unknown): z.infer<T> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  // An unknown key (strictObject) is named as the field at fault, like any other.
  const unknown = issue.code === "unrecognized_keys" ? issue.keys.slice(0, 1) : [];
  const field = [...issue.path, ...unknown].join(".") || undefined;
  const message = unknown.length ? "is not a known field" : issue.message;
  throw new ApiError("invalid_input", field ? `${field}: ${message}` : message, field);
}

/** The request body as JSON (an empty body reads as `{}`), refusing anything that is not a JSON object. */
export async function readJsonBody(req: Request): Promise<unknown> {
  const declared = Number(req.headers.get("content-length") ?? 0);
  if (declared > MAX_BODY_BYTES) throw tooLarge();
  const text = await readCapped(req);
  if (!text.trim()) return {};
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new ApiError("invalid_json", "The request body is not valid JSON");
  }
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    throw new ApiError("invalid_json", "The request body must be a JSON object");
  }
  return body;
}

/** Reads the body while counting, and stops at the cap: a body without Content-Length is never buffered whole. */
async function readCapped(req: Request): Promise<string> {
  if (!req.body) return "";
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of req.body) {
    size += chunk.byteLength;
    if (size > MAX_BODY_BYTES) throw tooLarge(); // leaving the loop cancels the rest of the stream
    chunks.push(chunk);
  }
  const body = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return new TextDecoder().decode(body);
}

/**
 * Supabase's own query parameter that pins the region a function runs in (for callers that cannot send the
 * `x-region` header: browsers without a preflight for it, database webhooks). It is the platform's, not an input.
 * https://supabase.com/docs/guides/functions/regional-invocation
 */
const REGION_PARAMETER = "forceFunctionRegion";

/**
 * The query string as an object, for a schema to parse (the last of repeated keys), the platform's parameter left
 * out. Built with fromEntries, which defines every key as the object's own (a `__proto__` key included).
 */
export function queryObject(url: URL): Record<string, string> {
  return Object.fromEntries([...url.searchParams].filter(([key]) => key !== REGION_PARAMETER));
}

const tooLarge = () => new ApiError("body_too_large", `The request body exceeds ${MAX_BODY_BYTES} bytes`);
