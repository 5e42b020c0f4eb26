/**
 * Structured JSON logs, one object per line, with secrets redacted by key name before anything is written:
 * Supabase's log explorer indexes these fields, and no token or password may ever reach it.
 *
 * ```ts
 * const log = createLogger({ fn: "create-main-trunk", request_id: id });
 * log.info("provisioned", { trunkSid });
 * ```
 */
export type LogFields = Record<string, unknown>;

export interface Logger {
  info(event: string, fields?: LogFields): void;
  warn(event: string, fields?: LogFields): void;
  error(event: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

const SECRET_KEY = /token|password|secret|authorization|apikey|api_key|cookie|credential_value/i;

export type LogSink = (level: string, line: string) => void;

const consoleSink: LogSink = (level, line) => level === "error" ? console.error(line) : console.log(line);

export function createLogger(base: LogFields = {}, sink: LogSink = consoleSink): Logger {
  const write = (level: string, event: string, fields?: LogFields) => {
    sink(level, JSON.stringify(redact({ level, event, time: new Date().toISOString(), ...base, ...fields })));
  };
  return {
    info: (event, fields) => write("info", event, fields),
    warn: (event, fields) => write("warn", event, fields),
    error: (event, fields) => write("error", event, fields),
    child: (fields) => createLogger({ ...base, ...fields }, sink),
  };
}

/** Replaces the value of every secret-looking key, at any depth. */
export function redact(value: unknown, depth = 0): unknown {
  if (depth > 6 || value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((item) => redact(item, depth + 1));
  return Object.fromEntries(
    Object.entries(value).map((
      [key, inner],
    ) => [key, SECRET_KEY.test(key) ? "[redacted]" : redact(inner, depth + 1)]),
  );
}
