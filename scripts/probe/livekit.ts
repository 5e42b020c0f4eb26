/**
 * The LiveKit side of the flow, when LIVEKIT_URL, LIVEKIT_API_KEY and LIVEKIT_API_SECRET are given: what the service
 * made in the LiveKit project, inspected with the official SDK (not the service's own client) and held against
 * Twilio and get-sip-config. LiveKit refuses trunks without numbers, so the objects come with the first attached
 * number (--number): before it there are none; after it the outbound trunk, the inbound trunk and the rule scoped
 * to it; a rule deleted through the SDK is brought back by repair; detaching the last number removes them all; after
 * the teardown the project holds nothing of the throw-away user's.
 */
import { SipClient } from "livekit-server-sdk";
import { findActiveCredential } from "../../supabase/functions/_shared/db/credentials.ts";
import { repairTrunk } from "../../supabase/functions/_shared/health/repair.ts";
import type { MainTrunk } from "../../supabase/functions/_shared/contract/create-main-trunk.ts";
import { getSipConfigForLiveKit } from "../../supabase/functions/_shared/provisioning/service.ts";
import type { ServiceContext } from "../../supabase/functions/_shared/service-context.ts";
import type { ProbeContext } from "./context.ts";
import { failingChecks, Skipped } from "./steps.ts";

/** What the product flow has made by the time a LiveKit step runs. */
export interface FlowState {
  service(): ServiceContext;
  trunk(): MainTrunk;
}

/** get-sip-config's `livekit.missing` while the customer has no number. */
const EVERYTHING = ["outbound_trunk", "inbound_trunk", "dispatch_rule"];

export class LiveKitFlow {
  readonly #sdk?: SipClient;

  constructor(private readonly probe: ProbeContext, private readonly flow: FlowState) {
    const project = probe.args.livekit;
    if (project) this.#sdk = new SipClient(project.url, project.apiKey, project.apiSecret);
  }

  /** The key works: the project's inbound trunks can be listed. */
  async project() {
    const trunks = await this.#client().listSipInboundTrunk();
    return `${
      this.probe.args.livekit!.url
    } accepts the key (${trunks.length} inbound trunk(s) in the project)`;
  }

  /** Provisioned, no number yet: nothing in LiveKit, and get-sip-config says all three are missing. */
  async beforeNumbers() {
    const { livekit } = await this.#sipConfig();
    const objects = await this.#objects();
    const problems = [
      livekit.outboundTrunkId && `outbound trunk ${livekit.outboundTrunkId} recorded`,
      !sameSet(livekit.missing ?? [], EVERYTHING) && `get-sip-config's missing is [${livekit.missing}]`,
      objects.all.length && `LiveKit has ${objects.all.join(", ")} already`,
    ].filter(Boolean);
    if (problems.length) throw new Error(problems.join("; "));
    return `no LiveKit object before the first number (LiveKit refuses trunks without numbers); ` +
      `get-sip-config: missing ${EVERYTHING.join(", ")}`;
  }

  /** The number attached: the three objects exist, agree with Twilio, and are the ids get-sip-config hands out. */
  async afterAttach() {
    const number = (await this.probe.number!.original()).phoneNumber;
    const { domainName, sipUsername } = this.flow.trunk();
    const { livekit } = await this.#sipConfig();
    const { outbound, inbound, rules } = await this.#objects();
    if (outbound.length !== 1 || inbound.length !== 1 || rules.length !== 1) {
      throw new Error(
        `LiveKit has ${outbound.length} outbound trunk(s), ${inbound.length} inbound trunk(s), ${rules.length} ` +
          `rule(s) of the user, not one each${await this.#degradedNote()}`,
      );
    }
    const [out, into, rule] = [outbound[0], inbound[0], rules[0]];
    const problems = [
      out.address !== domainName && `outbound address ${out.address}, not ${domainName}`,
      !sameSet(out.numbers, [number]) && `outbound numbers [${out.numbers}]`,
      out.authUsername !== sipUsername && `outbound username ${out.authUsername}, not ${sipUsername}`,
      !sameSet(into.numbers, [number]) && `inbound numbers [${into.numbers}]`,
      into.authUsername && "the inbound trunk has digest auth (Twilio origination cannot send it)",
      !sameSet(rule.trunkIds, [into.sipTrunkId]) && `rule scoped to [${rule.trunkIds}]`,
      livekit.outboundTrunkId !== out.sipTrunkId &&
      `get-sip-config's outboundTrunkId ${livekit.outboundTrunkId}`,
      livekit.inboundTrunkId !== into.sipTrunkId &&
      `get-sip-config's inboundTrunkId ${livekit.inboundTrunkId}`,
      !sameSet(livekit.dispatchRuleIds ?? [], [rule.sipDispatchRuleId]) &&
      `get-sip-config's dispatchRuleIds [${livekit.dispatchRuleIds}]`,
      livekit.missing?.length && `get-sip-config's missing [${livekit.missing}]`,
    ].filter(Boolean);
    if (problems.length) throw new Error(problems.join("; "));
    return `outbound ${out.sipTrunkId} calls ${out.address} as ${out.authUsername} from ${number}; inbound ` +
      `${into.sipTrunkId} takes ${number}; rule ${rule.sipDispatchRuleId} scoped to it; get-sip-config gives these ids`;
  }

