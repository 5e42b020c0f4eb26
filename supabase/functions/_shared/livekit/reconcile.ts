/**
 * Brings a customer's LiveKit side in step with their Twilio side (livekit-facts.md):
 *   - an outbound trunk: address = the Twilio termination host, numbers = every attached number (caller ids),
 *     auth = the SIP credential, transport as configured, SRTP with secure trunking;
 *   - an inbound trunk: the attached numbers exactly, no username/password (Twilio origination cannot send them),
 *     optional allowed addresses; and a dispatch rule scoped to it (never a rule without trunkIds): one room per
 *     call with the configured prefix, the configured agent;
 *   - a number with an agent of its own: an inbound trunk holding just that number and a rule with its agent (the
 *     SDK creates rules without called-number filters, so "this number" is said by the trunk).
 * LiveKit refuses trunks without numbers, so objects exist only while they have numbers. Every id is recorded the
 * moment it exists; before creating, what a crashed run may have created is looked up by its metadata (LiveKit has
 * no idempotency key). Numbers change through add/remove updates, in an order that never puts one number on two
 * inbound trunks at once (LiveKit refuses that). Run under the row's `livekit:` lock.
 */
import { settleAll } from "../concurrency.ts";
import type { LiveKitConfig } from "../config.ts";
import type { AttachedNumberRow } from "../db/numbers.ts";
import { type LiveKitError, type LiveKitRule, type LiveKitSip, type LiveKitTrunk } from "./client.ts";

/** The row's LiveKit ids, as recorded. */
export interface LiveKitIds {
  livekitOutboundTrunkId: string | null;
  livekitInboundTrunkId: string | null;
  livekitDispatchRuleId: string | null;
}

export type NumberLiveKitIds = Pick<AttachedNumberRow, "livekitInboundTrunkId" | "livekitDispatchRuleId">;

export interface ReconcileInput {
  config: LiveKitConfig;
  livekit: LiveKitSip;
  credentialId: string;
  userId: string;
  ids: LiveKitIds;
  domainName: string;
  sipUsername: string;
  sipPassword: string;
  outboundTransport: "udp" | "tcp" | "tls" | "auto";
  secure: boolean;
  numbers: AttachedNumberRow[];
  /** Writes ids the moment they change (null: the object is gone). */
  record(patch: Partial<LiveKitIds>): Promise<void>;
  recordNumber(numberRowId: string, patch: Partial<NumberLiveKitIds>): Promise<void>;
}

type Role = "outbound" | "inbound" | "dispatch" | "number-inbound" | "number-dispatch";

const MANAGED_BY = "twilio-sip-provisioning";

interface Owner {
  credentialId: string;
  userId: string;
  role: Role;
  number?: string;
}

/** What a LiveKit object says about itself: ours, for which credential row, in which role. */
function metadataFor(
  input: Pick<ReconcileInput, "credentialId" | "userId">,
  role: Role,
  number?: string,
) {
  const owner: Owner = {
    credentialId: input.credentialId,
    userId: input.userId,
    role,
    ...(number ? { number } : {}),
  };
  return JSON.stringify({ managedBy: MANAGED_BY, ...owner });
}

/** The credential row (and user) an object of this service belongs to; undefined for anyone else's object. */
export function ownerOf(object: { metadata: string }): Owner | undefined {
  try {
    const meta = JSON.parse(object.metadata);
    return meta?.managedBy === MANAGED_BY ? meta : undefined;
  } catch {
    return undefined;
  }
}

function isOurs(object: { metadata: string }, input: ReconcileInput, role: Role, number?: string): boolean {
  const owner = ownerOf(object);
  return owner?.credentialId === input.credentialId && owner.role === role &&
    (!number || owner.number === number);
}

export async function reconcileLiveKit(input: ReconcileInput): Promise<void> {
  // The outbound trunk and the inbound side share no input and no conflict rule: they go together.
  await settleAll([
    reconcileOutbound(input, input.numbers.map((n) => n.phoneNumber)),
    reconcileInbound(input),
  ]);
}

/** The main inbound trunk and its rule, and the numbers with a trunk and rule of their own. */
async function reconcileInbound(input: ReconcileInput) {
  const main = input.numbers.filter((n) => !n.agentName).map((n) => n.phoneNumber);
  // Off the main trunk first, onto a trunk of their own next, then the rest on: no number is on two at once.
  const inbound = await inboundTrunk(input);
  if (main.length === 0) {
    await reconcileMainInbound(input, main, inbound); // no numbers left: the trunk and its rule go now
    for (const number of input.numbers) await reconcileNumberOfItsOwn(input, number);
    return;
  }
  if (inbound) await updateNumbers(input.livekit.updateInboundNumbers, inbound, { keep: main, add: [] });
  for (const number of input.numbers) await reconcileNumberOfItsOwn(input, number);
  await reconcileMainInbound(input, main, inbound);
}

