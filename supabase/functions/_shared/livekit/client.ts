/**
 * The LiveKit SIP operations the product uses, over the official `livekit-server-sdk` SipClient, which is loaded on
 * first use: only paths that call LiveKit pay for it. Updates use the SDK's `*Fields` forms with add/remove lists,
 * never the replace forms (which wipe every field not sent). Creates are sent once (see createLiveKitClient).
 * Failures surface as `LiveKitError`.
 *
 * ```ts
 * const livekit = createLiveKitClient(config.livekit);
 * const trunk = await livekit.createInboundTrunk({ name, numbers: ["+15551234567"], metadata });
 * ```
 */
import type { SipClient } from "livekit-server-sdk";
import type { LiveKitConfig } from "../config.ts";
import { once } from "../lazy.ts";

export interface LiveKitTrunk {
  id: string;
  name: string;
  metadata: string;
  numbers: string[];
  /** Outbound trunks: the SIP host they call. */
  address?: string;
  /** The digest username: an outbound trunk's credential; an inbound trunk for Twilio has none (""). */
  authUsername: string;
}

export interface LiveKitRule {
  id: string;
  name: string;
  metadata: string;
  trunkIds: string[];
  agentNames: string[];
}

export interface OutboundTrunkInput {
  name: string;
  metadata: string;
  address: string;
  numbers: string[];
  transport: "udp" | "tcp" | "tls" | "auto";
  authUsername: string;
  authPassword: string;
  /** Secure trunking: SRTP required, as Twilio's Secure=true trunk expects. */
  encryptMedia: boolean;
}

export interface InboundTrunkInput {
  name: string;
  metadata: string;
  numbers: string[];
  allowedAddresses: string[];
  krispEnabled: boolean;
  encryptMedia: boolean;
}

export interface DispatchRuleInput {
  name: string;
  metadata: string;
  trunkId: string;
  roomPrefix: string;
  agentName?: string;
}

export interface LiveKitSip {
  createOutboundTrunk(input: OutboundTrunkInput): Promise<LiveKitTrunk>;
  createInboundTrunk(input: InboundTrunkInput): Promise<LiveKitTrunk>;
  listOutboundTrunks(filter: { trunkIds?: string[]; numbers?: string[] }): Promise<LiveKitTrunk[]>;
  listInboundTrunks(filter: { trunkIds?: string[]; numbers?: string[] }): Promise<LiveKitTrunk[]>;
  updateOutboundTrunk(
    id: string,
    change: { add?: string[]; remove?: string[]; authUsername?: string; authPassword?: string },
  ): Promise<void>;
  updateInboundNumbers(id: string, change: { add?: string[]; remove?: string[] }): Promise<void>;
  deleteTrunk(id: string): Promise<void>;
  createDispatchRule(input: DispatchRuleInput): Promise<LiveKitRule>;
  listDispatchRules(filter: { trunkIds?: string[]; dispatchRuleIds?: string[] }): Promise<LiveKitRule[]>;
  deleteDispatchRule(id: string): Promise<void>;
}

/** A LiveKit answer other than success: its HTTP status (0: no answer) and Twirp code. */
export class LiveKitError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
    this.name = "LiveKitError";
  }

  get isNotFound(): boolean {
    return this.status === 404 || this.code === "not_found";
  }

  /** Retrying later may succeed: no answer, 429 or a LiveKit-side failure. */
  get isTransient(): boolean {
    return this.status === 0 || this.status === 429 || this.status >= 500;
  }
}

const sdk = {
  server: once(() => import("livekit-server-sdk")),
  protocol: once(() => import("@livekit/protocol")),
};

const TRANSPORTS = { auto: 0, udp: 1, tcp: 2, tls: 3 } as const; // SIPTransport
const MEDIA_ENCRYPTION_REQUIRE = 2; // SIPMediaEncryption.SIP_MEDIA_ENCRYPT_REQUIRE

/**
 * On a LiveKit Cloud host the SDK sends a request again, to another region of the project, when it got no answer
 * or a 5xx (its region failover, on by default: livekit/node-sdks#686). A create whose answer was lost would be made
 * twice: a second outbound trunk or dispatch rule, or a second inbound trunk that LiveKit refuses as conflicting
 * with the first, so that a create which worked is reported as failed. Creates therefore go through a client
 * without failover, and fail as transient: our own retries look for what an earlier attempt made before they
 * create (reconcile.ts). Reads, updates (add/remove lists) and deletes ("not found" counts as done) keep it.
 */
