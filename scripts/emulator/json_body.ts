// Typed access to the admin API's JSON bodies; bad input is a 400 with Twilio's error shape.
import { invalidParameter } from "./errors.ts";

export class JsonFields {
  constructor(private readonly body: Record<string, unknown>) {}

  static async read(req: Request): Promise<JsonFields> {
    const text = await req.text();
    let body: unknown = {};
    try {
      if (text.trim() !== "") body = JSON.parse(text);
    } catch {
      throw invalidParameter("Body must be JSON");
    }
    if (typeof body !== "object" || body === null || Array.isArray(body)) {
      throw invalidParameter("Body must be a JSON object");
    }
    return new JsonFields(body as Record<string, unknown>);
  }

  has(key: string): boolean {
    return this.body[key] !== undefined;
  }

  string(key: string): string | undefined {
    const value = this.body[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== "string") throw invalidParameter(`${key} must be a string`);
    return value;
  }

  requiredString(key: string): string {
    const value = this.string(key);
    if (!value) throw invalidParameter(`${key} is required`);
    return value;
  }

  oneOf<T extends string>(key: string, allowed: readonly T[]): T | undefined {
    const value = this.string(key);
    if (value !== undefined && !(allowed as readonly string[]).includes(value)) {
      throw invalidParameter(`${key} must be one of ${allowed.join(", ")}`);
    }
    return value as T | undefined;
  }

  /** undefined when absent, null when explicitly null (used to switch a setting off). */
  integer(key: string, min: number, max: number): number | null | undefined {
    const value = this.body[key];
    if (value === undefined || value === null) return value;
    if (!Number.isInteger(value) || (value as number) < min || (value as number) > max) {
      throw invalidParameter(`${key} must be an integer in ${min}..${max}`);
    }
    return value as number;
  }

  /** A value that must be one of `allowed` (numbers or strings), compared exactly. */
  requiredMember<T extends string | number>(key: string, allowed: readonly T[]): T {
    const value = this.body[key];
    if (!(allowed as readonly unknown[]).includes(value)) {
      throw invalidParameter(`${key} must be one of ${allowed.join(", ")}`);
    }
    return value as T;
  }

  /** A nested JSON object, or undefined when absent. */
  object(key: string): JsonFields | undefined {
    const value = this.body[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== "object" || Array.isArray(value)) throw invalidParameter(`${key} must be an object`);
    return new JsonFields(value as Record<string, unknown>);
  }

  boolean(key: string): boolean | undefined {
    const value = this.body[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== "boolean") throw invalidParameter(`${key} must be a boolean`);
    return value;
  }
}
