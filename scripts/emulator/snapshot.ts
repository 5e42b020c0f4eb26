// The emulator's resources as a JSON file, so `task dev` restarted keeps the Twilio accounts, trunks and numbers
// its database refers to. Traffic settings, switches and faults are test controls and start fresh.
import type { Store } from "./store.ts";

const RESOURCE_MAPS = [
  "accounts",
  "trunks",
  "trunkCredentialLists",
  "credentialLists",
  "credentials",
  "originationUrls",
  "numbers",
  "calls",
  "recordings",
] as const;

/** Fields that hold dates; JSON carries them as ISO strings. */
const DATE_FIELDS = new Set(["created", "updated", "start"]);

interface Snapshot {
  seq: number;
  reservedDomains: string[];
  maps: Record<typeof RESOURCE_MAPS[number], [string, unknown][]>;
}

export function snapshotOf(store: Store): string {
  const snapshot: Snapshot = {
    seq: store.lastSeq(),
    reservedDomains: [...store.reservedDomains],
    maps: Object.fromEntries(
      RESOURCE_MAPS.map((name) => [name, [...store[name].entries()]]),
    ) as Snapshot["maps"],
  };
  return JSON.stringify(snapshot);
}

export function restoreSnapshot(store: Store, json: string): void {
  const snapshot = JSON.parse(
    json,
    (key, value) => DATE_FIELDS.has(key) && typeof value === "string" ? new Date(value) : value,
  ) as Snapshot;
  store.clear();
  for (const name of RESOURCE_MAPS) {
    const map = store[name] as Map<string, unknown>;
    for (const [key, value] of snapshot.maps[name] ?? []) map.set(key, value);
  }
  for (const domain of snapshot.reservedDomains) store.reservedDomains.add(domain);
  store.continueSeqFrom(snapshot.seq);
}
