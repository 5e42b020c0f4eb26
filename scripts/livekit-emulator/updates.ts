// The `update` form of the Update* methods: only fields present in the request change (protocol livekit/sip.go
// *Update.Apply and types.go applyListUpdate). The `replace` form needs no helper: it swaps the whole object.
import type {
  ListUpdate,
  SIPDispatchRuleInfo,
  SIPDispatchRuleUpdate,
  SIPInboundTrunkInfo,
  SIPInboundTrunkUpdate,
  SIPOutboundTrunkInfo,
  SIPOutboundTrunkUpdate,
} from "@livekit/protocol";

/** `clear` empties, `set` replaces, else `remove` then `add` (an element already present is not added twice). */
export function applyListUpdate(list: string[], update: ListUpdate | undefined): string[] {
  if (!update) return list;
  if (update.clear) return [];
  if (update.set.length) return [...update.set];
  const kept = [...list];
  for (const item of update.remove) {
    const index = kept.indexOf(item);
    if (index >= 0) kept.splice(index, 1);
  }
  for (const item of update.add) if (!kept.includes(item)) kept.push(item);
  return kept;
}

/** Copies each of `keys` that the update carries (proto3 `optional` fields are undefined when absent). */
function copyPresent<T, K extends keyof T>(target: T, update: Partial<Pick<T, K>>, keys: readonly K[]): void {
  for (const key of keys) {
    const value = update[key];
    if (value !== undefined) target[key] = value as T[K];
  }
}

export function applyInboundTrunkUpdate(info: SIPInboundTrunkInfo, update: SIPInboundTrunkUpdate): void {
  info.numbers = applyListUpdate(info.numbers, update.numbers);
  info.allowedAddresses = applyListUpdate(info.allowedAddresses, update.allowedAddresses);
  info.allowedNumbers = applyListUpdate(info.allowedNumbers, update.allowedNumbers);
  copyPresent(
    info,
    update,
    [
      "authUsername",
      "authPassword",
      "authRealm",
      "name",
      "metadata",
      "mediaEncryption",
      "media",
    ] as const,
  );
}

export function applyOutboundTrunkUpdate(info: SIPOutboundTrunkInfo, update: SIPOutboundTrunkUpdate): void {
  info.numbers = applyListUpdate(info.numbers, update.numbers);
  copyPresent(
    info,
    update,
    [
      "address",
      "transport",
      "destinationCountry",
      "authUsername",
      "authPassword",
      "name",
      "metadata",
      "mediaEncryption",
      "media",
      "fromHost",
    ] as const,
  );
}

/** Attributes are a diff: a key with an empty value is removed (types.go applyMapDiff). */
export function applyDispatchRuleUpdate(info: SIPDispatchRuleInfo, update: SIPDispatchRuleUpdate): void {
  info.trunkIds = applyListUpdate(info.trunkIds, update.trunkIds);
  copyPresent(info, update, ["rule", "name", "metadata", "mediaEncryption", "media"] as const);
  for (const [key, value] of Object.entries(update.attributes)) {
    if (value === "") delete info.attributes[key];
    else info.attributes[key] = value;
  }
}
