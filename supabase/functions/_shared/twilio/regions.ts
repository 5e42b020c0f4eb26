/**
 * Twilio regions. An account outside US1 has credentials and hosts of its own region (`api.dublin.ie1.twilio.com`
 * …); US1 credentials used there, or the other way round, answer 20003 (twilio-api-facts.md). A configured base URL
 * (the emulator) takes the region as a leading path segment instead: `<base>/ie1`.
 *
 * ```ts
 * regionalBaseUrls("ie1", {}); // { apiBaseUrl: "https://api.dublin.ie1.twilio.com", trunkingBaseUrl: … }
 * ```
 */
import type { TwilioRegion } from "../contract/fields.ts";

/** Twilio's default edge location for each region outside US1. */
const EDGES: Record<Exclude<TwilioRegion, "us1">, string> = { ie1: "dublin", au1: "sydney" };

export function regionalBaseUrls(
  region: TwilioRegion,
  bases: { apiBaseUrl?: string; trunkingBaseUrl?: string },
): { apiBaseUrl?: string; trunkingBaseUrl?: string } {
  if (region === "us1") return bases;
  const host = (product: string, base?: string) =>
    base
      ? `${base.replace(/\/+$/, "")}/${region}`
      : `https://${product}.${EDGES[region]}.${region}.twilio.com`;
  return {
    apiBaseUrl: host("api", bases.apiBaseUrl),
    trunkingBaseUrl: host("trunking", bases.trunkingBaseUrl),
  };
}
