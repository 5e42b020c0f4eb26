/**
 * The LiveKit half of the health check: the customer's outbound trunk (address = the termination host, numbers =
 * the attached numbers, the SIP username), inbound trunk (the numbers without an agent of their own, no digest
 * auth), the rule scoped to it, and each number with its own agent. Not critical: the Twilio side works without
 * them (inbound calls to LiveKit fail, which "degraded" says); repair rebuilds what drifted.
 */
import type { HealthCheck, LIVEKIT_CHECKS } from "../contract/get-sip-config.ts";
import type { CredentialRow } from "../db/credentials.ts";
import type { AttachedNumberRow } from "../db/numbers.ts";
import type { LiveKitSip, LiveKitTrunk } from "../livekit/client.ts";

export type LiveKitCheck = Omit<HealthCheck, "name" | "critical"> & { name: typeof LIVEKIT_CHECKS[number] };

export async function checkLiveKitSide(
  livekit: LiveKitSip,
  row: CredentialRow,
  numbers: AttachedNumberRow[],
): Promise<LiveKitCheck[]> {
  if (numbers.length === 0) {
    const detail =
      "no number attached yet: LiveKit trunks are created with the first (LiveKit needs numbers)";
    return [{ name: "livekit_outbound_trunk", ok: true, detail }];
  }
  const all = numbers.map((n) => n.phoneNumber);
  const main = numbers.filter((n) => !n.agentName).map((n) => n.phoneNumber);
  const [outbound, inbound, rule] = await Promise.all([
    byId(row.livekitOutboundTrunkId, (ids) => livekit.listOutboundTrunks({ trunkIds: ids })),
    byId(row.livekitInboundTrunkId, (ids) => livekit.listInboundTrunks({ trunkIds: ids })),
    byId(row.livekitDispatchRuleId, (ids) => livekit.listDispatchRules({ dispatchRuleIds: ids })),
  ]);
  const checks: LiveKitCheck[] = [
    outboundCheck(outbound, row, all),
    ...(main.length ? [inboundCheck(inbound, main), ruleCheck(rule, inbound)] : []),
  ];
  const agents = numbers.filter((n) => n.agentName);
  if (agents.length) checks.push(await agentsCheck(livekit, agents));
  return checks;
}

function outboundCheck(trunk: LiveKitTrunk | undefined, row: CredentialRow, numbers: string[]): LiveKitCheck {
  const name = "livekit_outbound_trunk";
  if (!trunk) {
    return { name, ok: false, detail: `outbound trunk ${row.livekitOutboundTrunkId ?? "(none)"} is missing` };
  }
  const problems = [
    ...(trunk.address === row.domainName ? [] : [`address ${trunk.address}, not ${row.domainName}`]),
    ...(sameSet(trunk.numbers, numbers)
      ? []
      : [`numbers ${trunk.numbers.join(",")}, not ${numbers.join(",")}`]),
    ...(trunk.authUsername === row.sipUsername
      ? []
      : [`auth username ${trunk.authUsername}, not ${row.sipUsername}`]),
  ];
  return {
    name,
    ok: problems.length === 0,
    detail: problems.join("; ") || `${trunk.id} calls ${trunk.address}`,
  };
}

function inboundCheck(trunk: LiveKitTrunk | undefined, numbers: string[]): LiveKitCheck {
  const name = "livekit_inbound_trunk";
  if (!trunk) {
    return { name, ok: false, detail: "inbound trunk is missing: calls to the numbers are refused" };
  }
  const problems = [
    ...(sameSet(trunk.numbers, numbers)
      ? []
      : [`numbers ${trunk.numbers.join(",")}, not ${numbers.join(",")}`]),
    ...(trunk.authUsername ? ["has digest auth, which Twilio origination cannot send"] : []),
  ];
  return {
    name,
    ok: problems.length === 0,
    detail: problems.join("; ") || `${trunk.id} takes ${numbers.length}`,
  };
}

function ruleCheck(
  rule: { id: string; trunkIds: string[] } | undefined,
  inbound?: LiveKitTrunk,
): LiveKitCheck {
  const name = "livekit_dispatch_rule";
  if (!rule) return { name, ok: false, detail: "dispatch rule is missing" };
  const scoped = !!inbound && rule.trunkIds.length === 1 && rule.trunkIds[0] === inbound.id;
  return {
    name,
    ok: scoped,
    detail: scoped ? `${rule.id} scoped to ${inbound!.id}` : `${rule.id} is scoped to [${rule.trunkIds}]`,
  };
}

async function agentsCheck(livekit: LiveKitSip, numbers: AttachedNumberRow[]): Promise<LiveKitCheck> {
  const problems: string[] = [];
  for (const number of numbers) {
    const [trunk, rule] = await Promise.all([
      byId(number.livekitInboundTrunkId, (ids) => livekit.listInboundTrunks({ trunkIds: ids })),
      byId(number.livekitDispatchRuleId, (ids) => livekit.listDispatchRules({ dispatchRuleIds: ids })),
    ]);
    if (!trunk || !sameSet(trunk.numbers, [number.phoneNumber])) {
      problems.push(`${number.phoneNumber}: no trunk of its own`);
    } else if (!rule || rule.trunkIds[0] !== trunk.id || rule.agentNames[0] !== number.agentName) {
      problems.push(`${number.phoneNumber}: no rule for ${number.agentName}`);
    }
  }
  return {
    name: "livekit_number_agents",
    ok: problems.length === 0,
    detail: problems.join("; ") || `${numbers.length} number(s) with an agent of their own`,
  };
}

async function byId<T extends { id: string }>(id: string | null, list: (ids: string[]) => Promise<T[]>) {
  return id ? (await list([id])).find((object) => object.id === id) : undefined;
}

const sameSet = (a: string[], b: string[]) => a.length === b.length && a.every((item) => b.includes(item));
