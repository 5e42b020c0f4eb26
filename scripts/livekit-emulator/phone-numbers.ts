// Phone number handling shared by validation, conflict checks and list filters.

const FORMATTED_NUMBER = /^\+?[\d\- ()]+$/;

/**
 * protocol's NormalizeNumber: strips spaces, dashes and parentheses and adds a leading `+`; anything that does
 * not look like a number is returned unchanged.
 */
export function normalizeNumber(num: string): string {
  if (num === "" || !FORMATTED_NUMBER.test(num)) return num;
  const digits = num.replace(/[ \-()]/g, "");
  return digits.startsWith("+") ? digits : `+${digits}`;
}

/** E.164: `+`, a non-zero country digit, at most 15 digits in all. */
export function isE164(num: string): boolean {
  return /^\+[1-9]\d{1,14}$/.test(num);
}