/** The outbound trunk with every attached number as caller id; recreated if its address is not the host. */
async function reconcileOutbound(input: ReconcileInput, numbers: string[]) {
  const { livekit } = input;
  let trunk = await existing(
    input.ids.livekitOutboundTrunkId,
    (ids) => livekit.listOutboundTrunks({ trunkIds: ids }),
    () => numbers.length ? livekit.listOutboundTrunks({ numbers: [numbers[0]] }) : Promise.resolve([]),
    (candidate) => isOurs(candidate, input, "outbound"),
  );
  if (trunk && (numbers.length === 0 || trunk.address !== input.domainName)) {
    // Address and transport change only through the replace form: a new trunk instead (after a repair gave the
    // customer a new termination host), and none at all without numbers.
    await deleteIfPresent(() => livekit.deleteTrunk(trunk!.id));
    trunk = undefined;
  }
  if (!trunk && numbers.length) {
    trunk = await livekit.createOutboundTrunk({
      name: `twilio-${input.userId}-outbound`,
      metadata: metadataFor(input, "outbound"),
      address: input.domainName,
      numbers,
      transport: input.outboundTransport,
      authUsername: input.sipUsername,
      authPassword: input.sipPassword,
      encryptMedia: input.secure,
    });
  } else if (trunk) {
    const diff = numberDiff(trunk.numbers, numbers);
    const credential = trunk.authUsername === input.sipUsername
      ? {}
      : { authUsername: input.sipUsername, authPassword: input.sipPassword };
    if (diff.add.length || diff.remove.length || credential.authUsername) {
      await livekit.updateOutboundTrunk(trunk.id, { ...diff, ...credential });
    }
  }
  if ((trunk?.id ?? null) !== input.ids.livekitOutboundTrunkId) {
    await input.record({ livekitOutboundTrunkId: trunk?.id ?? null });
  }
}

/** The main inbound trunk as LiveKit has it now (found by id, or by metadata after a crash), or none. */
function inboundTrunk(input: ReconcileInput) {
  return existing(
    input.ids.livekitInboundTrunkId,
    (ids) => input.livekit.listInboundTrunks({ trunkIds: ids }),
    () =>
      input.numbers.length
        ? input.livekit.listInboundTrunks({ numbers: input.numbers.map((n) => n.phoneNumber) })
        : Promise.resolve([]),
    (candidate) => isOurs(candidate, input, "inbound"),
  );
}

async function reconcileMainInbound(
  input: ReconcileInput,
  numbers: string[],
  found: LiveKitTrunk | undefined,
) {
  const { livekit } = input;
  let trunk = found;
  let fresh = false;
  if (trunk && numbers.length === 0) {
    await deleteRule(input, input.ids.livekitDispatchRuleId);
    await deleteIfPresent(() => livekit.deleteTrunk(trunk!.id));
    trunk = undefined;
  } else if (trunk) {
    await updateNumbers(livekit.updateInboundNumbers, trunk, { keep: numbers, add: numbers });
  } else if (numbers.length) {
    fresh = true;
    trunk = await livekit.createInboundTrunk({
      name: `twilio-${input.userId}-inbound`,
      metadata: metadataFor(input, "inbound"),
      numbers,
      allowedAddresses: input.config.allowedAddresses,
      krispEnabled: input.config.krispEnabled,
      encryptMedia: input.secure,
    });
  }
  if ((trunk?.id ?? null) !== input.ids.livekitInboundTrunkId) {
    await input.record({ livekitInboundTrunkId: trunk?.id ?? null });
  }
  const rule = trunk
    ? await reconcileRule(
      input,
      input.ids.livekitDispatchRuleId,
      { id: trunk.id, fresh },
      "dispatch",
      input.config.agentName,
    )
    : undefined;
  if ((rule?.id ?? null) !== input.ids.livekitDispatchRuleId) {
    await input.record({ livekitDispatchRuleId: rule?.id ?? null });
  }
}

