/**
 * How callers name a phone number: its E.164 form or its Twilio SID. Shared by the request schemas and the
 * services, so both agree on what is valid.
 *
 * ```ts
 * isPhoneNumberSid("PN0123456789abcdef0123456789abcdef"); // true
 * isE164("+15551234567"); // true
 * ```
 */
export const PHONE_NUMBER_SID = /^PN[0-9a-f]{32}$/;
export const E164 = /^\+[1-9]\d{1,14}$/;

/** The most numbers one attach or detach request may name. */
export const MAX_NUMBERS_PER_REQUEST = 1000;

export const isPhoneNumberSid = (value: string): boolean => PHONE_NUMBER_SID.test(value);
export const isE164 = (value: string): boolean => E164.test(value);
export const isNumberReference = (value: string): boolean => isPhoneNumberSid(value) || isE164(value);
