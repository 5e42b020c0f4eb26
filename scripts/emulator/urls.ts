// The emulator pretends to be twilio.com: bodies carry Twilio's own hosts and paths.

export const TRUNKING_HOST = "https://trunking.twilio.com";
export const API_HOST = "https://api.twilio.com";

export function trunkPath(trunkSid: string): string {
  return `/v1/Trunks/${trunkSid}`;
}

export function accountPath(accountSid: string): string {
  return `/2010-04-01/Accounts/${accountSid}`;
}
