/**
 * The names and secrets provisioning gives Twilio, within Twilio's limits (see twilio-api-facts.md):
 * deterministic where a re-run must find what an earlier run created, random where they must be secret.
 *
 * ```ts
 * domainPrefixFor(userId, Date.now());  // "user-3f0c…-1732400000000"
 * sipUsernameFor(userId);               // "sip-3f0c9a…" (32 characters at most)
 * generateSipPassword();                // 24 characters of [A-Za-z0-9], always upper, lower and digit
 * ```
 */
const MAX_DNS_LABEL = 63;
const MAX_FRIENDLY_NAME = 64;
const MAX_SIP_USERNAME = 32;
export const TERMINATION_SUFFIX = "pstn.twilio.com";

/** `user-{userId}-{timestamp}[-{suffix}]`, the user part shortened so the label stays within 63 characters. */
export function domainPrefixFor(userId: string, timestamp: number, suffix = ""): string {
  const tail = `-${timestamp}${suffix ? `-${suffix}` : ""}`;
  const user = dnsSafe(userId).slice(0, MAX_DNS_LABEL - "user-".length - tail.length);
  return `user-${user}${tail}`.replace(/-+/g, "-");
}

export const domainNameFor = (prefix: string) => `${prefix}.${TERMINATION_SUFFIX}`;

/** One trunk per user and Twilio account: the name is how a resumed run finds a trunk it did not record. */
export const trunkFriendlyNameFor = (userId: string) => `main-trunk-${userId}`.slice(0, MAX_FRIENDLY_NAME);

/** Credential list names are unique per Twilio account, which makes this name a lookup key too. */
export const credentialListNameFor = (userId: string) =>
  `main-trunk-creds-${userId}`.slice(0, MAX_FRIENDLY_NAME);

/** `sip-{userId}` within Twilio's 32 characters: the UUID's hyphens go first, then its tail. */
export function sipUsernameFor(userId: string): string {
  const full = `sip-${userId}`;
  return full.length <= MAX_SIP_USERNAME
    ? full
    : `sip-${userId.replace(/-/g, "")}`.slice(0, MAX_SIP_USERNAME);
}

const UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const LOWER = "abcdefghijklmnopqrstuvwxyz";
const DIGITS = "0123456789";
/** Letters and digits only: they pass through form encoding, SIP digest and every config format untouched. */
const ALPHABET = UPPER + LOWER + DIGITS;
const PASSWORD_LENGTH = 24;

/**
 * A SIP password Twilio always accepts (at least 12 characters with upper, lower and digit): 24 characters,
 * about 143 bits, drawn with crypto.getRandomValues and rejection sampling so every character is equally likely.
 */
export function generateSipPassword(length = PASSWORD_LENGTH): string {
  for (;;) {
    const password = Array.from({ length }, () => ALPHABET[uniformIndex(ALPHABET.length)]).join("");
    if (isAcceptedSipPassword(password)) return password;
  }
}

export function isAcceptedSipPassword(password: string): boolean {
  return password.length >= 12 && /[A-Z]/.test(password) && /[a-z]/.test(password) && /[0-9]/.test(password);
}

function uniformIndex(size: number): number {
  const limit = Math.floor(256 / size) * size;
  const byte = new Uint8Array(1);
  do crypto.getRandomValues(byte); while (byte[0] >= limit);
  return byte[0] % size;
}

function dnsSafe(value: string): string {
  return value.toLowerCase().replace(/[^a-z0-9-]/g, "-");
}