export function createLiveKitClient(config: LiveKitConfig): LiveKitSip {
  // The SDK speaks HTTP(S) to the same host a LiveKit URL names with ws(s).
  const host = config.url.replace(/^ws(s?):/, "http$1:");
  const call = sipCall(host, config, { failover: true });
  const create = sipCall(host, config, { failover: false });
  const listUpdate = async (change: { add?: string[]; remove?: string[] }) =>
    new (await sdk.protocol()).ListUpdate({ add: change.add ?? [], remove: change.remove ?? [] });

  return {
    createOutboundTrunk: (input) =>
      create(async (sip) =>
        toTrunk(
          await sip.createSipOutboundTrunk(input.name, input.address, input.numbers, {
            metadata: input.metadata,
            transport: TRANSPORTS[input.transport],
            authUsername: input.authUsername,
            authPassword: input.authPassword,
            ...(input.encryptMedia ? { mediaEncryption: MEDIA_ENCRYPTION_REQUIRE } : {}),
          }),
        )
      ),
    createInboundTrunk: (input) =>
      create(async (sip) =>
        toTrunk(
          await sip.createSipInboundTrunk(input.name, input.numbers, {
            metadata: input.metadata,
            allowedAddresses: input.allowedAddresses,
            krispEnabled: input.krispEnabled,
            ...(input.encryptMedia ? { mediaEncryption: MEDIA_ENCRYPTION_REQUIRE } : {}),
          }),
        )
      ),
    listOutboundTrunks: (filter) =>
      call(async (sip) => (await sip.listSipOutboundTrunk(filter)).map(toTrunk)),
    listInboundTrunks: (filter) => call(async (sip) => (await sip.listSipInboundTrunk(filter)).map(toTrunk)),
    updateOutboundTrunk: (id, change) =>
      call(async (sip) => {
        await sip.updateSipOutboundTrunkFields(id, {
          ...(change.add || change.remove ? { numbers: await listUpdate(change) } : {}),
          ...(change.authUsername ? { authUsername: change.authUsername } : {}),
          ...(change.authPassword ? { authPassword: change.authPassword } : {}),
        });
      }),
    updateInboundNumbers: (id, change) =>
      call(async (sip) => {
        await sip.updateSipInboundTrunkFields(id, { numbers: await listUpdate(change) });
      }),
    deleteTrunk: (id) => call(async (sip) => void await sip.deleteSipTrunk(id)),
    ...dispatchRuleMethods(call, create),
  };
}

type SipCall = <T>(operation: (sip: SipClient) => Promise<T>) => Promise<T>;

/** Operations on one SipClient (made on first use), their failures as LiveKitError. */
function sipCall(host: string, config: LiveKitConfig, options: { failover: boolean }): SipCall {
  const client = once(async () =>
    new (await sdk.server()).SipClient(host, config.apiKey, config.apiSecret, options)
  );
  return async (operation) => {
    const sip = await client();
    try {
      return await operation(sip);
    } catch (error) {
      throw toLiveKitError(error);
    }
  };
}

/** The rules that send a trunk's calls to rooms (and an agent). */
function dispatchRuleMethods(call: SipCall, create: SipCall) {
  return {
    createDispatchRule: (input) =>
      create(async (sip) => {
        const { RoomAgentDispatch, RoomConfiguration } = await sdk.protocol();
        const agents = input.agentName ? [new RoomAgentDispatch({ agentName: input.agentName })] : [];
        return toRule(
          await sip.createSipDispatchRule({ type: "individual", roomPrefix: input.roomPrefix }, {
            name: input.name,
            metadata: input.metadata,
            trunkIds: [input.trunkId],
            roomConfig: new RoomConfiguration({ agents }),
          }),
        );
      }),
    listDispatchRules: (filter) => call(async (sip) => (await sip.listSipDispatchRule(filter)).map(toRule)),
    deleteDispatchRule: (id) => call(async (sip) => void await sip.deleteSipDispatchRule(id)),
  } satisfies Partial<LiveKitSip>;
}

interface TrunkInfo {
  sipTrunkId: string;
  name: string;
  metadata: string;
  numbers: string[];
  address?: string;
  authUsername?: string;
}

const toTrunk = (trunk: TrunkInfo): LiveKitTrunk => ({
  id: trunk.sipTrunkId,
  name: trunk.name,
  metadata: trunk.metadata,
  numbers: [...trunk.numbers],
  authUsername: trunk.authUsername ?? "",
  ...(trunk.address === undefined ? {} : { address: trunk.address }),
});

const toRule = (rule: {
  sipDispatchRuleId: string;
  name: string;
  metadata: string;
  trunkIds: string[];
  roomConfig?: { agents: { agentName: string }[] };
}): LiveKitRule => ({
  id: rule.sipDispatchRuleId,
  name: rule.name,
  metadata: rule.metadata,
  trunkIds: [...rule.trunkIds],
  agentNames: rule.roomConfig?.agents.map((agent) => agent.agentName) ?? [],
});

/** The SDK throws `ServerError` (status, Twirp code) for answers and plain errors when none came. */
function toLiveKitError(error: unknown): LiveKitError {
  const { status, code, message } = error as { status?: number; code?: string; message?: string };
  return new LiveKitError(
    typeof status === "number" ? status : 0,
    code ?? "unavailable",
    message ?? String(error),
  );
}
