// Twilio's inequality filters: `Name=`, `Name<=` and `Name>=` arrive as the keys `Name`, `Name<`, `Name>`.
import { invalidParameter } from "./errors.ts";

const DAY_MS = 86_400_000;

interface Bounds {
  from: number;
  until: number;
}

/** A date-only value covers that whole UTC day; a date-time is an exact second. */
function parseBounds(name: string, value: string): Bounds {
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    const from = Date.parse(`${value}T00:00:00Z`);
    if (!Number.isNaN(from)) return { from, until: from + DAY_MS - 1 };
  } else if (/^\d{4}-\d{2}-\d{2}T/.test(value)) {
    const at = Date.parse(value);
    if (!Number.isNaN(at)) return { from: at, until: at + 999 };
  }
  throw invalidParameter(`${name} must be a date (YYYY-MM-DD) or an ISO-8601 date-time: ${value}`);
}

/** The filter parameter names to carry into page links, in the order Twilio spells them. */
export function dateFilterNames(name: string): string[] {
  return [name, `${name}<`, `${name}>`];
}

/** A predicate for the `name`, `name<` (on or before) and `name>` (on or after) query parameters. */
export function dateFilter(query: URLSearchParams, name: string): (date: Date | null) => boolean {
  const checks: ((time: number) => boolean)[] = [];
  const exact = query.get(name);
  const before = query.get(`${name}<`);
  const after = query.get(`${name}>`);
  if (exact !== null) {
    const bounds = parseBounds(name, exact);
    checks.push((time) => time >= bounds.from && time <= bounds.until);
  }
  if (before !== null) {
    const bounds = parseBounds(`${name}<`, before);
    checks.push((time) => time <= bounds.until);
  }
  if (after !== null) {
    const bounds = parseBounds(`${name}>`, after);
    checks.push((time) => time >= bounds.from);
  }
  return (date) => checks.length === 0 || (date !== null && checks.every((check) => check(date.getTime())));
}
