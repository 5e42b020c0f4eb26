/**
 * What the Twilio emulator (scripts/emulator) and the LiveKit emulator (scripts/livekit-emulator) share: a
 * shutdown that ends their waits, typed reading of their admin API's JSON bodies (each answers bad input in its
 * own error shape, so the error is theirs to make), and starting one as a process of its own (the local stack
 * runs both that way; their tests check it).
 */
import { repoRoot } from "./process.ts";

/** Aborted on close, so latency and delay waits end instead of holding the process open. */
export class Shutdown {
  readonly #controller = new AbortController();

  get shutdownSignal(): AbortSignal {
    return this.#controller.signal;
  }

  shutdown(): void {
    this.#controller.abort();
  }
}

type Invalid = (message: string) => Error;

const NOUNS = { string: "a string", boolean: "a boolean", object: "an object" };

/** An admin request's JSON object body (an empty one is {}). */
export class JsonFields {
  private constructor(private readonly body: Record<string, unknown>, private readonly invalid: Invalid) {}

  /** With `known`, a key outside it fails (a misspelt setting) instead of being ignored. */
  static async read(req: Request, invalid: Invalid, known?: readonly string[]): Promise<JsonFields> {
    const text = await req.text();
    let body: unknown = {};
    try {
      if (text.trim() !== "") body = JSON.parse(text);
    } catch {
      throw invalid("Body must be JSON");
    }
    if (typeof body !== "object" || body === null || Array.isArray(body)) {
      throw invalid("Body must be a JSON object");
    }
    const unknown = known ? Object.keys(body).filter((key) => !known.includes(key)) : [];
    if (unknown.length) throw invalid(`unknown field(s): ${unknown.join(", ")}`);
    return new JsonFields(body as Record<string, unknown>, invalid);
  }

  has(key: string): boolean {
    return this.body[key] !== undefined;
  }

  #get(key: string, type: keyof typeof NOUNS): unknown {
    const value = this.body[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== type || Array.isArray(value)) throw this.invalid(`${key} must be ${NOUNS[type]}`);
    return value;
  }

  string(key: string): string | undefined {
    return this.#get(key, "string") as string | undefined;
  }

  boolean(key: string): boolean | undefined {
    return this.#get(key, "boolean") as boolean | undefined;
  }

  /** A nested JSON object, or undefined when absent. */
  object(key: string): JsonFields | undefined {
    const value = this.#get(key, "object") as Record<string, unknown> | undefined;
    return value && new JsonFields(value, this.invalid);
  }

  requiredString(key: string): string {
    const value = this.string(key);
    if (!value) throw this.invalid(`${key} is required`);
    return value;
  }

  oneOf<T extends string>(key: string, allowed: readonly T[]): T | undefined {
    const value = this.string(key);
    if (value !== undefined && !(allowed as readonly string[]).includes(value)) {
      throw this.invalid(`${key} must be one of ${allowed.join(", ")}`);
    }
    return value as T | undefined;
  }

  /** undefined when absent, null when explicitly null (used to switch a setting off). */
  integer(key: string, min: number, max: number): number | null | undefined {
    const value = this.body[key];
    if (value === undefined || value === null) return value;
    if (!Number.isInteger(value) || (value as number) < min || (value as number) > max) {
      throw this.invalid(`${key} must be an integer in ${min}..${max}`);
    }
    return value as number;
  }

  /** A value that must be one of `allowed` (numbers or strings), compared exactly. */
  requiredMember<T extends string | number>(key: string, allowed: readonly T[]): T {
    const value = this.body[key];
    if (!(allowed as readonly unknown[]).includes(value)) {
      throw this.invalid(`${key} must be one of ${allowed.join(", ")}`);
    }
    return value as T;
  }
}

/**
 * Starts an emulator's main.ts as `deno task` would (the repository's config), with `args` and `env`; gives what
 * it printed on its first line (its URLs, as JSON) and a stop that sends SIGTERM and resolves to the exit code.
 * Its stdin is a pipe this process holds: with `--exit-with-parent` the emulator ends when that pipe closes, so
 * one whose parent was killed does not outlive it.
 */
export async function startMain(main: URL, args: string[] = [], env: Record<string, string> = {}) {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--config", `${repoRoot}/deno.json`, main.pathname, ...args],
    env,
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let output = "";
  while (!output.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) break;
    output += value;
  }
  if (!output.includes("\n")) {
    throw new Error(`${main.pathname} exited (code ${(await child.status).code}) before it was listening`);
  }
  const stop = async () => {
    child.kill("SIGTERM");
    const status = await child.status;
    await reader.cancel();
    await child.stdin.close().catch(() => {});
    return status.code;
  };
  return { printed: JSON.parse(output.trim()), stop };
}

/**
 * How an emulator process ends: `close` runs, then the process exits, on SIGINT or SIGTERM and, with
 * `exitWithParent`, once stdin reaches its end (the parent that holds its other end has closed it, or died).
 */
export function closeOnExit(close: () => Promise<void>, options: { exitWithParent: boolean }): void {
  const stop = async () => {
    await close();
    Deno.exit(0);
  };
  Deno.addSignalListener("SIGINT", stop);
  Deno.addSignalListener("SIGTERM", stop);
  if (!options.exitWithParent) return;
  (async () => {
    for await (const _ of Deno.stdin.readable) { /* nothing is ever sent */ }
    await stop();
  })();
}
