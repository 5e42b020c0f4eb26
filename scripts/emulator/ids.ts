// Identifiers and timestamps in the formats Twilio uses on the wire.

export type SidPrefix = "AC" | "TK" | "CL" | "CR" | "OU" | "PN" | "CA" | "RE" | "AP";

function randomHex(bytes: number): string {
  const buf = crypto.getRandomValues(new Uint8Array(bytes));
  return Array.from(buf, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Two letters + 32 lowercase hex characters, like every Twilio SID. */
export function newSid(prefix: SidPrefix): string {
  return prefix + randomHex(16);
}

/** The spec's SID pattern, `^XX[0-9a-fA-F]{32}$`; SIDs Twilio hands out are lower case. */
export function isSid(prefix: SidPrefix, value: string): boolean {
  return new RegExp(`^${prefix}[0-9a-fA-F]{32}$`).test(value);
}

export function newAuthToken(): string {
  return randomHex(16);
}

/** Trunking API style: `2026-11-24T05:36:18Z`. */
export function isoDate(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** 2010 API style: `Tue, 24 Nov 2026 05:36:18 +0000`. */
export function rfc2822Date(date: Date): string {
  const two = (n: number) => String(n).padStart(2, "0");
  const time = `${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())}`;
  return `${DAYS[date.getUTCDay()]}, ${two(date.getUTCDate())} ${
    MONTHS[date.getUTCMonth()]
  } ${date.getUTCFullYear()} ${time} +0000`;
}

/**
 * Wire dates have one-second resolution, so "now" is truncated to the second. `strictlyLater()` hands out
 * timestamps at least one second apart so calls and recordings sort deterministically by date_created.
 */
export class Clock {
  #last = 0;

  now(): Date {
    return new Date(Math.floor(Date.now() / 1000) * 1000);
  }

  strictlyLater(): Date {
    this.#last = Math.max(this.now().getTime(), this.#last + 1000);
    return new Date(this.#last);
  }
}
