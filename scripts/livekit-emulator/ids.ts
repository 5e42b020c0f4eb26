// Identifiers and credentials in the formats LiveKit uses: `ST_`/`SDR_` + 12 base62 (protocol utils/guid),
// API keys `API` + 12 base62, API secrets 43 base62.

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

function randomBase62(length: number): string {
  // 248 is the largest multiple of 62 below 256: rejecting bytes above it keeps every character equally likely.
  let out = "";
  while (out.length < length) {
    for (const byte of crypto.getRandomValues(new Uint8Array(length))) {
      if (byte < 248 && out.length < length) out += BASE62[byte % 62];
    }
  }
  return out;
}

export const TRUNK_ID_PATTERN = /^ST_[0-9A-Za-z]{12}$/;
export const DISPATCH_RULE_ID_PATTERN = /^SDR_[0-9A-Za-z]{12}$/;

export function newTrunkId(): string {
  return `ST_${randomBase62(12)}`;
}

export function newDispatchRuleId(): string {
  return `SDR_${randomBase62(12)}`;
}

export function newApiKey(): string {
  return `API${randomBase62(12)}`;
}

export function newApiSecret(): string {
  return randomBase62(43);
}