  /** The drift someone can cause in LiveKit's console: the rule deleted. Repair must see it and bring it back. */
  async repairRule() {
    const { inbound, rules } = await this.#objects();
    const deleted = rules[0].sipDispatchRuleId;
    await this.#client().deleteSipDispatchRule(deleted);
    const { before, after, repaired } = await repairTrunk(this.flow.service(), {
      userId: this.probe.userId!,
    });
    if (!before.checks.some((check) => check.name === "livekit_dispatch_rule" && !check.ok)) {
      throw new Error(`the deleted rule went unseen: ${before.status}`);
    }
    if (after.status !== "verified") throw new Error(`after repair ${after.status}: ${failingChecks(after)}`);
    const now = (await this.#objects()).rules;
    if (now.length !== 1 || !sameSet(now[0].trunkIds, [inbound[0].sipTrunkId])) {
      throw new Error(`after repair the user has ${now.length} rule(s), scoped to [${now[0]?.trunkIds}]`);
    }
    return `rule ${deleted} deleted through the SDK: ${before.status} (${failingChecks(before)}); repaired ` +
      `${repaired.join(", ")}; rule ${now[0].sipDispatchRuleId} scoped to ${inbound[0].sipTrunkId}`;
  }

  /** The last number detached: LiveKit holds none of the objects, get-sip-config says all three are missing. */
  async afterDetach() {
    const { livekit } = await this.#sipConfig();
    const objects = await this.#objects();
    if (objects.all.length) throw new Error(`still in LiveKit: ${objects.all.join(", ")}`);
    if (!sameSet(livekit.missing ?? [], EVERYTHING)) {
      throw new Error(`get-sip-config's missing is [${livekit.missing}]`);
    }
    return "the last number gone, so are both trunks and the rule; get-sip-config: all three missing again";
  }

  /** After the row's teardown: nothing of the user's in the project. */
  async afterTeardown() {
    const objects = await this.#objects();
    if (objects.all.length) throw new Error(`still in LiveKit: ${objects.all.join(", ")}`);
    return "the project holds none of the user's trunks or rules";
  }

  #client(): SipClient {
    if (!this.#sdk) {
      throw new Skipped("no LiveKit project given (LIVEKIT_URL, LIVEKIT_API_KEY, LIVEKIT_API_SECRET)");
    }
    return this.#sdk;
  }

  #sipConfig() {
    return getSipConfigForLiveKit(this.flow.service(), {
      userId: this.probe.userId!,
      includePassword: false,
    });
  }

  /** Every object of the project whose metadata names the throw-away user, as the SDK lists them. */
  async #objects() {
    const client = this.#client();
    const ours = this.probe.names().livekit;
    const [outbound, inbound, rules] = await Promise.all([
      client.listSipOutboundTrunk().then((trunks) => trunks.filter(ours)),
      client.listSipInboundTrunk().then((trunks) => trunks.filter(ours)),
      client.listSipDispatchRule().then((list) => list.filter(ours)),
    ]);
    const all = [...outbound, ...inbound].map((trunk) => trunk.sipTrunkId)
      .concat(rules.map((rule) => rule.sipDispatchRuleId));
    return { outbound, inbound, rules, all };
  }

  /** Why the service's LiveKit part did not finish, as the row records it. */
  async #degradedNote() {
    const row = await findActiveCredential(this.flow.service().sql, this.probe.userId!);
    const failure = row?.degraded.livekit;
    return failure ? ` (the row's LiveKit part is degraded: ${failure.message})` : "";
  }
}

const sameSet = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((item) => b.includes(item));