/** A number with its own agent: its own inbound trunk and rule; a number without one: none of its own. */
async function reconcileNumberOfItsOwn(input: ReconcileInput, number: AttachedNumberRow) {
  const { livekit } = input;
  const phone = number.phoneNumber;
  let trunk = await existing(
    number.livekitInboundTrunkId,
    (ids) => livekit.listInboundTrunks({ trunkIds: ids }),
    () => number.agentName ? livekit.listInboundTrunks({ numbers: [phone] }) : Promise.resolve([]),
    (candidate) => isOurs(candidate, input, "number-inbound", phone),
  );
  if (!number.agentName) {
    if (number.livekitDispatchRuleId) await deleteRule(input, number.livekitDispatchRuleId);
    if (trunk) await deleteIfPresent(() => livekit.deleteTrunk(trunk!.id));
    if (number.livekitInboundTrunkId || number.livekitDispatchRuleId) {
      await input.recordNumber(number.id, { livekitInboundTrunkId: null, livekitDispatchRuleId: null });
    }
    return;
  }
  const fresh = !trunk;
  trunk ??= await livekit.createInboundTrunk({
    name: `twilio-${input.userId}-${phone}`,
    metadata: metadataFor(input, "number-inbound", phone),
    numbers: [phone],
    allowedAddresses: input.config.allowedAddresses,
    krispEnabled: input.config.krispEnabled,
    encryptMedia: input.secure,
  });
  if (trunk.id !== number.livekitInboundTrunkId) {
    await input.recordNumber(number.id, { livekitInboundTrunkId: trunk.id });
  }
  const rule = await reconcileRule(
    input,
    number.livekitDispatchRuleId,
    { id: trunk.id, fresh },
    "number-dispatch",
    number.agentName,
  );
  if (rule.id !== number.livekitDispatchRuleId) {
    await input.recordNumber(number.id, { livekitDispatchRuleId: rule.id });
  }
}

/**
 * The rule scoped to the trunk dispatching `agentName`; one scoped elsewhere or to another agent is replaced. A
 * trunk created just now has no rule yet (none can name its new id): nothing to look up, a recorded rule is stale.
 */
async function reconcileRule(
  input: ReconcileInput,
  recordedId: string | null,
  trunk: { id: string; fresh: boolean },
  role: Role,
  agentName?: string,
): Promise<LiveKitRule> {
  const { livekit } = input;
  const found = trunk.fresh ? undefined : await existing(
    recordedId,
    (ids) => livekit.listDispatchRules({ dispatchRuleIds: ids }),
    () => livekit.listDispatchRules({ trunkIds: [trunk.id] }),
    (candidate) => isOurs(candidate, input, role),
  );
  const agents = agentName ? [agentName] : [];
  if (found && sameList(found.trunkIds, [trunk.id]) && sameList(found.agentNames, agents)) return found;
  await deleteRule(input, found?.id ?? (trunk.fresh ? recordedId : null));
  return await livekit.createDispatchRule({
    name: `twilio-${input.userId}-${role}`,
    metadata: metadataFor(input, role),
    trunkId: trunk.id,
    roomPrefix: input.config.roomPrefix,
    agentName,
  });
}

async function deleteRule(input: ReconcileInput, id: string | null) {
  if (id) await deleteIfPresent(() => input.livekit.deleteDispatchRule(id));
}

/**
 * The object by its recorded id, or (none recorded) one a crashed run created, found by its metadata. An id
 * LiveKit no longer knows (deleted in its console) reads as none: it is created again.
 */
async function existing<T extends { id: string; metadata: string }>(
  recordedId: string | null,
  byIds: (ids: string[]) => Promise<T[]>,
  candidates: () => Promise<T[]>,
  ours: (candidate: T) => boolean,
): Promise<T | undefined> {
  if (recordedId) return (await byIds([recordedId])).find((object) => object.id === recordedId);
  return (await candidates()).find(ours);
}

/** Updates a trunk's numbers toward `keep` (removing the others) plus `add`, sending only what changes. */
async function updateNumbers(
  update: LiveKitSip["updateInboundNumbers"],
  trunk: LiveKitTrunk,
  target: { keep: string[]; add: string[] },
) {
  const remove = trunk.numbers.filter((n) => !target.keep.includes(n));
  const add = target.add.filter((n) => !trunk.numbers.includes(n));
  if (!remove.length && !add.length) return;
  await update(trunk.id, { add, remove });
  trunk.numbers = [...trunk.numbers.filter((n) => !remove.includes(n)), ...add];
}

function numberDiff(current: string[], wanted: string[]) {
  return {
    add: wanted.filter((n) => !current.includes(n)),
    remove: current.filter((n) => !wanted.includes(n)),
  };
}

const sameList = (a: string[], b: string[]) => a.length === b.length && a.every((item) => b.includes(item));

/** Deletes; "not found" means someone (an earlier run, the console) already did. */
export async function deleteIfPresent(remove: () => Promise<unknown>): Promise<void> {
  try {
    await remove();
  } catch (error) {
    if (!(error as LiveKitError).isNotFound) throw error;
  }
}
