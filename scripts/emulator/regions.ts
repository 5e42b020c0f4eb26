// Twilio regions: a leading `/us1`, `/ie1` or `/au1` path segment stands for that region's hosts
// (api.dublin.ie1.twilio.com…), so a client pointed at `http://emulator/ie1` talks to IE1. No segment is US1.

export const REGIONS = ["us1", "ie1", "au1"] as const;
export type Region = typeof REGIONS[number];

const REGION_PREFIX = new RegExp(`^/(${REGIONS.join("|")})(?=/)`);

/** The region a request path addresses and the API path without the region segment. */
export function splitRegion(pathname: string): { region: Region; path: string } {
  const match = REGION_PREFIX.exec(pathname);
  if (!match) return { region: "us1", path: pathname };
  return { region: match[1] as Region, path: pathname.slice(match[0].length) };
}
