/**
 * Structured JSON logs, one object per line, with secrets redacted by key name before anything is written:
 * Supabase's log explorer indexes these fields, and no token or password may ever reach it. Lines below
 * LOG_LEVEL (`debug`, `info` by default, `warn`, `error`; see config.ts) are dropped before they are built.
 *
 * ```ts
 * const log = createLogger({ fn: "create-main-trunk", request_id: id });
 * log.info("provisioned", { trunkSid });
 * ```
 */
import { type LogLevel, logLevelFromEnv } from "./config.ts";

export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(event: string, fields?: LogFields): void;
  info(event: string, fields?: LogFields): void;
  warn(event: string, fields?: LogFields): void;
  error(event: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

const SECRET_KEY = /token|password|secret|authorization|apikey|api_key|cookie|credential_value/i;

export type LogSink = (level: string, line: string) => void;

const consoleSink: LogSink = (level, line) => level === "error" ? console.error(line) : console.log(line);

const RANK: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

let envLevel: LogLevel | undefined;

export function createLogger(
  base: LogFields = {},
  sink: LogSink = consoleSink,
  minimum: LogLevel = envLevel ??= logLevelFromEnv(),
): Logger {
  const write = (level: LogLevel, event: string, fields?: LogFields) => {
    if (RANK[level] < RANK[minimum]) return;
    const line = { level, event, time: new Date().toISOString(), ...base, ...fields };
    sink(level, JSON.stringify(line, redactSecrets));
  };
  return {
    debug: (event, fields) => write("debug", event, fields),
    info: (event, fields) => write("info", event, fields),
    warn: (event, fields) => write("warn", event, fields),
    error: (event, fields) => write("error", event, fields),
    child: (fields) => createLogger({ ...base, ...fields }, sink, minimum),
  };
}

/** JSON.stringify's replacer: the value of every secret-looking key, at any depth, in the one pass that writes. */
function redactSecrets(key: string, value: unknown): unknown {
  return SECRET_KEY.test(key) ? "[redacted]" : value;
}
