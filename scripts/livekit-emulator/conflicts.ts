// Conflicts between objects, as protocol's sip/sip.go ValidateTrunksIter and DispatchRuleValidator find them.
// The server runs these over the stored objects plus the new or updated one; so does the emulator.
import type { SIPDispatchRuleInfo, SIPInboundTrunkInfo } from "@livekit/protocol";
import { invalidArgument } from "./errors.ts";
import { normalizeNumber } from "./phone-numbers.ts";

/** An object not stored yet has no id; the server prints it as `<new>`. */
const printId = (id: string) => JSON.stringify(id || "<new>");
const printNumbers = (numbers: string[]) =>
  numbers.length ? `[${numbers.map((n) => JSON.stringify(n)).join(" ")}]` : "<any>";

/** An empty list matches everything: it is keyed as the single wildcard entry "". */
const orWildcard = (values: string[]) => (values.length ? values : [""]);

/**
 * Two inbound trunks that would both accept a call to the same number (exact string; no numbers = any number)
 * from the same caller: both without `allowedNumbers`, or sharing an allowed (normalised) calling number.
 */
export function checkInboundTrunkConflicts(trunks: SIPInboundTrunkInfo[]): void {
  const byCalledNumber = new Map<string, Map<string, SIPInboundTrunkInfo>>();
  for (const trunk of trunks) {
    for (const called of orWildcard(trunk.numbers)) {
      const byCaller = byCalledNumber.get(called) ?? new Map<string, SIPInboundTrunkInfo>();
      byCalledNumber.set(called, byCaller);
      if (trunk.allowedNumbers.length === 0) {
        const other = byCaller.get("");
        if (other) {
          throw invalidArgument(
            `Conflicting inbound SIP Trunks: ${printId(trunk.sipTrunkId)} and ${
              printId(other.sipTrunkId)
            }, ` +
              `using the same number(s) ${printNumbers(trunk.numbers)} without AllowedNumbers set`,
          );
        }
        byCaller.set("", trunk);
        continue;
      }
      for (const caller of trunk.allowedNumbers) {
        const other = byCaller.get(normalizeNumber(caller));
        if (other) {
          throw invalidArgument(
            `Conflicting inbound SIP Trunks: ${printId(trunk.sipTrunkId)} and ${
              printId(other.sipTrunkId)
            }, ` +
              `using the same number(s) ${printNumbers(trunk.numbers)} and AllowedNumber ${
                JSON.stringify(caller)
              }`,
          );
        }
        byCaller.set(normalizeNumber(caller), trunk);
      }
    }
  }
}

function pinOf(rule: SIPDispatchRuleInfo): string {
  return rule.rule?.rule.value?.pin ?? "";
}

/**
 * Two dispatch rules with the same (PIN, trunk, calling number, called number) key, where an empty trunkIds,
 * inboundNumbers or numbers list is the wildcard key: e.g. two rules for one trunk without a PIN, or two rules
 * without trunkIds.
 */
export function checkDispatchRuleConflicts(rules: SIPDispatchRuleInfo[]): void {
  const byKey = new Map<string, SIPDispatchRuleInfo>();
  for (const rule of rules) {
    for (const trunk of orWildcard(rule.trunkIds)) {
      for (const caller of orWildcard(rule.inboundNumbers)) {
        for (const called of orWildcard(rule.numbers)) {
          const key = JSON.stringify([pinOf(rule), trunk, normalizeNumber(caller), normalizeNumber(called)]);
          const other = byKey.get(key);
          if (other) {
            throw invalidArgument(
              "Dispatch rule for the same trunk, inbound number, number, and PIN combination already exists " +
                `in dispatch rule ${printId(other.sipDispatchRuleId)} ${
                  JSON.stringify(other.name || "<blank name>")
                }`,
            );
          }
          byKey.set(key, rule);
        }
      }
    }
  }
}
