/**
 * What the flow and the checks share: Twilio clients (and, with LIVEKIT_*, a LiveKit client) that record what they
 * create, the service's settings and secrets, the number the user lent (if any), and the names that mark this
 * run's resources.
 */
import { provisioningConfigFromEnv } from "../../supabase/functions/_shared/config.ts";
import { SecretBox } from "../../supabase/functions/_shared/crypto/secrets.ts";
import type { Sql } from "../../supabase/functions/_shared/db/client.ts";
import { createLiveKitClient, type LiveKitSip } from "../../supabase/functions/_shared/livekit/client.ts";
import { ownerOf } from "../../supabase/functions/_shared/livekit/reconcile.ts";
import type { Logger } from "../../supabase/functions/_shared/log.ts";
import {
  credentialListNameFor,
  trunkFriendlyNameFor,
} from "../../supabase/functions/_shared/provisioning/names.ts";
import type { ServiceContext } from "../../supabase/functions/_shared/service-context.ts";
import { createTwilioClient } from "../../supabase/functions/_shared/twilio/client.ts";
import type { TwilioClient, TwilioIncomingNumber } from "../../supabase/functions/_shared/twilio/types.ts";
import type { ProbeArgs, TwilioCredentials } from "./args.ts";
import { CleanupRegistry, type ProbeNames, trackCreations, trackLiveKitCreations } from "./cleanup.ts";

/**
 * Origination URLs for the probe's trunk when LIVEKIT_SIP_URI(_FALLBACK) are not set: a reserved domain
 * (RFC 2606), since the probe places no calls and must not route any to a real host.
 */
const PLACEHOLDER_ORIGINATION = {
  LIVEKIT_SIP_URI: "sip:twilio-probe.example.com;transport=tcp",
  LIVEKIT_SIP_URI_FALLBACK: "sip:twilio-probe-fallback.example.com;transport=tcp",
};

export class ProbeContext {
  readonly registry = new CleanupRegistry();
  /** Marks this run's scratch resources (`twilio-probe-{tag}-…`), so even one whose SID was lost is found. */
  readonly tag = crypto.randomUUID().slice(0, 8);
  /** The account's client: every create through it is recorded for the cleanup. */
  readonly twilio: TwilioClient;
  /** The service's LiveKit client, when a LiveKit project is given: every create through it is recorded. */
  readonly livekit?: LiveKitSip;
  readonly number?: BorrowedNumber;
  readonly secrets: SecretBox;
  readonly #env: Record<string, string>;
  /** Set once the flow has made its throw-away user. */
  userId?: string;

  constructor(readonly args: ProbeArgs, readonly log: Logger, env = Deno.env.toObject()) {
    this.twilio = this.twilioFor(args.credentials);
    if (args.livekit) this.livekit = trackLiveKitCreations(createLiveKitClient(args.livekit), this.registry);
    if (args.number) this.number = new BorrowedNumber(this.twilio, this.registry, args.number);
    // A throw-away database gets a throw-away key; a given one needs the functions' keys (args.ts insists).
    this.secrets = SecretBox.fromEnv(env.ENCRYPTION_KEYS || `probe:${randomBase64(32)}`);
    this.#env = env;
  }

  twilioFor(credentials: TwilioCredentials): TwilioClient {
    const client = createTwilioClient(credentials, {
      apiBaseUrl: this.args.apiBaseUrl,
      trunkingBaseUrl: this.args.trunkingBaseUrl,
      log: this.log,
    });
    return trackCreations(client, this.registry);
  }

  /** The service as the functions run it, on the probe's database, with the functions' settings from env. */
  serviceContext(sql: Sql): ServiceContext {
    return {
      sql,
      secrets: this.secrets,
      config: provisioningConfigFromEnv({ ...PLACEHOLDER_ORIGINATION, ...this.#env }),
      ...(this.livekit ? { livekit: this.livekit } : {}),
      twilio: (credentials) => this.twilioFor(credentials),
      log: this.log,
    };
  }

  /** A scratch resource's name; also its domain label. */
  scratchName(suffix: string): string {
    return `twilio-probe-${this.tag}-${suffix}`;
  }

  /**
   * This run's resources by name: the service's main trunk and list for the throw-away user, and the scratch ones;
   * in LiveKit, the objects whose metadata names the throw-away user.
   */
  names(): ProbeNames {
    const scratch = (name: string | null) => !!name?.startsWith(this.scratchName(""));
    const userId = this.userId;
    return {
      trunk: (name) => scratch(name) || (!!userId && name === trunkFriendlyNameFor(userId)),
      list: (name) => scratch(name) || (!!userId && name === credentialListNameFor(userId)),
      livekit: (object) => !!userId && ownerOf(object)?.userId === userId,
    };
  }
}

/** The number given with --number, recorded with its settings (for the cleanup) before anything touches it. */
export class BorrowedNumber {
  #original?: Promise<TwilioIncomingNumber>;

  constructor(
    private readonly twilio: TwilioClient,
    private readonly registry: CleanupRegistry,
    readonly reference: string,
  ) {}

  /** The number as it was before the probe, looked up once. */
  original(): Promise<TwilioIncomingNumber> {
    return this.#original ??= this.#lookUp();
  }

  /** As it is now. */
  async current(): Promise<TwilioIncomingNumber> {
    return await this.twilio.fetchIncomingNumber((await this.original()).sid);
  }

  async #lookUp(): Promise<TwilioIncomingNumber> {
    const number = this.reference.startsWith("PN")
      ? await this.twilio.fetchIncomingNumber(this.reference)
      : (await this.twilio.listIncomingNumbers({ phoneNumber: this.reference }))
        .find((candidate) => candidate.phoneNumber === this.reference);
    if (!number) throw new Error(`the account has no number ${this.reference}`);
    this.registry.record({
      kind: "number",
      sid: number.sid,
      phoneNumber: number.phoneNumber,
      original: number,
    });
    return number;
  }
}

function randomBase64(bytes: number): string {
  return btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(bytes))));
}
