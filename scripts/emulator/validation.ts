// Rules that live only in Twilio's prose; a schema validator would accept what these reject.
import { validationError } from "./errors.ts";

const MAX_FRIENDLY_NAME = 64;
const MAX_DNS_LABEL = 63;
const MAX_USERNAME = 32;
const MIN_PASSWORD = 12;

export function checkFriendlyName(value: string, code: number): string {
  if (value.length > MAX_FRIENDLY_NAME) {
    throw validationError(code, `FriendlyName must be at most ${MAX_FRIENDLY_NAME} characters`);
  }
  return value;
}

/** `<label>.….pstn.twilio.com`, labels of letters, digits and `-`, each at most 63 characters. */
export function checkDomainName(value: string): string {
  const labels = value.split(".");
  const valid = value.toLowerCase().endsWith(".pstn.twilio.com") &&
    labels.every((label) => /^[A-Za-z0-9-]+$/.test(label) && label.length <= MAX_DNS_LABEL);
  if (!valid) {
    throw validationError(
      21245,
      `DomainName ${value} is invalid: use letters, digits and '-' in labels of at most ${MAX_DNS_LABEL} characters, ending in pstn.twilio.com`,
    );
  }
  return value;
}

/** 21240 covers "username too long, weak password" (twilio-api-facts.md, error codes). */
export function checkUsername(value: string): string {
  if (value.length > MAX_USERNAME) {
    throw validationError(21240, `Username must be at most ${MAX_USERNAME} characters`);
  }
  return value;
}

export function checkPassword(value: string): string {
  const strong = value.length >= MIN_PASSWORD && /\d/.test(value) && /[A-Z]/.test(value) &&
    /[a-z]/.test(value);
  if (!strong) {
    throw validationError(
      21240,
      `Password must be at least ${MIN_PASSWORD} characters with at least one digit, one uppercase and one lowercase letter`,
    );
  }
  return value;
}

/** Origination URIs must use `sip:` (so `sips:` and http are rejected); parameters such as `;transport=tcp` are kept verbatim. */
export function checkSipUrl(value: string): string {
  if (!/^sip:[^\s:;@/]\S*$/i.test(value)) {
    throw validationError(21245, `SipUrl ${value} must be a sip: URI`);
  }
  return value;
}

export function integerInRange(name: string, value: string, min: number, max: number, code: number): number {
  const parsed = /^-?\d+$/.test(value) ? Number(value) : NaN;
  if (!(parsed >= min && parsed <= max)) {
    throw validationError(code, `${name} must be an integer between ${min} and ${max}`);
  }
  return parsed;
}
